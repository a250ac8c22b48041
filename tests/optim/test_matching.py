"""Cash-flow matching (desktop.optim.matching: the result tables of match_liabilities) against
references built here, not by the module: QuantLib bond cash flows of the allocated faces, carry at
the reinvestment rate, and forward FX recomputed from the curves by covered interest parity.

The helpers here (the bundled universe, needs frames, a match with given settings) are shared by the
other tests of the matching modules (test_match_lp, test_match_rounding, test_match_diagnosis)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.markets import MARKETS
from desktop.optim.match_settings import MatchSettings
from desktop.optim.matching import match_liabilities


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
