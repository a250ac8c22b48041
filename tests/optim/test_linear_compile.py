"""The linear-compile formulation (problem.py) is today's model, and its compile grows linearly in N.

Reference: the formulation before the change, kept verbatim in ``tests/support/quadratic_problem.py``
(every per-bond figure an N-sized parameter). For the bundled universe and random synthetic ones,
cvxpy's conic data (P, q, A, b, cones) of both must agree to rounding, and both solved from scratch give
the same objective and weights to 1e-7.
"""

from __future__ import annotations

import tracemalloc

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.optim.inputs import OptimInputs
from desktop.optim.returns import return_components
from desktop.optim.settings import CurveView, OptimSettings
from desktop.optim.solve import Optimiser, assign
from desktop.universe import synthetic_universe
from tests.support.quadratic_problem import LadderProblem as ReferenceProblem

SETTINGS = {
    "default": OptimSettings(),
    "views_unhedged": OptimSettings(
        hedged=False, base_ccy="GBP", fx_view_pct={"JPY": 3.0, "AUD": -2.0, "GBP": 5.0}, risk_aversion=3.0,
        views={"JP": CurveView(-20, 10, {30.0: 15}), "US": CurveView(40, -25, {2.0: 5, 10.0: -30})}),
    "te_and_market_limits": OptimSettings(
        te_max_pct=3.0, market_min={"JP": 0.1}, market_max={"UK": 0.2}, us_cap=0.7, horizon_months=6,
        views={"AU": CurveView(slope_bp=30), "UK": CurveView(parallel_bp=-50)}),
    "ladder_off_hedged_jpy": OptimSettings(rung_tolerance=None, base_ccy="JPY", max_weight=0.2, horizon_months=24),
    "turnover": OptimSettings(views={"UK": CurveView(parallel_bp=-100)}, turnover_max=1.5, turnover_cost_bp=5.0),
}


def holdings(n: int, seed: int = 1) -> np.ndarray:
    """A random long-only book (fractions of market value)."""
    w = np.random.default_rng(seed).random(n) * (np.random.default_rng(seed + 1).random(n) < 0.2)
    return w / w.sum()


def reference_for(opt: Optimiser, values: dict, *, turnover: bool, elastic: bool = False) -> ReferenceProblem:
    ref = ReferenceProblem(opt.universe, opt.risk, opt.benchmark, turnover=turnover, elastic=elastic)
    for name, param in ref.p.items():
        param.value = values[name]
    return ref


def assert_same_conic_data(ours: cp.Problem, ref: cp.Problem) -> None:
    a, _, _ = ours.get_problem_data(cp.CLARABEL)
    b, _, _ = ref.get_problem_data(cp.CLARABEL)
    assert str(a["dims"]) == str(b["dims"])
    assert ("P" in a) == ("P" in b)
    for key in ("P", "A") if "P" in a else ("A",):
        assert a[key].shape == b[key].shape
        assert abs(a[key] - b[key]).max() <= 1e-12, key
    for key in ("c", "b"):
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-12, err_msg=key)


# Clarabel run to 1e-11 so each optimum is resolved well below the 1e-7 compared (at its default 1e-8
# the two can stop one iteration apart, 5e-7 apart in a weight: solver accuracy, not the model)
TIGHT = {"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-11, "tol_ktratio": 1e-9, "max_iter": 500}


def assert_same_optimum(ours: cp.Problem, ref: cp.Problem, w_ours, w_ref) -> None:
    for prob in (ours, ref):
        prob.solve(solver="CLARABEL", presolve_enable=False, **TIGHT)
        assert prob.status == "optimal"
    assert ours.value == pytest.approx(ref.value, abs=1e-7)
    assert np.abs(w_ours.value - w_ref.value).max() <= 1e-7


def universes(inputs, snapshot):
    yield "bundled", inputs
    for n, seed in ((150, 11), (400, 12)):
        yield f"synthetic{n}", OptimInputs.from_snapshot(snapshot, synthetic_universe(n, seed=seed, snapshot=snapshot))


def test_same_problem_as_the_quadratic_formulation(inputs, snapshot):
    for _label, inp in universes(inputs, snapshot):
        opt = Optimiser(inp)
        n = len(opt.universe)
        for name, s in SETTINGS.items():
            current = holdings(n) if name == "turnover" else None
            allowed = opt.universe["market"].isin(["US", "UK", "JP"]).to_numpy() if name == "turnover" else None
            opt.solve(s, current_weights=current, allowed=allowed)
            values = opt.last_values
            ref = reference_for(opt, values, turnover=current is not None)
            assert_same_conic_data(opt.problem.problem, ref.problem)
            # a fresh compile of both from these values: same optimum (the solved one was a re-solve)
            ours = opt.compiled("rebalance" if current is not None else "fresh", values)
            assert_same_optimum(ours.problem, ref.problem, ours.w, ref.w)
        # the elastic (diagnosis) problem too
        el_ref = reference_for(opt, values, turnover=True, elastic=True)
        penalty = np.linspace(1.0, 8.0, 8)
        el_ref.penalty.value = penalty
        el = opt.elastic
        assign(el, values)
        el.penalty.value = penalty
        assert_same_conic_data(el.problem, el_ref.problem)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hedged=st.booleans(), base=st.sampled_from(["USD", "JPY", "AUD", "GBP"]), months=st.integers(1, 120),
       par=st.floats(-300, 300), slope=st.floats(-200, 200), k2=st.floats(-100, 100), k30=st.floats(-100, 100),
       fx=st.floats(-20, 20), market=st.sampled_from(["US", "JP", "AU", "UK"]))
