"""Vectorised coupon schedules, ex-dividend status and accrued interest for a bond universe.

Every function works on whole arrays (one row per bond), using ``numpy.datetime64[D]`` arithmetic:
no per-bond Python loop.

Schedule rule (street convention, all four markets): coupon dates roll back from the maturity date
in steps of ``12 / coupon_frequency`` months, unadjusted for holidays. A maturity on the last day of
its month rolls on month-ends (31 Mar → 30 Sep → 31 Mar …); otherwise the maturity's day of month is
kept and clipped to the month's length (30 Aug → 28/29 Feb → 30 Aug). Dates are always computed as
"maturity minus k periods", never by chaining, so a clipped February never contaminates later dates.

First coupon period (optional ``issue_date`` column: the bond's original issue date). Interest
accrues from the bond's **dated date**, which each market sets from the issue date
(:data:`DATED_BACK_DAYS`, :func:`dated_dates`):

* US: Treasuries are dated on a regular coupon date (the 15th or the month-end of the cycle) and
  settled on it or a few business days later — 20-year bonds about 2½ weeks later (dated the 15th,
  issued at month-end) — the buyer paying the accrued interest from the dated date. An issue date
  at most 31 days after a regular date of the backward schedule is therefore dated on that date:
  the first coupon is a regular one. Only an issue date further from the cycle is taken as an
  off-cycle dated date (a genuinely odd first coupon).
* JP: every coupon JGB pays a full half-year first coupon; the buyer at issue pays the interest of
  the "unissued period" from the regular date six months before the first coupon (MoF/BoJ 経過利子):
  always dated on the regular date on or before the issue date.
* UK, AU: the first issue date is the dated date (DMO: short or long first dividends).

An explicit ``first_coupon`` (any market; a regular date after the issue date) declares an odd first
period that starts on the issue date itself: no dating back. With the dated date ``d``: the first
coupon is paid on the first regular date after ``d`` (a *short* first coupon; a regular one when
``d`` is a regular date), unless that is closer to ``d`` than the market's ``long_first_under_days``
(UK: 90) — then on the regular date after it (a *long* first coupon). Within the first period
accrued interest runs from ``d`` and the first coupon is ICMA-proportional (ActualActual ISMA, as
QuantLib's ``FixedRateBond`` with a schedule starting on the dated date):
coupon/f × (days(d → first regular date) / days(its quasi-coupon period) + skipped regular dates).
The discounting clock stays on the regular quasi-coupon grid (the ISMA reference periods), so a long
first coupon is simply a regular grid with a zero flow at the skipped date. Every flow layout
(pricing, :func:`desktop.analytics.cash_flows`, hence the liability match and the roll) goes through
:func:`build_schedule`; callers pass :data:`SCHEDULE_COLUMNS` (:func:`schedule_inputs`).

A coupon falling on the settlement date is *not* received by the buyer (it belongs to the seller).
UK and AU: a purchase settling on or after the ex-dividend date of the next coupon
(:func:`desktop.markets.ex_dividend_date`: UK the business day after the DMO's ex-dividend date, which
is 7 UK business days before the coupon; AU 7 calendar days before) does not
receive that coupon and carries negative accrued interest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from desktop.markets import MARKETS, busday_calendar, market

DAY = np.timedelta64(1, "D")
# Cumulative days before each month in a 365-day (no-leap) year.
_NL_MONTH_OFFSET = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int64)

#: Dating rule per market (module docstring): an issue date at most this many days after a regular
#: coupon date (on or before it) of the bond's backward schedule is dated on that date, so the first
#: coupon is regular; 0 = the issue date is the dated date. US: original issues settle 0-3 business
#: days (notes dated the 15th / month-end) to ~19 days (20-year bonds, dated the 15th, issued at
#: month-end: 912810SR0 dated 15 May 2020, original issue 1 Jun 2020) after the dated date. JP: 184
#: (longer than any half-year: every JGB is dated back; BoJ/MoF 未発行期間 rule). UK/AU: from the issue date.
#: (Per-market conventions belong in desktop.markets; kept here, where the rule is applied, until the
#: registry gets a field for it.)
DATED_BACK_DAYS: dict[str, int] = {"US": 31, "JP": 184, "UK": 0, "AU": 0}
#: The columns :func:`build_schedule` reads (the last two optional): pass them wherever flows are laid out.
SCHEDULE_COLUMNS: tuple[str, ...] = ("market", "coupon_pct", "maturity", "issue_date", "first_coupon")


@dataclass(frozen=True)
class CouponSchedule:
    """Where each bond stands in its coupon schedule on its settlement date (one row per bond).

    Dates are ``datetime64[D]`` arrays. ``n_remaining`` counts coupon dates strictly after settlement
    on the regular schedule (including a next coupon lost to the ex-dividend rule and a regular date
    skipped by a long first coupon). ``period_fraction`` is days(settlement → next regular date) /
    days(previous regular date → next regular date) (actual/actual ICMA): the discounting clock.
    ``prev_coupon`` / ``next_coupon`` are the actual accrual start (the dated date in a first period)
    and the next coupon actually paid.
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
    # --- first (irregular) coupon period and final-period quoting (see the module docstring)
    first_period: np.ndarray  # bool: settlement before the first coupon date (issue date given)
    next_amount: np.ndarray  # amount of the next coupon paid, per 100 face (c/f, or the first coupon)
    zero_columns: np.ndarray  # int: regular grid dates after settlement that pay nothing (long first)
    accrued_periods: np.ndarray  # ICMA accrued in coupon periods (× c/f = accrued), before ex-dividend
    money_market: np.ndarray  # bool: money-market yield (UK: < 365 days to maturity; see analytics)
    pay_years: np.ndarray  # (N, 2) ACT/365 years settle → payment date (next business day) of the next
    #                        two regular dates (money-market rows; NaN elsewhere)

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


