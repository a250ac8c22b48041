"""The liability workflows' tickets (``LiabilityMatch.trades``, ``RollResult.trades``) are the
allocator's ticket (``desktop.controller.book.trade_list``), checked line by line against references
built here, not by the code under test:

* settlement: each market's QuantLib calendar (``UnitedStates(GovernmentBond)``, ``Japan``,
  ``UnitedKingdom``, ``Australia`` + the 2026-27 NSW Anzac Day holidays) advanced by the market's
  settlement lag — the calendars and lags of ``tests/controller/test_ladder.py``;
* accrued at that settlement date: QuantLib's bond accrued amount (``tests/analytics_oracle.py``;
  JGBs: the coupon over QuantLib's ``Actual365Fixed(NoLeap)`` day count from QuantLib's previous
  coupon date, as QuantLib has no JGB accrual); clean = the universe's clean price to 6 decimals;
* ids: the official id (AOFM line code written in the bond's name, else the universe id) and the
  ISIN (the universe id where its ISO 6166 check digit holds, ``US`` + CUSIP + check digit for a
  Treasury, else blank: never invented), check digits computed here from the published rules;
* face a whole number of the market's minimum denomination, cash = face × dirty / 100 to the cent
  (exact decimals, half a cent up: a JGB line often ends in exactly half a cent), base cash at the
  snapshot's cross rate to the cent.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.controller import liabilities as lia
from desktop.controller.roll import roll_ladder
from desktop.optim.match_settings import MatchSettings
from tests.analytics_oracle import oracle_bond, to_ql
from tests.controller.test_ladder import LAG, _ql_calendars

DENOMINATION = {"US": 100.0, "JP": 50_000.0, "AU": 1_000.0, "UK": 0.01}  # published minimum face amounts
# trade dates around holidays (those of test_ladder's by-hand table) and plain days
TRADE_DATES = ["2025-12-31", "2025-12-09", "2025-12-24", "2025-11-26", "2026-04-02", "2026-04-24", "2026-05-01",
               "2026-03-31"]
NEEDS = pd.DataFrame({"date": pd.to_datetime([f"{y}-12-29" for y in range(2027, 2036)]), "amount": 1e7})


# -- references ------------------------------------------------------------------------------------
def _value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - 55  # A = 10 … Z = 35


def _isin_digit(body: str) -> int:
    """ISO 6166: letters → 10..35, then Luhn over the digit string (doubling from the right)."""
    digits = [int(d) for d in "".join(str(_value(c)) for c in body)]
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 0 else d for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _cusip_ok(text: str) -> bool:
    """CUSIP check digit (modulus 10, double-add-double, every second character doubled)."""
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9]", text):
        return False
    total = sum(sum(divmod(_value(c) * (2 if i % 2 else 1), 10)) for i, c in enumerate(text[:8]))
    return (10 - total % 10) % 10 == int(text[8])


def reference_ids(row: pd.Series) -> tuple[str, str]:
    """(official id, ISIN) of a universe row, from its id and name."""
    ident, name = str(row["id"]), str(row["name"])
    line = re.search(r"\((TB\d+)\)", name)
    official = line.group(1) if row["market"] == "AU" and line else ident
    if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{9}[0-9]", ident) and _isin_digit(ident[:11]) == int(ident[11]):
        isin = ident
    elif row["market"] == "US" and _cusip_ok(ident):
        isin = f"US{ident}{_isin_digit('US' + ident)}"
    else:
        isin = ""
    return official, isin


def reference_settlement(market: str, trade_date: date) -> date:
    d = _ql_calendars()[market].advance(to_ql(trade_date), LAG[market], ql.Days)
    return date(d.year(), d.month(), d.dayOfMonth())


def reference_accrued(row: pd.Series, settle: date) -> float:
    """Accrued per 100 face at ``settle`` from QuantLib (module docstring)."""
    issue = None if pd.isna(row["issue_date"]) else pd.Timestamp(row["issue_date"]).date()
    ob = oracle_bond(row["market"], float(row["coupon_pct"]), pd.Timestamp(row["maturity"]).date(), settle, issue)
    if row["market"] != "JP":
        return ob.bond.accruedAmount(to_ql(settle))
    s = to_ql(settle)
    (start,) = [ql.as_coupon(cf).accrualStartDate() for cf in ob.bond.cashflows()
                if ql.as_coupon(cf) is not None and ql.as_coupon(cf).accrualStartDate() <= s
                < ql.as_coupon(cf).accrualEndDate()]
    return float(row["coupon_pct"]) * ql.Actual365Fixed(ql.Actual365Fixed.NoLeap).dayCount(start, s) / 365.0


def reference_cash(face: float, dirty: float) -> float:
    """face × dirty / 100 in exact decimals (face in cents, the price to 6 decimals), half a cent up."""
    exact = Decimal(f"{face:.2f}") * Decimal(f"{dirty:.6f}") / 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def check_ticket(ticket: pd.DataFrame, universe: pd.DataFrame, current: np.ndarray, target: np.ndarray,
                 trade_date: date, fx_usd_per_unit: dict, base: str) -> None:
    """Every line of ``ticket`` against the references; the ticket moves ``current`` to ``target``."""
    official = pd.DataFrame([reference_ids(r) for _, r in universe.iterrows()], columns=["official", "isin"],
                            index=universe.index)
    by_key = {(m, o): k for k, (m, o) in enumerate(zip(universe["market"], official["official"], strict=True))}
    moved = np.flatnonzero(np.abs(np.asarray(target) - np.asarray(current)) > 0)
    assert len(ticket) == len(moved) and len(by_key) == len(universe)
    seen = set()
    for line in ticket.itertuples():
        k = by_key[(line.market, line.id)]  # the official id names exactly one universe bond
        seen.add(k)
        row = universe.iloc[k]
        assert line.isin == official["isin"].iat[k] and line.name == row["name"], line
        assert line.isin == "" or line.isin == row["id"] or line.isin[2:11] == row["id"]  # never invented
        assert line.trade_date == trade_date.isoformat() and line.currency == row["currency"]
        settle = reference_settlement(line.market, trade_date)
        assert line.settle_date == settle.isoformat(), (line.market, trade_date)
        assert line.clean_price == round(float(row["clean_price"]), 6)
        assert abs(line.accrued - reference_accrued(row, settle)) < 5.1e-7, (line.id, settle)  # 6 decimals
        assert line.dirty_price == round(line.clean_price + line.accrued, 6)
        delta = target[k] - current[k]
        assert line.side == ("BUY" if delta > 0 else "SELL") and line.face == pytest.approx(abs(delta), abs=1e-9)
        lots = line.face / DENOMINATION[line.market]
        assert abs(lots - round(lots)) < 1e-6 and line.face > 0
        assert line.cash_local == reference_cash(line.face, line.dirty_price)
        rate = fx_usd_per_unit[line.currency] / fx_usd_per_unit[base]
        assert line.cash_base == round(line.cash_local * rate, 2)
        for cash in (line.cash_local, line.cash_base):
            assert math.isclose(cash * 100, round(cash * 100), abs_tol=1e-6)  # whole cents
    assert seen == set(moved)


# -- the match's tickets --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def matched(snap, universe):
    """A four-market match (JP ≥ 10 %: JGBs on the ticket) and a rebalance of it without UK (SELLs)."""
    first = lia.match(snap, NEEDS, MatchSettings(market_min={"JP": 0.1}), universe=universe, compare=False)
    again = lia.match(snap, NEEDS, MatchSettings(markets=("US", "JP", "AU")), universe=universe,
                      current_face=first.result.face, compare=False)
    return first, again


def test_match_ticket_against_quantlib_and_the_universe(matched, universe, snap):
    first, _ = matched
    for day in TRADE_DATES:
        trade_date = date.fromisoformat(day)
        t = first.trades(trade_date)
        assert set(t["market"]) == {"US", "JP", "AU", "UK"} and (t["side"] == "BUY").all()
        check_ticket(t, universe, np.zeros(len(universe)), first.result.face, trade_date, snap.fx_usd_per_unit, "USD")
    assert first.trades().equals(first.trades(snap.as_of))  # default: the data's date


def test_rebalance_ticket_sells_and_buys_on_each_calendar(matched, universe, snap):
    first, again = matched
    t = again.trades(date(2026, 4, 24))  # NSW Anzac Day Monday: AU settles T+2 on 29 April
    assert set(t.loc[t["side"] == "SELL", "market"]) == {"UK"} and (t["side"] == "BUY").any()
    assert t.loc[t["market"] == "AU", "settle_date"].eq("2026-04-29").all()
    check_ticket(t, universe, first.result.face, again.result.face, date(2026, 4, 24), snap.fx_usd_per_unit, "USD")


def test_the_ticket_is_priced_at_its_own_settlement_not_the_datas(matched, universe):
    """What changed from the old liability ticket: accrued at the ticket's settlement (the old one
    copied the universe's accrued, i.e. the data's settlement date, whatever the trade date) and the
    official id (an ACGB by its AOFM line code, its ISIN beside it where the data has one)."""
    first, _ = matched
    later = first.trades(date(2026, 3, 31))
    data_accrued = universe.set_index("name")["accrued"]
    assert (later["accrued"].to_numpy() != later["name"].map(data_accrued).to_numpy()).all()
    au = later[later["market"] == "AU"]
    assert au["id"].str.fullmatch(r"TB\d+").all()
    tb168 = au[au["id"] == "TB168"]  # universe id AU0000274706, its ISIN
    assert len(tb168) == 1 and tb168["isin"].item() == "AU0000274706"


def test_a_bond_maturing_before_the_trade_settles_is_refused(matched, snap):
    from desktop.errors import DataError

    first, _ = matched
    last = pd.to_datetime(first.universe["maturity"])[first.result.face > 0].min().date()
    with pytest.raises(DataError, match="mature on or before the trade settles"):
        first.trades(last)


# -- the roll's ticket ----------------------------------------------------------------------------
def test_roll_ticket_against_quantlib_and_the_universe(snap, universe):
    book = ["GB00BYZW3G56", "GB00BDRHNP05", "AU000XCLWAI8", "AU3TB0000135", "91282CPB1", "91282CPK1"]
    face = np.where(universe["id"].isin(book).to_numpy(), 1_000_000.0, 0.0)
    to = date(2026, 12, 31)  # New Year's Day 2027 is a Friday: US/UK settle 4 Jan, AU 5 Jan
    r = roll_ladder(snap, face, to, universe=universe, base_ccy="GBP")
    assert set(r.trades["market"]) == {"UK", "AU", "US"} and (r.trades["side"] == "BUY").all()
    kept = np.where(pd.to_datetime(universe["maturity"]).to_numpy() > np.datetime64(to), face, 0.0)
    check_ticket(r.trades, universe, np.zeros(len(universe)), r.face - kept, to, snap.fx_usd_per_unit, "GBP")
