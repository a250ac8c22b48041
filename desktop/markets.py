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
    ``settlement_calendar`` names the bond market's settlement calendar (see :func:`holiday_calendar`).
    ``long_first_under_days``: a new issue whose first regular coupon date falls fewer than this many
    days after its issue date pays a long first coupon on the following date (0 = always short).
    ``money_market_days``: a bond fewer than this many days from maturity (so with at most two coupon
    dates left) is quoted on a money-market yield (simple interest ACT/365 to the payment dates,
    a coupon reinvested at the same rate; see :mod:`desktop.analytics`), as Tradeweb/FTSE gilt closes
    are; 0 = the compounded formula to maturity.
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
    settlement_calendar: str  # USGS (SIFMA), JPX, AU-NSW (public + bank), GB-ENG (bank holidays)
    min_denomination: float  # local currency face
    quote_style: str
    color: str  # chart colour, hex (colour-blind safe Okabe-Ito palette)
    key_tenors: tuple[float, ...] = (2.0, 5.0, 10.0, 30.0)
    long_first_under_days: int = 0
    money_market_days: int = 0

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
        settlement_calendar="USGS",
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
        settlement_calendar="JPX",
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
        settlement_calendar="AU-NSW",
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
        settlement_calendar="GB-ENG",
        min_denomination=0.01,  # DMO: gilts are held and traded in units of one penny
        quote_style="gross redemption yield, semi-annual; clean price, decimal",
        color="#CC79A7",
        # Inferred from DMO new issues: first regular dates 49-56 days after issue were paid long
        # (3 3/4% 2027, 4 1/4% 2034), 108-169 days short (4 5/8% 2034, 4 3/4% 2043, 4 1/2% 2028).
        long_first_under_days=90,
        # Tradeweb/FTSE closes: under 365 days to maturity, a money-market yield (T24: 365 days
        # compounded, 362 days money market).
        money_market_days=365,
    ),
}

MARKET_CODES: tuple[str, ...] = tuple(MARKETS)
CURRENCIES: tuple[str, ...] = tuple(m.currency for m in MARKETS.values())
#: the market whose curve (and calendar) stands for each currency: USD → US, JPY → JP, AUD → AU, GBP → UK
CURVE_OF_CURRENCY: dict[str, str] = {m.currency: m.code for m in MARKETS.values()}


def market(code: str) -> Market:
    """Look up a market by code (``US``, ``JP``, ``AU``, ``UK``); ``GB`` is accepted for ``UK``."""
    key = code.strip().upper()
    if key == "GB":
        key = "UK"
    try:
        return MARKETS[key]
    except KeyError:
        raise KeyError(f"unknown market {code!r}; expected one of {', '.join(MARKET_CODES)}") from None


# SIFMA has published its Good Friday recommendation up to this year (2026: early close, as the BLS
# employment report is released that day). Later years are projected: a Good Friday on 1-7 April is
# the first Friday of the month, the employment report's day, and has been an early close (a
# settlement day) every time since 1999; QuantLib's UnitedStates(GovernmentBond) projects the same.
SIFMA_PUBLISHED_THROUGH = 2026


def _us_government_bond_holidays(years: range) -> set[date]:
    """US government bond market full closes: SIFMA's recommendations (`holidays` "USGS": federal
    holidays with Saturday→Friday / Sunday→Monday observance except New Year's Day on a Saturday,
    plus Good Friday and one-off closures). Early closes are settlement days."""
    import holidays

    closes = holidays.financial_holidays("USGS", years=years)
    return {
        d for d, name in closes.items()
        if not (d.year > SIFMA_PUBLISHED_THROUGH and d.month == 4 and d.day <= 7 and "Good Friday" in name)
    }


@cache
def _holiday_set(calendar: str, first_year: int, last_year: int) -> frozenset[date]:
    """Weekday holidays of a bond market's settlement calendar:

    * ``USGS``: the US government bond market (:func:`_us_government_bond_holidays`), not the Federal
      Reserve calendar (the Fed is open on Good Friday; the bond market is not);
    * ``JPX``: Japan, incl. the 31 Dec-3 Jan bank holidays (JGBs settle in BOJ-NET);
    * ``AU-NSW``: Sydney public and bank holidays (ACGBs settle in Austraclear/RITS, closed on the NSW
      August bank holiday and Labour Day; the ASX trading calendar is not the settlement calendar);
    * ``GB-ENG``: England and Wales bank holidays (gilts settle in CREST on UK business days).
    """
    import holidays

    years = range(first_year, last_year + 1)
    if calendar == "USGS":
        return frozenset(_us_government_bond_holidays(years))
    if calendar == "JPX":
        return frozenset(holidays.financial_holidays("JPX", years=years))
    if calendar == "AU-NSW":
        return frozenset(holidays.country_holidays("AU", subdiv="NSW", years=years, categories=("public", "bank")))
    if calendar == "GB-ENG":
        return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))
    raise KeyError(f"unknown settlement calendar {calendar!r}")


def holiday_calendar(code: str, first_year: int = 1990, last_year: int = 2080) -> np.ndarray:
    """Holidays of the market's settlement calendar as ``datetime64[D]`` (for ``np.busday_*``)."""
    days = sorted(_holiday_set(market(code).settlement_calendar, first_year, last_year))
    return np.array(days, dtype="datetime64[D]")


@cache
def busday_calendar(code: str) -> np.busdaycalendar:
    """numpy business-day calendar (Mon–Fri minus the market's holidays)."""
    return np.busdaycalendar(weekmask="1111100", holidays=holiday_calendar(code))


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
    """First *settlement* date on which a purchase no longer receives the coupon paid on ``coupon_date``.

    UK: the business day after the DMO's ex-dividend date, which is 7 UK business days before the
    coupon date and is the first *trade* date ex (T+1 settles the next day). Tradeweb/FTSE closes
    agree: 2 3/4% 2024, coupon Thu 7 Mar 2024, DMO ex-dividend date 27 Feb: settlement 27 Feb cum,
    28 Feb ex. AU: 7 calendar days before (record date 8 days before). Others: None.
    """
    m = market(code)
    if not m.has_ex_dividend:
        return None
    if m.ex_div_kind == "calendar":
        return coupon_date - timedelta(days=m.ex_div_days)
    return add_business_days(code, add_business_days(code, coupon_date, -m.ex_div_days), 1)


def dmo_ex_dividend_date(coupon_date: date) -> date:
    """The DMO's published ex-dividend date of a gilt coupon (7 UK business days before; a trade date)."""
    return add_business_days("UK", coupon_date, -MARKETS["UK"].ex_div_days)
