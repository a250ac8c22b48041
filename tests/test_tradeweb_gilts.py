"""Gilt accrued, dirty price and yield held to Tradeweb/FTSE's official close-price files.

Reference: ``../shared/data/raw/uk/Tradeweb_FTSE_ClosePrices_*.csv`` (published closes, 6 dp):

* ``_20231201``: every gilt on 2023-12-01 (62 conventional; bills, strips and index-linked skipped);
* ``_T24``: 2 3/4% Treasury Gilt 2024 daily from 2023-09-01 to its maturity (two ex-dividend periods,
  its last year on the money-market yield, the final coupon period, a Saturday maturity);
* ``_TS27``: 3 3/4% Treasury Gilt 2027 from its first close (issued 2024-01-11, a long first coupon);
* ``_T2IL`` (index-linked) only checks that no conventional row is in it.

Static data: coupon and maturity from the Tradeweb file, issue dates from the DMO (``dmo_issued.csv``,
checked against the D1A XML for the 2023-12-01 gilts). Settlement: T+1 UK business days after the
close date; a close whose T+1 would fall on or after maturity settles on the close date itself (the
last T24 row: accrued −0.007473 = one day before maturity, as the row before). Tradeweb leaves accrued
"N/A" on a coupon date: 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop.analytics import bond_analytics, price_from_yield, yield_from_price
from desktop.markets import settlement_date
from tests.support.paths import require_shared

PRICE_TOL = 1e-6  # per 100 face (Tradeweb publishes 6 dp)
YIELD_TOL_BP = 0.1
FILES = ("Tradeweb_FTSE_ClosePrices_20231201.csv", "Tradeweb_FTSE_ClosePrices_T24.csv",
         "Tradeweb_FTSE_ClosePrices_TS27.csv")


def _issue_dates() -> pd.Series:
    dmo = pd.read_csv(require_shared("uk/dmo_issued.csv"))
    return pd.to_datetime(dmo.set_index("ISIN_CODE")["FIRST_ISSUE_DATE"])


def load_tradeweb(name: str) -> pd.DataFrame:
    """Conventional rows of one Tradeweb file as a LadderDesk bonds frame plus Tradeweb's figures."""
    raw = pd.read_csv(require_shared(f"uk/{name}"), encoding="utf-8-sig", dtype=str)
    raw = raw[raw["Type"] == "Conventional"].reset_index(drop=True)

    def day(col: str) -> pd.Series:
        return pd.to_datetime(raw[col], format="%d/%m/%Y")

    out = pd.DataFrame({
        "market": "UK",
        "isin": raw["ISIN"],
        "coupon_pct": raw["Coupon"].astype(float),
        "maturity": day("Maturity"),
        "close": day("Close of Business Date"),
        "tw_clean": raw["Clean Price"].astype(float),
        "tw_dirty": raw["Dirty Price"].astype(float),
        "tw_yield": pd.to_numeric(raw["Yield"], errors="coerce"),
        "tw_accrued": pd.to_numeric(raw["Accrued Interest"], errors="coerce").fillna(0.0),
    })
    out["issue_date"] = out["isin"].map(_issue_dates())
    t1 = np.array([settlement_date("UK", c.date()) for c in out["close"]], dtype="datetime64[D]")
    close = out["close"].to_numpy().astype("datetime64[D]")
    out["settle"] = pd.to_datetime(np.where(t1 >= out["maturity"].to_numpy().astype("datetime64[D]"), close, t1))
    return out


@pytest.fixture(scope="module", params=FILES)
def tradeweb(request) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    tw = load_tradeweb(request.param)
    ours = bond_analytics(tw, tw["settle"], clean_price=tw["tw_clean"])
    return request.param, tw, ours


def test_every_conventional_gilt_has_static_data(tradeweb):
    name, tw, _ = tradeweb
    assert tw["issue_date"].notna().all(), tw.loc[tw["issue_date"].isna(), "isin"].unique()
    assert len(tw) == {"Tradeweb_FTSE_ClosePrices_20231201.csv": 62, "Tradeweb_FTSE_ClosePrices_T24.csv": 258,
                       "Tradeweb_FTSE_ClosePrices_TS27.csv": 70}[name]


def test_accrued_and_dirty_price_equal_tradeweb_on_every_row(tradeweb):
    _, tw, ours = tradeweb
    acc_gap = (ours["accrued"] - tw["tw_accrued"]).abs()
    dirty_gap = (ours["dirty_price"] - tw["tw_dirty"]).abs()
    worst = tw.assign(gap=np.maximum(acc_gap, dirty_gap)).nlargest(1, "gap")
    assert acc_gap.max() <= PRICE_TOL, worst
    assert dirty_gap.max() <= PRICE_TOL, worst


