"""DMO D1A "gilts in issue" XML importer on the real 2023-12-01 report, checked against Tradeweb."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.errors import DataError
from desktop.importers import parse_file
from desktop.importers.dmo_d1a import coupon_from_name, parse
from tests.support.paths import require_shared


@pytest.fixture(scope="module")
def d1a():
    return parse(require_shared("uk/dmo-D1A-20231201.xml"))


def test_real_file_counts_and_columns(d1a):
    assert d1a.kind == "bonds" and d1a.rows == 62  # 95 gilts: 62 conventional, 33 index-linked
    assert d1a.source_name == "DMO D1A gilts in issue 2023-12-01 (33 index-linked skipped)"
    b = d1a.bonds
    assert list(b.columns) == ["market", "id", "name", "coupon_pct", "maturity", "issue_date", "clean_price", "yield_pct"]
    assert (b["market"] == "UK").all() and b["id"].is_unique and b["clean_price"].isna().all()
    assert not b["name"].str.contains("Index-linked", case=False).any()


def test_coupons_maturities_and_isins_match_tradeweb_2023_12_01(d1a):
    raw = pd.read_csv(require_shared("uk/Tradeweb_FTSE_ClosePrices_20231201.csv"), encoding="utf-8-sig", dtype=str)
    tw = raw[raw["Type"] == "Conventional"].set_index("ISIN")
    b = d1a.bonds.set_index("id")
    assert set(b.index) == set(tw.index)
    assert (b.loc[tw.index, "coupon_pct"] == tw["Coupon"].astype(float)).all()
    assert (b.loc[tw.index, "maturity"] == pd.to_datetime(tw["Maturity"], format="%d/%m/%Y")).all()
    # a few by hand, names as the DMO writes them
    assert b.loc["GB00BL6C7720", ["name", "coupon_pct"]].tolist() == ["4 1/8% Treasury Gilt 2027", 4.125]
    assert b.loc["GB00BJQWYH73", ["name", "coupon_pct"]].tolist() == ["1¼ % Treasury Gilt 2041", 1.25]
    assert b.loc["GB00BPJJKP77", "issue_date"] == pd.Timestamp("2023-11-16")


@pytest.mark.parametrize(("name", "coupon"), [
    ("4 1/8% Treasury Gilt 2027", 4.125), ("4¼% Treasury Gilt 2027", 4.25), ("1¼ % Treasury Gilt 2041", 1.25),
    ("0 1/8% Treasury Gilt 2026", 0.125), ("5% Treasury Stock 2025", 5.0), ("  0 5/8 % Green Gilt", 0.625),
    ("4.125% Treasury Gilt", 4.125), ("Treasury Gilt 2030", None), ("% Gilt", None),
])
def test_coupon_only_in_the_name(name, coupon):
    assert coupon_from_name(name) == coupon


def test_import_bonds_auto_detects_the_xml(tmp_path):
    src = require_shared("uk/dmo-D1A-20231201.xml")
    copy = tmp_path / "gilts_in_issue.dat"  # no .xml suffix: sniffed from the content
    copy.write_bytes(src.read_bytes())
    for path in (src, copy):
        res = parse_file("bonds", path)
        assert res.rows == 62 and res.source_name.startswith("DMO D1A")


BAD = [
    (b"<Data><View_GILTS_IN_ISSUE INSTRUMENT_TYPE='Conventional' ", "not well-formed XML", "line 1"),
    (b"<Report/>", "root element is <Report>", "Report"),
    (b"<Data><Other/></Data>", "element #1 is <Other>", "line 1"),
    (b"<Data><View_GILTS_IN_ISSUE INSTRUMENT_TYPE='Conventional' INSTRUMENT_NAME='Treasury Gilt 2030' "
     b"ISIN_CODE='GB00BL6C7720' REDEMPTION_DATE='2030-01-01T00:00:00' FIRST_ISSUE_DATE='2020-01-01T00:00:00'/></Data>",
     "no coupon in INSTRUMENT_NAME", "INSTRUMENT_NAME"),
    (b"<Data><View_GILTS_IN_ISSUE INSTRUMENT_TYPE='Conventional' INSTRUMENT_NAME='4% Gilt' "
     b"ISIN_CODE='GB00BL6C7720' REDEMPTION_DATE='2030-13-01T00:00:00' FIRST_ISSUE_DATE='2020-01-01T00:00:00'/></Data>",
     "REDEMPTION_DATE", "REDEMPTION_DATE"),
    (b"<Data><View_GILTS_IN_ISSUE INSTRUMENT_TYPE='Conventional' INSTRUMENT_NAME='4% Gilt' "
     b"REDEMPTION_DATE='2030-01-01T00:00:00' FIRST_ISSUE_DATE='2020-01-01T00:00:00'/></Data>",
     "has no ISIN_CODE", "ISIN_CODE"),
]


@pytest.mark.parametrize(("content", "why", "where"), BAD)
def test_bad_xml_names_the_file_and_the_element(tmp_path, content, why, where):
    path = tmp_path / "d1a.xml"
    path.write_bytes(b"\r\n\r\n" + content if "well-formed" not in why else content)
    with pytest.raises(DataError) as err:
        parse_file("bonds", path)
    assert str(path) in str(err.value) and why in str(err.value) and where in str(err.value)
