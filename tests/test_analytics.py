"""desktop.analytics: contract, closed-form checks, properties, and a QuantLib oracle sweep.

Tolerances (per 100 face / decimal yield / years): price 1e-6, yield 1e-8, durations 1e-6.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.analytics import (
    ANALYTICS_COLUMNS,
    KEY_RATE_COLUMNS,
    bond_analytics,
    cash_flows,
    curve_dirty_price,
    price_from_yield,
    yield_from_price,
)

sys.path.insert(0, str(Path(__file__).parent))
from analytics_oracle import oracle_bond  # noqa: E402

PRICE_TOL = 1e-6  # per 100 face
YIELD_TOL_PCT = 1e-6  # 1e-8 decimal, in %
DUR_TOL = 1e-6  # years
KRD_SUM_TOL = 1e-10  # years


def frame(*rows: tuple[str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["market", "coupon_pct", "maturity"])


SAMPLE = frame(
    ("US", 4.25, "2035-11-15"),
    ("JP", 1.1, "2034-12-20"),
    ("UK", 4.0, "2030-01-31"),
    ("AU", 3.5, "2029-04-21"),
    ("UK", 0.0, "2026-01-07"),
)
SETTLE = date(2025, 12, 31)
YIELDS = np.array([4.1, 1.6, 4.2, 3.9, 3.0])


def test_bond_analytics_has_contract_columns_on_the_same_index():
    bonds = SAMPLE.set_axis(["a", "b", "c", "d", "e"])
    out = bond_analytics(bonds, SETTLE, yield_pct=YIELDS)
    assert list(out.columns) == list(ANALYTICS_COLUMNS)
    assert list(out.index) == ["a", "b", "c", "d", "e"]
    assert KEY_RATE_COLUMNS == ("krd_2y", "krd_5y", "krd_10y", "krd_30y")
    assert out["ex_dividend"].dtype == bool
    assert out["simple_yield_pct"].notna().tolist() == [False, True, False, False, False]
    assert (out["settle_date"] == pd.Timestamp(SETTLE)).all()


def test_exactly_one_of_yield_or_price():
    with pytest.raises(ValueError, match="exactly one"):
        bond_analytics(SAMPLE, SETTLE)
    with pytest.raises(ValueError, match="exactly one"):
        bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS, clean_price=YIELDS)


def test_matured_bond_is_rejected_with_its_index():
    with pytest.raises(ValueError, match="mature on or before"):
        bond_analytics(frame(("US", 1.0, "2025-12-31")), SETTLE, yield_pct=[4.0])


def test_par_bond_on_a_coupon_date_prices_at_100():
    bonds = frame(("US", 5.0, "2035-11-15"), ("UK", 4.0, "2031-05-15"), ("AU", 3.0, "2040-05-15"))
    out = price_from_yield(bonds, date(2025, 11, 15), [5.0, 4.0, 3.0])
    np.testing.assert_allclose(out["clean_price"], 100.0, atol=1e-10)
    np.testing.assert_allclose(out["accrued"], 0.0, atol=1e-12)


def test_price_and_yield_round_trip_and_match_quantlib():
    out = bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS)
    back = yield_from_price(SAMPLE, SETTLE, out["clean_price"])
    np.testing.assert_allclose(back, YIELDS, atol=1e-10)
    for i, row in SAMPLE.iterrows():
        o = oracle_bond(row.market, row.coupon_pct, date.fromisoformat(row.maturity), SETTLE)
        assert out.dirty_price[i] == pytest.approx(o.dirty_price(YIELDS[i]), abs=PRICE_TOL)
        assert out.mod_duration[i] == pytest.approx(o.duration(YIELDS[i]), abs=DUR_TOL)
        assert out.convexity[i] == pytest.approx(o.convexity(YIELDS[i]), abs=DUR_TOL)


def test_jgb_accrued_skips_feb_29_closed_form():
    # 2% JGB paying 20 Mar / 20 Sep; period 20 Sep 2027 → 20 Mar 2028 spans 29 Feb 2028.
    bonds = frame(("JP", 2.0, "2030-03-20"), ("JP", 2.0, "2030-03-20"), ("JP", 2.0, "2030-03-20"))
    settle = pd.to_datetime(["2028-02-28", "2028-03-01", "2027-12-20"])
    out = price_from_yield(bonds, settle, 1.0)
    # 20 Sep → 28 Feb = 161 days; → 1 Mar = 163 actual days, 162 without 29 Feb; → 20 Dec = 91.
    np.testing.assert_allclose(out["accrued"], [2.0 * 161 / 365, 2.0 * 162 / 365, 2.0 * 91 / 365], rtol=0, atol=1e-14)
    nl = ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)  # QuantLib ≥ 1.28 has it: cross-check
    assert nl.dayCount(ql.Date(20, 9, 2027), ql.Date(1, 3, 2028)) == 162


def test_uk_ex_dividend_makes_accrued_negative_and_drops_the_coupon():
    bonds = frame(("UK", 4.25, "2027-12-07"))
    # Registry: coupon Sun 7 Dec 2025 → ex-dividend Thu 27 Nov 2025 (7 LSE business days).
    before = bond_analytics(bonds, date(2025, 11, 26), yield_pct=[4.0])
    after = bond_analytics(bonds, date(2025, 11, 27), yield_pct=[4.0])
    assert not before.ex_dividend[0] and after.ex_dividend[0]
    assert before.accrued[0] > 0 > after.accrued[0]
    assert after.accrued[0] == pytest.approx(-2.125 * 10 / 183, abs=1e-12)  # 10 of 183 days left
    flows_after = cash_flows(bonds, date(2025, 11, 27))
    assert flows_after.pay_date.min() == pd.Timestamp("2026-06-07")


def test_coupon_on_settlement_date_is_not_received():
    bonds = frame(("US", 4.0, "2030-05-15"))
    flows = cash_flows(bonds, date(2025, 11, 15))
    assert flows.pay_date.min() == pd.Timestamp("2026-05-15")
    assert len(flows) == 9
    assert flows.amount.sum() == pytest.approx(9 * 2.0 + 100.0)


def test_month_end_maturity_rolls_on_month_ends():
    flows = cash_flows(frame(("UK", 1.0, "2030-02-28"), ("US", 1.0, "2030-08-30")), date(2028, 1, 5))
    uk = flows[flows.bond == 0].pay_date.dt.strftime("%m-%d").tolist()
    us = flows[flows.bond == 1].pay_date.dt.strftime("%m-%d").tolist()
    assert uk == ["02-29", "08-31", "02-28", "08-31", "02-28"]  # 28 Feb 2030 is month-end
    assert us == ["02-29", "08-30", "02-28", "08-30", "02-28", "08-30"]  # day 30 clipped in Feb


def test_key_rate_durations_sum_to_modified_duration():
    out = bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS)
    np.testing.assert_allclose(out[list(KEY_RATE_COLUMNS)].sum(axis=1), out.mod_duration, rtol=0, atol=KRD_SUM_TOL)
    np.testing.assert_allclose(out.dv01, out.mod_duration * out.dirty_price * 1e-4, rtol=1e-14)


def test_curve_dirty_price_with_flat_curve_equals_sum_of_discounted_flows():
    flows = cash_flows(SAMPLE, SETTLE)
    expected = (flows.amount * np.exp(-0.04 * flows.t_years)).groupby(flows.bond).sum()
    got = curve_dirty_price(SAMPLE, SETTLE, lambda t: np.exp(-0.04 * t))
    np.testing.assert_allclose(got, expected.reindex(SAMPLE.index).to_numpy(), rtol=1e-14)


def test_per_row_settlement_dates():
    settles = pd.Series(pd.to_datetime(["2025-12-31", "2026-01-02", "2025-12-31", "2026-01-05", "2025-12-31"]))
    out = bond_analytics(SAMPLE, settles, yield_pct=YIELDS)
    assert out.settle_date.tolist() == list(settles)
    single = bond_analytics(SAMPLE.iloc[[1]], date(2026, 1, 2), yield_pct=YIELDS[[1]])
    assert out.dirty_price[1] == pytest.approx(single.dirty_price.iloc[0], abs=1e-12)
