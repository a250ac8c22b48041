"""The direct re-solve (desktop/optim/direct.py) against cvxpy's own ``problem.solve`` on the same problem.

The reference is cvxpy's full path (its Clarabel interface, its inversion into variables and duals):
every move of a sequence that changes each kind of data — P (λ), A (US cap, hedging's FX block),
b (duration band, market bounds), q (views) — must give the same status, objective, weights and the
duals the binding-limit explanations read, on the bundled universe and random ones, from cash and
with holdings and turnover.
"""

from __future__ import annotations

from dataclasses import replace

import cvxpy as cp
import numpy as np
import pytest

import desktop.optim.direct as direct_mod
from desktop.optim.inputs import OptimInputs
from desktop.optim.settings import CurveView, OptimSettings
from desktop.optim.solve import INFEASIBLE, OK, SOLVER_OPTS, Optimiser, assign, solve_compiled
from desktop.universe import synthetic_universe

DUALS_READ = ("duration_max", "duration_min", "us_cap", "market_max", "market_min", "max_weight",
              "rung_min", "rung_max", "turnover_max", "te_max")


def moves(base: OptimSettings, rng: np.random.Generator, count: int) -> list[OptimSettings]:
    """Random slider moves around ``base``: each changes a different part of the solver's data."""
    out = []
    for i in range(count):
        kind = i % 5
        s = base
        if kind == 0:
            s = replace(s, risk_aversion=float(rng.uniform(0.2, 4.0)))  # P
        elif kind == 1:
            s = replace(s, us_cap=float(rng.uniform(0.3, 0.9)))  # A (us_cap · d)
        elif kind == 2:
            s = replace(s, target_duration=float(rng.uniform(4.5, 7.5)), duration_band=float(rng.uniform(0.1, 0.6)))
        elif kind == 3:
            s = replace(s, views={"US": CurveView(parallel_bp=float(rng.uniform(-50, 50))),
                                  "JP": CurveView(slope_bp=float(rng.uniform(-30, 30)))})  # q
        else:
            s = replace(s, hedged=not s.hedged, market_max={"JP": float(rng.uniform(0.2, 0.6))})
        out.append(s)
    return out


def cvxpy_reference(prob) -> tuple[str, float | None, np.ndarray | None, dict]:
    """cvxpy's own solve of the compiled problem at its current parameter values."""
    prob.problem.solve(solver="CLARABEL", **SOLVER_OPTS["CLARABEL"])
    status = str(prob.problem.status)
    if status not in OK:
        return status, None, None, {}
    duals = {k: np.asarray(prob.cons[k].dual_value, float) for k in DUALS_READ if k in prob.cons}
    return status, float(prob.problem.value), np.asarray(prob.w.value, float), duals


def check_sequence(opt: Optimiser, settings: list[OptimSettings], current: np.ndarray | None) -> int:
    solved = 0
    for s in settings:
        values, _ = opt.parameter_values(s, current, None)
        prob = opt.compiled("rebalance" if values["has_current"] else "fresh", values)
        assign(prob, values)
        status, solver, _ = solve_compiled(prob)
        assert prob.direct is not None and prob.direct.ok, prob.direct.why if prob.direct else "not built"
        assert prob.result is not None and solver == "CLARABEL"
        ours_value, ours_w = prob.objective_value(), prob.weights()
        ours_duals = {k: prob.dual(k) for k in DUALS_READ if k in prob.cons}
        ref_status, ref_value, ref_w, ref_duals = cvxpy_reference(prob)
        assert status == ref_status
        if status in INFEASIBLE:
            continue
        solved += 1
        assert ours_value == pytest.approx(ref_value, rel=1e-8, abs=1e-9)
        np.testing.assert_allclose(ours_w, ref_w, atol=1e-6)
        allowed = np.asarray(values["allowed"], float) > 0
        for k, ref in ref_duals.items():
            ours = np.asarray(ours_duals[k], float)
            assert ours.shape == ref.shape, k
            if k == "max_weight":  # bonds outside the mask have w ≤ 0 and w ≥ 0 both tight: their split is arbitrary
                ours, ref = ours[allowed], ref[allowed]
            np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-6 * max(1.0, float(np.abs(ref).max())), err_msg=k)
    return solved


