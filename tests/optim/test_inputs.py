"""Bad or degenerate optimiser inputs give a message naming the bond and field, never a solver crash."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from desktop.optim.errors import BadInputs, Infeasible
from desktop.optim.inputs import OptimInputs
from desktop.optim.settings import OptimSettings
from desktop.optim.solve import Optimiser
from tests.optim.conftest import small_universe


def _inputs(snapshot, universe, **over) -> OptimInputs:
    fields = dict(universe=universe.reset_index(drop=True), curves=snapshot.curves,
                  short_rates_pct=snapshot.short_rates_pct, fx_usd_per_unit=snapshot.fx_usd_per_unit,
                  history=snapshot.history, as_of=date(2025, 12, 31))
    fields.update(over)
    return OptimInputs(**fields)


@pytest.mark.parametrize(("column", "value", "said"), [
    ("dirty_price", np.nan, "dirty_price = nan"),
    ("dirty_price", -3.0, "dirty_price = -3.0"),
    ("yield_pct", np.inf, "yield_pct = inf"),
    ("mod_duration", -1.0, "mod_duration = -1.0"),
    ("convexity", np.nan, "convexity = nan"),
    ("krd_10y", -np.inf, "krd_10y = -inf"),
])
def test_bad_bond_figure_is_rejected_naming_bond_and_field(snapshot, column, value, said):
    u = small_universe()
    u.loc[4, column] = value
    with pytest.raises(BadInputs) as err:
        _inputs(snapshot, u)
    assert f"bond {u.loc[4, 'id']} ({u.loc[4, 'market']})" in str(err.value)
    assert said in str(err.value)


def test_bad_fx_and_short_rate_are_rejected(snapshot):
    u = small_universe()
    with pytest.raises(BadInputs, match="FX JPY = 0.0"):
        _inputs(snapshot, u, fx_usd_per_unit={**snapshot.fx_usd_per_unit, "JPY": 0.0})
    with pytest.raises(BadInputs, match="short rate AUD = nan"):
        _inputs(snapshot, u, short_rates_pct={**snapshot.short_rates_pct, "AUD": float("nan")})


def test_many_bad_bonds_are_summarised(snapshot):
    u = small_universe()
    u["yield_pct"] = np.nan
    with pytest.raises(BadInputs, match=r"and 7 more"):
        _inputs(snapshot, u)


def test_empty_universe_says_no_eligible_bond(snapshot):
    opt = Optimiser(_inputs(snapshot, small_universe().iloc[:0]))
    with pytest.raises(Infeasible, match="no eligible bond"):
        opt.solve(OptimSettings(rung_tolerance=None))


def test_single_bond_names_the_duration_it_can_reach(snapshot):
    u = small_universe().iloc[[4]]  # JP 5y, duration 4.5
    opt = Optimiser(_inputs(snapshot, u))
    with pytest.raises(Infeasible) as err:
        opt.solve(OptimSettings(rung_tolerance=None, max_weight=1.0, us_cap=1.0))
    assert "lower the duration target to" in str(err.value)
    fine = opt.solve(OptimSettings(rung_tolerance=None, max_weight=1.0, target_duration=4.5, us_cap=1.0))
    assert fine.weights.sum() == pytest.approx(1.0, abs=1e-6)


def test_market_without_bonds_is_left_out_or_named(snapshot):
    u = small_universe()
    opt = Optimiser(_inputs(snapshot, u[u["market"] != "AU"]))
    sol = opt.solve(OptimSettings(rung_tolerance=None, max_weight=0.5, target_duration=5.0))
    assert sol.weights.sum() == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(Infeasible) as err:
        opt.solve(replace(OptimSettings(rung_tolerance=None, max_weight=0.5, target_duration=5.0),
                          market_min={"AU": 0.1}))
    assert "AU" in str(err.value)
