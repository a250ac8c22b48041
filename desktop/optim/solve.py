"""The live optimiser: compile once per universe (and context), then only set parameter values and re-solve.

    opt = Optimiser(OptimInputs.from_snapshot(snapshot))       # builds the risk model + problem
    sol = opt.solve(settings, current_weights=w0, allowed=mask)  # Solution, or raises Infeasible

A problem is compiled per universe and *context* (the allowed mask, current holdings and the horizon's
roll-down are its constants, problem.py): every slider — targets, caps, limits, λ, views, FX views,
hedging, base currency — is a parameter, so a move re-solves without recompiling, and a compile is
linear in the number of bonds. The last :data:`KEEP_COMPILED` problems of each kind are kept.

Every solve checks the status: ``optimal_inaccurate`` is accepted with a warning in
``Solution.warnings``; a solver failure falls back to the next solver (Clarabel → SCS); an
infeasible request is diagnosed by the elastic problem (explain.py) and raised as
:class:`~desktop.optim.errors.Infeasible` naming the smallest relaxation. cvxpy is not
thread-safe: use one ``Optimiser`` from one worker thread at a time.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import cvxpy as cp
import numpy as np
import pandas as pd

from desktop.optim import explain
from desktop.optim.direct import DirectClarabel, DirectMismatch
from desktop.optim.errors import Infeasible, SolverFailed
from desktop.optim.inputs import OptimInputs
from desktop.optim.problem import BIG, Context, LadderProblem, benchmark_weights, convexity_monomials
from desktop.optim.returns import BondArrays, hedged_yield_pct, return_components, rolldown_pct
from desktop.optim.risk import FX_CURRENCIES, RiskModel, build_risk_model, currency_matrix, rate_exposures
from desktop.optim.settings import BENCHMARK_MIX, OptimSettings
from desktop.optim.solution import Binding, Figures, Solution  # noqa: F401  (re-exported)

SOLVERS: tuple[str, ...] = ("CLARABEL", "SCS")
# presolve off lets cvxpy hand Clarabel new data via ``solver.update`` (same sparsity pattern: no
# re-allocation or re-ordering of the KKT system) on every parametric re-solve; tolerances default.
# SCS (first-order, the fallback) is tightened from its 1e-4 default so a fallback answer agrees
# with Clarabel's to well under 0.1 bp of objective.
SOLVER_OPTS: dict[str, dict[str, object]] = {
    "CLARABEL": {"presolve_enable": False},
    "SCS": {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iters": 200_000},
}
WEIGHT_FLOOR = 1e-7  # weights below this are reported as 0 (well inside the solver tolerance)
OK = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)
INFEASIBLE = (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE)
KINDS = ("fresh", "rebalance", "elastic")
# Compiled problems kept per kind: a new mask, holdings or horizon compiles a new one (linear in N,
# problem.py), and going back to one of the last two re-uses it. Memory per problem is linear in N.
KEEP_COMPILED = 2
EXACT_STEPS_MAX_SOLVE_S = 0.5  # slower solves report binding limits at the marginal rate (explain.py)


class Optimiser:
    """Compiled-once allocation problem for one universe (module doc)."""

    def __init__(self, inputs: OptimInputs, risk: RiskModel | None = None,
                 benchmark_mix: dict[str, float] | None = None) -> None:
        self.inputs = inputs
        self.universe = inputs.universe
        self.risk = risk if risk is not None else build_risk_model(inputs.history, fx_history=inputs.fx_history)
        self.benchmark = benchmark_weights(self.universe, benchmark_mix or BENCHMARK_MIX)
        self.B = rate_exposures(self.universe)
        self.C = currency_matrix(self.universe)
        self.D = self.universe["mod_duration"].to_numpy(float)
        self.rung_levels = sorted(int(r) for r in np.unique(self.universe["rung"].to_numpy(int)))
        # compiled problems by kind ("fresh" | "rebalance" | "elastic") and context key, newest last
        self._compiled: dict[str, OrderedDict[tuple, LadderProblem]] = {k: OrderedDict() for k in KINDS}
        self.problem: LadderProblem | None = None  # the problem of the last solve
        self.bonds = BondArrays.of(self.universe)
        self._rolldown: dict[int, np.ndarray] = {}
        self._hedged: dict[str, np.ndarray] = {}
        self.last_values: dict[str, np.ndarray | float] = {}

    def compiled(self, kind: str, values: dict | None = None) -> LadderProblem:
        """The problem of ``kind`` for the context of ``values`` (the last solve's when None; everything
        allowed from cash when there was none), compiled on first use and kept (:data:`KEEP_COMPILED`)."""
        values = values if values is not None else self.last_values
        n = len(self.universe)
        mask = np.asarray(values.get("allowed", np.ones(n)), float)
        w0 = np.asarray(values.get("w0", np.zeros(n)), float) if kind != "fresh" else None
        fixed = np.asarray(values.get("fixed_return", np.zeros(n)), float) if kind != "elastic" else None
        context = Context(mask, w0, fixed)
        cache = self._compiled[kind]
        prob = cache.get(context.key)
        if prob is None:
            prob = LadderProblem(self.universe, self.risk, self.benchmark, elastic=kind == "elastic",
                                 turnover=kind != "fresh", context=context)
            cache[context.key] = prob
            while len(cache) > KEEP_COMPILED:
                cache.popitem(last=False)
        cache.move_to_end(context.key)
        return prob

    @property
    def fresh(self) -> LadderProblem:
        """The problem without turnover (starting from cash) for the last solve's context."""
        return self.compiled("fresh")

    @property
    def rebalance(self) -> LadderProblem:
        """The problem with turnover vs current holdings for the last solve's context."""
        return self.compiled("rebalance")

    @property
    def elastic(self) -> LadderProblem:
        """The elastic (diagnosis) problem for the last solve's mask and holdings."""
        return self.compiled("elastic")

    def return_components(self, settings: OptimSettings) -> dict[str, np.ndarray]:
        """Per-bond return components (% over the horizon; returns.py), roll-down cached per horizon."""
        if settings.horizon_months not in self._rolldown:
            self._rolldown[settings.horizon_months] = rolldown_pct(self.inputs, settings.horizon_years)
        return return_components(self.bonds, settings, self._rolldown[settings.horizon_months],
                                 self.hedged_yield_pct(settings.base_ccy) if settings.hedged else None)

    def expected_returns(self, settings: OptimSettings) -> pd.DataFrame:
        """:meth:`return_components` as a DataFrame on the universe index."""
        return pd.DataFrame(self.return_components(settings), index=self.universe.index)

    def hedged_yield_pct(self, base_ccy: str) -> np.ndarray:
        """Per-bond FX-hedged yield (%) in ``base_ccy`` (cached)."""
        if base_ccy not in self._hedged:
            self._hedged[base_ccy] = hedged_yield_pct(self.bonds, self.inputs.short_rates_pct, base_ccy)
        return self._hedged[base_ccy]

    def allowed_mask(self, settings: OptimSettings, allowed: np.ndarray | None = None) -> np.ndarray:
        """Bonds the optimiser may hold: the caller's mask ∩ the ladder's rung range (ladder on)."""
        mask = np.ones(len(self.universe), bool) if allowed is None else np.asarray(allowed, bool).copy()
        if settings.ladder_on:
            rung = self.universe["rung"].to_numpy(int)
            mask &= (rung >= settings.rungs[0]) & (rung <= settings.rungs[1])
        return mask

    def parameter_values(self, settings: OptimSettings, current_weights: np.ndarray | None,
                         allowed: np.ndarray | None) -> tuple[dict[str, np.ndarray | float], list[str]]:
        """Every parameter's value for ``settings`` (+ warnings about the request)."""
        notes: list[str] = []
        mask = self.allowed_mask(settings, allowed)
        rung_of = self.universe["rung"].to_numpy(int)
        levels = np.array(self.rung_levels)
        r_lo, r_hi = np.zeros(len(levels)), np.full(len(levels), BIG)
        if settings.ladder_on:
            wanted = range(settings.rungs[0], settings.rungs[1] + 1)
            filled = [r for r in wanted if mask[rung_of == r].any()]
            missing = [r for r in wanted if r not in filled]
            if missing:
                notes.append("no eligible bond on rung(s) " + ", ".join(f"{r}y" for r in missing)
                             + f"; the ladder target is split over the {len(filled)} filled rungs")
            if filled:
                target = 1.0 / len(filled)
                tol = float(settings.rung_tolerance or 0.0)
                on = np.isin(levels, filled)
                r_lo[on], r_hi[on] = max(target - tol, 0.0), target + tol
        fx_root = np.zeros((4, 4)) if settings.hedged else self.risk.fx_root
        w0 = np.zeros(len(self.universe)) if current_weights is None else np.asarray(current_weights, float)
        has_current = current_weights is not None and float(np.abs(w0).sum()) > 0
        h = settings.horizon_years
        parts = self.return_components(settings)
        rates = self.inputs.short_rates_pct
        if settings.hedged:  # carry of the FX forward: h·(r_base − r_ccy)
            ccy_carry = np.array([h * (rates[settings.base_ccy] - rates.get(c, 0.0)) for c in FX_CURRENCIES])
        else:  # the PM's FX view against the base (0 for the base itself)
            ccy_carry = np.array([0.0 if c == settings.base_ccy else float(settings.fx_view_pct.get(c, 0.0))
                                  for c in FX_CURRENCIES])
        key_bp = np.array([settings.view(c).at_key_tenors() for c in _codes()])
        values: dict[str, np.ndarray | float] = {
            "mu": parts["expected_return_pct"],
            "components": parts,
            # μ = fixed_return + C·ccy_carry + B·view_key + Q·view_conv (problem.py)
            "fixed_return": self.bonds.yield_pct * h + self._rolldown[settings.horizon_months],
            "ccy_carry": ccy_carry,
            "view_key": key_bp.ravel() / 100.0,
            "view_conv": convexity_monomials(key_bp),
            "max_weight": settings.max_weight,
            "ub": settings.max_weight * mask.astype(float),
            "allowed": mask.astype(float),
            "w0": w0,
            "d_lo": settings.target_duration - settings.duration_band,
            "d_hi": settings.target_duration + settings.duration_band,
            "us_cap": settings.us_cap,
            "m_lo": np.array([settings.market_min.get(c, 0.0) for c in _codes()]),
            "m_hi": np.array([settings.market_max.get(c, 1.0) for c in _codes()]),
            "r_lo": r_lo,
            "r_hi": r_hi,
            "has_current": has_current,
            "turnover_max": settings.turnover_max if (has_current and settings.turnover_max is not None) else BIG,
            "turnover_cost": settings.turnover_cost_bp / 100.0 if has_current else 0.0,
            "risk_weight": settings.risk_aversion * settings.horizon_years * 100.0,
            "fx_root": fx_root,
            "fx_base": fx_root.T @ (np.array(FX_CURRENCIES) == settings.base_ccy).astype(float),
            "te_max": settings.te_max_pct / 100.0 if settings.te_max_pct is not None else BIG,
        }
        return values, notes

    def solve(self, settings: OptimSettings, *, current_weights: np.ndarray | None = None,
              allowed: np.ndarray | None = None, diagnose: bool = True) -> Solution:
        """Optimal weights for ``settings``; raises Infeasible (with relaxations) or SolverFailed.

        ``current_weights``: current holdings as fractions of the target market value (turnover is
        measured against them; None = starting from cash, no turnover limit or cost); ``allowed``:
        bool mask of bonds that may be held; ``diagnose=False`` skips the elastic diagnosis (sweeps).
        """
        settings.validate()
        values, notes = self.parameter_values(settings, current_weights, allowed)
        self.last_values = values
        self.problem = self.compiled("rebalance" if values["has_current"] else "fresh", values)
        assign(self.problem, values)
        start = time.perf_counter()
        status, solver, warnings = solve_compiled(self.problem)
        elapsed = time.perf_counter() - start
        # explain.py re-solves once per binding limit for the exact gain of its step: only while a solve
        # is quick (a 20,000-bond window solve takes ~2 s: eight limits would make it ~20 s a move)
        values["explain_steps"] = diagnose and elapsed <= EXACT_STEPS_MAX_SOLVE_S
        if status in INFEASIBLE:
            if not diagnose:
                raise Infeasible("no allocation meets every constraint at these settings (not diagnosed)")
            raise explain.diagnose(self, settings, values)
        if status not in OK:
            raise SolverFailed(f"the solvers could not solve this request (last status: {status}); "
                               "try fewer constraints or a wider duration band")
        return self._solution(settings, values, status, solver, elapsed, notes + warnings)

    def evaluate(self, settings: OptimSettings, weights: np.ndarray) -> Figures:
        """Figures of any weights (e.g. the current portfolio) under ``settings``' model."""
        w = np.asarray(weights, float)
        mu = self.return_components(settings)["expected_return_pct"]
        fx_root = np.zeros((4, 4)) if settings.hedged else self.risk.fx_root
        base = (np.array(FX_CURRENCIES) == settings.base_ccy).astype(float)
        y = self.risk.rate_root.T @ (self.B.T @ w)
        y_fx = fx_root.T @ (self.C.T @ w - w.sum() * base)
        e_te = np.concatenate([self.risk.rate_root.T @ (self.B.T @ (w - self.benchmark)),
                               fx_root.T @ (self.C.T @ (w - self.benchmark))])
        dur = float(self.D @ w)
        us = float((self.D * self.bonds.masks.get("US", np.zeros(len(w), bool))) @ w)
        return Figures(
            expected_return_pct=float(mu @ w),
            variance=float(y @ y + y_fx @ y_fx),
            tracking_error_pct=100.0 * float(np.linalg.norm(e_te)),
            duration=dur,
            us_share=us / dur if dur > 0 else 0.0,
            hedged_yield_pct=float(self.hedged_yield_pct(settings.base_ccy) @ w),
            yield_pct=float(self.bonds.yield_pct @ w),
            market_weights=pd.Series({c: float(w[self.bonds.masks[c]].sum()) if c in self.bonds.masks else 0.0
                                      for c in _codes()}),
        )

    def _solution(self, settings: OptimSettings, values: dict, status: str, solver: str, elapsed: float,
                  warnings: list[str]) -> Solution:
        u = self.universe
        w = self.problem.weights()
        w = np.where(w < WEIGHT_FLOOR, 0.0, w)  # interior-point dust: not a position
        w = w / w.sum()
        f = self.evaluate(settings, w)
        turnover = float(np.abs(w - values["w0"]).sum()) if values["has_current"] else 0.0
        penalty = float(values["risk_weight"]) * f.variance
        cost = float(values["turnover_cost"]) * turnover if values["has_current"] else 0.0
        return Solution(
            weights=pd.Series(w, index=u.index, name="weight"),
            status=status, solver=solver, solve_time_s=elapsed,
            objective_pct=f.expected_return_pct - penalty - cost,
            expected_return_pct=f.expected_return_pct,
            risk_pct=f.risk_pct,
            risk_penalty_pct=penalty,
            turnover=turnover,
            turnover_cost_pct=cost,
            tracking_error_pct=f.tracking_error_pct,
            duration=f.duration,
            us_share=f.us_share,
            hedged_yield_pct=f.hedged_yield_pct,
            yield_pct=f.yield_pct,
            binding=explain.binding(self, settings, values),
            returns=pd.DataFrame(values["components"], index=u.index),
            settings=settings,
            warnings=tuple(warnings),
            market_weights=f.market_weights,
        )


