"""Dated dates: where a bond's first coupon period starts, by market, held to official figures and to
QuantLib bonds built from the dated date — in pricing, and in the flows of the liability match and the
roll (one schedule everywhere).

Facts used here (written out, not read from desktop.schedule):

* US Treasuries are dated on their cycle date (the 15th or the month-end) and issued on it or a few
  days after; buyers at issue pay the interest accrued since the dated date (TreasuryDirect: a note
  dated Saturday 15 Aug is issued Monday 17 Aug with 2 days' accrued). 20-year bonds are dated the
  15th and issued at month-end (Reuters' auction table of 912810SR0: "Original Issue Date June 01,
  2020, Dated Date May 15, 2020"; its 30 Jun 2020 reopening: "Accrued Interest per $1,000 $1.40625").
  The bundled notes and bonds issued after their cycle date are listed in :data:`US_DATED` with the
  date each is dated on.
* JGBs: every coupon JGB pays a full half-year first coupon; the buyer at issue pays the interest of
  the "unissued period" from the regular date six months before the first coupon date (BoJ 日銀業第363号,
  "未発行期間は、初期利子支払期の6か月前応当日の翌日から起算して発行日までの日数"). MoF's leaflet for
  10-year JGB No. 337 (0.3 %, 20 Dec 2024; issued 9 Mar 2015, coupons 20 Jun / 20 Dec): accrued interest
  ¥0.0649315 per ¥100 at issue, 79 days (20 Dec 2014 → 9 Mar 2015).
* Gilts accrue from their first issue date, with a long first dividend when the first regular date is
  under 90 days away (DMO; tests/test_tradeweb_gilts.py and the DMO 2034 test in test_analytics.py).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.analytics import accrued, bond_analytics, cash_flows
from desktop.schedule import build_schedule, dated_dates
from tests.analytics_oracle import oracle_bond

#: The bundled US Treasuries issued after their cycle date, and the date each is dated on.
US_DATED = {
    "91282CPL9": "2025-11-30",  # 2-year, issued Mon 1 Dec (30 Nov a Sunday)
    "91282CPK1": "2025-11-15",  # 3-year, issued Mon 17 Nov (15 Nov a Saturday)
    "91282CPN5": "2025-11-30",  # 5-year, issued 1 Dec
    "91282CNF4": "2025-05-31",  # 7-year, issued Mon 2 Jun (31 May a Saturday)
    "91282CNW7": "2025-08-31",  # 7-year, issued Tue 2 Sep (31 Aug a Sunday, 1 Sep Labor Day)
    "91282CPM7": "2025-11-30",  # 7-year, issued 1 Dec
    "91282CPJ4": "2025-11-15",  # 10-year, issued 17 Nov
    "912810UL0": "2025-05-15",  # 20-year, dated the 15th, issued Mon 2 Jun
    "912810UN6": "2025-08-15",  # 20-year, issued 2 Sep
    "912810UQ9": "2025-11-15",  # 20-year, issued 1 Dec
    "912810UP1": "2025-11-15",  # 30-year, issued 17 Nov
}
#: The bundled JGBs with an issue date: the regular date (20th of the cycle) on or before it.
JP_DATED = {"JGB 10y #365": "2021-12-20", "JGB 20y #193": "2025-06-20", "JGB 20y #194": "2025-09-20"}


def _qd(d) -> ql.Date:
    d = pd.Timestamp(d)
    return ql.Date(d.day, d.month, d.year)


def _day(d: ql.Date) -> pd.Timestamp:
    return pd.Timestamp(d.year(), d.month(), d.dayOfMonth())


@pytest.fixture(scope="module")
def snapshot():
    from desktop.snapshot import load_bundled_snapshot

    return load_bundled_snapshot()


@pytest.fixture(scope="module")
def universe(snapshot) -> pd.DataFrame:
    from desktop.universe import build_universe

    return build_universe(snapshot, include_generic=False)


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    """resources/bonds.csv as read by pandas (not by the app)."""
    from desktop.snapshot import resources_dir

    return pd.read_csv(resources_dir() / "bonds.csv", dtype={"id": str})


def ust(coupon_pct: float, maturity, dated) -> ql.FixedRateBond:
    """A US Treasury as QuantLib builds it from its dated date: Schedule(dated → maturity, 6M,
    UnitedStates(GovernmentBond), unadjusted, backward, end of month when the maturity is), ActualActual(Bond)."""
    mat = _qd(maturity)
    sched = ql.Schedule(_qd(dated), mat, ql.Period(ql.Semiannual), ql.UnitedStates(ql.UnitedStates.GovernmentBond),
                        ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Backward, ql.Date.isEndOfMonth(mat))
    return ql.FixedRateBond(0, 100.0, sched, [coupon_pct / 100.0], ql.ActualActual(ql.ActualActual.Bond),
                            ql.Unadjusted, 100.0, _qd(dated))


def _ql_flows(bond: ql.Bond, settle) -> list[tuple[pd.Timestamp, float]]:
    s = _qd(settle)
    return [(_day(cf.date()), cf.amount()) for cf in bond.cashflows() if cf.date() > s]


def _by_date(flows) -> pd.Series:
    return pd.DataFrame(list(flows), columns=["d", "a"]).groupby("d")["a"].sum()


# --------------------------------------------------------------------------- the rule, bond by bond


def test_bundled_bonds_are_dated_by_their_markets_rule(bundled):
    got = pd.Series(dated_dates(bundled).astype("datetime64[ns]"), index=bundled["id"])
    issue = pd.to_datetime(bundled.set_index("id")["issue_date"])
    us = bundled.loc[bundled["market"] == "US", "id"]
    for i in us:
        want = pd.Timestamp(US_DATED.get(i, issue[i]))
        assert got[i] == want, i
    assert set(US_DATED) <= set(us)
    for i, d in JP_DATED.items():
        assert got[i] == pd.Timestamp(d), i
    other = bundled["market"].isin(["UK", "AU"]).to_numpy()
    pd.testing.assert_series_equal(got[other], issue[other], check_names=False)  # the first issue date
    assert got[issue.isna().to_numpy()].isna().all()


def test_us_dating_window_and_an_explicit_first_coupon():
    """US: an issue date up to 31 days after a cycle date is dated on it; 32 days is an off-cycle dated
    date (odd short first coupon); an explicit ``first_coupon`` marks an odd first period from the issue date."""
    bonds = pd.DataFrame({"market": "US", "coupon_pct": 4.0, "maturity": "2035-11-15",
                          "issue_date": ["2025-11-15", "2025-12-16", "2025-12-17", "2025-11-17", "2025-11-17"],
                          "first_coupon": [None, None, None, None, "2026-05-15"]})
    assert dated_dates(bonds).astype(str).tolist() == ["2025-11-15", "2025-11-15", "2025-12-17", "2025-11-15",
                                                       "2025-11-17"]
    s = build_schedule(bonds, date(2025, 12, 18))
    np.testing.assert_allclose(s.next_amount, [2.0, 2.0, 2.0 * 149 / 181, 2.0, 2.0 * 179 / 181], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- official figures


def test_treasury_accrued_from_the_dated_date_912810SR0():
    """1⅛% May 2040 (20-year, original issue 1 Jun 2020, dated 15 May 2020): the 30 Jun 2020 reopening
    settled with $1.40625 accrued per $1,000 (46 days of the 184-day half-year 15 May → 15 Nov)."""
    bonds = pd.DataFrame({"market": ["US"], "coupon_pct": [1.125], "maturity": ["2040-05-15"],
                          "issue_date": ["2020-06-01"]})
    assert accrued(bonds, date(2020, 6, 30))[0] * 10 == pytest.approx(1.40625, abs=1e-12)
    flows = cash_flows(bonds, date(2020, 6, 1))
    assert flows.pay_date.iloc[0] == pd.Timestamp("2020-11-15") and flows.coupon.iloc[0] == pytest.approx(0.5625)


def test_jgb_accrued_at_issue_is_the_unissued_period_jgb_337():
    """MoF: 10-year JGB No. 337 issued 9 Mar 2015 carried ¥0.0649315 per ¥100 of accrued interest (79 days
    from 20 Dec 2014, six months before its first coupon date 20 Jun 2015); that coupon is a full 0.15."""
    bonds = pd.DataFrame({"market": ["JP"], "coupon_pct": [0.3], "maturity": ["2024-12-20"],
                          "issue_date": ["2015-03-09"]})
    assert accrued(bonds, date(2015, 3, 9))[0] == pytest.approx(0.0649315, abs=5e-8)
    flows = cash_flows(bonds, date(2015, 3, 9))
    assert flows.pay_date.iloc[0] == pd.Timestamp("2015-06-20") and flows.coupon.iloc[0] == pytest.approx(0.15, abs=1e-15)


# --------------------------------------------------------------------------- bundled bonds against QuantLib


def test_bundled_us_treasuries_price_and_accrue_as_quantlib_from_the_dated_date(universe, snapshot):
    """The affected notes and bonds at the bundled settlement: accrued, clean and dirty at the universe's
    yield, and the model price (QuantLib's flows on the US zero curve), as QuantLib from the dated date."""
    rows = universe[universe["id"].isin(list(US_DATED))]
    assert len(rows) == len(US_DATED)
    for _, r in rows.iterrows():
        settle = pd.Timestamp(r["settle_date"])
        bond = ust(r["coupon_pct"], r["maturity"], US_DATED[r["id"]])
        ql.Settings.instance().evaluationDate = _qd(settle)
        y = r["yield_pct"] / 100.0
        dc = ql.ActualActual(ql.ActualActual.Bond)
        ql_clean = ql.BondFunctions.cleanPrice(bond, y, dc, ql.Compounded, ql.Semiannual, _qd(settle))
        ql_acc = ql.BondFunctions.accruedAmount(bond, _qd(settle))
        assert r["accrued"] == pytest.approx(ql_acc, abs=1e-12), r["id"]
        assert r["clean_price"] == pytest.approx(ql_clean, abs=1e-10), r["id"]
        assert r["dirty_price"] == pytest.approx(ql_clean + ql_acc, abs=1e-10), r["id"]
        flows = _ql_flows(bond, settle)
        t = np.array([(d - settle).days / 365.0 for d, _ in flows])
        model = float(np.sum(np.array([a for _, a in flows]) * snapshot.curves["US"].discount(t)))
        assert r["dirty_price"] == pytest.approx(model, abs=1e-10), r["id"]
        first = next(cf for cf in bond.cashflows() if cf.date() > _qd(settle))
        assert first.amount() == pytest.approx(r["coupon_pct"] / 2, abs=1e-12)  # a regular first coupon


def _first_period(universe: pd.DataFrame) -> pd.DataFrame:
    """Bundled bonds whose first coupon (by the facts above) is still to come at their settlement."""
    out = []
    for _, r in universe[universe["issue_date"].notna()].iterrows():
        dated = pd.Timestamp({**US_DATED, **JP_DATED}.get(r["id"], r["issue_date"]))
        mat = _qd(r["maturity"])
        sched = ql.Schedule(_qd(dated), mat, ql.Period(ql.Semiannual), ql.NullCalendar(), ql.Unadjusted,
                            ql.Unadjusted, ql.DateGeneration.Backward, ql.Date.isEndOfMonth(mat))
        f0 = _day(sched.dates()[1])
        first = _day(sched.dates()[2]) if r["market"] == "UK" and (f0 - dated).days < 90 else f0
        if pd.Timestamp(r["settle_date"]) < first:
            out.append({**r.to_dict(), "dated": dated, "first": first, "long": first != f0})
    return pd.DataFrame(out)


def _oracle(r) -> object:
    return oracle_bond(r["market"], float(r["coupon_pct"]), pd.Timestamp(r["maturity"]).date(),
                       pd.Timestamp(r["settle_date"]).date(), r["dated"].date(),
                       r["first"].date() if r["long"] else None)


def test_bundled_bonds_in_their_first_period_match_quantlib(universe):
    """Gilts with a real long first dividend from their first issue date, the dated-back Treasuries and
    JGB No. 194 (dated 20 Sep 2025, issued 16 Oct): dirty price at the universe's yield, accrued (JP:
    ACT/365 no-leap from the dated date) and every flow, as QuantLib's FixedRateBond from the dated date."""
    fp = _first_period(universe)
    assert {"GB00BVP99566", "GB00BTXS1K06", "91282CPK1", "912810UQ9", "JGB 20y #194"} <= set(fp["id"])
    assert fp.loc[fp["market"] == "UK", "long"].any()
    ours = bond_analytics(fp, fp["settle_date"], yield_pct=fp["yield_pct"])
    flows = cash_flows(fp, fp["settle_date"])
    nl = ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)
    for i, r in fp.iterrows():
        o = _oracle(r)
        assert ours["dirty_price"][i] == pytest.approx(o.dirty_price(r["yield_pct"]), abs=1e-10), r["id"]
        want_acc = (r["coupon_pct"] * nl.dayCount(_qd(r["dated"]), _qd(r["settle_date"])) / 365
                    if r["market"] == "JP" else o.accrued())
        assert ours["accrued"][i] == pytest.approx(want_acc, abs=1e-12), r["id"]
        assert ours["prev_coupon"][i] == r["dated"] and ours["next_coupon"][i] == r["first"], r["id"]
        mine = _by_date(zip(flows.loc[flows.bond == i, "pay_date"], flows.loc[flows.bond == i, "amount"], strict=True))
        theirs = _by_date((pd.Timestamp(d), a) for d, a in o.received_flows())
        pd.testing.assert_index_equal(mine.index, theirs.index)
        np.testing.assert_allclose(mine.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- the match and the roll


def test_match_and_roll_flows_of_first_period_bonds_equal_quantlib(universe, snapshot):
    """The liability match's flow table (per 100 face) and the roll's flows of the bonds in their first
    coupon period: the same dates and amounts as QuantLib's ``bond.cashflows()`` from the dated date
    (a gilt's long first dividend, not a regular coupon on the skipped date)."""
    from desktop.controller.roll import cash_flows_of
    from desktop.optim.match_lp import MatchProblem
    from desktop.optim.match_settings import MatchSettings

    needs = pd.DataFrame({"date": ["2030-12-31"], "amount": [1e6]})
    mp = MatchProblem(universe, snapshot.curves, snapshot.fx_usd_per_unit, needs, MatchSettings())
    fp = _first_period(universe)
    pos = {(m, i): k for k, (m, i) in enumerate(zip(universe["market"], universe["id"], strict=True))}
    sub = universe.iloc[[pos[(m, i)] for m, i in zip(fp["market"], fp["id"], strict=True)]]
    roll = cash_flows_of(sub)
    for k, r in fp.reset_index(drop=True).iterrows():
        theirs = _by_date((pd.Timestamp(d), a) for d, a in _oracle(r).received_flows())
        (j,) = np.flatnonzero(mp.rows == pos[(r["market"], r["id"])])
        in_match = mp.flow_bond == j
        match = _by_date(zip(pd.to_datetime(mp.flow_date[in_match]), mp.flow_amount[in_match], strict=True))
        in_roll = roll["bond_pos"].to_numpy() == k
        rolled = _by_date(zip(roll["pay_date"][in_roll], roll["amount"][in_roll], strict=True))
        for got in (match, rolled):
            pd.testing.assert_index_equal(got.index, theirs.index)
            np.testing.assert_allclose(got.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12, err_msg=r["id"])
    long_gilt = fp[fp["long"]].iloc[0]
    mat = _qd(long_gilt["maturity"])
    skipped = _day(ql.NullCalendar().advance(_qd(long_gilt["first"]), ql.Period(-6, ql.Months), ql.Unadjusted,
                                             ql.Date.isEndOfMonth(mat)))
    (j,) = np.flatnonzero(mp.rows == pos[("UK", long_gilt["id"])])
    assert skipped not in set(pd.to_datetime(mp.flow_date[mp.flow_bond == j]))  # no coupon on the skipped date
