"""The PM's day one, end to end through the CLI: a custodian holdings file and a price file are
imported, the book is optimised with a US cap, and the ticket, the FX hedges and the XLSX are read
back and checked against references written out here or taken from QuantLib:

* every ticket line is a real bond of the universe; its ISIN is the one the data gives (US: the
  CUSIP's, check digit by the ISO 6166 Luhn rule; UK: the DMO ISIN) and never invented (AU/JP);
* faces are whole multiples of the market's denomination; cash_local = face × dirty / 100 to the
  cent; dirty = quoted clean + accrued at the ticket's settlement, accrued equal to QuantLib's;
* the book the ticket leaves (current + signed trades) is ALLOC's, and its weights are the
  optimiser's within the denomination rounding and the minimum trade;
* HEDGES: one leg per foreign currency, amount = the ticket's change in that currency's market value,
  forward = spot × (1 + r_base·τ/360) / (1 + r_local·τ/basis) from the workspace short rates;
* settlement dates equal QuantLib's calendars (UnitedStates GovernmentBond, Japan, UnitedKingdom,
  Australia) for trades around Easter 2026 and Christmas 2025.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop.cli import main
from desktop.identifiers import is_isin, isin_check_digit, official_id
from desktop.markets import MARKETS
from desktop.snapshot import load_bundled_snapshot
from desktop.universe import build_universe
from tests.controller.test_ladder import LAG, _ql_calendars

US_CAP = 0.25


@pytest.fixture(scope="module")
def universe():
    return build_universe(load_bundled_snapshot())


def _pick(u: pd.DataFrame, market: str, n: int, min_years: float = 1.5) -> pd.DataFrame:
    ok = (u["market"] == market) & ~u["is_generic"] & (u["price_source"] != "extrapolated")
    return u[ok & (u["years_to_maturity"] > min_years)].head(n)


@pytest.fixture(scope="module")
def book_files(tmp_path_factory, universe):
    """A custodian export (semicolon, ISIN / CUSIP / line code, 'Nominal' with decimal commas, two
    accounts holding one US note between them) and a price file (generic CSV) for it."""
    d = tmp_path_factory.mktemp("ticket")
    us, uk, au, jp = (_pick(universe, m, k) for m, k in (("US", 3), ("UK", 3), ("AU", 2), ("JP", 1)))
    isin_us = [f"US{c}{isin_check_digit('US' + c)}" for c in us["id"]]
    lines = ["Account;Security ID;Nominal;Currency;Price"]
    lines += [f"FUND-A;{isin_us[0]};4.000.000,00;USD;", f"FUND-B;{isin_us[0]};1.500.000,00;USD;",
              f"FUND-A;{us['id'].iat[1]};3.000.000;USD;", f"FUND-B;{isin_us[2]};2.000.000;USD;"]
    lines += [f"FUND-A;{i};1.250.000,55;GBP;" for i in uk["id"]]
    lines += [f"FUND-B;{official_id('AU', i, n)};2.000.000;AUD;" for i, n in zip(au["id"], au["name"], strict=True)]
    lines += [f"FUND-A;{jp['id'].iat[0]};300.000.000;JPY;"]
    holdings = d / "custodian.csv"
    holdings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    quotes = pd.DataFrame({
        "market": ["US", "US", "UK", "AU"],
        "id": [us["id"].iat[0], isin_us[1], uk["id"].iat[0], official_id("AU", au["id"].iat[0], au["name"].iat[0])],
        "clean_price": [us["clean_price"].iat[0] - 0.75, us["clean_price"].iat[1] + 0.4, uk["clean_price"].iat[0] - 1.1,
                        np.nan],
        "yield_pct": [np.nan, np.nan, np.nan, float(au["yield_pct"].iat[0]) + 0.12],
        "date": "2025-12-31",
    })
    prices = d / "prices.csv"
    quotes.to_csv(prices, index=False)
    return d, holdings, prices, {"US": us, "UK": uk, "AU": au, "JP": jp}


def _cli(*argv: str) -> None:
    assert main(list(argv)) == 0, argv


@pytest.fixture(scope="module")
def workflow(book_files):
    d, holdings, prices, picked = book_files
    ws = str(d / "ws.sqlite")
    _cli("import", "holdings", str(holdings), "--portfolio", "Client book", "--workspace", ws)
    _cli("import", "prices", str(prices), "--workspace", ws)
    out = {k: d / f"{k}.csv" for k in ("alloc", "trades", "hedges", "book")}
    _cli("holdings", "--portfolio", "Client book", "--workspace", ws, "--out", str(out["book"]))
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        _cli("optimize", "--workspace", ws, "--portfolio", "Client book", "--us-cap", str(US_CAP), "--json",
             "--trade-date", "2026-01-05", "--out", str(out["alloc"]), "--trades", str(out["trades"]),
             "--hedges", str(out["hedges"]))
    summary = json.loads(buf.getvalue())
    from desktop.store import Workspace

    with Workspace.open(ws, readonly=True) as w:
        snap = w.load_snapshot()
    return ws, snap, build_universe(snap), {k: pd.read_csv(v, dtype={"isin": str, "id": str}) for k, v in out.items()}, \
        summary, picked, d


def test_the_imported_book_is_the_custodian_file_summed_across_accounts_at_the_quotes(workflow):
    _ws, snap, u, files, _s, picked, _d = workflow
    book = files["book"].set_index("id")
    us = picked["US"]["id"]
    assert book.loc[us.iat[0], "face"] == 5_500_000.0 and book.loc[us.iat[1], "face"] == 3_000_000.0
    assert (book.loc[picked["UK"]["id"], "face"] == 1_250_000.55).all()
    assert len(book) == 9 and book["isin"].fillna("").loc[us].str.startswith("US").all()
    assert book.loc[us.iat[0], "price_source"] == "quote" and book.loc[us.iat[0], "price_date"] == "2025-12-31"
    assert book.loc[picked["JP"]["id"].iat[0], "price_source"] == "model"
    # market value = face × dirty / 100 × FX (USD per unit), written out here
    fx = book["market"].map(lambda m: snap.fx_usd_per_unit[MARKETS[m].currency])
    np.testing.assert_allclose(book["market_value_base"], book["face"] * book["dirty_price"] / 100 * fx, rtol=1e-12)


def test_ticket_lines_are_real_bonds_in_denominations_with_cash_to_the_cent(workflow):
    _ws, _snap, u, files, summary, _p, _d = workflow
    t = files["trades"]
    assert len(t) > 5 and summary["us_share"] <= US_CAP + 1e-6
    ids = {(m, official_id(m, i, n)): row for m, i, n, row in zip(u["market"], u["id"], u["name"], range(len(u)),
                                                                    strict=True)}
    rows = np.array([ids[(m, str(i))] for m, i in zip(t["market"], t["id"], strict=True)])
    assert not u["is_generic"].to_numpy()[rows].any()
    isin = t["isin"].fillna("")
    assert isin[t["market"].isin(["US", "UK"])].map(is_isin).all()
    assert (isin[t["market"] == "UK"] == t["id"][t["market"] == "UK"]).all()
    us = t["market"] == "US"
    assert (isin[us] == "US" + t["id"][us] + t["id"][us].map(lambda c: str(isin_check_digit("US" + c)))).all()
    assert (isin[t["market"] == "JP"] == "").all()  # the data has no JGB ISINs: none is invented
    den = t["market"].map(lambda m: MARKETS[m].min_denomination)
    units = t["face"] / den
    np.testing.assert_allclose(units, np.round(units), atol=1e-6)
    assert (t["face"] >= den).all()
    np.testing.assert_allclose(t["dirty_price"], t["clean_price"] + t["accrued"], atol=1e-12)
    cents = np.round(t["face"] * t["dirty_price"] / 100, 2)
    assert (np.abs(t["cash_local"] - cents) < 5e-9).all()
    notional = summary["notional_base"]
    assert (t["cash_base"] >= 1e-4 * notional * 0.999).all()  # minimum trade 0.01 % of the notional


def test_accrued_on_the_ticket_is_quantlib_s_at_its_settlement(workflow):
    from tests.analytics_oracle import oracle_bond, to_ql

    _ws, _snap, u, files, _s, _p, _d = workflow
    t = files["trades"]
    by_id = {official_id(m, i, n): k for k, (m, i, n) in enumerate(zip(u["market"], u["id"], u["name"], strict=True))}
    checked = 0
    for _, line in t.iterrows():
        b = u.iloc[by_id[str(line["id"])]]
        settle = date.fromisoformat(line["settle_date"])
        issue = None if pd.isna(b["issue_date"]) else pd.Timestamp(b["issue_date"]).date()
        if line["market"] == "JP":
            continue  # JGBs accrue ACT/365 no-leap: QuantLib has no such day counter (analytics tests cover it)
        ob = oracle_bond(line["market"], float(b["coupon_pct"]), pd.Timestamp(b["maturity"]).date(), settle, issue)
        assert abs(ob.bond.accruedAmount(to_ql(settle)) - line["accrued"]) < 5e-7, line["id"]  # 6 dp
        checked += 1
    assert checked >= 5


def test_the_ticket_leaves_the_optimised_book(workflow):
    _ws, snap, u, files, summary, _p, _d = workflow
    t, alloc, book = files["trades"], files["alloc"], files["book"]
    key = {(m, official_id(m, i, n)): (m, i) for m, i, n in zip(u["market"], u["id"], u["name"], strict=True)}
    after = book.set_index(["market", "id"])["face"].to_dict()
    for _, line in t.iterrows():
        k = key[(line["market"], str(line["id"]))]
        after[k] = after.get(k, 0.0) + (line["face"] if line["side"] == "BUY" else -line["face"])
    after = {k: round(v, 2) for k, v in after.items() if abs(v) > 1e-6}
    got = {(m, i): round(f, 2) for m, i, f in zip(alloc["market"], alloc["id"], alloc["face"], strict=True)}
    assert after == got
    # post-trade weights vs the optimiser's: within one denomination and the minimum trade per bond
    notional = summary["notional_base"]
    w_post = alloc["market_value_base"] / notional
    fx = alloc["market"].map(lambda m: snap.fx_usd_per_unit[MARKETS[m].currency])
    den = alloc["market"].map(lambda m: MARKETS[m].min_denomination) * 1.2 / 100 * fx / notional
    assert (np.abs(w_post - alloc["weight"]) <= den + 1e-4 + 1e-9).all()
    assert abs(w_post.sum() - 1) < 2e-3


def test_fx_legs_offset_each_currency_change_at_the_cip_forward(workflow):
    _ws, snap, _u, files, _s, _p, _d = workflow
    t, h = files["trades"], files["hedges"]
    sign = np.where(t["side"] == "BUY", 1.0, -1.0)
    change = pd.Series(sign * t["cash_local"]).groupby(t["currency"]).sum()
    change = change[change.index != "USD"]
    assert sorted(h["currency"]) == sorted(change.index)
    r = snap.short_rates_pct
    for _, leg in h.iterrows():
        assert leg["amount_local"] == pytest.approx(change[leg["currency"]], abs=0.006)
        spot = snap.fx_usd_per_unit[leg["currency"]]
        tau = (date.fromisoformat(leg["value_date"]) - date(2026, 1, 5)).days
        basis = 360.0 if leg["currency"] == "JPY" else 365.0
        fwd = spot * (1 + r["USD"] / 100 * tau / 360) / (1 + r[leg["currency"]] / 100 * tau / basis)
        assert leg["spot"] == pytest.approx(spot, rel=1e-12) and leg["forward_rate"] == pytest.approx(fwd, rel=1e-12)
        assert leg["amount_base"] == pytest.approx(leg["amount_local"] * fwd, abs=0.006)
        assert 88 <= tau <= 95  # three months, rolled to a business day


@pytest.mark.parametrize("day", ["2026-04-02", "2026-04-03", "2026-04-06", "2025-12-23", "2025-12-24",
                                 "2025-12-26"])
def test_settlement_around_easter_2026_and_christmas_is_quantlib_s(workflow, day):
    import QuantLib as ql

    ws, _snap, _u, _f, _s, _p, d = workflow
    out = d / f"t_{day}.csv"
    assert main(["optimize", "--workspace", ws, "--portfolio", "Client book", "--us-cap", str(US_CAP),
                 "--trade-date", day, "--trades", str(out)]) == 0
    t = pd.read_csv(out)
    assert set(t["market"]) == {"US", "UK", "AU", "JP"}
    cals = _ql_calendars()
    q = ql.Date(day, "%Y-%m-%d")
    for code, when in zip(t["market"], t["settle_date"], strict=True):
        assert when == cals[code].advance(q, LAG[code], ql.Days).ISO(), (day, code)


def test_stale_prices_warn_generic_bonds_are_refused_and_the_xlsx_is_a_ticket(workflow, capsys):
    ws, _snap, _u, files, _s, _p, d = workflow
    xlsx = d / "ticket.xlsx"
    assert main(["optimize", "--workspace", ws, "--portfolio", "Client book", "--us-cap", str(US_CAP),
                 "--trade-date", "2026-01-12", "--trades", str(xlsx)]) == 0
    assert "business days after the price date 2025-12-31" in capsys.readouterr().err
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["TRADES", "HEDGES", "Run card"]
    sheet = wb["TRADES"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == list(files["trades"].columns)
    row = [c for c in sheet[2]]
    assert row[0].is_date and row[1].is_date and row[header.index("cash_local")].number_format == "#,##0.00"
    card = {r[0].value: r[1].value for r in wb["Run card"].iter_rows(min_row=2)}
    assert card["trade_date"] == "2026-01-12" and "business days" in card["warnings"]
    # curve-implied bonds allowed: if the optimum trades any, the ticket is refused naming them
    out = d / "generic.csv"
    code = main(["optimize", "--workspace", ws, "--portfolio", "Client book", "--allow-generic", "--trades", str(out),
                 "--trade-date", "2026-01-05", "--us-cap", "0.05"])
    err = capsys.readouterr().err
    if code == 2:
        assert "curve-implied generic bonds cannot go on a ticket" in err and "-GEN-" in err and not out.exists()
    else:
        assert not pd.read_csv(out)["id"].astype(str).str.contains("-GEN-").any()


def test_holdings_commands_refuse_what_they_cannot_do(workflow, capsys):
    ws, _snap, _u, _f, _s, _p, d = workflow
    assert main(["holdings", "--portfolio", "Nope", "--workspace", ws]) == 2
    assert "no portfolio named 'Nope'" in capsys.readouterr().err
    bad = d / "bad.csv"
    bad.write_text("ISIN;Nominal\nGB00BMGR2791;100\n")  # a gilt that matured in 2024
    assert main(["import", "holdings", str(bad), "--portfolio", "New", "--workspace", ws]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "not in the universe" in err
    assert main(["import", "holdings", str(bad), "--workspace", ws]) == 2
    assert "--portfolio" in capsys.readouterr().err
    good = d / "custodian.csv"
    assert main(["import", "holdings", str(good), "--portfolio", "Client book", "--workspace", ws]) == 2
    assert "already exists" in capsys.readouterr().err
