"""Optimisation for the window's worker and the CLI alike: :func:`solve_job` builds a
:class:`SolveJob` from a book and settings, :func:`solve` turns it into a :class:`SolveOutcome`,
:func:`book_tables` turns an outcome into the ALLOC and TRADES tables, :func:`tradeoff_sweep` runs
the trade-off sweeps. cvxpy and the optimiser are imported lazily, inside the functions.

Compiled-optimiser cache: :func:`solve` keeps the last :data:`CACHE_SIZE` compiled problems keyed on
the *content* that enters them (:func:`problem_key`: bond ids and every universe column the
problem reads, the curves, short rates, FX and the history behind the risk model), so two sessions
or two commands with different universes can never share a compiled problem, and the same data
compiles once. cvxpy is not thread-safe: :func:`solve` runs in one thread at a time (the worker).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.controller.book import allocation_table, orders
from desktop.controller.whatif import WhatIf, optim_settings
from desktop.errors import LadderDeskError
from desktop.finance import face_from_values, fx_to_base, hedged_yield_pct, market_values_base

DEFAULT_NOTIONAL = 100_000_000.0  # base ccy, when the book is empty and no notional is given
HELD_BOOK_TURNOVER_COST_BP = 1.0  # with a book held, turnover costs at least this (ties never churn)
MIN_TRADE_FRACTION = 1e-4  # default minimum trade: 0.01 % of the notional


@dataclass(frozen=True)
class SolveJob:
    """Everything the worker needs for one optimisation (immutable; built on the GUI thread)."""

    universe: pd.DataFrame  # the base (unshifted) universe the optimiser is compiled for
    current_weights: np.ndarray  # fractions of market value on the base universe
    whatif: WhatIf
    fx: Mapping[str, float]
    market_value_base: float  # notional the optimised weights are turned into face amounts for
    snapshot: Any
    sweep: bool = False  # also run the US-cap trade-off sweep (slower: one solve per point)
    allowed: np.ndarray | None = None  # bool mask of bonds the optimiser may buy (ladder builder)
    saved_presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name → OptimSettings dict
    settings: Any = None  # OptimSettings to solve (the CLI's); None = from ``whatif`` and the presets
    current_face: np.ndarray | None = None  # the current book (local face per bond), for the trades

    @property
    def optim_settings(self) -> Any:
        """The settings this job solves: explicit ``settings`` or the what-if's, with the held-book rule
        (:func:`book_settings`)."""
        if self.settings is not None:
            return self.settings
        return book_settings(optim_settings(self.whatif, self.saved_presets), self.current_weights)


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
    solution: Any = None  # desktop.optim.solution.Solution (all figures of the optimum); None when none
    error: LadderDeskError | None = None  # why there is no solution (Infeasible names the clash)


SWEEP_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
RISK_SWEEP = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # risk aversions λ of the return-vs-risk sweep
CACHE_SIZE = 2  # compiled problems kept (the window's universe and one more: a CLI run, a reload)
_OPTIMISERS: OrderedDict[str, Any] = OrderedDict()  # problem_key → compiled Optimiser (LRU)
_CACHE_LOCK = threading.Lock()


def book_settings(settings: Any, current_weights: np.ndarray | None) -> Any:
    """The one held-book rule: with a book held, turnover costs at least
    :data:`HELD_BOOK_TURNOVER_COST_BP` bp, so equally good bonds never churn the book."""
    held = current_weights is not None and bool(np.any(np.asarray(current_weights, float) > 0))
    if held and settings.turnover_cost_bp < HELD_BOOK_TURNOVER_COST_BP:
        return replace(settings, turnover_cost_bp=HELD_BOOK_TURNOVER_COST_BP)
    return settings


def allowed_rule(universe: pd.DataFrame, allowed: np.ndarray | None, allow_generic: bool) -> np.ndarray | None:
    """The bonds the optimiser may hold: ``allowed`` (the ladder builder's mask; None = all) and, unless
    ``allow_generic``, only real bonds priced by a quote or inside their curve
    (:func:`desktop.universe.tradable`); None when everything is allowed."""
    from desktop.universe import tradable

    rule = tradable(universe, allow_generic=allow_generic)
    mask = rule if allowed is None else np.asarray(allowed, bool) & rule
    return None if mask.all() else mask


def solve_job(snapshot: Any, universe: pd.DataFrame, current_face: np.ndarray, *, whatif: WhatIf | None = None,
              settings: Any = None, notional_base: float | None = None, allow_generic: bool = False,
              **extra: Any) -> SolveJob:
    """The job for a book: ``current_face`` (local face per universe bond) as weights of its
    market value, the notional = ``notional_base`` or the book's market value or
    :data:`DEFAULT_NOTIONAL`. ``settings`` (OptimSettings) overrides ``whatif``'s. The optimiser
    may buy only real bonds (:func:`allowed_rule`) unless ``allow_generic`` or
    ``whatif.allow_generic`` ("Include curve-implied bonds")."""
    whatif = whatif or WhatIf()
    extra["allowed"] = allowed_rule(universe, extra.get("allowed"), allow_generic or whatif.allow_generic)
    base_ccy = settings.base_ccy if settings is not None else whatif.base_ccy
    fx = fx_to_base(snapshot.fx_usd_per_unit, base_ccy)
    face = np.asarray(current_face, float)
    values = market_values_base(universe, face, fx)
    total = float(values.sum())
    notional = float(notional_base) if notional_base else (total if total > 0 else DEFAULT_NOTIONAL)
    if not (np.isfinite(notional) and notional > 0):
        raise LadderDeskError(f"the book's market value {notional:g} is not a positive finite amount")
    return SolveJob(universe=universe, current_weights=values / notional, whatif=whatif, fx=fx,
                    market_value_base=notional, snapshot=snapshot, settings=settings, current_face=face, **extra)


def problem_key(universe: pd.DataFrame, snapshot: Any) -> str:
    """A digest of everything the compiled problem is built from (see the module docstring)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(pd.util.hash_pandas_object(universe, index=True).to_numpy().tobytes())
    h.update(repr(sorted(universe.columns)).encode())
    for code, curve in sorted(snapshot.curves.items()):
        h.update(f"{code}|{curve.as_of}|{curve.curve_type}".encode())
        h.update(np.asarray(curve.zero_tenors, float).tobytes() + np.asarray(curve.zero_rates, float).tobytes())
    h.update(repr(sorted(snapshot.short_rates_pct.items())).encode())
    h.update(repr(sorted(snapshot.fx_usd_per_unit.items())).encode())
    h.update(pd.util.hash_pandas_object(snapshot.history, index=False).to_numpy().tobytes())
    h.update(str(snapshot.as_of).encode())
    return h.hexdigest()


def _optimiser(job: SolveJob) -> Any:
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.solve import Optimiser

    key = problem_key(job.universe, job.snapshot)
    with _CACHE_LOCK:
        opt = _OPTIMISERS.get(key)
        if opt is not None:
            _OPTIMISERS.move_to_end(key)
            return opt
    opt = Optimiser(OptimInputs.from_snapshot(job.snapshot, job.universe))
    with _CACHE_LOCK:
        _OPTIMISERS[key] = opt
        while len(_OPTIMISERS) > CACHE_SIZE:
            _OPTIMISERS.popitem(last=False)
    return opt


LARGE_UNIVERSE = 2_000  # bonds: above this the sweeps use the coarse grids below
COARSE_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 6), 2))
COARSE_RISK_SWEEP = (0.0, 1.0, 4.0, 16.0)


