"""The live optimiser: compile once per universe, then only set parameter values and re-solve.

    opt = Optimiser(OptimInputs.from_snapshot(snapshot))       # builds the risk model + problem
    sol = opt.solve(settings, current_weights=w0, allowed=mask)  # Solution, or raises Infeasible
    opt.frontier(settings, caps=[...])                         # DataFrame (frontier.py)

Every solve checks the status: ``optimal_inaccurate`` is accepted with a warning in
``Solution.warnings``; a solver failure falls back to the next solver (Clarabel → SCS); an
infeasible request is diagnosed by the elastic problem (explain.py) and raised as
:class:`~desktop.optim.errors.Infeasible` naming the smallest relaxation. cvxpy is not
thread-safe: use one ``Optimiser`` from one worker thread at a time.
"""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np
import pandas as pd

from desktop.optim import explain
from desktop.optim.errors import Infeasible, SolverFailed
from desktop.optim.inputs import OptimInputs
from desktop.optim.problem import BIG, LadderProblem, benchmark_weights
from desktop.optim.returns import BondArrays, hedged_yield_pct, return_components, rolldown_pct
from desktop.optim.risk import FX_CURRENCIES, RiskModel, build_risk_model
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


class Optimiser:
    """Compiled-once allocation problem for one universe (module doc)."""

    def __init__(self, inputs: OptimInputs, risk: RiskModel | None = None,
                 benchmark_mix: dict[str, float] | None = None) -> None:
        self.inputs = inputs
        self.universe = inputs.universe
        self.risk = risk if risk is not None else build_risk_model(inputs.history)
        self.benchmark = benchmark_weights(self.universe, benchmark_mix or BENCHMARK_MIX)
        self.fresh = LadderProblem(self.universe, self.risk, self.benchmark, turnover=False)
        self._rebalance: LadderProblem | None = None
        self.problem = self.fresh  # the problem of the last solve
        self._elastic: LadderProblem | None = None
        self.bonds = BondArrays.of(self.universe)
        self._rolldown: dict[int, np.ndarray] = {}
        self._hedged: dict[str, np.ndarray] = {}
        self.last_values: dict[str, np.ndarray | float] = {}

    @property
    def rebalance(self) -> LadderProblem:
        """The problem with turnover vs current holdings (compiled on first use)."""
        if self._rebalance is None:
            self._rebalance = LadderProblem(self.universe, self.risk, self.benchmark, turnover=True)
        return self._rebalance

    @property
    def elastic(self) -> LadderProblem:
        if self._elastic is None:
            self._elastic = LadderProblem(self.universe, self.risk, self.benchmark, elastic=True)
        return self._elastic

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
        levels = np.array(self.problem.rung_levels)
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
        values: dict[str, np.ndarray | float] = {
            "mu": (parts := self.return_components(settings))["expected_return_pct"],
            "components": parts,
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
        self.problem = self.rebalance if values["has_current"] else self.fresh
        assign(self.problem, values)
        start = time.perf_counter()
        status, solver, warnings = run_solvers(self.problem.problem)
        elapsed = time.perf_counter() - start
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
        fresh = self.fresh
        y = self.risk.rate_root.T @ (fresh.B.T @ w)
        y_fx = fx_root.T @ (fresh.C.T @ w - w.sum() * base)
        e_te = np.concatenate([self.risk.rate_root.T @ (fresh.B.T @ (w - self.benchmark)),
                               fx_root.T @ (fresh.C.T @ (w - self.benchmark))])
        dur = float(fresh.D @ w)
        us = float((fresh.D * self.bonds.masks.get("US", np.zeros(len(w), bool))) @ w)
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
        w = np.asarray(self.problem.w.value, float)
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

    def frontier(self, settings: OptimSettings, caps: list[float] | np.ndarray | None = None, **kw) -> pd.DataFrame:
        """Trade-off curve over the US cap on this compiled problem (see frontier.py)."""
        from desktop.optim.frontier import us_cap_frontier

        return us_cap_frontier(self, settings, caps, **kw)


def _codes() -> tuple[str, ...]:
    from desktop.markets import MARKET_CODES

    return MARKET_CODES


def assign(problem: LadderProblem, values: dict[str, np.ndarray | float]) -> None:
    """Set the parameters of ``problem`` from ``values``; unchanged ones are skipped (cvxpy validates
    every assignment, which costs more than the comparison)."""
    for name, param in problem.p.items():
        new = values[name]
        old = param.value
        if old is not None and np.shape(old) == np.shape(new) and np.array_equal(old, new):
            continue
        param.value = new


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
