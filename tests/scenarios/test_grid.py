"""Grid: hedged vs unhedged definitions, aggregation by market/rung/total."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.scenarios.grid import face_from_weights, position_pnl, scenario_grid
from desktop.scenarios.model import CurveShock, Scenario, zero_scenario
from desktop.scenarios.presets import PRESETS

from .conftest import ladder_face


@pytest.fixture(scope="module")
def face(universe):
    return ladder_face(universe)


def test_zero_shock_zero_pnl(engine, face):
    grid = scenario_grid(engine, [zero_scenario(horizon_months=0)], {"current": face})
    for m in ("hedged", "unhedged", "price_full", "hedge_carry", "fx"):
        assert np.abs(grid.long[m]).max() < 1e-6


def test_pure_fx_moves_only_unhedged(engine, face, state):
    sc = Scenario("yen +10", fx_pct={"JPY": 10.0}, horizon_months=0)
    pnl = position_pnl(engine, [sc], face)
    assert np.abs(pnl["hedged"]).max() < 1e-6
    jp = (engine.universe["currency"] == "JPY").to_numpy()
    value_jp = (face[jp] / 100 * engine.price0[jp] * state.fx_to_base("JPY")).sum()
    assert pnl["unhedged"][jp].sum() == pytest.approx(0.10 * value_jp, rel=1e-12)
    assert np.abs(pnl["unhedged"][~jp]).max() < 1e-6


def test_hedged_carries_short_rate_differential(engine, face, state):
    sc = Scenario("carry only", horizon_months=12)
    pnl = position_pnl(engine, [sc], face)
    value0 = face / 100 * engine.price0 * np.array([state.fx_to_base(c) for c in engine.universe["currency"]])
    for ccy in ("JPY", "AUD", "GBP"):
        rows = (engine.universe["currency"] == ccy).to_numpy()
        diff = (state.short_rates_pct["USD"] - state.short_rates_pct[ccy]) / 100
        assert pnl["hedged"][rows].sum() == pytest.approx(value0[rows].sum() * diff, rel=1e-12)
    us = (engine.universe["currency"] == "USD").to_numpy()
    assert np.abs(pnl["hedged"][us]).max() < 1e-9
    # a short-rate shock changes it: USD −50 bp cuts the pick-up on yen by 0.5 % a year
    cut = Scenario("cut", short_rate_bp={"USD": -50}, horizon_months=12)
    jp = (engine.universe["currency"] == "JPY").to_numpy()
    delta = position_pnl(engine, [cut], face)["hedged"][jp].sum() - pnl["hedged"][jp].sum()
    assert delta == pytest.approx(-0.005 * value0[jp].sum(), rel=1e-9)


def test_grid_aggregates_consistently(engine, face):
    grid = scenario_grid(engine, PRESETS, {"current": face, "optimised": face * 0.5})
    for measure in ("hedged", "unhedged"):
        tab = grid.table("current", measure)
        markets = tab[list(engine.markets)].sum(axis=1)
        rungs = tab[[c for c in tab.columns if c.endswith("y")]].sum(axis=1)
        np.testing.assert_allclose(markets, tab["Total"], rtol=1e-10)
        np.testing.assert_allclose(rungs, tab["Total"], rtol=1e-10)
        np.testing.assert_allclose(grid.table("optimised", measure), 0.5 * tab, rtol=1e-10)
    assert list(grid.table("current").index) == [p.name for p in PRESETS]
    assert [c for c in grid.table("current").columns if c.endswith("y")] == [f"{r}y" for r in range(1, 11)]
    bars = grid.rung_bars("current", PRESETS[0].name)
    assert bars.index[0] == "1y" and len(bars) == 10


def test_us_up_loses_and_rally_gains(engine, face):
    grid = scenario_grid(engine, PRESETS, {"current": face})
    tab = grid.table("current", "price_full")
    assert tab.loc["US parallel +100 bp", "US"] < 0 < tab.loc["US parallel −100 bp", "US"]
    assert tab.loc["US parallel +100 bp", "JP"] == 0


def test_face_from_weights(engine, state):
    w = np.zeros(len(engine.universe))
    w[:2] = 0.5
    face = face_from_weights(engine, w, 1e6)
    value = face / 100 * engine.price0 * np.array([state.fx_to_base(c) for c in engine.universe["currency"]])
    assert value.sum() == pytest.approx(1e6)


def test_non_usd_base(universe, snapshot, face):
    from desktop.scenarios.revalue import MarketState, ScenarioEngine

    eng = ScenarioEngine.build(universe, MarketState.from_snapshot(snapshot, base="GBP"))
    sc = Scenario("gbp down", fx_pct={"GBP": -10.0}, curves={"US": CurveShock(parallel_bp=0)}, horizon_months=0)
    pnl = position_pnl(eng, [sc], face)
    uk = (universe["currency"] == "GBP").to_numpy()
    assert np.abs(pnl["unhedged"][uk]).max() < 1e-6
    assert (pnl["unhedged"][~uk & (face > 0)] > 0).all()  # everything else is worth more in sterling