def test_expected_return_decomposition_equals_returns_module(optimiser, hedged, base, months, par, slope, k2, k30,
                                                             fx, market):
    """μ = fixed + C·carry + B·view + Q·convexity equals returns.py's per-bond figure for any settings."""
    s = OptimSettings(hedged=hedged, base_ccy=base, horizon_months=months, fx_view_pct={"AUD": fx, "JPY": -fx},
                      views={market: CurveView(par, slope, {2.0: k2, 30.0: k30}), "US": CurveView(parallel_bp=k2)})
    values, _ = optimiser.parameter_values(s, None, None)
    opt = optimiser
    ref = return_components(opt.bonds, s, opt._rolldown[months], opt.hedged_yield_pct(base) if hedged else None)
    prob = opt.compiled("fresh", values)
    got = prob.mu(values)
    np.testing.assert_allclose(got, ref["expected_return_pct"], rtol=0, atol=1e-12)


def test_no_parameter_grows_with_the_universe(snapshot):
    """Every parameter has a size independent of N (the cause of the old O(N²) compile)."""
    sizes = []
    for n in (120, 1200):
        inp = OptimInputs.from_snapshot(snapshot, synthetic_universe(n, seed=5, snapshot=snapshot))
        opt = Optimiser(inp)
        opt.solve(OptimSettings(turnover_max=1.9), current_weights=holdings(n))
        rungs = len(opt.rung_levels)
        for prob in (opt.problem, opt.fresh, opt.elastic):
            total = sum(p.size for p in prob.problem.parameters())
            assert total <= 120 + 2 * rungs, total
        sizes.append(sum(p.size for p in opt.problem.problem.parameters()) - 2 * rungs)
    assert sizes[0] == sizes[1]


def _compile_peak_bytes(snapshot, n: int) -> int:
    inp = OptimInputs.from_snapshot(snapshot, synthetic_universe(n, seed=9, snapshot=snapshot))
    opt = Optimiser(inp)
    values, _ = opt.parameter_values(OptimSettings(turnover_cost_bp=2.0), holdings(n), None)
    prob = opt.compiled("rebalance", values)
    assign(prob, values)
    tracemalloc.start()
    prob.problem.get_problem_data(cp.CLARABEL)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_compile_memory_is_linear_in_n(snapshot):
    """4× the bonds → about 4× the compile's peak allocation (the quadratic compile gave ~16×)."""
    small, large = _compile_peak_bytes(snapshot, 1000), _compile_peak_bytes(snapshot, 4000)
    assert large / small < 5.0, (small, large)
    assert large < 4000 * 40_000  # < 40 kB per bond (≈ 12 kB measured)


def test_context_change_compiles_a_new_problem_and_values_must_match(optimiser):
    n = len(optimiser.universe)
    s = OptimSettings(turnover_cost_bp=3.0)
    a = optimiser.solve(s, current_weights=holdings(n, 3))
    first = optimiser.problem
    b = optimiser.solve(s, current_weights=holdings(n, 4))
    assert optimiser.problem is not first  # new holdings: another compiled problem
    optimiser.solve(s, current_weights=holdings(n, 3))
    assert optimiser.problem is first  # back to the first book: re-used, not recompiled
    assert a.turnover != b.turnover
    values, _ = optimiser.parameter_values(s, holdings(n, 4), None)
    with pytest.raises(ValueError, match="another compiled problem"):
        assign(first, values)
    # the same book valued in another base currency (weights equal but for the last bits): no recompile
    w = holdings(n, 3) * 0.7913
    again = optimiser.solve(s, current_weights=w / w.sum())
    assert optimiser.problem is first
    assert again.objective_pct == pytest.approx(a.objective_pct, abs=1e-9)
