"""The compiled problem: DPP, constraints hold, LP oracle, re-solve = fresh build, monotone US cap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from desktop.optim.errors import Infeasible
from desktop.optim.settings import CurveView, OptimSettings
from desktop.optim.solve import Optimiser

from .test_explain import apply_option

TOL = 1e-5


def check_constraints(opt: Optimiser, s: OptimSettings, w: np.ndarray, allowed=None, w0=None) -> None:
    """Every constraint of ``s`` holds for ``w`` (independent of the cvxpy model)."""
    u = opt.universe
    D = u["mod_duration"].to_numpy()
    codes = u["market"].to_numpy()
    rung = u["rung"].to_numpy()
    assert abs(w.sum() - 1) < TOL
    assert (w >= -TOL).all() and (w <= s.max_weight + TOL).all()
    dur = D @ w
    assert s.target_duration - s.duration_band - TOL <= dur <= s.target_duration + s.duration_band + TOL
    assert (D * (codes == "US")) @ w <= s.us_cap * dur + TOL
    for code, lo in s.market_min.items():
        assert w[codes == code].sum() >= lo - TOL
    for code, hi in s.market_max.items():
        assert w[codes == code].sum() <= hi + TOL
    if s.ladder_on:
        lo, hi = s.rungs
        assert w[(rung < lo) | (rung > hi)].sum() < TOL
        mask = opt.allowed_mask(s, allowed)
        filled = [r for r in range(lo, hi + 1) if mask[rung == r].any()]
        for r in filled:
            assert abs(w[rung == r].sum() - 1 / len(filled)) <= s.rung_tolerance + TOL
    if allowed is not None:
        assert w[~np.asarray(allowed)].sum() < TOL
    if s.te_max_pct is not None:
        assert opt.evaluate(s, w).tracking_error_pct <= s.te_max_pct + 1e-3
    if s.turnover_max is not None and w0 is not None:
        assert np.abs(w - w0).sum() <= s.turnover_max + 1e-4


@pytest.fixture(scope="module")
def start_weights(optimiser) -> np.ndarray:
    return optimiser.solve(OptimSettings()).weights.to_numpy()


def test_is_dpp(optimiser):
    assert optimiser.fresh.problem.is_dpp()
    assert optimiser.rebalance.problem.is_dpp()
    assert optimiser.elastic.problem.is_dpp()


def test_turnover_limit_and_cost(optimiser):
    start = optimiser.solve(OptimSettings()).weights.to_numpy()
    s = OptimSettings(views={"UK": CurveView(parallel_bp=-100)}, turnover_max=0.1, turnover_cost_bp=5.0)
    sol = optimiser.solve(s, current_weights=start)
    check_constraints(optimiser, s, sol.weights.to_numpy())
    assert sol.turnover == pytest.approx(0.1, abs=1e-5)
    assert sol.turnover_cost_pct == pytest.approx(0.05 * sol.turnover)
    assert any(b.constraint == "turnover_max" for b in sol.binding)
    stay = optimiser.solve(OptimSettings(turnover_cost_bp=1.0), current_weights=start)
    assert stay.turnover < 1e-4  # already optimal: a cost makes staying put the unique answer


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.floats(2.0, 9.0), band=st.floats(0.05, 1.0), cap=st.floats(0.0, 1.0),
    mw=st.floats(0.03, 0.3), tol=st.one_of(st.none(), st.floats(0.0, 0.1)),
    lo=st.integers(1, 5), span=st.integers(2, 12), jp_min=st.floats(0.0, 0.3),
    uk_max=st.floats(0.1, 1.0), lam=st.floats(0.0, 20.0), hedged=st.booleans(),
    us_view=st.floats(-50, 50), base=st.sampled_from(["USD", "JPY", "AUD", "GBP"]),
    te=st.one_of(st.none(), st.floats(0.3, 6.0)), turnover=st.one_of(st.none(), st.floats(0.05, 2.0)),
)
def test_every_constraint_holds(optimiser, start_weights, target, band, cap, mw, tol, lo, span, jp_min, uk_max,
                                lam, hedged, us_view, base, te, turnover):
    s = OptimSettings(base_ccy=base, hedged=hedged, target_duration=target, duration_band=band, us_cap=cap,
                      market_min={"JP": jp_min}, market_max={"UK": uk_max}, max_weight=mw,
                      rungs=(lo, lo + span), rung_tolerance=tol, risk_aversion=lam,
                      views={"US": CurveView(parallel_bp=us_view)}, te_max_pct=te, turnover_max=turnover)
    w0 = start_weights if turnover is not None else None
    try:
        sol = optimiser.solve(s, current_weights=w0)
    except Infeasible as exc:
        assert exc.relaxations or "no allocation" in str(exc)
        assert "infeasible" not in str(exc).lower()
        if not exc.relaxations:
            return
        s = apply_option(s, exc.relaxations, exc.relaxations[0].option)  # the named fix works
        sol = optimiser.solve(s, current_weights=w0)
    check_constraints(optimiser, s, sol.weights.to_numpy(), w0=w0)


def test_lp_equals_linprog(small_inputs):
    """λ = 0: an LP; the same LP built independently and solved by HiGHS gives the same optimum."""
    opt = Optimiser(small_inputs)
    s = OptimSettings(target_duration=4.5, duration_band=0.3, us_cap=0.3, max_weight=0.25, rung_tolerance=None,
                      market_min={"AU": 0.1}, market_max={"JP": 0.3}, risk_aversion=0.0)
    sol = opt.solve(s)
    u = opt.universe
    mu = sol.returns["expected_return_pct"].to_numpy()
    D = u["mod_duration"].to_numpy()
    codes = u["market"].to_numpy()
    a_ub = [D, -D, D * (codes == "US") - s.us_cap * D, -(codes == "AU").astype(float), (codes == "JP").astype(float)]
    b_ub = [s.target_duration + s.duration_band, -(s.target_duration - s.duration_band), 0.0, -0.1, 0.3]
    ref = linprog(-mu, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.ones((1, len(u))), b_eq=[1.0],
                  bounds=[(0, s.max_weight)] * len(u), method="highs")
    assert ref.status == 0
    assert sol.objective_pct == pytest.approx(-ref.fun, abs=1e-6)
    assert sol.expected_return_pct == pytest.approx(-ref.fun, abs=1e-6)


def test_parametric_resolve_equals_fresh_build(inputs, optimiser):
    first = OptimSettings(target_duration=5.0, us_cap=0.5, risk_aversion=3.0)
    second = OptimSettings(target_duration=6.2, us_cap=0.25, risk_aversion=0.5, hedged=False, base_ccy="GBP",
                           views={"JP": CurveView(parallel_bp=-20, slope_bp=10)}, max_weight=0.08)
    optimiser.solve(first)
    again = optimiser.solve(second)
    fresh = Optimiser(inputs).solve(second)
    assert again.objective_pct == pytest.approx(fresh.objective_pct, abs=1e-6)
    assert np.abs(again.weights - fresh.weights).max() < 1e-4


def test_tightening_us_cap_never_raises_objective(optimiser):
    s = OptimSettings(views={"US": CurveView(parallel_bp=-60)}, rung_tolerance=0.08)
    objs = [optimiser.solve(OptimSettings(**{**s.__dict__, "us_cap": c})).objective_pct
            for c in (1.0, 0.6, 0.4, 0.3, 0.2, 0.1)]
    assert all(b <= a + 1e-7 for a, b in zip(objs, objs[1:], strict=False))
    assert objs[-1] < objs[0]


def test_us_cap_shadow_price_matches_finite_difference(optimiser):
    base = OptimSettings(views={"US": CurveView(parallel_bp=-60)}, us_cap=0.2, rung_tolerance=0.08,
                         risk_aversion=0.0)
    sol = optimiser.solve(base)
    cap = [b for b in sol.binding if b.constraint == "us_cap"]
    assert cap, sol.binding
    up = optimiser.solve(OptimSettings(**{**base.__dict__, "us_cap": 0.21}))
    assert (up.objective_pct - sol.objective_pct) * 100 == pytest.approx(cap[0].shadow_bp, rel=0.05, abs=0.05)
    assert "US cap 20% of duration binds: +1 pt of cap adds" in cap[0].text


def test_allowed_mask_is_respected(optimiser):
    allowed = optimiser.universe["market"].isin(["UK", "AU"]).to_numpy()
    s = OptimSettings(rung_tolerance=0.1, max_weight=0.2)
    sol = optimiser.solve(s, allowed=allowed)
    check_constraints(optimiser, s, sol.weights.to_numpy(), allowed)


def test_scs_fallback_agrees_with_clarabel(optimiser):
    from desktop.optim.solve import run_solvers

    sol = optimiser.solve(OptimSettings(risk_aversion=2.0))
    status, used, _ = run_solvers(optimiser.problem.problem, ("SCS",))
    assert used == "SCS" and status in ("optimal", "optimal_inaccurate")
    assert optimiser.problem.problem.value == pytest.approx(sol.objective_pct, abs=1e-4)


def test_fallback_solver_when_the_first_fails(optimiser):
    from desktop.optim.solve import run_solvers

    optimiser.solve(OptimSettings())
    status, used, warnings = run_solvers(optimiser.problem.problem, ("OSQP", "CLARABEL"))
    assert status == "optimal" and used == "CLARABEL"
    assert warnings and "OSQP" in warnings[0]


class FakeProblem:
    """Stands in for a cvxpy problem: each solve pops the next outcome (a status or an exception)."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.status = None

    def solve(self, **_kw):
        nxt = self.outcomes.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        self.status = nxt


