"""QuantLib oracle for :mod:`desktop.analytics` (tests and bench only; never used by the app).

One ``ql.FixedRateBond`` per bond, built the way the street prices it:

* schedule generated backward from maturity, unadjusted, ``endOfMonth`` when the maturity is the
  last day of its month, starting at a regular coupon date before settlement (so no stub) — or, for
  a bond given an issue date, starting at its **dated date** (QuantLib's short first stub when that
  is off the cycle), with ``firstDate`` = the first coupon date for a long first coupon. The dated
  date, by the markets' conventions (:func:`dated_date`, written from the official facts, see
  tests/test_schedule_dated.py): US — the regular date on or before the issue date when the issue
  date is at most 31 days after it; JP — always that regular date; UK/AU — the issue date; with an
  explicit first coupon date — the issue date;
* ``ActualActual(ISMA, schedule)`` day counter (accrued and the discounting clock);
* UK / AU: ``exCouponPeriod`` of 6 UK business days (the first settlement date ex = the day after the
  DMO's 7-business-day ex-dividend date; a ``BespokeCalendar`` holding exactly the holidays of
  ``desktop.markets``) / 7 days on a null calendar (AU, calendar days);
* figures from ``ql.BondFunctions`` with ``Compounded, Semiannual``; a UK gilt fewer than 365 days
  from maturity on Tradeweb's money-market yield, written out here from QuantLib's flows, its
  ``Actual365Fixed`` day count and ``UnitedKingdom(Settlement)`` payment dates (``Following``):
  P = Σ CF_k (1 + y (T − t_k)) / (1 + y T) (QuantLib has no such compounding; with one flow it is
  ``Simple``, cross-checked against ``BondFunctions`` in the tests).

Guard: should QuantLib's UK ex-coupon date for some coupon ever differ from
``desktop.markets.ex_dividend_date`` (e.g. if the registry's counting rule changes), the oracle
rebuilds the bond from QuantLib's own coupons with the ex-coupon dates set explicitly to the
registry's (``ql.FixedRateCoupon(..., exCouponDate)``), so the oracle tests the maths, not the
calendar; ``OracleBond.explicit_ex_coupon`` records when that happened.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd
import QuantLib as ql

from desktop.markets import ex_dividend_date, holiday_calendar

COMP = ql.Compounded
FREQ = ql.Semiannual


def to_ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def from_ql(d: ql.Date) -> date:
    return date(d.year(), d.month(), d.dayOfMonth())


@cache
def uk_calendar() -> ql.Calendar:
    """QuantLib calendar with exactly the UK holidays of ``desktop.markets`` (Sat/Sun weekends)."""
    cal = ql.BespokeCalendar("LadderDesk UK")
    cal.addWeekend(ql.Saturday)
    cal.addWeekend(ql.Sunday)
    for d in holiday_calendar("UK").astype(date):
        cal.addHoliday(to_ql(d))
    return cal


def is_month_end(d: date) -> bool:
    return d.day == _calendar.monthrange(d.year, d.month)[1]


@dataclass
class OracleBond:
    market: str
    coupon_pct: float
    maturity: date
    settle: date
    bond: ql.Bond
    day_counter: ql.DayCounter  # ActualActual(ISMA, schedule)
    explicit_ex_coupon: bool = False
    money_market: bool = False  # UK, < 365 days to maturity: Tradeweb's money-market yield

    @property
    def simple(self) -> bool:
        return self.money_market

    def _mm_terms(self) -> tuple[list[float], list[float], float]:
        """Amounts, ACT/365 times to their (Following, UK) payment dates, and T (the redemption's)."""
        cal, dc, s = ql.UnitedKingdom(ql.UnitedKingdom.Settlement), ql.Actual365Fixed(), to_ql(self.settle)
        flows = self.received_flows()
        t = [dc.yearFraction(s, cal.adjust(to_ql(d), ql.Following)) for d, _ in flows]
        return [a for _, a in flows], t, max(t)

    def _mm(self, y: float) -> tuple[float, float, float]:
        """Dirty price and its first two derivatives in y (decimal) on the money-market formula."""
        amounts, t, big_t = self._mm_terms()
        g = 1 + y * big_t
        price = sum(a * (1 + y * (big_t - tk)) for a, tk in zip(amounts, t, strict=True)) / g
        s1 = sum(a * tk for a, tk in zip(amounts, t, strict=True))
        return price, -s1 / g**2, 2 * big_t * s1 / g**3

    def _eval(self) -> ql.Date:
        s = to_ql(self.settle)
        ql.Settings.instance().evaluationDate = s
        return s

    def clean_price(self, yield_pct: float) -> float:
        s = self._eval()
        if self.money_market:
            return self._mm(yield_pct / 100)[0] - self.accrued()
        return ql.BondFunctions.cleanPrice(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, s)

    def accrued(self) -> float:
        """QuantLib accrued (ISMA; negative ex-coupon). Not the JGB accrued."""
        return ql.BondFunctions.accruedAmount(self.bond, self._eval())

    def dirty_price(self, yield_pct: float) -> float:
        return self.clean_price(yield_pct) + self.accrued()

    def yield_from_dirty(self, dirty: float) -> float:
        s = self._eval()
        if self.money_market:
            from scipy.optimize import brentq

            return 100 * brentq(lambda y: self._mm(y)[0] - dirty, -0.9, 5.0, xtol=1e-15, rtol=1e-15)
        price = ql.BondPrice(dirty, ql.BondPrice.Dirty)
        return 100 * ql.BondFunctions.bondYield(
            self.bond, price, self.day_counter, COMP, FREQ, s, 1e-14, 200, 0.03
        )

    def yield_from_clean(self, clean: float) -> float:
        if self.money_market:
            return self.yield_from_dirty(clean + self.accrued())
        s = self._eval()
        price = ql.BondPrice(clean, ql.BondPrice.Clean)
        return 100 * ql.BondFunctions.bondYield(
            self.bond, price, self.day_counter, COMP, FREQ, s, 1e-14, 200, 0.03
        )

    def duration(self, yield_pct: float, kind: int = ql.Duration.Modified) -> float:
        s = self._eval()
        if self.money_market:
            y = yield_pct / 100
            price, slope, _ = self._mm(y)
            mod = -slope / price
            return mod * (1 + y * self._mm_terms()[2]) if kind == ql.Duration.Macaulay else mod
        return ql.BondFunctions.duration(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, kind, s)

    def convexity(self, yield_pct: float) -> float:
        s = self._eval()
        if self.money_market:
            price, _, second = self._mm(yield_pct / 100)
            return second / price
        return ql.BondFunctions.convexity(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, s)

    def received_flows(self) -> list[tuple[date, float]]:
        """(unadjusted date, amount per 100 face) of the flows QuantLib counts for a buyer settling on
        ``settle`` (coupons at their accrual end, the redemption at the maturity date)."""
        s = self._eval()
        out = []
        for cf in self.bond.cashflows():
            if cf.hasOccurred(s) or trading_ex_coupon(cf, s):
                continue
            cpn = ql.as_coupon(cf)
            out.append((from_ql(cpn.accrualEndDate()) if cpn is not None else self.maturity, cf.amount()))
        return out

    def flow_times(self) -> list[float]:
        """ISMA year fractions settle → pay date for :meth:`received_flows` (QuantLib's clock)."""
        s = to_ql(self.settle)
        times = []
        for cf in self.bond.cashflows():
            if cf.hasOccurred(s) or trading_ex_coupon(cf, s):
                continue
            cpn = ql.as_coupon(cf)
            if cpn is None:  # redemption: same date as the last coupon
                times.append(self.day_counter.yearFraction(s, cf.date()))
            else:
                times.append(
                    self.day_counter.yearFraction(
                        s, cf.date(), cpn.referencePeriodStart(), cpn.referencePeriodEnd()
                    )
                )
        return times


def trading_ex_coupon(cf: ql.CashFlow, settle: ql.Date) -> bool:
    """QuantLib's ``CashFlow::tradingExCoupon`` (not exposed to Python): ex-coupon date ≤ settlement."""
    cpn = ql.as_coupon(cf)
    return cpn is not None and cpn.exCouponDate() != ql.Date() and cpn.exCouponDate() <= settle


US_DATED_WITHIN_DAYS = 31  # a Treasury issued at most this many days after a cycle date is dated on it


def dated_date(market: str, maturity: date, issue: date, first_coupon: date | None = None) -> date:
    """The date interest accrues from (module docstring): QuantLib's regular date on or before
    ``issue`` (a backward schedule started a year earlier) for US (within 31 days) and JP bonds."""
    if first_coupon is not None or market not in ("US", "JP"):
        return issue
    mat = to_ql(maturity)
    sched = ql.Schedule(to_ql(issue - timedelta(days=366)), mat, ql.Period(ql.Semiannual), ql.NullCalendar(),
                        ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Backward, is_month_end(maturity))
    regular = max(from_ql(d) for d in list(sched.dates())[1:] if from_ql(d) <= issue)
    if market == "JP" or (issue - regular).days <= US_DATED_WITHIN_DAYS:
        return regular
    return issue


def _schedule(
    maturity: date, settle: date, issue: date | None = None, first_coupon: date | None = None
) -> tuple[ql.Schedule, ql.Date]:
    eom = is_month_end(maturity)
    mat = to_ql(maturity)
    if issue is not None:
        effective = to_ql(issue)
        first = to_ql(first_coupon) if first_coupon is not None else ql.Date()
    else:
        months = (maturity.year - settle.year) * 12 + maturity.month - settle.month
        periods = months // 6 + 2  # a regular coupon date at least one period before settlement
        effective = ql.NullCalendar().advance(mat, ql.Period(-6 * periods, ql.Months), ql.Unadjusted, eom)
        first = ql.Date()
    sched = ql.Schedule(
        effective,
        mat,
        ql.Period(ql.Semiannual),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        eom,
        first,
    )
    return sched, effective


def _rebuilt(
    bond: ql.FixedRateBond,
    code: str,
    issue: ql.Date,
    dc: ql.DayCounter,
    *,
    explicit_ex: bool,
    final_payment: ql.Date | None = None,
) -> ql.Bond:
    """Same coupons as ``bond``, with ex-coupon dates from ``desktop.markets.ex_dividend_date`` when
    ``explicit_ex``, and the final coupon and redemption paid on ``final_payment`` when given."""
    leg = []
    mat = bond.maturityDate()
    for cf in bond.cashflows():
        cpn = ql.as_fixed_rate_coupon(cf)
        pay = final_payment if final_payment is not None and cf.date() == mat else cf.date()
        if cpn is None:  # the redemption: ql.Bond adds it back from the coupons' notional, on ``pay``
            continue
        if explicit_ex:
            exd = to_ql(ex_dividend_date(code, from_ql(cpn.accrualEndDate())))
        else:
            exd = cpn.exCouponDate()
        leg.append(
            ql.FixedRateCoupon(
                pay,
                cpn.nominal(),
                cpn.rate(),
                dc,
                cpn.accrualStartDate(),
                cpn.accrualEndDate(),
                cpn.referencePeriodStart(),
                cpn.referencePeriodEnd(),
                exd,
            )
        )
    return ql.Bond(0, ql.NullCalendar(), issue, leg)


def oracle_bond(
    market: str,
    coupon_pct: float,
    maturity: date,
    settle: date,
    issue: date | None = None,
    first_coupon: date | None = None,
) -> OracleBond:
    """QuantLib twin of one LadderDesk bond at one settlement date.

    ``issue``: the issue date; the schedule's first date is its dated date (:func:`dated_date`; a
    dated date given here stays as it is); ``first_coupon``: the first coupon date when it is not the
    first regular date after the dated date (a long first coupon).
    """
    if issue is not None:
        issue = dated_date(market, maturity, issue, first_coupon)
    sched, effective = _schedule(maturity, settle, issue, first_coupon)
    # Irregular first periods: ISMA on each coupon's reference period (QuantLib's FixedRateLeg sets a
    # long first coupon's to the regular period ending on its pay date), i.e. the DMO's long-first-
    # dividend formula; the schedule-based ISMA splits a long first period differently.
    dc = ql.ActualActual(ql.ActualActual.ISMA) if issue is not None else ql.ActualActual(ql.ActualActual.ISMA, sched)
    args = [0, 100.0, sched, [coupon_pct / 100], dc, ql.Unadjusted, 100.0, effective, ql.NullCalendar()]
    if market == "UK":
        args += [ql.Period(6, ql.Days), uk_calendar(), ql.Unadjusted, False]
    elif market == "AU":
        args += [ql.Period(7, ql.Days), ql.NullCalendar(), ql.Unadjusted, False]
    bond: ql.Bond = ql.FixedRateBond(*args)
    explicit = market == "UK" and any(
        from_ql(ql.as_coupon(cf).exCouponDate())
        != ex_dividend_date("UK", from_ql(ql.as_coupon(cf).accrualEndDate()))
        for cf in bond.cashflows()
        if ql.as_coupon(cf) is not None and from_ql(cf.date()) > settle
    )
    if explicit:
        bond = _rebuilt(bond, market, effective, dc, explicit_ex=True)
    mm = market == "UK" and (maturity - settle).days < 365
    return OracleBond(market, coupon_pct, maturity, settle, bond, dc, explicit, mm)


# --------------------------------------------------------------------------- random bond sweep

SETTLE_MODES = ("random", "coupon-1", "coupon", "coupon+1", "exdiv-1", "exdiv", "exdiv+1", "final-period")


def _coupon_date_near(maturity: date, around: date) -> date:
    """A schedule date (QuantLib's month arithmetic, end-of-month aware) close to ``around``."""
    months = (maturity.year - around.year) * 12 + maturity.month - around.month
    k = max(round(months / 6), 1)
    d = ql.NullCalendar().advance(
        to_ql(maturity), ql.Period(-6 * k, ql.Months), ql.Unadjusted, is_month_end(maturity)
    )
    return from_ql(d)


def random_sweep(n: int, seed: int) -> pd.DataFrame:
    """``n`` random bonds across the four markets with deliberately awkward settlement dates.

    Columns: market, coupon_pct (0–8), maturity (a week to 40 years after settlement; a fifth on
    month-ends, a tenth on the 29th–31st), settle, mode (one of :data:`SETTLE_MODES`: random,
    on / a day either side of a coupon date, on / a day either side of the ex-dividend date of a
    coupon (UK/AU; other markets fall back to the coupon date), inside the final coupon period),
    yield_pct (−0.5 … 9).
    """
    rng = np.random.default_rng(seed)
    markets = np.array(["US", "JP", "UK", "AU"])
    rows = []
    for i in range(n):
        code = markets[i % 4]
        mat = date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 40)))
        shape = rng.random()
        if shape < 0.2:
            mat = date(mat.year, mat.month, _calendar.monthrange(mat.year, mat.month)[1])
        elif shape < 0.3:
            mat = date(
                mat.year,
                mat.month,
                min(int(rng.integers(29, 32)), _calendar.monthrange(mat.year, mat.month)[1]),
            )
        years = float(rng.uniform(7 / 365, 40.0))
        nominal = mat - timedelta(days=round(years * 365.25))
        mode = SETTLE_MODES[int(rng.integers(len(SETTLE_MODES)))]
        if mode == "random":
            settle = nominal
        elif mode == "final-period":
            settle = mat - timedelta(days=int(rng.integers(1, 182)))
        else:
            cpn = _coupon_date_near(mat, nominal)
            shift = {"-1": -1, "+1": 1}.get(mode[-2:], 0)
            anchor = cpn
            if mode.startswith("exdiv") and code in ("UK", "AU"):
                anchor = ex_dividend_date(code, cpn)
            settle = anchor + timedelta(days=shift)
        if settle >= mat:
            settle = mat - timedelta(days=7)
        rows.append(
            {
                "market": code,
                "coupon_pct": round(float(rng.uniform(0.0, 8.0)), 3),
                "maturity": mat,
                "settle": settle,
                "mode": mode,
                "yield_pct": round(float(rng.uniform(-0.5, 9.0)), 4),
            }
        )
    out = pd.DataFrame(rows)
    out["maturity"] = pd.to_datetime(out["maturity"])
    out["settle"] = pd.to_datetime(out["settle"])
    return out