def _codes() -> tuple[str, ...]:
    from desktop.markets import MARKET_CODES

    return MARKET_CODES


def assign(problem: LadderProblem, values: dict[str, np.ndarray | float]) -> None:
    """Set the parameters of ``problem`` from ``values``; unchanged ones are skipped (cvxpy validates
    every assignment, which costs more than the comparison).

    ``values`` must belong to the problem's context (its mask, holdings and fixed return: a
    ``ValueError`` otherwise; :meth:`Optimiser.compiled` picks the right problem). The max-weight
    parameter is read off ``values["ub"]`` (= max weight × mask), so a caller moving ``ub`` by a
    multiple of the mask (explain.py's +1 pt step) moves the compiled limit.
    """
    if not problem.matches(values):
        raise ValueError("these parameter values belong to another compiled problem (mask, holdings or "
                         "horizon differ): get it with Optimiser.compiled(kind, values)")
    for name, param in problem.p.items():
        new = max_weight_of(values) if name == "max_weight" else values[name]
        old = param.value
        if old is not None and np.shape(old) == np.shape(new) and np.array_equal(old, new):
            continue
        param.value = new


def max_weight_of(values: dict[str, np.ndarray | float]) -> float:
    """The scalar max weight behind ``values["ub"]`` (ub = max weight × allowed; 0 when nothing is allowed)."""
    ub = np.asarray(values["ub"], float)
    allowed = np.asarray(values["allowed"], float) > 0
    if not allowed.any():
        return float(values.get("max_weight", 0.0))
    top = float(ub[allowed].max())
    if float(np.abs(ub - top * allowed).max()) > 1e-12:
        raise ValueError("ub must be one max weight times the allowed mask (the compiled problem holds the "
                         "mask as a constant)")
    return top


