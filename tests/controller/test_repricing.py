"""Exact what-if repricing on shifted curves (desktop.controller.repricing)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop import controller as ctl
from desktop.universe import market_settle_dates, price_off_curves


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
    # key-rate durations on the shifted curve: exact zero-curve KRDs (price_off_curves → desktop.keyrates)
    for k in ("krd_2y", "krd_5y", "krd_10y", "krd_30y"):
        np.testing.assert_allclose(fast[k], exact[k], rtol=1e-9, atol=1e-9)
    moved = set(fast.loc[(fast["dirty_price"] - universe["dirty_price"]).abs() > 1e-12, "market"])
    assert moved == {m for m in ("US", "JP", "AU", "UK") if np.any(whatif.key_shift(m))}
