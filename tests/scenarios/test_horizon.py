"""Horizon return split and roll-forward."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.scenarios.grid import position_pnl
from desktop.scenarios.horizon import COMPONENTS, horizon_return, roll_forward
from desktop.scenarios.model import Scenario, zero_scenario
from desktop.scenarios.presets import PRESETS

from .conftest import ladder_face


@pytest.fixture(scope="module")
def face(universe):
    return ladder_face(universe)


def test_zero_horizon_is_the_instant_shock(engine, face):
    sc = PRESETS[0]
    out = horizon_return(engine, face, sc, hedged=True, horizon_months=0)
    assert np.abs(out[["carry", "roll_down", "fx", "hedge_cost"]].to_numpy()).max() < 1e-6
    grid = position_pnl(engine, [sc], face)["price_full"][:, 0].sum()
    assert out.loc["Total", "price_change"] == pytest.approx(grid, rel=1e-9)


def test_components_add_up(engine, face):
    out = horizon_return(engine, face, PRESETS[3], hedged=False, horizon_months=12)
    np.testing.assert_allclose(out[list(COMPONENTS)].sum(axis=1), out["total"])
    np.testing.assert_allclose(out.drop(index="Total").sum()["total"], out.loc["Total", "total"])
    assert out.loc["US", "price_change"] < 0  # long end up
    assert out.loc["JP", "fx"] > 0  # yen up vs the dollar


def test_no_shock_earns_carry_and_roll(engine, face):
    out = horizon_return(engine, face, zero_scenario(12), hedged=True)
    assert abs(out.loc["Total", "price_change"]) < 1e-6
    assert 2.0 < out.loc["Total", "return_pct"] < 7.0  # ~ yields + hedge pick-up, a year
    assert out.loc["US", "hedge_cost"] == 0
    assert out.loc["JP", "hedge_cost"] > 0  # USD base: hedging yen earns the rate differential


def test_fx_only_unhedged(engine, face):
    sc = Scenario("gbp -10", fx_pct={"GBP": -10}, horizon_months=6)
    hedged = horizon_return(engine, face, sc, hedged=True)
    unhedged = horizon_return(engine, face, sc, hedged=False)
    assert hedged.loc["UK", "fx"] == 0
    assert unhedged.loc["UK", "fx"] == pytest.approx(-0.10 * (unhedged.loc["UK", "value0"]
                                                              + unhedged.loc["UK", "carry"]
                                                              + unhedged.loc["UK", "roll_down"]), rel=1e-9)


@pytest.mark.parametrize("preset", [zero_scenario(), *PRESETS[:6]], ids=lambda p: p.name)
def test_roll_forward_keeps_rungs(engine, face, preset):
    out = roll_forward(engine, face, preset, years=12)
    assert (out["n_rungs"] == out.loc[0, "n_rungs"]).all()
    assert (out["n_positions"] == out.loc[0, "n_positions"]).all()
    assert (out.loc[1:, "income_base"] > 0).all()
    # a 10-rung ladder rolled at the far end: duration drifts little
    assert (out["mod_duration"].between(0.8, 1.2 * out.loc[0, "mod_duration"] + 1)).all()


def test_roll_forward_income_follows_rates(engine, face):
    up = roll_forward(engine, face, Scenario("up", curves={m: {"parallel_bp": 200} for m in engine.markets}), 10)
    flat = roll_forward(engine, face, zero_scenario(), 10)
    assert up.loc[10, "income_base"] > flat.loc[10, "income_base"]
    assert up.loc[1, "income_base"] == pytest.approx(flat.loc[1, "income_base"], rel=1e-9)