def test_direct_equals_cvxpy_on_the_bundled_universe(inputs):
    opt = Optimiser(inputs)
    rng = np.random.default_rng(11)
    base = OptimSettings(te_max_pct=4.0)
    assert check_sequence(opt, moves(base, rng, 15), None) >= 10
    n = len(opt.universe)
    book = rng.random(n) * (rng.random(n) < 0.3)
    book /= book.sum()
    with_turnover = replace(base, turnover_cost_bp=2.0, turnover_max=1.8)
    assert check_sequence(opt, moves(with_turnover, rng, 15), book) >= 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_direct_equals_cvxpy_on_random_universes(snapshot, seed):
    universe = synthetic_universe(150, seed=seed, snapshot=snapshot)
    opt = Optimiser(OptimInputs.from_snapshot(snapshot, universe))
    rng = np.random.default_rng(seed)
    book = rng.random(len(universe))
    book /= book.sum()
    base = OptimSettings(turnover_cost_bp=1.0, rung_tolerance=0.1, max_weight=0.2)
    assert check_sequence(opt, moves(base, rng, 12), book) >= 6


def test_optimiser_solutions_equal_the_cvxpy_path(inputs, monkeypatch):
    """The whole Solution (weights, figures, binding limits with their re-solved gains) is the same with
    the direct path as with cvxpy's: the second optimiser is forced onto cvxpy's path."""
    settings = [OptimSettings(views={"US": CurveView(parallel_bp=-60)}, us_cap=0.2, rung_tolerance=0.08),
                OptimSettings(te_max_pct=3.0, hedged=False, risk_aversion=3.0, rung_tolerance=0.08, us_cap=0.4)]
    direct = [Optimiser(inputs).solve(s) for s in settings]

    class Unavailable(direct_mod.DirectClarabel):
        def _build(self, primal, dual):  # noqa: ANN001, ANN202
            return "forced off for the test"

    monkeypatch.setattr("desktop.optim.solve.DirectClarabel", Unavailable)
    opt = Optimiser(inputs)
    via_cvxpy = [opt.solve(s) for s in settings]
    assert opt.problem.direct is not None and not opt.problem.direct.ok and opt.problem.result is None
    for a, b in zip(direct, via_cvxpy, strict=True):
        assert a.objective_pct == pytest.approx(b.objective_pct, abs=1e-6)  # 1e-4 bp: the solver's tolerance
        np.testing.assert_allclose(a.weights.to_numpy(), b.weights.to_numpy(), atol=1e-6)
        assert [x.constraint for x in a.binding] == [x.constraint for x in b.binding]
        np.testing.assert_allclose([x.shadow_bp for x in a.binding], [x.shadow_bp for x in b.binding], atol=1e-4)


def test_data_that_differs_from_cvxpys_falls_back_to_cvxpy(inputs, monkeypatch):
    """A direct path whose data disagree with cvxpy's apply_parameters is switched off, and the answer
    is cvxpy's own."""
    reference = Optimiser(inputs).solve(OptimSettings())
    original = direct_mod._Placed.values

    def skewed(self, theta):  # noqa: ANN001, ANN202
        data, vec = original(self, theta)
        return data * 1.001, vec

    monkeypatch.setattr(direct_mod._Placed, "values", skewed)
    opt = Optimiser(inputs)
    sol = opt.solve(OptimSettings())
    assert not opt.problem.direct.ok and "differs from cvxpy" in opt.problem.direct.why
    assert sol.objective_pct == pytest.approx(reference.objective_pct, abs=1e-9)


def test_a_clarabel_failure_falls_back_to_the_next_solver(inputs, monkeypatch):
    opt = Optimiser(inputs)
    opt.solve(OptimSettings())

    def failing(self):  # noqa: ANN001, ANN202
        return direct_mod.DirectResult(cp.SOLVER_ERROR, float("nan"), {}, {}, 0, 0.0)

    monkeypatch.setattr(direct_mod.DirectClarabel, "solve", failing)
    sol = opt.solve(OptimSettings(risk_aversion=2.0))
    assert sol.solver == "SCS"
    assert any("CLARABEL returned solver_error; fell back" in w for w in sol.warnings)


def test_an_infeasible_request_is_diagnosed_through_the_direct_path(inputs):
    from desktop.optim.errors import Infeasible

    opt = Optimiser(inputs)
    with pytest.raises(Infeasible) as err:
        opt.solve(OptimSettings(target_duration=6.0, duration_band=0.1, us_cap=0.05,
                                market_max={"JP": 0.05, "AU": 0.05, "UK": 0.05}))
    assert opt.problem.result is not None and opt.problem.result.status in INFEASIBLE
    assert err.value.relaxations
