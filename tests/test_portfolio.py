"""desktop.portfolio: exposures of a hand-made two-bond portfolio, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop.portfolio import exposures, market_values_base, weights_from_face


def two_bonds() -> pd.DataFrame:
    return pd.DataFrame({
        "market": ["US", "JP"], "id": ["U", "J"], "currency": ["USD", "JPY"], "rung": [2, 10],
        "dirty_price": [100.0, 98.0], "yield_pct": [4.0, 2.0], "mod_duration": [2.0, 9.0],
        "dv01": [0.02, 0.0882], "krd_2y": [2.0, 0.0], "krd_5y": [0.0, 1.0], "krd_10y": [0.0, 8.0],
        "krd_30y": [0.0, 0.0],
    })


def test_exposures_by_hand():
    u = two_bonds()
    fx = {"USD": 1.0, "JPY": 0.0064}
    rates = {"USD": 3.7, "JPY": 0.7}
    face = np.array([1_000_000.0, 100_000_000.0])
    mv = market_values_base(u, face, fx)
    assert mv == pytest.approx([1_000_000.0, 100_000_000 * 0.98 * 0.0064])
    w, total = weights_from_face(u, face, fx)
    assert total == pytest.approx(mv.sum()) and w.sum() == pytest.approx(1.0)
    ex = exposures(u, face=face, fx_to_base=fx, short_rates_pct=rates, base_ccy="USD")
    assert ex.mod_duration == pytest.approx(2 * w[0] + 9 * w[1])
    assert ex.us_share == pytest.approx(2 * w[0] / ex.mod_duration)
    assert ex.hedged_yield_pct == pytest.approx(4.0 * w[0] + (2.0 + 3.7 - 0.7) * w[1])
    assert ex.dv01_base == pytest.approx(0.02 * 1e6 / 100 + 0.0882 * 1e8 / 100 * 0.0064)
    assert ex.weight_by_rung.loc[10, "JP"] == pytest.approx(w[1])
    assert ex.key_rate_profile.loc["JP", "krd_10y"] == pytest.approx(8 * w[1])
    assert ex.weight_by_market["AU"] == 0.0
    with pytest.raises(ValueError):
        exposures(u, fx_to_base=fx, short_rates_pct=rates, base_ccy="USD")
