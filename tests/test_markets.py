"""The conventions registry gives the settlement and ex-dividend dates a dealer would quote."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.markets import MARKETS, dmo_ex_dividend_date, ex_dividend_date, market, settlement_date


def test_four_markets_with_their_currencies():
    assert {m: MARKETS[m].currency for m in MARKETS} == {"US": "USD", "JP": "JPY", "AU": "AUD", "UK": "GBP"}
    assert all(m.coupon_frequency == 2 for m in MARKETS.values())
    assert market("gb") is MARKETS["UK"]
    with pytest.raises(KeyError, match="unknown market"):
        market("DE")


@pytest.mark.parametrize(
    ("code", "trade", "settle"),
    [
        ("US", date(2025, 12, 31), date(2026, 1, 2)),  # New Year's Day is a holiday
        ("UK", date(2025, 12, 24), date(2025, 12, 29)),  # Christmas and Boxing Day
        ("JP", date(2025, 12, 29), date(2025, 12, 30)),  # JP T+1
        ("JP", date(2025, 12, 30), date(2026, 1, 5)),  # 31 Dec–3 Jan are Japanese bank holidays
        ("US", date(2025, 11, 10), date(2025, 11, 12)),  # Veterans Day: bond market closed
        ("AU", date(2025, 12, 31), date(2026, 1, 5)),  # T+2 skipping 1 Jan and the weekend
        ("US", date(2025, 7, 3), date(2025, 7, 7)),  # Independence Day, then the weekend
    ],
)
def test_settlement_dates(code, trade, settle):
    assert settlement_date(code, trade) == settle


def test_ex_dividend_rules():
    # UK: the first settlement date ex is the business day after the DMO's ex-dividend date (7 UK
    # business days before the coupon; a trade date). Coupon Sat 31 Jan 2026: DMO date Thu 22 Jan.
    assert dmo_ex_dividend_date(date(2026, 1, 31)) == date(2026, 1, 22)
    assert ex_dividend_date("UK", date(2026, 1, 31)) == date(2026, 1, 23)
    assert ex_dividend_date("UK", date(2026, 3, 7)) == date(2026, 2, 27)  # Sat coupon, no holidays
    # UK across the Easter holidays: coupon 7 Apr 2026; Good Friday 3 Apr and Easter Monday 6 Apr
    assert dmo_ex_dividend_date(date(2026, 4, 7)) == date(2026, 3, 25)
    assert ex_dividend_date("UK", date(2026, 4, 7)) == date(2026, 3, 26)
    # AU: 7 calendar days
    assert ex_dividend_date("AU", date(2026, 4, 21)) == date(2026, 4, 14)
    assert ex_dividend_date("US", date(2026, 2, 15)) is None
    assert ex_dividend_date("JP", date(2026, 3, 20)) is None


# --------------------------------------------------------------------------- calendars vs QuantLib
import numpy as np  # noqa: E402
import QuantLib as ql  # noqa: E402

from desktop.markets import add_business_days, busday_calendar  # noqa: E402

#: QuantLib twin of each market's settlement calendar. UK: ``Settlement`` (England & Wales bank
#: holidays: gilts settle in CREST, whose business days are the UK banks') rather than ``Exchange``
#: (the LSE's trading days; the two agree 2025–2035 anyway, asserted below).
QL_CALENDARS = {
    "US": ql.UnitedStates(ql.UnitedStates.GovernmentBond),
    "JP": ql.Japan(),
    "UK": ql.UnitedKingdom(ql.UnitedKingdom.Settlement),
    "AU": ql.Australia(),
}
DAYS = np.arange(np.datetime64("2025-01-01"), np.datetime64("2036-01-01"))
#: Documented differences: NSW proclaimed extra public holidays for ANZAC Day falling on a weekend in
#: 2026 (Sat 25 Apr → Mon 27 Apr) and 2027 (Sun 25 Apr → Mon 26 Apr) (NSW government; in `holidays`);
#: QuantLib 1.44's Australia calendar predates them. Sydney banks, Austraclear and RITS are closed.
KNOWN_DIFFERENCES = {"AU": {date(2026, 4, 27), date(2027, 4, 26)}}


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


@pytest.mark.parametrize("code", ["US", "JP", "UK", "AU"])
def test_every_business_day_2025_2035_matches_quantlib(code):
    ours = np.is_busday(DAYS, busdaycal=busday_calendar(code))
    theirs = np.array([QL_CALENDARS[code].isBusinessDay(_ql(d)) for d in DAYS.astype(date)])
    differ = set(DAYS[ours != theirs].astype(date))
    assert differ == KNOWN_DIFFERENCES.get(code, set())
    assert all(not ours[DAYS.astype(date).tolist().index(d)] for d in differ)  # we are the closed side


def test_uk_exchange_and_settlement_calendars_agree_2025_2035():
    ex = ql.UnitedKingdom(ql.UnitedKingdom.Exchange)
    st = QL_CALENDARS["UK"]
    assert all(ex.isBusinessDay(_ql(d)) == st.isBusinessDay(_ql(d)) for d in DAYS.astype(date))


def test_us_bond_market_is_not_the_federal_reserve_calendar():
    """The 7 days of 2026–2030 on which the Fed calendar settled while the bond market is closed."""
    closed = [date(2027, 3, 26), date(2028, 4, 14), date(2029, 3, 30), date(2030, 4, 19),  # Good Fridays
              date(2026, 7, 3), date(2027, 6, 18), date(2027, 12, 24)]  # Jul 4, Juneteenth, Christmas observed
    cal = busday_calendar("US")
    assert not np.is_busday(np.array(closed, dtype="datetime64[D]"), busdaycal=cal).any()
    # Good Friday 2026 (3 Apr, the day of the employment report) is a SIFMA early close: it settles
    assert np.is_busday(np.datetime64("2026-04-03"), busdaycal=cal)
    # Columbus and Veterans Day: bond market closed (the stock exchange is open)
    assert not np.is_busday(np.array(["2026-10-12", "2026-11-11"], dtype="datetime64[D]"), busdaycal=cal).any()


AROUND = [date(2026, 3, 30) + timedelta(days=i) for i in range(12)] + [
    date(2026, 12, 18) + timedelta(days=i) for i in range(18)
]


@pytest.mark.parametrize("code", ["US", "JP", "UK", "AU"])
def test_settlement_around_easter_and_christmas_2026_matches_quantlib_advance(code):
    cal, lag = QL_CALENDARS[code], MARKETS[code].settlement_lag
    for trade in AROUND:
        want = cal.advance(_ql(trade), lag, ql.Days)
        assert settlement_date(code, trade) == date(want.year(), want.month(), want.dayOfMonth()), (code, trade)
        for n in (-7, -1, 3):
            got = add_business_days(code, trade, n)
            q = cal.advance(_ql(trade), n, ql.Days)
            assert got == date(q.year(), q.month(), q.dayOfMonth()), (code, trade, n)


def test_dmo_ex_dividend_dates_of_every_gilt_in_issue_2023_12_01():
    """The DMO's own CURRENT_EX_DIV_DATE (D1A report) for all 95 gilts; the first settlement ex is the
    next UK business day (Tradeweb: 2 3/4% 2024 settles cum on 27 Feb 2024, ex on 28 Feb)."""
    import xml.etree.ElementTree as ET

    import pandas as pd

    from desktop.schedule import build_schedule
    from tests.support.paths import require_shared

    root = ET.fromstring(require_shared("uk/dmo-D1A-20231201.xml").read_bytes().lstrip())
    rows = [(e.get("REDEMPTION_DATE")[:10], e.get("CURRENT_EX_DIV_DATE")[:10]) for e in root]
    bonds = pd.DataFrame({"market": "UK", "coupon_pct": 1.0, "maturity": [r[0] for r in rows]})
    nxt = build_schedule(bonds, date(2023, 12, 1)).next_coupon.astype(date)
    assert len(rows) == 95
    for coupon, (_, dmo) in zip(nxt, rows, strict=True):
        assert dmo_ex_dividend_date(coupon) == date.fromisoformat(dmo), coupon
        assert ex_dividend_date("UK", coupon) == add_business_days("UK", date.fromisoformat(dmo), 1)
