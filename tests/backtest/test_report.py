"""Backtest statistics against hand-computed figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop.backtest.report import drawdown_pct, per_year, stats_table, summary


def test_summary_by_hand():
    r = pd.Series([1.0, -2.0, 3.0, -4.0], index=["2025-01", "2025-02", "2025-03", "2025-04"])
    s = summary(r)
    growth = 1.01 * 0.98 * 1.03 * 0.96
    assert s["total_return_pct"] == pytest.approx((growth - 1) * 100)
    assert s["ann_return_pct"] == pytest.approx((growth ** 3 - 1) * 100)
    assert s["ann_vol_pct"] == pytest.approx(np.std([1, -2, 3, -4], ddof=1) * np.sqrt(12))
    assert s["worst_month"] == "2025-04" and s["worst_month_pct"] == -4.0
    # peak 1.01 → 0.9898 (−2 %), new peak? 1.019494 < 1.01? no: 0.9898·1.03 = 1.019494 > 1.01 → peak;
    # then ·0.96 → −4 % from that peak
    assert s["max_drawdown_pct"] == pytest.approx(-4.0)
    assert list(drawdown_pct(r).round(6)) == [0.0, -2.0, 0.0, -4.0]


def test_event_rows_and_per_year():
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:16]
    m = pd.DataFrame({"date": months, "strategy": "A", "return_pct": np.linspace(-1, 1, 16)})
    t = stats_table(m).iloc[0]
    assert t["2025-04_pct"] == pytest.approx(m.loc[3, "return_pct"])
    assert t["since_2025-12-31_months"] == 4
    assert t["since_2025-12-31_pct"] == pytest.approx((np.prod(1 + m["return_pct"][12:] / 100) - 1) * 100)
    y = per_year(m)
    assert y.loc["2026", "months"] == 4 and y.loc["2025", "A"] == pytest.approx(t["2025_pct"])
