"""Price files → quotes → the universe's prices.

References: Tradeweb/FTSE's published closes (``uk/Tradeweb_FTSE_ClosePrices_20231201.csv``: clean,
dirty, accrued and yield of every conventional gilt, read here with the csv module), the DMO's
closing prices (``uk/gilts-closing-prices-20231201.csv``), QuantLib's price from a quoted yield.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop.errors import DataError
from desktop.importers import parse_file
from desktop.importers.prices import parse, resolve
from desktop.snapshot import load_bundled_snapshot
from desktop.store import Workspace
from desktop.store.prices import import_prices
from desktop.universe import build_universe
from tests.support.paths import require_shared

TRADEWEB = "uk/Tradeweb_FTSE_ClosePrices_20231201.csv"
DMO = "uk/gilts-closing-prices-20231201.csv"


def _tradeweb_rows() -> list[dict[str, str]]:
    with open(require_shared(TRADEWEB), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def snapshot():
    return load_bundled_snapshot()


def test_tradeweb_file_is_detected_and_read_as_conventional_quotes():
    rows = _tradeweb_rows()
    got = parse_file("prices", require_shared(TRADEWEB))
    conv = [r for r in rows if r["Type"] == "Conventional"]
    assert got.layout.startswith("Tradeweb") and len(got.quotes) == len(conv) == 62
    counts = pd.Series([r["Type"].lower() for r in rows if r["Type"] != "Conventional"]).value_counts().to_dict()
    assert got.skipped == counts == {"strips": 115, "index-linked": 33, "bills": 27}
    by_isin = {r["ISIN"]: float(r["Clean Price"]) for r in conv}
    assert dict(zip(got.quotes["ref"], got.quotes["clean_price"], strict=True)) == by_isin
    assert (got.quotes["price_date"] == pd.Timestamp("2023-12-01")).all()
    assert set(got.bonds["id"]) == set(by_isin)


def test_index_linked_only_file_is_refused_with_the_count():
    with pytest.raises(DataError) as info:
        parse(require_shared("uk/Tradeweb_FTSE_ClosePrices_T2IL.csv"))
    assert "index-linked skipped" in str(info.value) and info.value.field == "Type"


def _ws_2023(tmp_path) -> Workspace:
    """A fresh workspace moved to 2023-12-01 with the BoE curve of that day (the 2025 bundled curves are
    after it, so the other markets drop out)."""
    from desktop.store import imports as store_imports
    from desktop.store.schema import transaction

    ws = Workspace.open(tmp_path / "ws.sqlite")
    day = load_bundled_snapshot().curve_points
    uk = day[day["market"] == "UK"].assign(date="2023-12-01")
    # the BoE 2023-12-01 nominal spot curve is imported in tests/cli/test_bonds.py (slow); here a
    # curve of any shape dated on the valuation date is enough to test the price plumbing
    with transaction(ws.conn):
        store_imports._upsert(ws.conn, "curves", uk, store_imports.CURVE_COLS)
    ws.set_as_of(date(2023, 12, 1))
    return ws


def test_tradeweb_import_prices_every_conventional_gilt_at_its_close(tmp_path):
    """Imported into a workspace at 2023-12-01: every conventional gilt is quoted at Tradeweb's clean
    price; its accrued and dirty price equal Tradeweb's to 1e-6 and its yield to 0.1 bp (bonds more
    than a year out) — the quote flows through the universe. Gilts the workspace did not know (the
    2024/25 maturities) are added; known gilts keep their DMO names and issue dates."""
    ws = _ws_2023(tmp_path)
    before = ws.read_sql("SELECT * FROM bonds WHERE market = 'UK'")
    detail = import_prices(ws, parse(require_shared(TRADEWEB)))
    assert detail["rows"] == 62 and len(detail["bonds_added"]) == 8
    after = ws.read_sql("SELECT * FROM bonds WHERE market = 'UK'").set_index("id")
    pd.testing.assert_frame_equal(after.loc[before["id"]].reset_index(), before, check_like=True)
    u = build_universe(ws.load_snapshot()).set_index("id")
    ws.close()
    rows = [r for r in _tradeweb_rows() if r["Type"] == "Conventional"]
    ref = pd.DataFrame(rows).set_index("ISIN")
    got = u.loc[ref.index]
    assert (got["price_source"] == "quote").all() and (got["price_date"] == pd.Timestamp("2023-12-01")).all()
    np.testing.assert_allclose(got["clean_price"], ref["Clean Price"].astype(float), atol=1e-12)
    accrued = pd.to_numeric(ref["Accrued Interest"], errors="coerce").fillna(0.0)
    np.testing.assert_allclose(got["accrued"], accrued, atol=1e-6)
    np.testing.assert_allclose(got["dirty_price"], ref["Dirty Price"].astype(float), atol=1e-6)
    far = got["years_to_maturity"] > 1.0
    gap_bp = (got["yield_pct"] - ref["Yield"].astype(float)) * 100
    assert np.abs(gap_bp[far]).max() < 0.1
    assert np.isfinite(got["spread_bp"]).all() and not got["stale"].any()


def test_dmo_closing_prices_quote_the_known_gilts_and_count_the_rest(tmp_path):
    ws = _ws_2023(tmp_path)
    import_prices(ws, parse(require_shared(TRADEWEB)))  # the 2024/25 gilts become known
    parsed = parse_file("prices", require_shared(DMO))
    assert parsed.layout.startswith("DMO")
    detail = import_prices(ws, parsed)
    with open(require_shared(DMO), newline="") as fh:
        dmo = {r["isin"]: float(r["price"]) for r in csv.DictReader(fh)}
    known = set(ws.read_sql("SELECT id FROM bonds WHERE market = 'UK'")["id"])
    assert detail["rows"] == len(set(dmo) & known)
    assert detail["skipped"] == {"not in the workspace": len(set(dmo) - known)}
    u = build_universe(ws.load_snapshot()).set_index("id")
    ws.close()
    quoted = sorted(set(dmo) & set(u.index))
    np.testing.assert_allclose(u.loc[quoted, "clean_price"], [dmo[i] for i in quoted], atol=1e-12)
    assert u.loc[quoted, "price_source"].eq("quote").all()


def test_generic_file_by_isin_cusip_line_code_and_yield(tmp_path, write, snapshot):
    """A generic file naming bonds by ISIN (US), CUSIP, AOFM line code and app id; a yield quote is
    turned into the clean price QuantLib gives for that yield, and the bond's yield is the quote."""
    import QuantLib as ql

    from tests.analytics_oracle import oracle_bond, to_ql

    u0 = build_universe(snapshot)
    us = u0[(u0["market"] == "US") & ~u0["is_generic"]].iloc[3]
    au = u0[u0["name"].str.contains(r"\(TB164\)")].iloc[0]
    jp = u0[(u0["market"] == "JP") & ~u0["is_generic"]].iloc[0]
    uk = u0[(u0["market"] == "UK") & ~u0["is_generic"]].iloc[10]
    from desktop.identifiers import isin_of

    path = write("p.csv", "market,id,clean_price,yield_pct,date\n"
                 f"US,{isin_of('US', us['id'])},99.5,,2025-12-30\n"
                 f",TB164,,3.9,2025-12-31\n"
                 f"JP,{jp['id']},98.25,,2025-12-31\n"
                 f"uk,{uk['id']},,4.1,2025-12-15\n")
    parsed = parse_file("prices", path)
    quotes, skipped = resolve(parsed, snapshot.bonds, snapshot.as_of)
    assert list(quotes["id"]) == [us["id"], au["id"], jp["id"], uk["id"]] and not skipped
    u = build_universe(replace(snapshot, quotes=quotes)).set_index("id")
    assert u.loc[us["id"], "clean_price"] == 99.5 and u.loc[jp["id"], "clean_price"] == 98.25
    assert abs(u.loc[au["id"], "yield_pct"] - 3.9) < 1e-9 and abs(u.loc[uk["id"], "yield_pct"] - 4.1) < 1e-9
    assert u.loc[uk["id"], "stale"] and not u.loc[us["id"], "stale"]  # 10 and 1 business days old
    row = u.loc[au["id"]]
    bond = oracle_bond("AU", float(row["coupon_pct"]), pd.Timestamp(row["maturity"]).date(),
                       pd.Timestamp(row["settle_date"]).date())
    ql_clean = ql.BondFunctions.cleanPrice(bond.bond, 0.039, bond.day_counter, ql.Compounded, ql.Semiannual,
                                           to_ql(pd.Timestamp(row["settle_date"]).date()))
    assert abs(row["clean_price"] - ql_clean) < 1e-7
    # spread = quoted yield − model yield, in bp
    assert abs(row["spread_bp"] - (3.9 - row["model_yield_pct"]) * 100) < 1e-9


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("market,id,clean_price\nUS,NOPE,99\n", 2, "id", "not in the workspace"),
    ("market,id,clean_price,yield_pct\nUS,91282CPB1,99,4.1\n", 2, "yield_pct", "both"),
    ("market,id,clean_price\nUS,91282CPB1,\n", 2, "clean_price", "neither"),
    ("market,id,clean_price\nUS,91282CPB1,-3\n", 2, "clean_price", "bad value"),
    ("market,id,clean_price,date\nUS,91282CPB1,99,2025-12-31\nUS,US91282CPB18,99.1,2025-12-31\n", 3, "id",
     "priced twice"),
    ("market,id,clean_price,date\nUS,91282CPB1,99,31/12/2025\n", 2, "date", "unparseable"),
    ("market,id,clean_price\nXX,91282CPB1,99\n", 2, "market", "unknown market"),
])
def test_bad_generic_files_are_refused_naming_line_and_field(write, snapshot, text, line, field, words):
    path = write("bad.csv", text)
    with pytest.raises(DataError) as info:
        parsed = parse_file("prices", path)
        resolve(parsed, snapshot.bonds, snapshot.as_of)
    err = info.value
    assert err.line == line and err.field == field and words in str(err) and str(path) in str(err)


