"""The one registry of per-market conventions (US Treasuries, JGBs, ACGBs, gilts).

Facts and citations: ``resources/reference/conventions.csv`` (copied from the team's shared
reference data). Everything market-specific the analytics, optimiser and views need comes from
here; no other module hard-codes a day count, a settlement lag or an ex-dividend rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

import numpy as np

AccrualBasis = Literal["ACT/ACT ICMA", "ACT/365 NL"]
ExDivKind = Literal["business", "calendar"]


@dataclass(frozen=True)
class Market:
    """Conventions of one sovereign bond market.

    ``min_denomination`` is the smallest face amount (local currency) an order is rounded to.
    ``key_tenors`` are the key-rate tenors in years used for key-rate durations and curve views.
    """

    code: str  # "US", "JP", "AU", "UK"
    name: str
    currency: str  # ISO code of the bond's currency
    coupon_frequency: int  # coupons per year
    accrual_basis: AccrualBasis
    settlement_lag: int  # business days after trade date in the market's calendar
    ex_div_days: int  # 0 = no ex-dividend period
    ex_div_kind: ExDivKind | None
    holiday_country: str  # ISO country of the market
    financial_calendar: str  # `holidays` financial calendar used for settlement (FED, JPX, ASX, LSE)
    min_denomination: float  # local currency face
    quote_style: str
    color: str  # chart colour, hex (colour-blind safe Okabe-Ito palette)
    key_tenors: tuple[float, ...] = (2.0, 5.0, 10.0, 30.0)

    @property
    def has_ex_dividend(self) -> bool:
        return self.ex_div_days > 0


MARKETS: dict[str, Market] = {
    "US": Market(
        code="US",
        name="US Treasuries",
        currency="USD",
        coupon_frequency=2,
        accrual_basis="ACT/ACT ICMA",
        settlement_lag=1,
        ex_div_days=0,
        ex_div_kind=None,
        holiday_country="US",
        financial_calendar="FED",
        min_denomination=100.0,  # 31 CFR 356.5: minimum and multiples of $100
        quote_style="bond-equivalent yield, semi-annual; prices in 32nds",
        color="#0072B2",
    ),
    "JP": Market(
        code="JP",
        name="Japanese Government Bonds",
        currency="JPY",
        coupon_frequency=2,
        accrual_basis="ACT/365 NL",
        settlement_lag=1,
        ex_div_days=0,
        ex_div_kind=None,
        holiday_country="JP",
        financial_calendar="JPX",
        min_denomination=50_000.0,  # MoF: JGBs are issued in units of JPY 50,000 face
        quote_style="compound yield, semi-annual; Japanese simple yield shown alongside",
        color="#D55E00",
    ),
    "AU": Market(
        code="AU",
        name="Australian Government Bonds",
        currency="AUD",
        coupon_frequency=2,
        accrual_basis="ACT/ACT ICMA",
        settlement_lag=2,
        ex_div_days=7,
        ex_div_kind="calendar",
        holiday_country="AU",
        financial_calendar="ASX",
        # Assumption (no official wholesale parcel size in our sources): AUD 1,000 face.
        min_denomination=1_000.0,
        quote_style="yield to maturity, semi-annual (AOFM formula)",
        color="#009E73",
    ),
    "UK": Market(
        code="UK",
        name="UK Gilts",
        currency="GBP",
        coupon_frequency=2,
        accrual_basis="ACT/ACT ICMA",
        settlement_lag=1,
        ex_div_days=7,
        ex_div_kind="business",
        holiday_country="GB",
        financial_calendar="LSE",
        min_denomination=0.01,  # DMO: gilts are held and traded in units of one penny
        quote_style="gross redemption yield, semi-annual; clean price, decimal",
        color="#CC79A7",
    ),
}

MARKET_CODES: tuple[str, ...] = tuple(MARKETS)
CURRENCIES: tuple[str, ...] = tuple(m.currency for m in MARKETS.values())


def market(code: str) -> Market:
    """Look up a market by code (``US``, ``JP``, ``AU``, ``UK``); ``GB`` is accepted for ``UK``."""
    key = code.strip().upper()
    if key == "GB":
        key = "UK"
    try:
        return MARKETS[key]
    except KeyError:
        raise KeyError(f"unknown market {code!r}; expected one of {', '.join(MARKET_CODES)}") from None


@cache
def _holiday_set(calendar: str, first_year: int, last_year: int) -> frozenset[date]:
    """Holidays of a `holidays` financial calendar: FED (US bond market: the Federal Reserve's
    holidays incl. Columbus and Veterans Day), JPX (incl. the 31 Dec–3 Jan bank holidays), ASX, LSE."""
    import holidays

    cal = holidays.financial_holidays(calendar, years=range(first_year, last_year + 1))
    return frozenset(cal.keys())


def holiday_calendar(code: str, first_year: int = 1990, last_year: int = 2080) -> np.ndarray:
    """Holidays of the market's settlement calendar as ``datetime64[D]`` (for ``np.busday_*``)."""
    days = sorted(_holiday_set(market(code).financial_calendar, first_year, last_year))
    return np.array(days, dtype="datetime64[D]")


@cache
def busday_calendar(code: str) -> np.busdaycalendar:
    """numpy business-day calendar (Mon–Fri minus the market's holidays)."""
    return np.busdaycalendar(weekmask="1111100", holidays=holiday_calendar(code))


def is_business_day(code: str, d: date) -> bool:
    return bool(np.is_busday(np.datetime64(d, "D"), busdaycal=busday_calendar(code)))


def add_business_days(code: str, d: date, n: int) -> date:
    """``d`` moved by ``n`` business days of the market's calendar (``n`` may be negative).

    Counting starts at ``d`` itself, as QuantLib's ``Calendar.advance`` does: from a Saturday, the
    Friday before is 1 business day back and the Monday after is 1 business day ahead.
    """
    roll = "backward" if n >= 0 else "forward"
    out = np.busday_offset(np.datetime64(d, "D"), n, roll=roll, busdaycal=busday_calendar(code))
    return out.astype(date)


def settlement_date(code: str, trade_date: date) -> date:
    """Standard settlement date for a trade done on ``trade_date`` (US/UK/JP T+1, AU T+2)."""
    m = market(code)
    return add_business_days(code, trade_date, m.settlement_lag)


def ex_dividend_date(code: str, coupon_date: date) -> date | None:
    """First date on which a purchase settles without the coupon paid on ``coupon_date``.

    UK: 7 UK business days before the coupon date; AU: 7 calendar days before; others: None.
    """
    m = market(code)
    if not m.has_ex_dividend:
        return None
    if m.ex_div_kind == "calendar":
        return coupon_date - timedelta(days=m.ex_div_days)
    return add_business_days(code, coupon_date, -m.ex_div_days)
