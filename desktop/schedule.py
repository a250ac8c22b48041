"""Vectorised coupon schedules, ex-dividend status and accrued interest for a bond universe.

Every function works on whole arrays (one row per bond), using ``numpy.datetime64[D]`` arithmetic:
no per-bond Python loop.

Schedule rule (street convention, all four markets): coupon dates roll back from the maturity date
in steps of ``12 / coupon_frequency`` months, unadjusted for holidays. A maturity on the last day of
its month rolls on month-ends (31 Mar → 30 Sep → 31 Mar …); otherwise the maturity's day of month is
kept and clipped to the month's length (30 Aug → 28/29 Feb → 30 Aug). Dates are always computed as
"maturity minus k periods", never by chaining, so a clipped February never contaminates later dates.

A coupon falling on the settlement date is *not* received by the buyer (it belongs to the seller).
UK and AU: a purchase settling on or after the ex-dividend date of the next coupon
(:func:`desktop.markets.ex_dividend_date`: UK 7 business days, AU 7 calendar days before) does not
receive that coupon and carries negative accrued interest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from desktop.markets import MARKETS, ex_dividend_date, market

DAY = np.timedelta64(1, "D")
# Cumulative days before each month in a 365-day (no-leap) year.
_NL_MONTH_OFFSET = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int64)


@dataclass(frozen=True)
class CouponSchedule:
    """Where each bond stands in its coupon schedule on its settlement date (one row per bond).

    Dates are ``datetime64[D]`` arrays. ``n_remaining`` counts coupon dates strictly after settlement
    (including a next coupon lost to the ex-dividend rule). ``period_fraction`` is
    days(settlement → next coupon) / days(previous coupon → next coupon) (actual/actual ICMA).
    """

    market: np.ndarray  # market codes (str)
    coupon_pct: np.ndarray  # annual coupon, % of face (= per 100 face)
    frequency: np.ndarray  # coupons per year (int)
    settle: np.ndarray
    maturity: np.ndarray
    end_of_month: np.ndarray  # bool: maturity on the last day of its month
    prev_coupon: np.ndarray
    next_coupon: np.ndarray
    n_remaining: np.ndarray  # int
    period_fraction: np.ndarray  # in (0, 1]
    ex_dividend_date: np.ndarray  # NaT where the market has no ex-dividend period
    ex_dividend: np.ndarray  # bool: the next coupon is not received
    no_leap_accrual: np.ndarray  # bool: accrued ACT/365 with Feb 29 not counted (JGBs)

    def take(self, rows: np.ndarray) -> CouponSchedule:
        """The schedule of a subset of bonds (integer positions or a boolean mask)."""
        return CouponSchedule(**{f: getattr(self, f)[rows] for f in self.__dataclass_fields__})

    @property
    def months_per_period(self) -> np.ndarray:
        return 12 // self.frequency

    @property
    def years_to_maturity(self) -> np.ndarray:
        """ACT/365F years from settlement to maturity."""
        return (self.maturity - self.settle) / DAY / 365.0


def to_day_array(values: Any, n: int) -> np.ndarray:
    """Dates (date, datetime, ISO str, datetime64, Series or array) → ``datetime64[D]`` array of length n."""
    if isinstance(values, date | datetime | str | np.datetime64 | pd.Timestamp):
        return np.full(n, np.datetime64(pd.Timestamp(values).date(), "D"))
    raw = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
    if np.issubdtype(raw.dtype, np.datetime64):
        out = raw.astype("datetime64[D]")
    else:
        out = pd.to_datetime(pd.Series(raw)).to_numpy().astype("datetime64[D]")
    if out.shape != (n,):
        raise ValueError(f"expected {n} dates, got {out.shape[0]}")
    return out


def month_end(d: np.ndarray) -> np.ndarray:
    """Last day of the month of each date."""
    return (d.astype("datetime64[M]") + 1).astype("datetime64[D]") - DAY


def roll_back(maturity: np.ndarray, months_back: np.ndarray, end_of_month: np.ndarray) -> np.ndarray:
    """``maturity`` minus ``months_back`` months, unadjusted; month-end maturities stay on month-ends."""
    month = maturity.astype("datetime64[M]") - np.asarray(months_back).astype("timedelta64[M]")
    first = month.astype("datetime64[D]")
    last = (month + 1).astype("datetime64[D]") - DAY
    day_offset = (maturity - maturity.astype("datetime64[M]").astype("datetime64[D]")).astype(
        "timedelta64[D]"
    )
    return np.where(end_of_month, last, np.minimum(first + day_offset, last))


def no_leap_days(d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Days from d1 to d2 counting every year as 365 days (29 Feb not counted; Actual/365 No Leap)."""

    def serial(d: np.ndarray) -> np.ndarray:
        year = d.astype("datetime64[Y]").astype(np.int64) + 1970
        month0 = d.astype("datetime64[M]").astype(np.int64) % 12
        day = (d - d.astype("datetime64[M]").astype("datetime64[D]")) / DAY + 1
        leap_day = (month0 == 1) & (day == 29)
        return year * 365 + _NL_MONTH_OFFSET[month0] + day.astype(np.int64) - leap_day

    return serial(d2) - serial(d1)


