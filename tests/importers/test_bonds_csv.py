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