def test_status_handling():
    import cvxpy as cp

    from desktop.optim.solve import run_solvers

    status, used, warnings = run_solvers(FakeProblem("optimal_inaccurate"), ("A",))
    assert status == "optimal_inaccurate" and "inaccurate" in warnings[-1]
    status, used, warnings = run_solvers(FakeProblem(cp.error.SolverError("boom"), "optimal"), ("A", "B"))
    assert (status, used) == ("optimal", "B") and "A failed" in warnings[0]
    status, used, warnings = run_solvers(FakeProblem("unbounded", "infeasible"), ("A", "B"))
    assert (status, used) == ("infeasible", "B") and "A returned unbounded" in warnings[0]


def test_every_solver_failing_is_a_typed_error(inputs, monkeypatch):
    import desktop.optim.solve as solve_mod
    from desktop.optim.errors import SolverFailed

    opt = Optimiser(inputs)
    monkeypatch.setattr(solve_mod, "SOLVERS", ("OSQP",))  # OSQP cannot take the TE cone
    with pytest.raises(SolverFailed, match="could not solve"):
        opt.solve(OptimSettings())


def test_slow_solves_report_binding_limits_at_the_marginal_rate(optimiser, monkeypatch):
    """explain.py's exact step gains cost a re-solve per binding limit: only while a solve is quick."""
    import desktop.optim.solve as solve_mod

    s = OptimSettings(views={"US": CurveView(parallel_bp=-60)}, us_cap=0.2, rung_tolerance=0.08)
    quick = optimiser.solve(s)
    assert optimiser.last_values["explain_steps"] is True
    assert quick.binding and not any("linear estimate" in b.text for b in quick.binding)
    monkeypatch.setattr(solve_mod, "EXACT_STEPS_MAX_SOLVE_S", 0.0)  # as if every solve were slow
    slow = optimiser.solve(s)
    assert optimiser.last_values["explain_steps"] is False
    assert [b.constraint for b in slow.binding] and all("linear estimate" in b.text for b in slow.binding)
    assert slow.objective_pct == pytest.approx(quick.objective_pct, abs=1e-9)