def _ex_dividend_dates(codes: np.ndarray, coupon_dates: np.ndarray) -> np.ndarray:
    """:func:`desktop.markets.ex_dividend_date` of each coupon date (NaT where the market has none).

    The registry function is called once per distinct (market, coupon date): next coupons lie within
    one period of settlement, so that is a few hundred calls at most, whatever the universe size.
    """
    out = np.full(coupon_dates.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    for code, m in MARKETS.items():  # loop over the four markets, not over bonds
        rows = np.flatnonzero(codes == code)
        if not m.has_ex_dividend or rows.size == 0:
            continue
        uniq, inverse = np.unique(coupon_dates[rows], return_inverse=True)
        exd = np.array([ex_dividend_date(code, d) for d in uniq.astype(date)], dtype="datetime64[D]")
        out[rows] = exd[inverse]
    return out


def market_codes(values: Any) -> np.ndarray:
    """Normalised market codes (``GB`` → ``UK``); unknown codes raise ``KeyError``."""
    raw = pd.Series(values).astype(str)
    uniq = {v: market(v).code for v in raw.unique()}
    return raw.map(uniq).to_numpy(dtype=object)


def build_schedule(bonds: pd.DataFrame, settle: Any) -> CouponSchedule:
    """Locate every bond in its coupon schedule at ``settle`` (a date or one date per row).

    Raises ``ValueError`` if a bond matures on or before its settlement date.
    """
    n = len(bonds)
    codes = market_codes(bonds["market"])
    settle_d = to_day_array(settle, n)
    maturity = to_day_array(bonds["maturity"], n)
    if np.any(maturity <= settle_d):
        bad = list(bonds.index[maturity <= settle_d][:5])
        raise ValueError(f"bonds mature on or before settlement (index {bad})")
    freq = np.array([MARKETS[c].coupon_frequency for c in codes], dtype=np.int64)
    step = 12 // freq
    eom = maturity == month_end(maturity)
    months_between = maturity.astype("datetime64[M]").astype(np.int64) - settle_d.astype(
        "datetime64[M]"
    ).astype(np.int64)
    k0 = months_between // step  # coupon k0 falls in or after settle's month; k0 + 1 strictly before
    d0 = roll_back(maturity, k0 * step, eom)
    n_rem = k0 + (d0 > settle_d)
    next_c = roll_back(maturity, (n_rem - 1) * step, eom)
    prev_c = roll_back(maturity, n_rem * step, eom)
    frac = ((next_c - settle_d) / DAY) / ((next_c - prev_c) / DAY)
    exd = _ex_dividend_dates(codes, next_c)
    ex = ~np.isnat(exd) & (settle_d >= exd)
    no_leap = np.array([MARKETS[c].accrual_basis == "ACT/365 NL" for c in codes], dtype=bool)
    return CouponSchedule(
        market=codes,
        coupon_pct=bonds["coupon_pct"].to_numpy(dtype=float),
        frequency=freq,
        settle=settle_d,
        maturity=maturity,
        end_of_month=eom,
        prev_coupon=prev_c,
        next_coupon=next_c,
        n_remaining=n_rem.astype(np.int64),
        period_fraction=frac,
        ex_dividend_date=exd,
        ex_dividend=ex,
        no_leap_accrual=no_leap,
    )


def accrued_interest(s: CouponSchedule) -> np.ndarray:
    """Accrued interest per 100 face.

    ACT/ACT ICMA (US, UK, AU): coupon/f × days(prev → settle) / days(prev → next).
    JP: coupon × days(prev → settle) / 365 with 29 Feb not counted.
    Ex-dividend (UK, AU): the next coupon is not received, so the full period coupon is subtracted,
    giving −coupon/f × days(settle → next) / days(prev → next) (negative accrued).
    """
    per_period = s.coupon_pct / s.frequency
    icma = per_period * (1.0 - s.period_fraction)
    jp = s.coupon_pct * no_leap_days(s.prev_coupon, s.settle) / 365.0
    acc = np.where(s.no_leap_accrual, jp, icma)
    return acc - np.where(s.ex_dividend, per_period, 0.0)
