"""Optimisation in the worker thread: :class:`SolveJob` in, :class:`SolveOutcome` out
(:func:`solve`), the trade-off sweeps (:func:`tradeoff_sweep`) and the compiled-optimiser cache
(one universe at a time). cvxpy and the optimiser are imported lazily, inside the functions.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from desktop.controller.ladder import face_from_values
from desktop.controller.whatif import WhatIf, optim_settings


@dataclass(frozen=True)
class SolveJob:
    """Everything the worker needs for one optimisation (immutable; built on the GUI thread)."""

    universe: pd.DataFrame  # the base (unshifted) universe the optimiser is compiled for
    current_weights: np.ndarray  # fractions of market value on the base universe
    whatif: WhatIf
    fx: Mapping[str, float]
    market_value_base: float  # notional the optimised weights are turned into face amounts for
    snapshot: Any
    universe_key: int  # identifies the universe the compiled problem belongs to
    sweep: bool = False  # also run the US-cap trade-off sweep (slower: one solve per point)
    allowed: np.ndarray | None = None  # bool mask of bonds the optimiser may buy (ladder builder)
    saved_presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name → OptimSettings dict


@dataclass(frozen=True)
class SolveOutcome:
    status: str
    solve_time_s: float
    face: np.ndarray | None = None  # optimised face amounts (local ccy); None when infeasible
    weights: np.ndarray | None = None
    advice: str = ""  # why there is no solution and the smallest relaxation (infeasible / failed)
    notes: tuple[str, ...] = ()  # solver warnings about the request (e.g. empty rungs)
    binding: tuple[str, ...] = ()
    frontier: pd.DataFrame | None = None  # see tradeoff_sweep
    risk_pct: float | None = None
    current_risk_pct: float | None = None
    expected_return_pct: float | None = None
    current_expected_return_pct: float | None = None


SWEEP_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
RISK_SWEEP = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # risk aversions λ of the return-vs-risk sweep
_OPTIMISERS: dict[int, Any] = {}  # universe_key → compiled Optimiser; touched by the worker thread only


def tradeoff_sweep(opt: Any, settings: Any, w0: np.ndarray, allowed: np.ndarray | None) -> pd.DataFrame:
    """Optimal portfolios across the whole range of US share of duration, on the compiled problem.

    A cap alone only traces the curve *below* the unconstrained optimum's US share (above it the
    cap stops binding), so the sweep also imposes US weight floors: caps 0–100 % then floors
    10–100 % above the settings' own US minimum (each point keeps every other constraint of
    ``settings``, so no point relaxes a limit the PM set). A third sweep moves the risk
    aversion λ over :data:`RISK_SWEEP` (the return-vs-risk frontier of the settings). Infeasible
    points are skipped. Columns: kind ("cap" | "floor" | "risk_aversion"), level, us_share,
    expected_return_pct, risk_pct.
    """
    from desktop.optim.errors import OptimError

    points = [("cap", lv, replace(settings, us_cap=lv)) for lv in SWEEP_LEVELS]
    own_floor = float(settings.market_min.get("US", 0.0))  # a floor below the PM's own US minimum would relax it
    points += [("floor", lv, replace(settings, us_cap=1.0, market_min={**settings.market_min, "US": lv}))
               for lv in SWEEP_LEVELS[1:] if lv > own_floor]
    points += [("risk_aversion", lam, replace(settings, risk_aversion=lam)) for lam in RISK_SWEEP]
    rows = []
    for kind, level, s in points:
        try:
            sol = opt.solve(s, current_weights=w0, allowed=allowed, diagnose=False)
        except OptimError:
            continue
        rows.append({"kind": kind, "level": level, "us_share": sol.us_share,
                     "expected_return_pct": sol.expected_return_pct, "risk_pct": sol.risk_pct})
    frame = pd.DataFrame(rows, columns=["kind", "level", "us_share", "expected_return_pct", "risk_pct"])
    return frame.sort_values("us_share", kind="stable").reset_index(drop=True)


def solve(job: SolveJob) -> SolveOutcome:
    """Optimise in the worker thread: cvxpy is imported here (lazily) and the problem is compiled
    once per universe and cached; infeasible requests come back with the relaxation advice."""
    from desktop.optim.errors import Infeasible, OptimError
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.risk import portfolio_risk_pct
    from desktop.optim.solve import Optimiser

    opt = _OPTIMISERS.get(job.universe_key)
    if opt is None:
        _OPTIMISERS.clear()
        opt = Optimiser(OptimInputs.from_snapshot(job.snapshot, job.universe))
        _OPTIMISERS[job.universe_key] = opt
    settings = optim_settings(job.whatif, job.saved_presets)
    w0 = np.asarray(job.current_weights, float)
    risk0 = portfolio_risk_pct(opt.risk, opt.universe, w0, hedged=settings.hedged, base_ccy=settings.base_ccy)
    er0 = float(opt.expected_returns(settings)["expected_return_pct"].to_numpy(float) @ w0)
    start = time.perf_counter()
    try:
        sol = opt.solve(settings, current_weights=w0, allowed=job.allowed)
    except Infeasible as exc:
        return SolveOutcome("infeasible", time.perf_counter() - start, advice=f"Infeasible: {exc}",
                            current_risk_pct=risk0, current_expected_return_pct=er0)
    except OptimError as exc:
        return SolveOutcome("failed", time.perf_counter() - start, advice=str(exc),
                            current_risk_pct=risk0, current_expected_return_pct=er0)
    w = sol.weights.to_numpy(float)
    frontier = None
    if job.sweep:
        frontier = tradeoff_sweep(opt, settings, w0, job.allowed)
    return SolveOutcome(
        status=sol.status,
        solve_time_s=sol.solve_time_s,
        face=face_from_values(job.universe, w * job.market_value_base, job.fx),
        weights=w,
        notes=tuple(sol.warnings),
        binding=tuple(b.text for b in sol.binding),
        frontier=frontier,
        risk_pct=sol.risk_pct,
        current_risk_pct=risk0,
        expected_return_pct=sol.expected_return_pct,
        current_expected_return_pct=er0,
    )
