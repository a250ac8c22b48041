"""desktop.schedule: coupon dates, ex-dividend status and day counts, against QuantLib and the registry."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.markets import ex_dividend_date
from desktop.schedule import build_schedule, month_end, no_leap_days, roll_back, to_day_array


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def test_no_leap_day_count_matches_quantlib_actual365_noleap():
    rng = np.random.default_rng(1)
    d1 = np.datetime64("1999-01-01") + rng.integers(0, 365 * 60, 3000).astype("timedelta64[D]")
    d2 = d1 + rng.integers(0, 400, 3000).astype("timedelta64[D]")
    # make sure 28/29 Feb and 1 Mar show up as ends
    d1[:40] = np.datetime64("2028-02-29")
    d2[40:80] = np.datetime64("2028-02-29")
    d1[40:80] = np.datetime64("2027-09-20")
    ours = no_leap_days(d1, d2)
    nl = ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)
    theirs = [nl.dayCount(_ql(a), _ql(b)) for a, b in zip(d1.astype(date), d2.astype(date), strict=True)]
    np.testing.assert_array_equal(ours, theirs)


def test_coupon_dates_match_quantlib_month_arithmetic():
    rng = np.random.default_rng(2)
    mats = np.datetime64("2026-01-01") + rng.integers(0, 365 * 45, 2000).astype("timedelta64[D]")
    mats[:300] = month_end(mats[:300])
    k = rng.integers(0, 90, 2000)
    eom = mats == month_end(mats)
    ours = roll_back(mats, 6 * k, eom)
    cal = ql.NullCalendar()
    theirs = [
        cal.advance(_ql(m), ql.Period(-6 * int(kk), ql.Months), ql.Unadjusted, bool(e))
        for m, kk, e in zip(mats.astype(date), k, eom, strict=True)
    ]
    np.testing.assert_array_equal(
        ours.astype(date), [date(d.year(), d.month(), d.dayOfMonth()) for d in theirs]
    )


def test_ex_dividend_dates_come_from_the_registry():
    coupons = pd.date_range("2025-01-01", "2027-12-31", freq="D")
    bonds = pd.DataFrame(
        {"market": ["UK"] * len(coupons), "coupon_pct": 4.0, "maturity": coupons + pd.DateOffset(years=10)}
    )
    s = build_schedule(bonds, coupons - pd.Timedelta(days=1))  # next coupon = the date itself
    assert (s.next_coupon == coupons.to_numpy().astype("datetime64[D]")).all()
    expected = [ex_dividend_date("UK", d.date()) for d in coupons]
    assert s.ex_dividend_date.astype(date).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["US", "JP", "UK", "AU"]),
    st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    st.integers(1, 40 * 366),
)
def test_settlement_lies_in_its_coupon_period(code, settle, days):
    mat = settle + timedelta(days=days)
    s = build_schedule(pd.DataFrame({"market": [code], "coupon_pct": [3.0], "maturity": [mat]}), settle)
    prev, nxt = s.prev_coupon[0].astype(date), s.next_coupon[0].astype(date)
    assert prev <= settle < nxt <= mat
    assert 181 <= (nxt - prev).days <= 184
    assert 0 < s.period_fraction[0] <= 1
    eom = mat == month_end(np.datetime64(mat, "D")).astype(date)
    sched = ql.Schedule(
        _ql(settle - timedelta(days=400)),
        _ql(mat),
        ql.Period(ql.Semiannual),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        bool(eom),
    )
    assert s.n_remaining[0] == sum(d > _ql(settle) for d in sched.dates())
    assert s.ex_dividend[0] == (code in ("UK", "AU") and settle >= ex_dividend_date(code, nxt))


def test_dates_accept_iso_strings_timestamps_and_arrays():
    want = np.array(["2025-12-31", "2026-01-02"], dtype="datetime64[D]")
    for given_ in (["2025-12-31", "2026-01-02"], pd.to_datetime(["2025-12-31", "2026-01-02"]), want):
        np.testing.assert_array_equal(to_day_array(given_, 2), want)
    np.testing.assert_array_equal(to_day_array(date(2025, 12, 31), 2), want[[0, 0]])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["US", "JP", "UK", "AU"]),
    st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    st.integers(400, 30 * 366),
    st.integers(1, 20),
)
def test_an_issue_date_before_the_current_period_changes_nothing(code, settle, days, periods_back):
    """A bond issued on a regular coupon date on or before its current period's start is on its
    regular schedule: the issue date changes no figure (and a blank issue date is the same)."""
    mat = settle + timedelta(days=days)
    plain = pd.DataFrame({"market": [code], "coupon_pct": [3.0], "maturity": [mat]})
    s0 = build_schedule(plain, settle)
    eom = np.array([mat == month_end(np.datetime64(mat, "D")).astype(date)])
    issue = roll_back(np.array([mat], dtype="datetime64[D]"), (s0.n_remaining + periods_back - 1) * 6, eom)
    for given_issue in (issue.astype(date)[0], None):
        s1 = build_schedule(plain.assign(issue_date=[given_issue]), settle)
        first = given_issue is not None and periods_back == 1  # issued at the current period's start
        assert s1.first_period[0] == first
        for field in s0.__dataclass_fields__:
            if field == "first_period":
                continue
            a, b = getattr(s0, field), getattr(s1, field)
            if a.dtype.kind == "M":  # NaT never equals NaT: compare as text
                a, b = a.astype(str), b.astype(str)
            if a.dtype.kind == "f":  # same day counts, possibly summed in another order
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-14, err_msg=field)
            else:
                assert np.array_equal(a, b), field


def test_short_and_long_first_coupon_fields():
    """3 3/4% 2027 (UK, issued 11 Jan 2024: long first coupon to 7 Sep 2024) and the same dates as a
    US bond (short first coupon to 7 Mar 2024: the US rule never merges a stub)."""
    bonds = pd.DataFrame({"market": ["UK", "US"], "coupon_pct": [3.75, 3.75], "maturity": ["2027-03-07"] * 2,
                          "issue_date": ["2024-01-11"] * 2})
    s = build_schedule(bonds, date(2024, 1, 12))
    assert s.next_coupon.astype(date).tolist() == [date(2024, 9, 7), date(2024, 3, 7)]
    assert s.prev_coupon.astype(date).tolist() == [date(2024, 1, 11)] * 2
    assert s.zero_columns.tolist() == [1, 0]
    np.testing.assert_allclose(s.next_amount, [1.875 * (1 + 56 / 182), 1.875 * 56 / 182], rtol=0, atol=1e-14)
    np.testing.assert_allclose(s.accrued_periods, [1 / 182, 1 / 182], rtol=0, atol=1e-15)
    later = build_schedule(bonds.iloc[[0]], date(2024, 4, 19))  # past the skipped 7 Mar: 56/182 + 43/184
    assert later.zero_columns[0] == 0 and later.accrued_periods[0] == pytest.approx(56 / 182 + 43 / 184, abs=1e-15)
