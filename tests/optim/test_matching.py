"""Cash-flow matching (desktop.optim.matching) against references built here, not by the module:
QuantLib bond cash flows, an LP assembled from raw arrays and solved by scipy's HiGHS, and forward
FX recomputed from the curves by covered interest parity."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from scipy.optimize import linprog

from desktop.analytics import cash_flows
from desktop.markets import MARKETS
from desktop.optim.errors import Infeasible
from desktop.optim.matching import MatchSettings, match_liabilities


@pytest.fixture(scope="module")
def universe(snapshot):
    from desktop.universe import build_universe

    return build_universe(snapshot)


def _needs(pairs) -> pd.DataFrame:
    return pd.DataFrame({"date": [d for d, _ in pairs], "amount": [a for _, a in pairs]})


def _match(universe, snapshot, needs, **kw):
    return match_liabilities(universe, snapshot.curves, snapshot.fx_usd_per_unit, needs, MatchSettings(**kw))


YEARLY = _needs([(f"{y}-12-29", 10e6) for y in range(2028, 2036)])
US_ONLY = {"markets": ("US",), "us_cap": 1.0, "max_weight": 0.3}


def _ql_flows(row, face: float, settle: date) -> list[tuple[date, float]]:
    """Flows after ``settle`` of ``face`` of a US Treasury, from QuantLib (the oracle)."""
    mat = pd.Timestamp(row["maturity"]).date()
    maturity = ql.Date(mat.day, mat.month, mat.year)
    start = ql.Date(settle.day, settle.month, settle.year) - ql.Period(1, ql.Years)
    eom = ql.Date.isEndOfMonth(maturity)
    sched = ql.Schedule(start, maturity, ql.Period(ql.Semiannual), ql.NullCalendar(), ql.Unadjusted,
                        ql.Unadjusted, ql.DateGeneration.Backward, eom)
    bond = ql.FixedRateBond(0, face, sched, [row["coupon_pct"] / 100.0],
                            ql.ActualActual(ql.ActualActual.Bond, sched))
    ql_settle = ql.Date(settle.day, settle.month, settle.year)
    return [(date(cf.date().year(), cf.date().month(), cf.date().dayOfMonth()), cf.amount())
            for cf in bond.cashflows() if cf.date() > ql_settle]


def _carry_cover(needs: pd.DataFrame, flows: list[tuple[date, float]], rate: float = 0.0) -> np.ndarray:
    """Cash available on each need date: flows since the last need plus the carried surplus."""
    dates = [pd.Timestamp(d).date() for d in needs["date"]]
    funded, carried, prev = [], 0.0, None
    for d, need in zip(dates, needs["amount"], strict=True):
        got = sum(a * (1 + rate) ** ((d - t).days / 365.0) for t, a in flows if (prev is None or t > prev) and t <= d)
        grow = (1 + rate) ** ((d - prev).days / 365.0) if prev else 1.0
        total = carried * grow + got
        funded.append(total)
        carried, prev = max(total - need, 0.0), d
    return np.array(funded)


def test_us_only_coverage_recomputed_from_quantlib_flows(universe, snapshot):
    res = _match(universe, snapshot, YEARLY, **US_ONLY)
    flows = []
    for _, a in res.alloc.iterrows():
        row = universe[(universe["market"] == "US") & (universe["id"] == a["id"])].iloc[0]
        flows += _ql_flows(row, a["face"], pd.Timestamp(row["settle_date"]).date())
    funded = _carry_cover(YEARLY, flows)
    assert (funded >= YEARLY["amount"].to_numpy() - 1e-6).all()
    np.testing.assert_allclose(res.flows["funded"], funded, rtol=1e-10)
    assert set(res.alloc["market"]) == {"US"} and len(res.hedges) == 0
    assert (res.alloc["face"] % 100 == 0).all()  # $100 denominations


def test_reinvestment_rate_carry_matches_quantlib(universe, snapshot):
    res = _match(universe, snapshot, YEARLY, reinvest_rate_pct=3.0, **US_ONLY)
    flows = []
    for _, a in res.alloc.iterrows():
        row = universe[(universe["market"] == "US") & (universe["id"] == a["id"])].iloc[0]
        flows += _ql_flows(row, a["face"], pd.Timestamp(row["settle_date"]).date())
    np.testing.assert_allclose(res.flows["funded"], _carry_cover(YEARLY, flows, 0.03), rtol=1e-10)
    assert res.lp_cost_base < _match(universe, snapshot, YEARLY, **US_ONLY).lp_cost_base  # carry earns


def _reference_lp(universe, snapshot, needs, markets, base="USD", us_cap=1.0, max_weight=1.0) -> float:
    """The same model built from raw arrays: faces x (per 1 local) and carries c, min cost."""
    sub = universe[universe["market"].isin(markets) & ~universe["is_generic"]].reset_index(drop=True)
    fx = snapshot.fx_usd_per_unit
    spot = sub["currency"].map(lambda c: fx[c] / fx[base]).to_numpy(float)
    price = sub["dirty_price"].to_numpy(float) / 100.0 * spot
    fl = cash_flows(sub[["market", "coupon_pct", "maturity"]], sub["settle_date"])
    ccy = sub["currency"].to_numpy()[fl["bond"]]
    curve_of = {"USD": "US", "JPY": "JP", "AUD": "AU", "GBP": "UK"}
    t = fl["t_years"].to_numpy(float)
    fwd = np.array([fx[c] / fx[base] * snapshot.curves[curve_of[c]].discount(tt) /
                    snapshot.curves[curve_of[base]].discount(tt) for c, tt in zip(ccy, t, strict=True)])
    amount = fl["amount"].to_numpy(float) / 100.0 * fwd
    d = pd.to_datetime(needs["date"]).to_numpy()
    n, k = len(sub), len(d)
    a = np.zeros((k, n))
    for j in range(len(fl)):
        p = np.searchsorted(d, fl["pay_date"].to_numpy()[j], side="left")
        if p < k:
            a[p, fl["bond"].iat[j]] += amount[j]
    a_eq = np.hstack([a, -np.eye(k) + np.eye(k, k=-1)])
    c = np.concatenate([price, np.zeros(k)])
    rows, rhs = [], []
    dur = sub["mod_duration"].to_numpy(float) * price
    if us_cap < 1:
        rows.append(np.concatenate([dur * (sub["market"] == "US") - us_cap * dur, np.zeros(k)]))
        rhs.append(0.0)
    if max_weight < 1:
        for i in range(n):
            r = -max_weight * price.copy()
            r[i] += price[i]
            rows.append(np.concatenate([r, np.zeros(k)]))
            rhs.append(0.0)
    res = linprog(c, A_ub=np.array(rows) if rows else None, b_ub=np.array(rhs) if rows else None,
                  A_eq=a_eq, b_eq=needs["amount"].to_numpy(float), bounds=(0, None), method="highs")
    assert res.status == 0
    return float(res.fun)


def test_lp_cost_equals_independent_linprog_us_only(universe, snapshot):
    res = _match(universe, snapshot, YEARLY, **US_ONLY)
    ref = _reference_lp(universe, snapshot, YEARLY, ["US"], max_weight=0.3)
    assert res.lp_cost_base == pytest.approx(ref, rel=1e-7)
    assert res.cost_base >= res.lp_cost_base - 1e-6  # rounding + top-ups never make it cheaper than the LP


def test_lp_cost_equals_independent_linprog_four_markets_hedged(universe, snapshot):
    needs = _needs([(f"{y}-12-31", 5e6) for y in range(2026, 2041)])
    res = _match(universe, snapshot, needs, us_cap=0.35, max_weight=0.15)
    ref = _reference_lp(universe, snapshot, needs, ["US", "JP", "AU", "UK"], us_cap=0.35, max_weight=0.15)
    assert res.lp_cost_base == pytest.approx(ref, rel=1e-7)
    assert (res.alloc.groupby("market")["cost_base"].sum().reindex(["US"]).fillna(0) >= 0).all()


def test_fx_forwards_equal_covered_interest_parity_from_curves(universe, snapshot):
    res = _match(universe, snapshot, YEARLY, us_cap=0.35)
    assert len(res.hedges) and set(res.hedges["currency"]) <= {"JPY", "AUD", "GBP"}
    fx = snapshot.fx_usd_per_unit
    settle = {m: pd.Timestamp(universe.loc[universe["market"] == m, "settle_date"].iloc[0]) for m in MARKETS}
    curve_of = {"JPY": "JP", "AUD": "AU", "GBP": "UK"}
    for _, h in res.hedges.iterrows():
        m = curve_of[h["currency"]]
        tau = (pd.Timestamp(h["value_date"]) - settle[m]).days / 365.0
        z_f = np.interp(tau, snapshot.curves[m].zero_tenors, snapshot.curves[m].zero_rates)
        z_b = np.interp(tau, snapshot.curves["US"].zero_tenors, snapshot.curves["US"].zero_rates)
        expected = fx[h["currency"]] / fx["USD"] * np.exp(-z_f * tau) / np.exp(-z_b * tau)
        assert h["forward_rate"] == pytest.approx(expected, rel=1e-12)
        assert h["amount_base"] == pytest.approx(h["amount_local"] * expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_rounding_never_leaves_a_need_short(universe, snapshot, seed):
    rng = np.random.default_rng(seed)
    years = np.sort(rng.choice(np.arange(2026, 2046), size=rng.integers(3, 12), replace=False))
    needs = _needs([(f"{y}-{rng.integers(1, 13):02d}-15", float(rng.uniform(1e5, 3e7))) for y in years])
    res = _match(universe, snapshot, needs, us_cap=0.35, max_weight=0.2)
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    assert (res.flows["surplus"] >= -1e-6).all()
    den = res.alloc["market"].map(lambda m: MARKETS[m].min_denomination)
    steps = res.alloc["face"] / den
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert (res.rounding["funded_rounded"] >= res.rounding["need"] - 1e-6).all()


def test_rounding_short_need_is_topped_up(universe, snapshot):
    needs = _needs([(f"{y}-12-31", 10e6) for y in range(2026, 2034)])
    res = _match(universe, snapshot, needs)
    raw = np.round(res.alloc["lp_face"] / res.alloc["market"].map(lambda m: MARKETS[m].min_denomination))
    assert len(res.top_ups) > 0, "this schedule is known to go short on plain rounding"
    assert raw.notna().all()
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    assert res.cost_base - res.lp_cost_base < 5e-5 * res.lp_cost_base


def test_lumpy_schedule(universe, snapshot):
    needs = _needs([(f"{y}-12-31", 10e6) for y in range(2026, 2034)] + [("2032-06-30", 60e6)])
    needs = needs.sort_values("date").reset_index(drop=True)
    res = _match(universe, snapshot, needs)
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    lump = res.flows.set_index("date").loc["2032-06-30"]
    assert lump["need"] == 60e6 and lump["funded"] >= 60e6 - 1e-6
    # a cheap match funds the lump with bonds maturing around it, not by carrying cash for years
    assert lump["carried_in"] < 0.05 * lump["need"]
    assert res.cost_base < needs["amount"].sum()


def test_need_beyond_the_longest_bond_is_carried_with_a_clear_message(universe, snapshot):
    needs = _needs([("2030-12-31", 5e6), ("2060-12-31", 5e6)])
    res = _match(universe, snapshot, needs, **US_ONLY)
    text = " ".join(res.warnings)
    assert "2060-12-31 need falls after the last flow of the allowed bonds (2055-11-15)" in text
    assert "allow UK (bonds to 2073-10-22) or move the need" in text
    assert "allow JP" not in text and "allow AU" not in text  # their bonds stop before 2055-11-15
    assert res.flows["funded"].iloc[-1] >= 5e6 - 1e-6


def test_need_before_any_flow_is_infeasible_with_the_fix(universe, snapshot):
    needs = _needs([("2026-01-25", 1e6), ("2027-12-31", 1e6)])
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, needs, **US_ONLY)
    msg = str(err.value)
    assert "the 2026-01-25 need cannot be met: the first flow of the allowed bonds is on 2026-01-31" in msg
    assert "allow UK" in msg and "move the need" in msg


def test_limits_that_clash_name_the_smallest_relaxation(universe, snapshot):
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, YEARLY, markets=("US",), us_cap=0.35)
    (relax,) = err.value.relaxations
    assert relax.constraint == "us_cap" and relax.required == pytest.approx(1.0)
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, YEARLY, markets=("US", "UK"), market_min={"JP": 0.2})
    assert err.value.relaxations[0].constraint == "market_min:JP"
    assert "lower JP's minimum weight from 20.0% to 0.0%" in str(err.value)
    with pytest.raises(Infeasible) as err:  # 3 bonds at most 25 % each cannot make 100 %
        _match(universe, snapshot, _needs([("2033-12-31", 1e6)]), markets=("JP",), us_cap=1.0, max_weight=0.05)
    r = err.value.relaxations[0]
    assert r.constraint == "max_weight" and 0.05 < r.required <= 1.0


def test_binding_limit_gain_per_point_matches_a_re_solve(universe, snapshot):
    base = _match(universe, snapshot, YEARLY, markets=("US",), us_cap=1.0, max_weight=0.15)
    (b,) = [b for b in base.binding if b.constraint == "max_weight"]
    looser = _match(universe, snapshot, YEARLY, markets=("US",), us_cap=1.0, max_weight=0.16)
    assert b.shadow_bp == pytest.approx((base.lp_cost_base - looser.lp_cost_base) / base.lp_cost_base * 1e4,
                                        rel=1e-6)
    # the dual's marginal rate quoted beside it: a small step, scaled to one point
    nudged = _match(universe, snapshot, YEARLY, markets=("US",), us_cap=1.0, max_weight=0.151)
    rate = float(b.text.split("marginal rate ")[1].split(" bp")[0])
    assert rate == pytest.approx((base.lp_cost_base - nudged.lp_cost_base) / base.lp_cost_base * 1e4 * 10, rel=0.05)
    early = _needs([(f"{y}-12-31", 10e6) for y in range(2026, 2034)])
    four = _match(universe, snapshot, early, us_cap=0.2)
    (cap,) = [b for b in four.binding if b.constraint == "us_cap"]
    wider = _match(universe, snapshot, early, us_cap=0.21)
    assert cap.shadow_bp == pytest.approx((four.lp_cost_base - wider.lp_cost_base) / four.lp_cost_base * 1e4,
                                          rel=1e-6)


def test_marginal_cost_of_a_need_matches_a_re_solve(universe, snapshot):
    base = _match(universe, snapshot, YEARLY, **US_ONLY)
    bumped = YEARLY.copy()
    bumped.loc[3, "amount"] += 1000.0
    more = _match(universe, snapshot, bumped, **US_ONLY)
    assert base.flows["marginal_cost"].iat[3] == pytest.approx((more.lp_cost_base - base.lp_cost_base) / 1000.0,
                                                              rel=1e-4)


def test_base_gbp_hedges_dollar_flows_at_cip_forwards(universe, snapshot):
    needs = _needs([(f"{y}-12-31", 5e6) for y in range(2028, 2034)])
    res = _match(universe, snapshot, needs, base_ccy="GBP", us_cap=0.35)
    assert "GBP" not in set(res.hedges["currency"]) and "USD" in set(res.hedges["currency"])
    fx, curves = snapshot.fx_usd_per_unit, snapshot.curves
    us_settle = pd.Timestamp(universe.loc[universe["market"] == "US", "settle_date"].iloc[0])
    for _, h in res.hedges[res.hedges["currency"] == "USD"].iterrows():
        tau = (pd.Timestamp(h["value_date"]) - us_settle).days / 365.0
        expected = fx["USD"] / fx["GBP"] * np.exp(-(np.interp(tau, curves["US"].zero_tenors, curves["US"].zero_rates)
                                                    - np.interp(tau, curves["UK"].zero_tenors,
                                                                curves["UK"].zero_rates)) * tau)
        assert h["forward_rate"] == pytest.approx(expected, rel=1e-12)
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    ref = _reference_lp(universe, snapshot, needs, ["US", "JP", "AU", "UK"], base="GBP", us_cap=0.35, max_weight=0.10)
    assert res.lp_cost_base == pytest.approx(ref, rel=1e-7)
