"""Generic bonds CSV: layout, validation rules and their messages."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import bonds_csv

from .conftest import RAW, raises_at

HEADER = "market,id,name,coupon_pct,maturity,clean_price,yield_pct,issue_date\n"
GOOD = (
    HEADER
    + "US,91282CMM0,T 4 1/4 11/15/34,4.25,2034-11-15,99.5,,2024-11-15\n"
    + "gb,GB00BMV7TC88,4¼% Treasury Gilt 2036,4.25,2036-03-07,,4.6,\n"
    + "JP,JGB-380,10y #380,1.7,2035-09-20,,,\n"
)


def test_reference_bond_list_imports() -> None:
    res = bonds_csv.parse(str(RAW / "bonds" / "bonds_reference.csv"))
    assert res.kind == "bonds" and res.rows == 139
    assert set(res.bonds["market"]) == {"US", "JP", "AU", "UK"}
    assert res.bonds["maturity"].dtype == "datetime64[ns]"


def test_good_file_values(write) -> None:
    res = bonds_csv.parse(str(write("b.csv", GOOD)))
    b = res.bonds.set_index("id")
    assert list(res.bonds.columns) == bonds_csv.BOND_COLUMNS
    assert b.loc["GB00BMV7TC88", "market"] == "UK"  # GB accepted, stored as UK
    assert b.loc["91282CMM0", "clean_price"] == 99.5 and pd.isna(b.loc["91282CMM0", "yield_pct"])
    assert b.loc["GB00BMV7TC88", "yield_pct"] == 4.6
    assert b.loc["91282CMM0", "issue_date"] == pd.Timestamp("2024-11-15")
    assert pd.isna(b.loc["JGB-380", "issue_date"])


def test_bom_crlf_shuffled_columns_and_no_name(write) -> None:
    text = "\ufeffmaturity,coupon_pct,id,market\r\n2030-01-01,1.5,X1,AU\r\n"
    res = bonds_csv.parse(str(write("b.csv", text)))
    assert res.bonds.loc[0, "name"] == "" and res.bonds.loc[0, "coupon_pct"] == 1.5


@pytest.mark.parametrize(
    ("row", "field", "text"),
    [
        ("XX,A,n,1,2030-01-01,,,", "market", "unknown market"),
        ("US,,n,1,2030-01-01,,,", "id", "required field is empty"),
        ("US,A,n,abc,2030-01-01,,,", "coupon_pct", "bad value 'abc'"),
        ("US,A,n,26,2030-01-01,,,", "coupon_pct", "[0, 25]"),
        ("US,A,n,nan,2030-01-01,,,", "coupon_pct", "bad value"),
        ("US,A,n,1,01/02/2030,,,", "maturity", "YYYY-MM-DD"),
        ("US,A,n,1,2101-01-01,,,", "maturity", "out-of-range"),
        ("US,A,n,1,2030-01-01,inf,,", "clean_price", "finite"),
        ("US,A,n,1,2030-01-01,1000,,", "clean_price", "(0, 1000)"),
        ("US,A,n,1,2030-01-01,,1e308,", "yield_pct", "(-5, 50)"),
        ("US,A,n,1,2030-01-01,99,4,", "yield_pct", "at most one"),
        ("US,A,n,1,2030-01-01,,,2031-01-01", "issue_date", "before maturity"),
        ('US,A,"=HYPERLINK(""http://x"")",1,2030-01-01,,,', "name", "formula"),
        ("US,@A,n,1,2030-01-01,,,", "id", "formula"),
        ("US,A,n\x07,1,2030-01-01,,,", "name", "control"),
    ],
)
def test_bad_rows_name_line_and_field(write, row: str, field: str, text: str) -> None:
    path = write("b.csv", HEADER + "US,OK1,fine,1,2029-01-01,,,\n" + row + "\n")
    raises_at(bonds_csv.parse, path, line=3, field=field, text=text)


def test_duplicate_id(write) -> None:
    path = write("b.csv", HEADER + "US,A,n,1,2030-01-01,,,\nJP,A,n,1,2031-01-01,,,\n")
    raises_at(bonds_csv.parse, path, line=3, field="id", text="duplicate id 'A'")


@pytest.mark.parametrize(
    ("header", "field", "text"),
    [
        ("market,id,coupon_pct\n", "maturity", "required column missing"),
        ("market,id,coupon_pct,maturity,id\n", "id", "duplicated header column"),
        ("market,id,coupon_pct,maturity,price\n", "price", "unknown column"),
    ],
)
def test_header_problems(write, header: str, field: str, text: str) -> None:
    raises_at(bonds_csv.parse, write("b.csv", header + "US,A,1,2030-01-01\n"), line=1, field=field, text=text)


def test_short_row_and_header_only(write) -> None:
    raises_at(bonds_csv.parse, write("b.csv", HEADER + "US,A,n,1\n"), line=2, field="maturity", text="fields")
    raises_at(bonds_csv.parse, write("h.csv", HEADER), line=2, field="market", text="no bond rows")


def test_wrong_encoding(write) -> None:
    path = write("b.csv", GOOD.encode("cp1252", errors="replace").replace(b"\xbc", b"\xbc"))
    raises_at(bonds_csv.parse, path, line=3, field="column 3", text="cannot be decoded")


@pytest.mark.parametrize("placeholder", ["(ISIN not found)", "n/a", "TBD", "-", "ISIN not found", "[none]", "?"])
def test_a_placeholder_id_is_refused_naming_file_line_and_field(write, placeholder: str) -> None:
    """A source's remark standing where the identifier is missing would reach tickets as the bond's id."""
    cell = f'"{placeholder}"' if "," in placeholder else placeholder
    path = write("b.csv", HEADER + "US,OK1,fine,1,2029-01-01,,,\n" + f"AU,{cell},n,4.25,2036-03-21,,,\n")
    err = raises_at(bonds_csv.parse, path, line=3, field="id", text="placeholder, not an identifier")
    assert str(path) in str(err) and "ACGB 4.25 2036-03-21" in str(err)  # says what to give instead


def test_reference_list_gives_the_unnamed_2036_acgb_a_readable_id_and_no_isin() -> None:
    """The AOFM's new 4.25% 21 March 2036 bond has no ISIN or line code in our sources: its id is made of
    the market's ticker, coupon and maturity; no id in the list is a placeholder."""
    from desktop.identifiers import is_placeholder_id, isin_of, line_code_of, official_id

    b = bonds_csv.parse(str(RAW / "bonds" / "bonds_reference.csv")).bonds
    row = b[(b["market"] == "AU") & (b["maturity"] == pd.Timestamp("2036-03-21"))].iloc[0]
    assert row["id"] == "ACGB 4.25 2036-03-21"
    assert isin_of("AU", row["id"]) == "" and line_code_of("AU", row["id"], row["name"]) == ""
    assert official_id("AU", row["id"], row["name"]) == "ACGB 4.25 2036-03-21"  # what a ticket shows
    assert not b["id"].map(is_placeholder_id).any() and b["id"].is_unique


