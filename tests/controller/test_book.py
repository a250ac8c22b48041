"""The one holdings rule (unknown, duplicate, negative, absurd lines), trades and the book they
leave, checked against figures written out here from the universe columns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop import controller as ctl
from desktop.errors import DataError


def _held(universe: pd.DataFrame, n: int = 6) -> pd.DataFrame:
    rows = universe.groupby("market").head(2).head(n)
    return pd.DataFrame({"market": rows["market"], "id": rows["id"], "face": 1_000_000.0})


def test_match_by_market_and_id_any_header_case(universe) -> None:
    held = _held(universe)
    shouty = held.rename(columns=str.upper).assign(MARKET=held["market"].replace({"UK": "GB"}).str.lower())
    shouty.columns = ["\ufeffMARKET", " Id ", "FACE"]
    face = ctl.face_from_holdings(universe, shouty, "h.csv")
    expect = np.zeros(len(universe))
    expect[held.index.to_numpy()] = 1_000_000.0
    np.testing.assert_array_equal(face, expect)
    assert ctl.face_from_holdings(universe, ctl.holdings_of(universe, face)).tolist() == face.tolist()


@pytest.mark.parametrize(("edit", "line", "field", "words"), [
    (lambda t: t.assign(id=t["id"].where(t.index != t.index[2], "NOPE-1")), 4, "id", "not in the universe"),
    (lambda t: pd.concat([t, t.iloc[[1]]]), 8, "id", "listed twice (lines 3, 8)"),
    (lambda t: t.assign(face=t["face"].where(t.index != t.index[0], -5.0)), 2, "face", "not a number from 0"),
    (lambda t: t.assign(face=t["face"].where(t.index != t.index[3], 1e308)), 5, "face", "not a number from 0"),
    (lambda t: t.assign(face=t["face"].where(t.index != t.index[3], np.nan)), 5, "face", "not a number from 0"),
])
def test_bad_lines_are_refused_naming_line_and_field(universe, edit, line, field, words) -> None:
    table = edit(_held(universe)).reset_index(drop=True)
    with pytest.raises(DataError) as info:
        ctl.face_from_holdings(universe, table, "book.csv")
    err = info.value
    assert err.file == "book.csv" and err.line == line and err.field == field and words in str(err)
    assert "np." not in str(err)  # plain numbers, not numpy reprs


def test_report_mode_keeps_the_rest_and_lists_what_is_left_out(universe) -> None:
    table = _held(universe).reset_index(drop=True)
    table.loc[1, "id"] = "MATURED-1"
    match = ctl.match_holdings(universe, table, "saved", unknown="report")
    assert match.unknown == (f"line 3: {table.loc[1, 'market']} MATURED-1",)
    assert (match.face > 0).sum() == len(table) - 1


def test_without_market_column_ids_must_be_unambiguous(universe) -> None:
    held = _held(universe, 3)[["id", "face"]]
    face = ctl.face_from_holdings(universe, held)
    assert (face > 0).sum() == 3


def test_trades_and_the_book_they_leave(universe, snap) -> None:
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    current = np.zeros(len(universe))
    held = _held(universe, 8).index.to_numpy()
    current[held] = 2_000_000.0
    target = current.copy()
    target[held[0]] = 0.0  # a sale
    target[held[1]] += 100.0  # a tiny top-up: dropped by the minimum trade
    target[held[2]] = 5_000_000.0  # a buy
    book = ctl.orders(universe, current, target, fx, date(2026, 4, 2), min_trade_base=10_000.0)
    t = book.trades.set_index("id")
    from desktop.identifiers import official_id

    ids = np.array([official_id(m, i, n) for m, i, n in zip(universe["market"], universe["id"], universe["name"],
                                                             strict=True)])
    assert t.loc[ids[held[0]], "side"] == "SELL" and t.loc[ids[held[2]], "side"] == "BUY"
    assert ids[held[1]] not in t.index and book.face[held[1]] == current[held[1]]
    # the quoted (here model) clean price, accrued at the ticket's own settlement (QuantLib's), cash =
    # face/100 × dirty to the cent, × USD per unit / USD per unit of the base, written out here
    from tests.analytics_oracle import oracle_bond, to_ql

    u = universe.iloc[held[2]]
    line = t.loc[ids[held[2]]]
    settle = date.fromisoformat(line["settle_date"])
    issue = None if pd.isna(u["issue_date"]) else pd.Timestamp(u["issue_date"]).date()
    if u["market"] != "JP":  # QuantLib has no ACT/365 no-leap day counter
        ob = oracle_bond(u["market"], float(u["coupon_pct"]), pd.Timestamp(u["maturity"]).date(), settle, issue)
        assert abs(line["accrued"] - ob.bond.accruedAmount(to_ql(settle))) < 5e-7  # 6 decimals
    assert line["clean_price"] == round(u["clean_price"], 6)
    usd = snap.fx_usd_per_unit[u["currency"]] / snap.fx_usd_per_unit["USD"]
    cash = round(3_000_000.0 / 100 * line["dirty_price"], 2)
    assert line["dirty_price"] == round(line["clean_price"] + line["accrued"], 6)
    assert line["cash_local"] == cash and line["cash_base"] == round(cash * usd, 2)
    # settlement on each market's own calendar, checked against QuantLib's (Good Friday 2026-04-03)
    cal = {"US": ql.UnitedStates(ql.UnitedStates.GovernmentBond), "UK": ql.UnitedKingdom(ql.UnitedKingdom.Exchange),
           "JP": ql.Japan(), "AU": ql.Australia()}
    lag = {"US": 1, "UK": 1, "JP": 1, "AU": 2}
    for _, row in book.trades.iterrows():
        d = cal[row["market"]].advance(ql.Date(2, 4, 2026), lag[row["market"]], ql.Days)
        assert row["settle_date"] == d.ISO(), row["market"]


def _custodian(tmp_path, lines: list[str], sep: str = ";", name: str = "cust.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_custodian_layouts_read_to_the_same_book(universe, tmp_path) -> None:
    """One book written three ways — comma with market,id,face; semicolon with ISIN / 'Nominal' /
    decimal commas and accounts; tab with CUSIP / AOFM line code / 'Par Value' — reads to one face array
    (sums across accounts, accounts kept)."""
    from desktop.identifiers import isin_of, official_id

    real = universe[~universe["is_generic"]]
    us, uk, au = (real[real["market"] == m].iloc[2] for m in ("US", "UK", "AU"))
    plain = _custodian(tmp_path, ["market,id,face", f"US,{us['id']},1500000", f"UK,{uk['id']},1234.56",
                                  f"AU,{au['id']},2000000"], name="plain.csv")
    semi = _custodian(tmp_path, ["Account;ISIN;Nominal;Currency", f"A;{isin_of('US', us['id'])};1.000.000,00;USD",
                                 f"B;{isin_of('US', us['id'])};500.000;usd", f"A;{uk['id']};1.234,56;GBP",
                                 f"B;{official_id('AU', au['id'], au['name'])};2.000.000;AUD"], name="semi.csv")
    tab = _custodian(tmp_path, ["CUSIP\tPar Value", f"{us['id']}\t1,500,000",
                                f"{official_id('AU', au['id'], au['name'])}\t2000000", f"{uk['id']}\t1234.56"],
                     name="tab.txt")
    a = ctl.read_holdings_file(universe, plain)
    b = ctl.read_holdings_file(universe, semi)
    c = ctl.read_holdings_file(universe, tab)
    np.testing.assert_array_equal(a.face, b.face)
    np.testing.assert_array_equal(a.face, c.face)
    assert a.accounts is None and sorted(b.accounts["account"]) == ["A", "A", "B", "B"]
    assert b.accounts.groupby("id")["face"].sum()[us["id"]] == 1_500_000.0


@pytest.mark.parametrize(("lines", "line", "field", "words"), [
    (["Account;ISIN;Nominal", "A;GB00ZZZZZZZ1;100"], 2, "id", "not in the universe"),
    (["Account;ISIN;Nominal", "A;{uk};-100"], 2, "face", "not a number from 0"),
    (["Account;ISIN;Nominal", "A;{uk};1e20"], 2, "face", "not a number from 0"),
    (["Account;ISIN;Nominal", "A;{uk};100", "B;{uk};100", "A;{uk};5"], 4, "id", "listed twice (lines 2, 4)"),
    (["Account;ISIN;Nominal;Currency", "A;{uk};100;USD"], 2, "currency", "is not the currency"),
    (["Account;Security;Units", "A;{uk};100;7"], 2, None, "fields where the header has 3"),
    (["Account;Foo;Bar", "A;{uk};100"], 1, None, "no column names the bond"),
])
def test_custodian_files_refused_naming_the_line(universe, tmp_path, lines, line, field, words) -> None:
    uk = universe[(universe["market"] == "UK") & ~universe["is_generic"]]["id"].iloc[4]
    path = _custodian(tmp_path, [ln.format(uk=uk) for ln in lines])
    with pytest.raises(DataError) as info:
        ctl.read_holdings_file(universe, path)
    err = info.value
    assert err.file == path and err.line == line and words in str(err), str(err)
    if field:
        assert err.field == field


def test_matured_bond_in_a_custodian_file_is_refused(universe, tmp_path) -> None:
    """UKT 0 1/8% 01/24 (GB00BMGR2791, Tradeweb's 2023-12-01 file) matured in 2024: not in the universe."""
    gone = "GB00BMGR2791"
    assert gone not in set(universe["id"])
    path = _custodian(tmp_path, ["ISIN,Quantity", f"{gone},100"])
    with pytest.raises(DataError) as info:
        ctl.read_holdings_file(universe, path)
    assert info.value.line == 2 and "not in the universe" in str(info.value)


def test_a_face_that_is_not_a_whole_number_of_denominations_is_refused(universe) -> None:
    table = _held(universe).reset_index(drop=True)
    jp = table.index[table["market"] == "JP"][0]
    table.loc[jp, "face"] = 1_000_000 + 25_000.0  # JGBs trade in ¥50,000 lots
    with pytest.raises(DataError) as info:
        ctl.face_from_holdings(universe, table, "book.csv")
    assert info.value.line == jp + 2 and info.value.field == "face" and "50000" in str(info.value)
    table.loc[jp, "face"] = 1_050_000.0
    assert ctl.face_from_holdings(universe, table, "book.csv")[table.index.size - 1] >= 0  # accepted