def sweep_grids(n_bonds: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(US cap/floor levels, risk aversions) of the sweeps for a universe of ``n_bonds`` bonds."""
    if n_bonds > LARGE_UNIVERSE:
        return COARSE_LEVELS, COARSE_RISK_SWEEP
    return SWEEP_LEVELS, RISK_SWEEP


def run_sweep(job: SolveJob) -> pd.DataFrame:
    """The trade-off sweeps of ``job`` on its compiled problem (the worker runs this only when no
    solve is waiting, so the sweeps never delay a slider's answer)."""
    opt = _optimiser(job)
    return tradeoff_sweep(opt, job.optim_settings, np.asarray(job.current_weights, float), job.allowed)


def tradeoff_sweep(opt: Any, settings: Any, w0: np.ndarray, allowed: np.ndarray | None) -> pd.DataFrame:
    """Optimal portfolios across the whole range of US share of duration, on the compiled problem.

    A cap alone only traces the curve *below* the unconstrained optimum's US share (above it the
    cap stops binding), so the sweep also imposes US weight floors: caps 0–100 % then floors
    10–100 % above the settings' own US minimum (each point keeps every other constraint of
    ``settings``, so no point relaxes a limit the PM set). A third sweep moves the risk
    aversion λ over :data:`RISK_SWEEP` (the return-vs-risk frontier of the settings); above
    :data:`LARGE_UNIVERSE` bonds the grids are coarser (:func:`sweep_grids`). Infeasible
    points are skipped. Columns: kind ("cap" | "floor" | "risk_aversion"), level, us_share,
    expected_return_pct, risk_pct.
    """
    from desktop.optim.errors import OptimError

    levels, risk_sweep = sweep_grids(len(w0))
    points = [("cap", lv, replace(settings, us_cap=lv)) for lv in levels]
    own_floor = float(settings.market_min.get("US", 0.0))  # a floor below the PM's own US minimum would relax it
    points += [("floor", lv, replace(settings, us_cap=1.0, market_min={**settings.market_min, "US": lv}))
               for lv in levels[1:] if lv > own_floor]
    points += [("risk_aversion", lam, replace(settings, risk_aversion=lam)) for lam in risk_sweep]
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
    from desktop.optim.inputs import check_universe_size
    from desktop.optim.risk import portfolio_risk_pct

    check_universe_size(len(job.universe))  # before the cache: a bound lowered since still applies
    opt = _optimiser(job)
    settings = job.optim_settings
    w0 = np.asarray(job.current_weights, float)
    risk0 = portfolio_risk_pct(opt.risk, opt.universe, w0, hedged=settings.hedged, base_ccy=settings.base_ccy)
    er0 = float(opt.expected_returns(settings)["expected_return_pct"].to_numpy(float) @ w0)
    start = time.perf_counter()
    try:
        sol = opt.solve(settings, current_weights=w0, allowed=job.allowed)
    except Infeasible as exc:
        return SolveOutcome("infeasible", time.perf_counter() - start, advice=f"Infeasible: {exc}",
                            current_risk_pct=risk0, current_expected_return_pct=er0, error=exc)
    except OptimError as exc:
        return SolveOutcome("failed", time.perf_counter() - start, advice=str(exc),
                            current_risk_pct=risk0, current_expected_return_pct=er0, error=exc)
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
        solution=sol,
    )


@dataclass(frozen=True)
class BookTables:
    alloc: pd.DataFrame  # desktop.controller.book.ALLOC_COLUMNS, the book after the trades
    trades: pd.DataFrame  # desktop.controller.book.TRADE_COLUMNS: the ticket (real bonds only)
    face: np.ndarray  # local face per bond after the trades
    hedges: pd.DataFrame | None = None  # desktop.ticket.HEDGE_COLUMNS for a hedged book; None unhedged
    warnings: tuple[str, ...] = ()  # prices older than 5 business days at the trade date
    generic: tuple[str, ...] = ()  # curve-implied bonds the optimum trades: a ticket refuses them
    trade_date: date | None = None

    def check_ticket(self) -> None:
        """DataError naming the curve-implied bonds when the optimum trades any (no ticket then)."""
        if self.generic:
            from desktop.errors import DataError

            raise DataError("curve-implied generic bonds cannot go on a ticket: " + ", ".join(self.generic[:6])
                            + (f" and {len(self.generic) - 6} more" if len(self.generic) > 6 else ""),
                            field="generic bonds", expected="real bonds only (optimise without 'Include "
                            "curve-implied bonds' / --allow-generic)")


def book_tables(job: SolveJob, outcome: SolveOutcome, *, trade_date: date | None = None,
                min_trade_base: float | None = None, include_zero: bool = False) -> BookTables:
    """ALLOC, the ticket (TRADES) and, for a hedged book, HEDGES of an optimised outcome (the window's
    export and the CLI's files): trades from the job's current book to the optimised faces in whole
    denominations, dropping those worth less than ``min_trade_base`` (default
    :data:`MIN_TRADE_FRACTION` of the notional) and keeping the current holding there; trade date
    defaults to today; hedges per :func:`desktop.ticket.hedge_table`."""
    from desktop.ticket import hedge_table, price_age_warnings

    if outcome.face is None or outcome.weights is None:
        raise outcome.error or LadderDeskError(outcome.advice or "no optimised portfolio to export")
    universe = job.universe
    current = job.current_face if job.current_face is not None else np.zeros(len(universe))
    floor = MIN_TRADE_FRACTION * job.market_value_base if min_trade_base is None else min_trade_base
    day = trade_date or date.today()
    booked = orders(universe, current, outcome.face, job.fx, day, floor)
    sol = outcome.solution
    settings = sol.settings if sol is not None else job.optim_settings
    expected = sol.returns["expected_return_pct"].to_numpy() if sol is not None else np.full(len(universe), np.nan)
    hedged = hedged_yield_pct(universe, job.snapshot.short_rates_pct, settings.base_ccy)
    alloc = allocation_table(universe, outcome.weights, booked.face, expected, hedged, job.fx, include_zero)
    hedges = (hedge_table(booked.trades, job.fx, job.snapshot.short_rates_pct, settings.base_ccy, day)
              if settings.hedged else None)
    traded = booked.face != current
    warnings = price_age_warnings(universe, traded, day)
    if booked.matured:
        warnings += (f"{len(booked.matured)} bond(s) mature before a trade on {day} settles and are left off the "
                     "ticket: " + ", ".join(booked.matured[:6]),)
    return BookTables(alloc, booked.trades, booked.face, hedges, warnings, booked.generic, day)