def test_real_ids_are_not_placeholders() -> None:
    from desktop.identifiers import is_placeholder_id
    from tests.support.paths import REPO

    bundled = pd.read_csv(REPO / "resources" / "bonds.csv", dtype={"id": str})
    assert not bundled["id"].map(is_placeholder_id).any()
    for ok in ("AU000XCLWAI8", "TB164", "JGB 10y #365", "91282CPK1", "AU-GEN-05Y", "JGB-380", "X1", "NA-1"):
        assert not is_placeholder_id(ok), ok


def test_rebuilding_the_bundled_bonds_from_the_shared_reference_gives_the_committed_file(tmp_path) -> None:
    """scripts/build_resources.py fixes the id at the source (the shared reference list says "(ISIN not
    found)"): the rebuilt resources/bonds.csv is byte for byte the committed one."""
    import importlib.util

    from tests.support.paths import REPO, require_shared

    data = require_shared("").parent
    if not (data / "reference" / "bonds.csv").exists():
        pytest.skip(f"no shared reference list at {data / 'reference' / 'bonds.csv'}")
    spec = importlib.util.spec_from_file_location("build_resources", REPO / "scripts" / "build_resources.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    bonds, _later = build.build_bonds(data)
    build._write(bonds, tmp_path / "bonds.csv")
    assert (tmp_path / "bonds.csv").read_bytes() == (REPO / "resources" / "bonds.csv").read_bytes()
