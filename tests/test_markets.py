"""The conventions registry gives the settlement and ex-dividend dates a dealer would quote."""

from __future__ import annotations

from datetime import date

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
