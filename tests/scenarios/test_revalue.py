"""Full revaluation vs the curve module and vs the duration+convexity estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.analytics import curve_dirty_price
from desktop.scenarios.model import CurveShock, Scenario, zero_scenario
from desktop.scenarios.presets import PRESETS


def test_zero_shock_reprices_today(engine, universe):
    rev = engine.revalue([zero_scenario()])
    np.testing.assert_allclose(rev.pnl_full, 0.0, atol=1e-12)
    np.testing.assert_allclose(rev.pnl_dc, 0.0, atol=1e-9)
    np.testing.assert_allclose(rev.price0, universe["dirty_price"], atol=1e-8)


@pytest.mark.parametrize("preset", PRESETS[:6], ids=lambda p: p.name)
def test_matches_curve_shifted(engine, universe, snapshot, preset):
    rev = engine.revalue([preset])
    for m, curve in snapshot.curves.items():
        shocked = curve.shifted(preset.shift_bp(m, curve.zero_tenors))
        mask = (universe["market"] == m).to_numpy()
        expect = curve_dirty_price(universe[mask], pd.to_datetime(universe["settle_date"][mask]), shocked.discount)
        np.testing.assert_allclose(rev.price_full[mask, 0], expect, rtol=0, atol=1e-10)


def test_small_shock_agrees_with_duration_convexity(engine):
    rev = engine.revalue([Scenario("1bp", curves={m: CurveShock(parallel_bp=1.0) for m in engine.markets})])
    # 1 bp: the estimate is exact to first order; relative gap < 0.01 % of the move
    np.testing.assert_allclose(rev.pnl_dc, rev.pnl_full, rtol=1e-4)
    assert (rev.pnl_full < 0).all()


def test_large_shocks_differ_sensibly(engine, universe):
    shocks = [100, -100, 200, -200]
    rev = engine.revalue([Scenario(f"{b:+d}", curves={m: CurveShock(parallel_bp=b) for m in engine.markets})
                          for b in shocks])
    err = rev.pnl_full - rev.pnl_dc
    long = (universe["years_to_maturity"] > 15).to_numpy()
    # the gap grows with maturity and ~ with the cube of the shock (the first term left out)
    assert np.abs(err[long]).mean() > 4 * np.abs(err[~long]).mean()
    ratio = np.abs(err[long, 2:]) / np.abs(err[long, :2])
    assert ((ratio > 6) & (ratio < 10)).all()
    # …yet stays a small fraction of the move, and a rally gains more than the estimate says
    assert (np.abs(err) <= 0.05 * np.abs(rev.pnl_full) + 1e-6).all()
    assert (err[long][:, [1, 3]] > 0).all() and (err[long][:, [0, 2]] < 0).all()
    # the implied yield change is close to the shock (zero → semi-annual conversion)
    assert np.median(rev.dy_bp[:, 2]) == pytest.approx(200, abs=10)


def test_duration_matches_universe(engine, universe):
    """The engine's D and C (ACT/365F grid) agree with the analytics' (coupon periods) to ~1 %.
    Gilts in their last year are quoted on a money-market yield (Tradeweb's convention), whose
    duration is not the compounded one the engine uses: they are compared on price alone."""
    compounded = ~((universe["market"] == "UK") & (universe["years_to_maturity"] < 1.0)).to_numpy()
    np.testing.assert_allclose(engine.mod_duration[compounded], universe["mod_duration"][compounded], rtol=1e-2)
    np.testing.assert_allclose(engine.convexity[compounded], universe["convexity"][compounded], rtol=3e-2, atol=1e-3)


def test_bond_table(engine):
    rev = engine.revalue(PRESETS)
    tab = engine.bond_table(rev, PRESETS[2].name)
    assert list(tab.columns[-3:]) == ["pnl_full", "pnl_dc", "approx_error"]
    us_short = tab[(tab["market"] == "US") & (tab["rung"] <= 2)]
    assert (us_short["pnl_full"] > 0).all()  # Fed cuts: front-end bonds gain
    assert (tab.loc[tab["market"] != "US", "pnl_full"].abs() < 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(a=st.floats(-300, 300), b=st.floats(-300, 300), market=st.sampled_from(["US", "JP", "AU", "UK"]))
def test_prices_fall_as_rates_rise(engine, a, b, market):
    lo, hi = sorted((a, b))
    rev = engine.revalue([Scenario("lo", curves={market: CurveShock(parallel_bp=lo)}),
                          Scenario("hi", curves={market: CurveShock(parallel_bp=hi)})])
    rows = (engine.universe["market"] == market).to_numpy()
    assert (rev.price_full[rows, 1] <= rev.price_full[rows, 0] + 1e-9).all()
    assert (rev.price_full[~rows] == rev.price0[~rows, None]).all()
