"""desktop.controller.needs: reading needs (year → last business day, checked against QuantLib's
calendars) and liabilities kept in the portfolio's run card."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import QuantLib as ql

from desktop.controller.needs import (
    liabilities_of_card,
    parse_needs,
    read_needs,
    save_liabilities,
    year_end_business_day,
)
from desktop.errors import DataError
from desktop.optim.match_settings import MatchSettings

QL_CALENDARS = {
    "USD": ql.UnitedStates(ql.UnitedStates.GovernmentBond),
    "JPY": ql.Japan(),
    "GBP": ql.UnitedKingdom(ql.UnitedKingdom.Exchange),
    "AUD": ql.Australia(ql.Australia.ASX),
}


@pytest.mark.parametrize("ccy", sorted(QL_CALENDARS))
def test_a_year_means_its_last_business_day_as_quantlib_says(ccy):
    cal = QL_CALENDARS[ccy]
    for year in range(2026, 2046):
        d = cal.adjust(ql.Date(31, 12, year), ql.Preceding)
        assert year_end_business_day(year, ccy) == date(d.year(), d.month(), d.dayOfMonth()), year


def test_parse_needs_rules():
    n = parse_needs(["Year", "Amount"], [["2031", "1,000,000"], ["2029", "5e6"]], [2, 3], "n.csv")
    assert list(n["date"].dt.strftime("%Y-%m-%d")) == ["2029-12-31", "2031-12-31"]  # sorted
    assert list(n["amount"]) == [5e6, 1e6]
    with pytest.raises(DataError, match=r"n.csv, line 2, field 'date'.*not after the valuation date"):
        parse_needs(["date", "amount"], [["2025-06-30", "1"]], [2], "n.csv", as_of=date(2025, 12, 31))
    with pytest.raises(DataError, match=r"line 4, field 'amount'"):
        parse_needs(["date", "amount"], [["2030-01-02", "1"], ["2031-01-02", "2"], ["2032-01-02", "nan"]],
                        [2, 3, 4], "n.csv")
    with pytest.raises(DataError, match=r"line 2.*3 fields"):
        parse_needs(["date", "amount"], [["2030-01-02", "1", "x"]], [2], "n.csv")


def test_read_needs_from_a_file(tmp_path):
    p = tmp_path / "needs.csv"
    p.write_text("\ufeffdate,amount\n2030-06-30,2500000\n\n2031-06-30,2500000\n")
    n = read_needs(str(p), "USD", date(2025, 12, 31))
    assert len(n) == 2 and n["amount"].sum() == 5e6
    p.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(DataError, match="not a CSV"):
        read_needs(str(p))


def test_liabilities_kept_in_the_portfolio_run_card(tmp_path, snap, universe):
    from desktop.store import Workspace

    needs = pd.DataFrame({"date": pd.to_datetime(["2029-12-31", "2032-06-30"]), "amount": [3e6, 7.5e6]})
    settings = MatchSettings(markets=("US", "UK"), us_cap=0.6, reinvest_rate_pct=1.5)
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        ws.save_portfolio("Book", pd.DataFrame({"id": ["91282CPB1"], "market": ["US"], "face": [1e6]}),
                          {"data_as_of": "2025-12-31"})
        save_liabilities(ws, "Book", needs, settings)
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        p = ws.load_portfolio("Book")
    assert p.holdings["face"].tolist() == [1e6] and p.run_card["data_as_of"] == "2025-12-31"
    back, s2 = liabilities_of_card(p.run_card)
    pd.testing.assert_frame_equal(back, needs)
    assert s2 == settings
    assert liabilities_of_card({"data_as_of": "x"}) is None
    with pytest.raises(DataError, match="damaged"):
        liabilities_of_card({"liabilities": {"needs": [{"date": "2030-01-01"}]}})
