"""Portfolio figures on a universe or its what-if arrays (desktop.controller.evaluation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl


def test_evaluate_aggregates(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "UK"], range(1, 6), 50e6, fx)
    ev = ctl.evaluate(universe, lad.face, fx, snap.short_rates_pct, "USD")
    assert abs(ev.weights.sum() - 1) < 1e-12
    assert ev.weights_by_market["JP"] == 0 and abs(ev.weights_by_market["US"] - 0.5) < 0.01
    assert abs(ev.duration_contrib.to_numpy().sum() - ev.mod_duration) < 1e-12
    from desktop.keyrates import zero_curve_key_rates  # KRDs are zero-curve: Σ KRD = zero-curve duration

    curve_dur = zero_curve_key_rates(universe, universe["settle_date"], snap.curves)["spread_duration"].to_numpy()
    assert abs(ev.key_rates.to_numpy().sum() - ev.weights @ curve_dur) < 1e-9
    assert 0 < ev.us_duration_share < 1
    us_gbp = ctl.evaluate(universe, lad.face, ctl.fx_to_base(snap.fx_usd_per_unit, "GBP"), snap.short_rates_pct, "GBP")
    assert abs(us_gbp.market_value_base * snap.fx_usd_per_unit["GBP"] - ev.market_value_base) < 1.0


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