def test_quotes_after_the_valuation_date_are_never_used_and_old_ones_are_stale(snapshot):
    u0 = build_universe(snapshot)
    bond = u0[(u0["market"] == "US") & ~u0["is_generic"]].iloc[0]
    quotes = pd.DataFrame({"market": "US", "id": bond["id"], "price_date": pd.to_datetime(["2025-12-01", "2026-01-05"]),
                           "clean_price": [97.0, 50.0], "yield_pct": np.nan, "source": "test"})
    u = build_universe(replace(snapshot, quotes=quotes))
    row = u[u["id"] == bond["id"]].iloc[0]
    assert row["clean_price"] == 97.0 and row["price_date"] == pd.Timestamp("2025-12-01") and row["stale"]
    assert u.attrs["future_quotes"] == 1
    fresh = build_universe(replace(snapshot, quotes=quotes.assign(price_date=pd.to_datetime(["2025-12-23", "2026-01-05"]))))
    assert not fresh[fresh["id"] == bond["id"]]["stale"].iloc[0]  # 5 US business days before 12-31


def test_a_bonds_file_never_blanks_fields_or_changes_a_holding_and_names_held_changes(tmp_path, write):
    """Re-importing known gilts with only market,id,coupon_pct,maturity keeps their DMO names and issue
    dates; a held gilt whose maturity the file changes is listed; the saved portfolio is untouched."""
    ws = Workspace.open(tmp_path / "ws.sqlite")
    uk = ws.read_sql("SELECT * FROM bonds WHERE market = 'UK' ORDER BY maturity").iloc[10:12]
    held, other = uk.iloc[0], uk.iloc[1]
    ws.save_portfolio("Book", pd.DataFrame({"market": ["UK"], "id": [held["id"]], "face": [2_500_000.0]}), {})
    moved = (pd.Timestamp(held["maturity"]) + pd.DateOffset(months=1)).strftime("%Y-%m-%d")
    path = write("b.csv", "market,id,coupon_pct,maturity\n"
                 f"UK,{held['id']},{held['coupon_pct']},{moved}\nUK,{other['id']},{other['coupon_pct']},{other['maturity']}\n")
    detail = ws.apply_import(parse_file("bonds", path))
    after = ws.read_sql("SELECT * FROM bonds WHERE market = 'UK'").set_index("id")
    assert after.loc[other["id"], "name"] == other["name"] and after.loc[other["id"], "issue_date"] == other["issue_date"]
    assert after.loc[held["id"], "name"] == held["name"] and after.loc[held["id"], "issue_date"] == held["issue_date"]
    assert detail["held_changed"] == [f"UK {held['id']} in 'Book': maturity {held['maturity']} → {moved}"]
    book = ws.load_portfolio("Book").holdings
    ws.close()
    assert book["id"].tolist() == [held["id"]] and book["face"].tolist() == [2_500_000.0]


def test_a_typed_quote_beats_the_model_and_its_undo_restores_it(tmp_path, snapshot):
    from desktop.store.prices import put_quote

    ws = Workspace.open(tmp_path / "ws.sqlite")
    u0 = build_universe(ws.load_snapshot())
    bond = u0[(u0["market"] == "UK") & ~u0["is_generic"]].iloc[20]
    put_quote(ws, "UK", bond["id"], price_date=date(2025, 12, 31), yield_pct=4.5)
    row = build_universe(ws.load_snapshot()).set_index("id").loc[bond["id"]]
    assert row["price_source"] == "quote" and abs(row["yield_pct"] - 4.5) < 1e-9
    assert row["spread_bp"] == pytest.approx((4.5 - bond["yield_pct"]) * 100, abs=1e-6)
    with pytest.raises(DataError) as info:
        put_quote(ws, "UK", bond["id"], price_date=date(2025, 12, 31), clean_price=-1.0)
    assert info.value.field == "clean_price"
    put_quote(ws, "UK", bond["id"], price_date=date(2025, 12, 31))  # undo
    back = build_universe(ws.load_snapshot()).set_index("id").loc[bond["id"]]
    ws.close()
    assert back["price_source"] == "model" and back["clean_price"] == bond["clean_price"]