# Day numbers (days since 1970-01-01) of the first day of every month from _FIRST_YEAR to _LAST_YEAR:
# month arithmetic on dates becomes integer arithmetic and one table look-up, instead of numpy's
# datetime64[M] <-> [D] conversions (calendar conversions per element, most of the schedule's time).
_FIRST_YEAR, _LAST_YEAR = 1800, 2400
_MONTH_START = (
    np.arange(f"{_FIRST_YEAR}-01", f"{_LAST_YEAR + 1}-02", dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
)
_LO_DAY, _HI_DAY = int(_MONTH_START[0]), int(_MONTH_START[-2])  # table covers [_LO_DAY, _HI_DAY)
# month position of every day in the table (int16, 219k days: 0.4 MB): a gather instead of a search
_MONTH_OF_DAY = np.repeat(np.arange(_MONTH_START.size - 1, dtype=np.int16), np.diff(_MONTH_START))


def _day_numbers(d: np.ndarray) -> np.ndarray | None:
    """``datetime64[D]`` as int64 day numbers, or None if any date is NaT or outside the table."""
    days = np.asarray(d).astype("datetime64[D]").view(np.int64)
    if days.size and (days.min() < _LO_DAY or days.max() >= _HI_DAY):
        return None
    return days


def _month_of(days: np.ndarray) -> np.ndarray:
    """Month positions in :data:`_MONTH_START` of in-range day numbers."""
    return _MONTH_OF_DAY[days - _LO_DAY].astype(np.int64)


def month_end(d: np.ndarray) -> np.ndarray:
    """Last day of the month of each date."""
    days = _day_numbers(d)
    if days is None:
        return (d.astype("datetime64[M]") + 1).astype("datetime64[D]") - DAY
    return (_MONTH_START[_month_of(days) + 1] - 1).view("datetime64[D]")


def roll_back(maturity: np.ndarray, months_back: np.ndarray, end_of_month: np.ndarray) -> np.ndarray:
    """``maturity`` minus ``months_back`` months, unadjusted; month-end maturities stay on month-ends."""
    days = _day_numbers(maturity)
    back = np.asarray(months_back).astype(np.int64)
    if days is not None:
        mi = _month_of(days)
        target = mi - back
        if target.size == 0 or (target.min() >= 0 and target.max() < _MONTH_START.size - 1):
            first = _MONTH_START[target]
            last = _MONTH_START[target + 1] - 1
            out = np.where(end_of_month, last, np.minimum(first + (days - _MONTH_START[mi]), last))
            return np.asarray(out, dtype=np.int64).view("datetime64[D]")
    month = maturity.astype("datetime64[M]") - back.astype("timedelta64[M]")
    first = month.astype("datetime64[D]")
    last = (month + 1).astype("datetime64[D]") - DAY
    day_offset = (maturity - maturity.astype("datetime64[M]").astype("datetime64[D]")).astype(
        "timedelta64[D]"
    )
    return np.where(end_of_month, last, np.minimum(first + day_offset, last))


def no_leap_days(d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Days from d1 to d2 counting every year as 365 days (29 Feb not counted; Actual/365 No Leap)."""

    def serial(d: np.ndarray) -> np.ndarray:
        days = _day_numbers(d)
        if days is not None:
            mi = _month_of(days)
            year, month0 = mi // 12 + _FIRST_YEAR, mi % 12
            day = days - _MONTH_START[mi] + 1
        else:
            year = d.astype("datetime64[Y]").astype(np.int64) + 1970
            month0 = d.astype("datetime64[M]").astype(np.int64) % 12
            day = ((d - d.astype("datetime64[M]").astype("datetime64[D]")) / DAY + 1).astype(np.int64)
        leap_day = (month0 == 1) & (day == 29)
        return year * 365 + _NL_MONTH_OFFSET[month0] + day - leap_day

    return serial(d2) - serial(d1)


def _ex_dividend_dates(codes: np.ndarray, coupon_dates: np.ndarray) -> np.ndarray:
    """:func:`desktop.markets.ex_dividend_date` of each coupon date (NaT where the market has none).

    The same rule on whole arrays: calendar kind (AU) ``coupon − ex_div_days``; business kind (UK)
    ``ex_div_days`` business days back from the coupon date (counting from it, rolled forward) then one
    business day ahead — ``add_business_days`` twice, as ``np.busday_offset`` on every row at once.
    """
    out = np.full(coupon_dates.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    for code, m in MARKETS.items():  # loop over the four markets, not over bonds
        if not m.has_ex_dividend:
            continue
        rows = np.flatnonzero(codes == code)
        if rows.size == 0:
            continue
        cpn = coupon_dates[rows]
        if m.ex_div_kind == "calendar":
            out[rows] = cpn - np.timedelta64(m.ex_div_days, "D")
            continue
        cal = busday_calendar(code)
        dmo = np.busday_offset(cpn, -m.ex_div_days, roll="forward", busdaycal=cal)
        out[rows] = np.busday_offset(dmo, 1, roll="backward", busdaycal=cal)
    return out


def market_codes(values: Any) -> np.ndarray:
    """Normalised market codes (``GB`` → ``UK``); unknown codes raise ``KeyError``."""
    raw = pd.Series(values).astype(str)
    uniq = {v: market(v).code for v in raw.unique()}
    return raw.map(uniq).to_numpy(dtype=object)


def _market_fields(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Per-bond registry fields (frequency, no-leap accrual, money-market days), one look-up per market."""
    uniq, inverse = np.unique(codes.astype(str), return_inverse=True)
    ms = [MARKETS[c] for c in uniq]
    return {
        "frequency": np.array([m.coupon_frequency for m in ms], dtype=np.int64)[inverse],
        "no_leap": np.array([m.accrual_basis == "ACT/365 NL" for m in ms], dtype=bool)[inverse],
        "money_market_days": np.array([m.money_market_days for m in ms], dtype=np.int64)[inverse],
    }


def _optional_days(bonds: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """An optional date column as ``datetime64[D]`` (all NaT when the column is absent)."""
    if column not in bonds:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    raw = pd.to_datetime(pd.Series(bonds[column].to_numpy()), errors="coerce")
    return raw.to_numpy().astype("datetime64[D]")


def _locate(maturity: np.ndarray, d: np.ndarray, step: np.ndarray, eom: np.ndarray) -> np.ndarray:
    """Number of regular coupon dates strictly after ``d`` (NaT rows: 0)."""
    nat = np.isnat(d)
    d = np.where(nat, maturity, d)
    md, dd = _day_numbers(maturity), _day_numbers(d)
    if md is not None and dd is not None:
        months_between = _month_of(md) - _month_of(dd)
    else:
        months_between = maturity.astype("datetime64[M]").astype(np.int64) - d.astype(
            "datetime64[M]"
        ).astype(np.int64)
    k0 = months_between // step  # coupon k0 falls in or after d's month; k0 + 1 strictly before
    d0 = roll_back(maturity, k0 * step, eom)
    return np.where(nat, 0, k0 + (d0 > d)).astype(np.int64)


def schedule_inputs(rows: pd.DataFrame) -> pd.DataFrame:
    """The :data:`SCHEDULE_COLUMNS` of ``rows`` (the optional ones where present), index reset to
    positions: what to hand :func:`build_schedule` / :func:`desktop.analytics.cash_flows` so that a
    bond in its first coupon period gets its real first coupon."""
    return rows[[c for c in SCHEDULE_COLUMNS if c in rows]].reset_index(drop=True)


def _dating(
    codes: np.ndarray, maturity: np.ndarray, issue: np.ndarray, first_given: np.ndarray, step: np.ndarray,
    eom: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(dated date, regular dates strictly after the issue date) per bond; NaT / 0 without an issue date."""
    n_issue = _locate(maturity, issue, step, eom)
    on_or_before = roll_back(maturity, n_issue * step, eom)  # the regular date on or before the issue date
    uniq, inverse = np.unique(codes.astype(str), return_inverse=True)
    window = np.array([DATED_BACK_DAYS.get(c, 0) for c in uniq], dtype=np.int64)[inverse]
    lag = np.where(np.isnat(issue), -1, (issue - on_or_before) / DAY)
    back = ~np.isnat(issue) & np.isnat(first_given) & (lag >= 0) & (lag <= window)
    return np.where(back, on_or_before, issue), n_issue


def dated_dates(bonds: pd.DataFrame) -> np.ndarray:
    """The dated date (interest accrues from it) of each bond by the market's rule (module docstring):
    ``datetime64[D]``, NaT where no ``issue_date`` is given (or it is not before maturity)."""
    n = len(bonds)
    codes = market_codes(bonds["market"])
    maturity = to_day_array(bonds["maturity"], n)
    issue = _optional_days(bonds, "issue_date", n)
    issue = np.where(issue < maturity, issue, np.datetime64("NaT"))
    step = 12 // _market_fields(codes)["frequency"]
    eom = maturity == month_end(maturity)
    return _dating(codes, maturity, issue, _optional_days(bonds, "first_coupon", n), step, eom)[0]


def build_schedule(bonds: pd.DataFrame, settle: Any) -> CouponSchedule:
    """Locate every bond in its coupon schedule at ``settle`` (a date or one date per row).

    ``bonds``: ``market``, ``coupon_pct``, ``maturity``; optional ``issue_date`` and ``first_coupon``
    (NaT/blank = regular schedule). Raises ``ValueError`` if a bond matures on or before its
    settlement date, or if a given ``first_coupon`` is not a regular coupon date after the issue date.
    """
    n = len(bonds)
    codes = market_codes(bonds["market"])
    settle_d = to_day_array(settle, n)
    maturity = to_day_array(bonds["maturity"], n)
    if np.any(maturity <= settle_d):
        bad = list(bonds.index[maturity <= settle_d][:5])
        raise ValueError(f"bonds mature on or before settlement (index {bad})")
    fields = _market_fields(codes)
    freq = fields["frequency"]
    coupon = bonds["coupon_pct"].to_numpy(dtype=float)
    per_period = coupon / freq
    step = 12 // freq
    eom = maturity == month_end(maturity)
    n_rem = _locate(maturity, settle_d, step, eom)
    next_c = roll_back(maturity, (n_rem - 1) * step, eom)
    prev_c = roll_back(maturity, n_rem * step, eom)
    period_days = (next_c - prev_c) / DAY
    frac = ((next_c - settle_d) / DAY) / period_days
    accrued_periods = 1.0 - frac
    next_amount = per_period.copy()
    zero_cols = np.zeros(n, dtype=np.int64)
    first_period = np.zeros(n, dtype=bool)
    actual_prev, actual_next = prev_c.copy(), next_c.copy()

    issue = _optional_days(bonds, "issue_date", n)
    has_issue = ~np.isnat(issue) & (issue < maturity)
    if has_issue.any():
        issue = np.where(has_issue, issue, np.datetime64("NaT"))
        first_given = _optional_days(bonds, "first_coupon", n)
        # the dated date (market rule) replaces the issue date from here on; n_issue = regular dates
        # after the issue date = after the dated date (none falls between the two)
        dated, n_issue = _dating(codes, maturity, issue, first_given, step, eom)
        f0 = roll_back(maturity, (n_issue - 1) * step, eom)  # first regular date after the dated date
        q = roll_back(maturity, n_issue * step, eom)  # its quasi-coupon period start
        head = np.clip((f0 - np.maximum(dated, q)) / DAY / ((f0 - q) / DAY), 0.0, 1.0)
        uniq, inverse = np.unique(codes.astype(str), return_inverse=True)
        short_days = np.array([MARKETS[c].long_first_under_days for c in uniq], dtype=np.int64)[inverse]
        skipped = ((f0 - dated) / DAY < short_days) & (n_issue > 1)  # rule: merge a too-short stub
        given = has_issue & ~np.isnat(first_given)
        n_first = np.zeros(n, dtype=np.int64)
        if given.any():
            n_first = _locate(maturity, first_given, step, eom)
            on_grid = roll_back(maturity, n_first * step, eom) == first_given
            bad = given & (~on_grid | (first_given <= issue) | (first_given > maturity))
            if bad.any():
                raise ValueError(
                    f"first_coupon is not a regular coupon date after issue_date (index {list(bonds.index[bad][:5])})"
                )
        n_skip = np.where(given, n_issue - np.where(given, n_first, 0) - 1, skipped.astype(np.int64))
        first_c = roll_back(maturity, (n_issue - 1 - n_skip) * step, eom)
        first_period = has_issue & (settle_d < first_c)
        passed = n_issue - n_rem  # regular dates in (issue, settle]
        acc_first = np.where(
            passed <= 0,
            np.maximum((settle_d - dated) / DAY, 0.0) / period_days,
            head + np.maximum(passed - 1, 0) + accrued_periods,
        )
        fp = first_period
        accrued_periods = np.where(fp, acc_first, accrued_periods)
        next_amount = np.where(fp, per_period * (head + n_skip), next_amount)
        zero_cols = np.where(fp, np.maximum(n_skip - passed, 0), 0)  # grid dates in (settle, first)
        actual_prev = np.where(fp, dated, prev_c)
        actual_next = np.where(fp, first_c, next_c)
    exd = _ex_dividend_dates(codes, actual_next)
    ex = ~np.isnat(exd) & (settle_d >= exd)
    no_leap = fields["no_leap"]
    mm_days = fields["money_market_days"]
    money_market = (maturity - settle_d) / DAY < mm_days  # ⇒ at most two regular dates left
    pay_years = np.full((n, 2), np.nan)
    for code in np.unique(codes[money_market]):  # loop over markets, not bonds
        rows = money_market & (codes == code)
        for col in (0, 1):
            nominal = roll_back(maturity[rows], np.maximum(n_rem[rows] - 1 - col, 0) * step[rows], eom[rows])
            pay = np.busday_offset(nominal, 0, roll="forward", busdaycal=busday_calendar(code))
            pay_years[rows, col] = (pay - settle_d[rows]) / DAY / 365.0
    return CouponSchedule(
        market=codes,
        coupon_pct=coupon,
        frequency=freq,
        settle=settle_d,
        maturity=maturity,
        end_of_month=eom,
        prev_coupon=actual_prev,
        next_coupon=actual_next,
        n_remaining=n_rem.astype(np.int64),
        period_fraction=frac,
        ex_dividend_date=exd,
        ex_dividend=ex,
        no_leap_accrual=no_leap,
        first_period=first_period,
        next_amount=next_amount,
        zero_columns=zero_cols.astype(np.int64),
        accrued_periods=accrued_periods,
        money_market=money_market,
        pay_years=pay_years,
    )


def accrued_interest(s: CouponSchedule) -> np.ndarray:
    """Accrued interest per 100 face.

    ACT/ACT ICMA (US, UK, AU): coupon/f × days(prev → settle) / days(prev → next), prev = the issue
    date in a first period (a long first period adds the whole quasi-periods already passed).
    JP: coupon × days(prev → settle) / 365 with 29 Feb not counted (prev = issue date in the first period).
    Ex-dividend (UK, AU): the next coupon (the first coupon amount in a first period) is not received,
    so it is subtracted, giving negative accrued.
    """
    icma = s.coupon_pct / s.frequency * s.accrued_periods
    jp = s.coupon_pct * np.maximum(no_leap_days(s.prev_coupon, s.settle), 0) / 365.0
    acc = np.where(s.no_leap_accrual, jp, icma)
    return acc - np.where(s.ex_dividend, s.next_amount, 0.0)
