"""The Qt-free controller: exact what-if repricing, ladder rule, exposures, run cards, settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl
from desktop.snapshot import load_bundled_snapshot
from desktop.universe import build_universe, market_settle_dates, price_off_curves


@pytest.fixture(scope="module")
def snap():
    return load_bundled_snapshot()


@pytest.fixture(scope="module")
def universe(snap) -> pd.DataFrame:
    return build_universe(snap)


@pytest.fixture(scope="module")
def engine(universe, snap) -> ctl.ShiftEngine:
    return ctl.ShiftEngine(universe, snap.curves)


def test_engine_reprices_the_universe_exactly_at_zero_shift(engine, universe):
    np.testing.assert_allclose(engine.base_dirty, universe["dirty_price"], rtol=1e-10)
    assert engine.reprice(ctl.WhatIf()) is universe


@pytest.mark.parametrize(
    "whatif",
    [
        ctl.WhatIf(parallel_bp={"US": 30.0}),
        ctl.WhatIf(slope_bp={"JP": 40.0}, parallel_bp={"UK": -25.0}),
        ctl.WhatIf(key_bp={"US": {5.0: 5.0, 10.0: 15.0, 30.0: 25.0}}, parallel_bp={"AU": 50.0}),
    ],
)
def test_what_if_prices_equal_full_repricing_on_shifted_curves(engine, universe, snap, whatif):
    fast = engine.reprice(whatif)
    curves = ctl.shifted_curves(snap.curves, whatif)
    static = universe[["market", "id", "name", "coupon_pct", "maturity", "issue_date", "is_generic"]]
    exact = price_off_curves(static, curves, market_settle_dates(snap.as_of))
    np.testing.assert_allclose(fast["dirty_price"], exact["dirty_price"], rtol=1e-9)
    assert np.abs(fast["yield_pct"] - exact["yield_pct"]).max() * 100 < 0.25  # bp, moves up to 50 bp
    assert np.abs(fast["mod_duration"] - exact["mod_duration"]).max() < 0.01  # years
    moved = set(fast.loc[(fast["dirty_price"] - universe["dirty_price"]).abs() > 1e-12, "market"])
    assert moved == {m for m in ("US", "JP", "AU", "UK") if np.any(whatif.key_shift(m))}


def test_ladder_rule_one_bond_per_rung_nearest_the_rung_end_real_first(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx)
    assert len(lad.chosen) == 40 and not lad.gaps
    for row in lad.chosen.itertuples():
        same = universe[(universe["market"] == row.market) & (universe["rung"] == row.rung)]
        real = same[~same["is_generic"]]
        pool = real if len(real) else same
        best = pool.iloc[int(np.argmin(np.abs(pool["years_to_maturity"] - row.rung)))]
        assert row.id == best["id"]
    values = ctl.market_values_base(universe, lad.face, fx)
    assert abs(values.sum() - 100e6) < 1e5
    by_market = pd.Series(values).groupby(universe["market"]).sum()
    np.testing.assert_allclose(by_market.to_numpy(), 25e6, rtol=2e-3)


def test_ladder_reports_empty_rungs(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["JP"], [45, 46], 1e6, fx)
    assert lad.gaps == ["JP 45y", "JP 46y"] and "empty rung" in lad.message
    assert lad.face.sum() == 0


def test_evaluate_aggregates(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "UK"], range(1, 6), 50e6, fx)
    ev = ctl.evaluate(universe, lad.face, fx, snap.short_rates_pct, "USD")
    assert abs(ev.weights.sum() - 1) < 1e-12
    assert ev.weights_by_market["JP"] == 0 and abs(ev.weights_by_market["US"] - 0.5) < 0.01
    assert abs(ev.duration_contrib.to_numpy().sum() - ev.mod_duration) < 1e-12
    assert abs(ev.key_rates.to_numpy().sum() - ev.mod_duration) < 1e-6  # Σ KRD = duration
    assert 0 < ev.us_duration_share < 1
    us_gbp = ctl.evaluate(universe, lad.face, ctl.fx_to_base(snap.fx_usd_per_unit, "GBP"), snap.short_rates_pct, "GBP")
    assert abs(us_gbp.market_value_base * snap.fx_usd_per_unit["GBP"] - ev.market_value_base) < 1.0


def test_holdings_round_trip_and_trades(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    face = ctl.build_ladder(universe, ["AU", "JP"], range(2, 8), 10e6, fx).face
    back, missing = ctl.face_from_holdings(universe, ctl.holdings_of(universe, face))
    np.testing.assert_array_equal(back, face)
    assert missing == []
    target = face.copy()
    target[np.flatnonzero(face)[0]] = 0
    trades = ctl.trades_of(universe, face, target, fx, snap.as_of)
    assert list(trades["side"]) == ["SELL"]
    # each market's own settlement: JP T+1, AU T+2 after the 2025-12-31 trade (New Year holidays)
    sold = universe.loc[np.flatnonzero(face)[0]]
    assert trades["trade_date"].iloc[0] == "2025-12-31"
    assert trades["settle_date"].iloc[0] == f"{pd.Timestamp(sold['settle_date']):%Y-%m-%d}"
    assert trades["settle_date"].iloc[0] > "2025-12-31"


def test_run_card_restores_the_what_if(snap):
    w = ctl.WhatIf(parallel_bp={"JP": 30.0}, key_bp={"US": {10.0: 15.0}}, us_cap=0.3, hedged=False, base_ccy="GBP")
    card = ctl.run_card(snap, w, None)
    assert card["data_as_of"] == "2025-12-31" and card["solver_status"] == "not solved"
    import json

    assert ctl.whatif_from_card(json.loads(json.dumps(card))) == w


def test_optimiser_settings_from_sliders_and_presets():
    w = ctl.whatif_from_preset("Shift from US rates", ctl.WhatIf(base_ccy="AUD"))
    assert w.us_cap == pytest.approx(0.30) and w.base_ccy == "AUD"
    assert w.parallel_bp["JP"] == 10.0 and w.key_bp["US"][30.0] == 25.0
    s = ctl.optim_settings(w.with_value("slope:UK", 20.0).with_value("turnover_limit", 0.5))
    assert s.us_cap == pytest.approx(0.30) and s.turnover_max == 0.5 and s.base_ccy == "AUD"
    assert s.views["UK"].slope_bp == 20.0 and s.views["US"].key_bp[30.0] == 25.0
    assert s.market_min["US"] == 0.15  # the preset's constraints stay
    np.testing.assert_allclose(s.views["UK"].at_key_tenors(), w.with_value("slope:UK", 20.0).key_shift("UK"))
    assert ctl.optim_settings(ctl.WhatIf()).turnover_max is None  # 200 % = no limit


@pytest.mark.parametrize("whatif", [ctl.WhatIf(), ctl.WhatIf(parallel_bp={"US": 30.0}, slope_bp={"JP": -15.0})])
@pytest.mark.parametrize("base", ["USD", "GBP"])
def test_numpy_hot_path_gives_the_dataframe_figures_exactly(engine, universe, snap, whatif, base):
    """The slider path (Shifted arrays) and the DataFrame path give bit-identical figures."""
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, base)
    face = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx).face
    shifted = engine.reprice_arrays(whatif)
    frame = engine.reprice(whatif)
    pd.testing.assert_frame_equal(shifted.frame, frame, check_exact=True)
    for key in ctl.MOVED_COLUMNS:
        np.testing.assert_array_equal(shifted.column(key), frame[key].to_numpy(float))
    fast = ctl.evaluate(shifted, face, fx, snap.short_rates_pct, base, 2.5)
    slow = ctl.evaluate(frame, face, fx, snap.short_rates_pct, base, 2.5)
    for name in ("values_base", "weights"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
    for name in ("market_value_base", "yield_pct", "hedged_yield_pct", "mod_duration", "dv01_base", "us_duration_share"):
        assert getattr(fast, name) == getattr(slow, name)
    assert fast.weights_by_market == slow.weights_by_market
    for name in ("duration_contrib", "key_rates", "value_by_rung"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), check_exact=True)
    np.testing.assert_array_equal(ctl.hedged_yield_pct(shifted, snap.short_rates_pct, base),
                                  ctl.hedged_yield_pct(frame, snap.short_rates_pct, base))


def test_tradeoff_sweep_never_beats_the_optimum_within_the_pms_limits(universe, snap):
    """Sweep points that meet the PM's own US cap cannot dominate the optimal portfolio (a sweep
    point that did would be relaxing another limit, e.g. a US floor below the preset's minimum)."""
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.solve import Optimiser

    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    face = ctl.build_ladder(universe, list(snap.curves), range(1, 11), 100e6, fx).face
    values = ctl.market_values_base(universe, face, fx)
    w0 = values / values.sum()
    settings = ctl.optim_settings(ctl.whatif_from_preset("Shift from US rates", ctl.WhatIf()))
    opt = Optimiser(OptimInputs.from_snapshot(snap, universe))
    best = opt.solve(settings, current_weights=w0)
    sweep = ctl.tradeoff_sweep(opt, settings, w0, None)
    assert set(sweep["kind"]) == {"cap", "floor", "risk_aversion"}
    assert sweep.loc[sweep["kind"] == "floor", "level"].min() > settings.market_min["US"]
    inside = sweep[sweep["kind"].isin(["cap", "floor"]) & (sweep["us_share"] <= settings.us_cap + 1e-9)]
    dominating = inside[(inside["expected_return_pct"] > best.expected_return_pct + 1e-4)
                        & (inside["risk_pct"] < best.risk_pct - 1e-4)]
    assert dominating.empty, dominating
