"""The matching LP (desktop.optim.match_lp) against references built here, not by the module: an LP
assembled from raw arrays and solved by scipy's HiGHS, re-solves for binding-limit gains and need
marginal costs, and the hedged optimum in another base currency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from desktop.analytics import cash_flows
from tests.optim.test_matching import US_ONLY, YEARLY, _match, _needs


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