def test_yields_equal_tradeweb_within_a_tenth_of_a_bp(tradeweb):
    """Bonds more than a year from maturity (the brief); the last year too (money-market yield)."""
    _, tw, ours = tradeweb
    gap_bp = (ours["yield_pct"] - tw["tw_yield"]).abs() * 100
    assert tw["tw_yield"].notna().all()
    over_a_year = (tw["maturity"] - tw["settle"]).dt.days > 365
    assert gap_bp[over_a_year].max() <= YIELD_TOL_BP, tw.assign(gap=gap_bp).nlargest(3, "gap")
    assert gap_bp.max() <= YIELD_TOL_BP, tw.assign(gap=gap_bp).nlargest(3, "gap")


def test_price_from_tradeweb_yield_gives_tradeweb_clean_price(tradeweb):
    """The other direction: Tradeweb's yield (6 dp) back to its clean price (3 dp → ±0.0005)."""
    _, tw, _ = tradeweb
    years = (tw["maturity"] - tw["settle"]).dt.days / 365
    mine = price_from_yield(tw, tw["settle"], tw["tw_yield"])["clean_price"]
    # a yield rounded to 1e-6 % moves the price by ≤ duration × 1e-8 per 100
    assert ((mine - tw["tw_clean"]).abs() <= 1e-7 * (1 + 100 * years) + 1e-9).all()


def test_new_issue_first_period_and_its_long_first_coupon():
    """3 3/4% 2027, issued Thu 11 Jan 2024; first regular date 7 Mar 2024 is 56 days away, so the
    first coupon is long (7 Sep 2024): no ex-dividend in Feb 2024 and accrual runs on past 7 Mar."""
    tw = load_tradeweb("Tradeweb_FTSE_ClosePrices_TS27.csv")
    first = tw.iloc[0]
    assert first["settle"] == pd.Timestamp("2024-01-12") and first["tw_accrued"] == pytest.approx(0.010302)
    ours = bond_analytics(tw, tw["settle"], clean_price=tw["tw_clean"])
    assert ours["accrued"].iloc[0] == pytest.approx(1.875 * 1 / 182, abs=1e-12)  # 1 day of 7 Sep → 7 Mar
    assert not ours["ex_dividend"].any()
    assert (ours["next_coupon"] == pd.Timestamp("2024-09-07")).all()
    assert (ours["prev_coupon"] == pd.Timestamp("2024-01-11")).all()
    assert ours["accrued"].is_monotonic_increasing
    # without the issue date the regular schedule is wrong by more than a whole coupon's worth
    regular = bond_analytics(tw.drop(columns="issue_date"), tw["settle"], clean_price=tw["tw_clean"])
    assert regular["accrued"].iloc[0] == pytest.approx(1.3083, abs=1e-4)  # the issue's figure


def test_last_year_is_quoted_on_a_money_market_yield():
    """2 3/4% 2024 (matures Sat 7 Sep 2024, paid Mon 9 Sep): under 365 days Tradeweb's yield is
    simple ACT/365 to the payment dates with the March coupon reinvested; the compounded formula
    would be up to 1.8 %-points off in the last weeks."""
    tw = load_tradeweb("Tradeweb_FTSE_ClosePrices_T24.csv")
    last_year = tw[(tw["maturity"] - tw["settle"]).dt.days < 365]
    assert len(last_year) > 240
    y = yield_from_price(last_year, last_year["settle"], last_year["tw_clean"])
    np.testing.assert_allclose(y, last_year["tw_yield"], rtol=0, atol=YIELD_TOL_BP / 100)
    # one row written out: close 28 Aug 2024 → settle 29 Aug, cum the final coupon: 11 days to 9 Sep
    row = last_year[last_year["close"] == pd.Timestamp("2024-08-28")].iloc[0]
    closed_form = (101.375 / row["tw_dirty"] - 1) * 365 / 11 * 100
    assert closed_form == pytest.approx(row["tw_yield"], abs=5e-5)  # 6-dp dirty price over 11 days


def test_index_linked_file_has_no_conventional_rows():
    raw = pd.read_csv(require_shared("uk/Tradeweb_FTSE_ClosePrices_T2IL.csv"), encoding="utf-8-sig", dtype=str)
    assert set(raw["Type"]) == {"Index-linked"}
    assert load_tradeweb("Tradeweb_FTSE_ClosePrices_T2IL.csv").empty


def test_dmo_issue_dates_agree_with_the_d1a_file():
    from desktop.importers.dmo_d1a import parse

    d1a = parse(require_shared("uk/dmo-D1A-20231201.xml")).bonds.set_index("id")
    tw = load_tradeweb("Tradeweb_FTSE_ClosePrices_20231201.csv").set_index("isin")
    assert set(tw.index) == set(d1a.index)
    assert (d1a.loc[tw.index, "issue_date"] == tw["issue_date"]).all()
