"""desktop.controller.liabilities: reading needs (year → last business day, checked against QuantLib's
calendars), ISINs (check digits by the published algorithm, known ISINs), the single-market
comparison, and liabilities kept in the portfolio's run card."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.controller import liabilities as lia
from desktop.errors import DataError
from desktop.optim.matching import MatchSettings

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
        assert lia.year_end_business_day(year, ccy) == date(d.year(), d.month(), d.dayOfMonth()), year


def test_parse_needs_rules():
    n = lia.parse_needs(["Year", "Amount"], [["2031", "1,000,000"], ["2029", "5e6"]], [2, 3], "n.csv")
    assert list(n["date"].dt.strftime("%Y-%m-%d")) == ["2029-12-31", "2031-12-31"]  # sorted
    assert list(n["amount"]) == [5e6, 1e6]
    with pytest.raises(DataError, match=r"n.csv, line 2, field 'date'.*not after the valuation date"):
        lia.parse_needs(["date", "amount"], [["2025-06-30", "1"]], [2], "n.csv", as_of=date(2025, 12, 31))
    with pytest.raises(DataError, match=r"line 4, field 'amount'"):
        lia.parse_needs(["date", "amount"], [["2030-01-02", "1"], ["2031-01-02", "2"], ["2032-01-02", "nan"]],
                        [2, 3, 4], "n.csv")
    with pytest.raises(DataError, match=r"line 2.*3 fields"):
        lia.parse_needs(["date", "amount"], [["2030-01-02", "1", "x"]], [2], "n.csv")


def test_read_needs_from_a_file(tmp_path):
    p = tmp_path / "needs.csv"
    p.write_text("\ufeffdate,amount\n2030-06-30,2500000\n\n2031-06-30,2500000\n")
    n = lia.read_needs(str(p), "USD", date(2025, 12, 31))
    assert len(n) == 2 and n["amount"].sum() == 5e6
    p.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(DataError, match="not a CSV"):
        lia.read_needs(str(p))


def test_isin_check_digits():
    assert lia.isin_of("US", "037833100") == "US0378331005"  # Apple Inc. (a published ISIN)
    assert lia.isin_of("US", "594918104") == "US5949181045"  # Microsoft Corp. (a published ISIN)
    assert lia.isin_of("UK", "GB00BL68HJ26") == "GB00BL68HJ26"
    assert lia.isin_of("UK", "GB00BL68HJ27") == ""  # wrong check digit: not an ISIN
    assert lia.isin_of("AU", "TB164") == "" and lia.isin_of("JP", "JGB 10y #365") == ""
    assert lia.isin_of("US", "91282CPB2") == ""  # wrong CUSIP check digit: no ISIN invented


def test_match_and_single_market_comparison(snap, universe):
    needs = pd.DataFrame({"date": pd.to_datetime([f"{y}-12-29" for y in range(2028, 2034)]), "amount": 1e7})
    lm = lia.match(snap, needs, universe=universe)
    c = lm.comparison.set_index("funding")
    assert list(c.index) == ["match", "US only", "JP only", "AU only", "UK only"]
    # each single market is a restriction of the match's markets with fewer limits; the match obeys
    # the US cap and the per-bond maximum, so a single market may be cheaper only where those limits cost
    us = lia.match(snap, needs, lia.single_market_settings(MatchSettings(), "US"), universe=universe, compare=False)
    assert c.loc["US only", "cost_base"] == pytest.approx(us.cost_base)
    assert lm.saving_vs_us_base == pytest.approx(us.cost_base - lm.cost_base)
    assert (lm.alloc["isin"].str.len().isin([0, 12]) | lm.alloc["isin"].isna()).all()
    t = lm.trades()
    assert (t["side"] == "BUY").all() and t["cash_base"].sum() == pytest.approx(lm.cost_base, abs=0.01 * len(t))


def test_liabilities_kept_in_the_portfolio_run_card(tmp_path, snap, universe):
    from desktop.store import Workspace

    needs = pd.DataFrame({"date": pd.to_datetime(["2029-12-31", "2032-06-30"]), "amount": [3e6, 7.5e6]})
    settings = MatchSettings(markets=("US", "UK"), us_cap=0.6, reinvest_rate_pct=1.5)
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        ws.save_portfolio("Book", pd.DataFrame({"id": ["91282CPB1"], "market": ["US"], "face": [1e6]}),
                          {"data_as_of": "2025-12-31"})
        lia.save_liabilities(ws, "Book", needs, settings)
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        p = ws.load_portfolio("Book")
    assert p.holdings["face"].tolist() == [1e6] and p.run_card["data_as_of"] == "2025-12-31"
    back, s2 = lia.liabilities_of_card(p.run_card)
    pd.testing.assert_frame_equal(back, needs)
    assert s2 == settings
    assert lia.liabilities_of_card({"data_as_of": "x"}) is None
    with pytest.raises(DataError, match="damaged"):
        lia.liabilities_of_card({"liabilities": {"needs": [{"date": "2030-01-01"}]}})


def test_rebalance_keeps_a_funded_book_and_only_buys_for_a_bigger_need(snap, universe):
    needs = pd.DataFrame({"date": pd.to_datetime([f"{y}-12-29" for y in range(2028, 2034)]), "amount": 1e7})
    first = lia.match(snap, needs, universe=universe, compare=False)
    again = lia.match(snap, needs, universe=universe, current_face=first.result.face, compare=False)
    assert len(again.trades()) == 0
    bigger = needs.assign(amount=np.where(needs.index == 2, 2e7, 1e7))
    more = lia.match(snap, bigger, universe=universe, current_face=first.result.face, compare=False)
    t = more.trades()
    assert len(t) and (t["side"] == "BUY").all()
    assert (more.flows["funded"] >= more.flows["need"] - 1e-6).all()
    assert more.turnover_base < 1.2e7  # about the extra need's cost, not a rebuilt book
