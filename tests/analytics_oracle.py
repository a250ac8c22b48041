"""QuantLib oracle for :mod:`desktop.analytics` (tests and bench only; never used by the app).

One ``ql.FixedRateBond`` per bond, built the way the street prices it:

* schedule generated backward from maturity, unadjusted, ``endOfMonth`` when the maturity is the
  last day of its month, starting at a regular coupon date before settlement (so no stub);
* ``ActualActual(ISMA, schedule)`` day counter (accrued and the discounting clock);
* UK / AU: ``exCouponPeriod`` of 7 days on a business calendar (UK: a ``BespokeCalendar`` holding
  exactly the holidays of ``desktop.markets``) / on a null calendar (AU, calendar days);
* figures from ``ql.BondFunctions`` with ``Compounded, Semiannual``.

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
    day_counter: ql.DayCounter
    explicit_ex_coupon: bool = False

    def _eval(self) -> ql.Date:
        s = to_ql(self.settle)
        ql.Settings.instance().evaluationDate = s
        return s

    def clean_price(self, yield_pct: float) -> float:
        s = self._eval()
        return ql.BondFunctions.cleanPrice(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, s)

    def accrued(self) -> float:
        """QuantLib accrued (ISMA; negative ex-coupon). Not the JGB accrued."""
        return ql.BondFunctions.accruedAmount(self.bond, self._eval())

    def dirty_price(self, yield_pct: float) -> float:
        return self.clean_price(yield_pct) + self.accrued()

    def yield_from_dirty(self, dirty: float) -> float:
        s = self._eval()
        price = ql.BondPrice(dirty, ql.BondPrice.Dirty)
        return 100 * ql.BondFunctions.bondYield(
            self.bond, price, self.day_counter, COMP, FREQ, s, 1e-14, 200, 0.03
        )

    def yield_from_clean(self, clean: float) -> float:
        s = self._eval()
        price = ql.BondPrice(clean, ql.BondPrice.Clean)
        return 100 * ql.BondFunctions.bondYield(
            self.bond, price, self.day_counter, COMP, FREQ, s, 1e-14, 200, 0.03
        )

    def duration(self, yield_pct: float, kind: int = ql.Duration.Modified) -> float:
        s = self._eval()
        return ql.BondFunctions.duration(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, kind, s)

    def convexity(self, yield_pct: float) -> float:
        s = self._eval()
        return ql.BondFunctions.convexity(self.bond, yield_pct / 100, self.day_counter, COMP, FREQ, s)

    def received_flows(self) -> list[tuple[date, float]]:
        """(pay date, amount per 100 face) of the flows QuantLib counts for a buyer settling on ``settle``."""
        s = self._eval()
        out = []
        for cf in self.bond.cashflows():
            if cf.hasOccurred(s) or trading_ex_coupon(cf, s):
                continue
            out.append((from_ql(cf.date()), cf.amount()))
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


def _schedule(maturity: date, settle: date) -> tuple[ql.Schedule, ql.Date]:
    eom = is_month_end(maturity)
    mat = to_ql(maturity)
    months = (maturity.year - settle.year) * 12 + maturity.month - settle.month
    periods = months // 6 + 2  # a regular coupon date at least one period before settlement
    effective = ql.NullCalendar().advance(mat, ql.Period(-6 * periods, ql.Months), ql.Unadjusted, eom)
    sched = ql.Schedule(
        effective,
        mat,
        ql.Period(ql.Semiannual),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        eom,
    )
    return sched, effective


def _explicit_ex_coupon(bond: ql.FixedRateBond, code: str, issue: ql.Date, dc: ql.DayCounter) -> ql.Bond:
    """Same coupons as ``bond`` but with ex-coupon dates from ``desktop.markets.ex_dividend_date``."""
    leg = []
    for cf in bond.cashflows():
        cpn = ql.as_fixed_rate_coupon(cf)
        if cpn is None:
            leg.append(ql.SimpleCashFlow(cf.amount(), cf.date()))
            continue
        exd = ex_dividend_date(code, from_ql(cpn.date()))
        leg.append(
            ql.FixedRateCoupon(
                cpn.date(),
                cpn.nominal(),
                cpn.rate(),
                dc,
                cpn.accrualStartDate(),
                cpn.accrualEndDate(),
                cpn.referencePeriodStart(),
                cpn.referencePeriodEnd(),
                to_ql(exd),
            )
        )
    return ql.Bond(0, ql.NullCalendar(), issue, leg)


def oracle_bond(market: str, coupon_pct: float, maturity: date, settle: date) -> OracleBond:
    """QuantLib twin of one LadderDesk bond at one settlement date."""
    sched, effective = _schedule(maturity, settle)
    dc = ql.ActualActual(ql.ActualActual.ISMA, sched)
    args = [0, 100.0, sched, [coupon_pct / 100], dc, ql.Unadjusted, 100.0, effective, ql.NullCalendar()]
    if market == "UK":
        args += [ql.Period(7, ql.Days), uk_calendar(), ql.Unadjusted, False]
    elif market == "AU":
        args += [ql.Period(7, ql.Days), ql.NullCalendar(), ql.Unadjusted, False]
    bond: ql.Bond = ql.FixedRateBond(*args)
    explicit = market == "UK" and any(
        from_ql(ql.as_coupon(cf).exCouponDate()) != ex_dividend_date("UK", from_ql(cf.date()))
        for cf in bond.cashflows()
        if ql.as_coupon(cf) is not None and from_ql(cf.date()) > settle
    )
    if explicit:
        bond = _explicit_ex_coupon(bond, "UK", effective, dc)
    return OracleBond(market, coupon_pct, maturity, settle, bond, dc, explicit)


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
