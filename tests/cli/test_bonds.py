"""``ladderdesk bonds``: the universe as the app sees it, against QuantLib (yields from quotes), the
issuers' own ISIN check digits, and Tradeweb's 2023-12-01 gilt closes on the BoE curve of that day."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop.cli import main
from desktop.controller.book import BOND_LIST_COLUMNS
from desktop.identifiers import is_isin, isin_check_digit, isin_of
from desktop.snapshot import load_bundled_snapshot, read_bundled_tables
from desktop.universe import build_universe
from tests.support.paths import require_shared


def test_isin_check_digit_matches_the_issuers():
    """ISO 6166 check digits as issued: every ISIN in the bundled bonds (DMO gilts, AOFM bonds), every
    ISIN of the Tradeweb 2023-12-01 file (bills, strips, index-linked too) and two US equities'
    (Apple US0378331005 from CUSIP 037833100, Microsoft US5949181045 from 594918104)."""
    bonds = read_bundled_tables().bonds
    given = [i for i in bonds["id"] if str(i)[:2] in ("GB", "AU")]
    with open(require_shared("uk/Tradeweb_FTSE_ClosePrices_20231201.csv"), encoding="utf-8-sig", newline="") as fh:
        given += [r["ISIN"] for r in csv.DictReader(fh)]
    assert len(given) > 300
    assert all(isin_check_digit(i[:11]) == int(i[11]) for i in given)
    assert isin_of("US", "037833100") == "US0378331005" and isin_of("US", "594918104") == "US5949181045"
    assert isin_of("US", "037833101") == ""  # a CUSIP with a wrong check digit gives no ISIN
    assert isin_of("JP", "JGB 10y #365") == "" and isin_of("AU", "TB164") == ""  # never invented
    assert not is_isin("GB00BL68HJ27")


def test_bonds_lists_the_universe_with_quotes_and_quantlib_yields(tmp_path, capsys):
    import QuantLib as ql

    from tests.analytics_oracle import oracle_bond, to_ql

    ws = str(tmp_path / "ws.sqlite")
    u0 = build_universe(load_bundled_snapshot())
    real = u0[~u0["is_generic"] & (u0["market"] != "JP")]
    pick = real.groupby("market").head(4)
    prices = tmp_path / "p.csv"
    pd.DataFrame({"market": pick["market"], "id": [isin_of(m, i) or i for m, i in zip(pick["market"], pick["id"],
                                                                                      strict=True)],
                  "clean_price": np.round(pick["clean_price"] - 0.5, 3), "date": "2025-12-30"}).to_csv(prices,
                                                                                                      index=False)
    assert main(["import", "prices", str(prices), "--workspace", ws]) == 0
    out = tmp_path / "u.csv"
    assert main(["bonds", "--workspace", ws, "--out", str(out)]) == 0
    got = pd.read_csv(out, dtype={"isin": str}).set_index(["market", "id"])
    assert list(got.reset_index().columns) == BOND_LIST_COLUMNS
    q = got[got["price_source"] == "quote"]
    assert len(q) == len(pick) and (q["price_date"] == "2025-12-30").all()
    assert set(got["price_source"]) == {"quote", "model", "extrapolated"}
    us = got.xs("US", level="market")
    assert (us["isin"].fillna("").str.len() == 12).loc[~us["is_generic"]].all()
    for (m, i), row in q.iterrows():
        b = u0.set_index(["market", "id"]).loc[(m, i)]
        settle = pd.Timestamp(b["settle_date"]).date()
        issue = None if pd.isna(b["issue_date"]) else pd.Timestamp(b["issue_date"]).date()
        ob = oracle_bond(m, float(b["coupon_pct"]), pd.Timestamp(b["maturity"]).date(), settle, issue)
        if ob.money_market:
            continue
        y = ql.BondFunctions.bondYield(ob.bond, ql.BondPrice(float(row["clean_price"]), ql.BondPrice.Clean),
                                       ob.day_counter, ql.Compounded, ql.Semiannual, to_ql(settle), 1e-12, 200)
        assert abs(row["yield_pct"] - 100 * y) < 1e-6, (m, i)
        assert abs(row["spread_bp"] - (row["yield_pct"] - row["model_yield_pct"]) * 100) < 1e-9
    assert got.loc[got["price_source"] != "quote", "spread_bp"].isna().all()


@pytest.mark.slow
def test_gilt_spreads_to_the_boe_curve_on_2023_12_01(tmp_path):
    """Moved to 2023-12-01 with the BoE nominal spot curve of that day and Tradeweb's closes: every
    conventional gilt is quoted, its spread to the curve shown, and the spreads are plausible (the
    median within ±5 bp, all within ±35 bp: the very low-coupon long gilts trade rich to the curve)."""
    ws = str(tmp_path / "ws.sqlite")
    assert main(["import", "boe", str(require_shared("uk/GLC Nominal daily data_2016 to 2024.xlsx")),
                 "--workspace", ws]) == 0
    assert main(["data", "--set-as-of", "2023-12-01", "--workspace", ws]) == 0
    assert main(["import", "prices", str(require_shared("uk/Tradeweb_FTSE_ClosePrices_20231201.csv")),
                 "--workspace", ws]) == 0
    out = tmp_path / "u.csv"
    assert main(["bonds", "--workspace", ws, "--out", str(out), "--real"]) == 0
    got = pd.read_csv(out)
    with open(require_shared("uk/Tradeweb_FTSE_ClosePrices_20231201.csv"), encoding="utf-8-sig", newline="") as fh:
        conv = {r["ISIN"] for r in csv.DictReader(fh) if r["Type"] == "Conventional"}
    uk = got[got["market"] == "UK"].set_index("id")
    assert conv <= set(uk.index) and (uk.loc[list(conv), "price_source"] == "quote").all()
    spread = uk.loc[list(conv), "spread_bp"]
    assert spread.notna().all() and abs(spread.median()) < 5 and spread.abs().max() < 35
    assert set(got["market"]) == {"UK"}  # the bundled US/JP/AU curves are dated after 2023-12-01
    assert date.fromisoformat(uk["price_date"].iloc[0]) == date(2023, 12, 1)