def solve_compiled(prob: LadderProblem) -> tuple[str, str, list[str]]:
    """Solve a compiled allocation problem for its parameters' current values; (status, solver, warnings).

    Clarabel first, through the direct re-solve (direct.py: cvxpy's tensors applied straight to one
    resident solver, the same answer without cvxpy's per-call reshaping and inversion); read the
    answer with ``prob.weights() / objective_value() / dual(name)``. Falls back to cvxpy's own
    ``solve`` (:func:`run_solvers`) for the elastic problem, when the direct path cannot be built for
    this problem (``prob.direct.why``), and for the next solvers when Clarabel fails.
    """
    prob.result = None
    solvers = SOLVERS
    warnings: list[str] = []
    if not prob.elastic and solvers[:1] == ("CLARABEL",):
        try:
            if prob.direct is None:
                prob.direct = DirectClarabel(prob.problem, {"w": prob.w}, dict(prob.cons), SOLVER_OPTS["CLARABEL"])
            if prob.direct.ok:
                result = prob.direct.solve()
                if result.status in OK or result.status in INFEASIBLE:
                    prob.result = result
                    if result.status == cp.OPTIMAL_INACCURATE:
                        warnings.append("CLARABEL reports an inaccurate solution (optimal_inaccurate): "
                                        "figures are approximate")
                    return result.status, "CLARABEL", warnings
                warnings.append(f"CLARABEL returned {result.status}; fell back")
                solvers = solvers[1:]
        except DirectMismatch as exc:  # a cvxpy that reduces differently: cvxpy's own path from now on
            prob.direct.ok, prob.direct.why = False, str(exc)
        except Exception as exc:  # noqa: BLE001 - e.g. a solver panic on update: cvxpy's path, next solver
            prob.direct.ok, prob.direct.why = False, f"{type(exc).__name__}: {exc}"
            warnings.append(f"CLARABEL failed ({str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__}); "
                            "fell back")
            solvers = solvers[1:]
    if not solvers:
        return "solver_error", "CLARABEL", warnings
    status, used, more = run_solvers(prob.problem, solvers)
    return status, used, warnings + more


def run_solvers(problem: cp.Problem, solvers: tuple[str, ...] | None = None) -> tuple[str, str, list[str]]:
    """Solve with the first solver that returns a usable status; (status, solver, warnings)."""
    solvers = SOLVERS if solvers is None else solvers
    warnings: list[str] = []
    status, used = "solver_error", ""
    for solver in solvers:
        used = solver
        try:
            problem.solve(solver=solver, warm_start=True, **SOLVER_OPTS.get(solver, {}))
            status = str(problem.status)
        except cp.error.SolverError as exc:  # try the next solver
            warnings.append(f"{solver} failed ({str(exc).splitlines()[0][:80]}); fell back")
            status = "solver_error"
            continue
        if status in OK or status in INFEASIBLE:
            break
        warnings.append(f"{solver} returned {status}; fell back")
    if status == cp.OPTIMAL_INACCURATE:
        warnings.append(f"{used} reports an inaccurate solution (optimal_inaccurate): figures are approximate")
    return status, used, warnings
