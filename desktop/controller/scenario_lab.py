"""The Scenarios tab's computation, off the GUI thread: one immutable :class:`ScenarioJob` in, one
immutable :class:`ScenarioResult` out (:func:`run_scenarios`), run on the app's worker like a solve.

For the job's portfolios (``current`` and, when there is one, ``optimised``: local face per bond)
it computes the scenario grid over every scenario (:func:`desktop.scenarios.grid.scenario_grid`)
and, for the selected scenario, the series its bar chart shows: P&L by rung, the return to the
scenario's horizon split by component (hedged or unhedged) or the coupon income of the ladder
rolled forward ten years (:mod:`desktop.scenarios.horizon`). The shocked curves of the selected
scenario come along for the Curves view.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

CHART_RUNG, CHART_HORIZON, CHART_ROLL = "rung", "horizon", "roll"
ROLL_YEARS = 10


@dataclass(frozen=True, eq=False)
class ScenarioJob:
    universe: pd.DataFrame
    snapshot: Any
    base_ccy: str
    scenarios: tuple[Any, ...]  # desktop.scenarios.model.Scenario
    portfolios: Mapping[str, np.ndarray]  # name → local face per universe bond
    selected: int = 0
    chart: str = CHART_RUNG
    measure: str = "hedged"  # grid measure the rung bars show (and hedged vs unhedged horizon)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    job: ScenarioJob
    grid: Any  # desktop.scenarios.grid.ScenarioGrid
    ms_per_scenario: float
    series: Mapping[str, pd.Series]  # the selected scenario's bars: portfolio → values by label
    title: str
    x_label: str
    value_label: str  # "P&L" | "coupon income"
    curves: Mapping[str, Any]  # the selected scenario's shocked curves, markets it leaves alone omitted


_ENGINES: list[tuple[Any, Any, str, Any]] = []  # (universe, snapshot, base, engine): the last two built
_LOCK = threading.Lock()


def _engine(universe: pd.DataFrame, snapshot: Any, base: str) -> Any:
    from desktop.scenarios.revalue import MarketState, ScenarioEngine

    with _LOCK:
        for u, s, b, engine in _ENGINES:
            if u is universe and s is snapshot and b == base:
                return engine
    engine = ScenarioEngine.build(universe, MarketState.from_snapshot(snapshot, base))
    with _LOCK:
        _ENGINES.insert(0, (universe, snapshot, base, engine))
        del _ENGINES[2:]
    return engine


def run_scenarios(job: ScenarioJob) -> ScenarioResult:
    """The grid for every scenario and the selected scenario's chart series (module docstring)."""
    from desktop.scenarios.grid import scenario_grid
    from desktop.scenarios.horizon import COMPONENTS, horizon_return, roll_forward

    if not job.scenarios:
        raise ValueError("no scenarios to run")
    for name, face in job.portfolios.items():
        if len(face) != len(job.universe):
            raise ValueError(f"portfolio {name!r} has {len(face)} holdings for {len(job.universe)} bonds")
    engine = _engine(job.universe, job.snapshot, job.base_ccy)
    start = time.perf_counter()
    grid = scenario_grid(engine, list(job.scenarios), dict(job.portfolios))
    ms = (time.perf_counter() - start) * 1e3 / len(job.scenarios)
    selected = min(max(job.selected, 0), len(job.scenarios) - 1)
    sc = job.scenarios[selected]
    if job.chart == CHART_HORIZON:
        hedged = job.measure not in ("unhedged", "fx")
        cols = [*COMPONENTS, "total"]
        series = {p: horizon_return(engine, f, sc, hedged=hedged).loc["Total", cols]
                  for p, f in job.portfolios.items()}
        title = f"Return to {sc.horizon_months}-month horizon ({'hedged' if hedged else 'unhedged'})"
        x_label, value_label = "component", "P&L"
    elif job.chart == CHART_ROLL:
        rolls = {p: roll_forward(engine, f, sc, years=ROLL_YEARS) for p, f in job.portfolios.items()}
        dur = rolls["current"]["mod_duration"] if "current" in rolls else next(iter(rolls.values()))["mod_duration"]
        series = {p: r["income_base"].iloc[1:].set_axis([f"Y{y}" for y in r.index[1:]]) for p, r in rolls.items()}
        title = f"Income per year, rolled at the far rung (duration {dur.iloc[0]:.2f} → {dur.iloc[-1]:.2f} y)"
        x_label, value_label = "year", "coupon income"
    else:
        series = {p: grid.rung_bars(p, sc.name, job.measure) for p in grid.portfolios}
        title, x_label, value_label = "P&L by rung", "rung (years to maturity)", "P&L"
    curves = {m: c.shifted(sc.shift_bp(m, c.zero_tenors)) for m, c in job.snapshot.curves.items()
              if not sc.curve_shock(m).is_zero}
    return ScenarioResult(job, grid, ms, series, title, x_label, value_label, curves)


# -- the command line's scenario report (``ladderdesk scenarios``) ----------------------------------
@dataclass(frozen=True, eq=False)
class ScenarioReport:
    grid: Any  # ScenarioGrid for the one portfolio
    markets: tuple[str, ...]
    horizon: pd.DataFrame | None  # per scenario: carry, roll_down, price_change, hedge_cost, total, return_pct
    roll: pd.DataFrame | None  # the ladder rolled forward under the first scenario


def weights_to_face(universe: pd.DataFrame, snapshot: Any, base_ccy: str, weights: np.ndarray,
                    notional_base: float) -> np.ndarray:
    """Local face for weights (fractions of market value) of ``notional_base`` at the scenario
    engine's model prices (unrounded: a what-if book, not an order)."""
    from desktop.scenarios.grid import face_from_weights

    return face_from_weights(_engine(universe, snapshot, base_ccy), np.asarray(weights, float), notional_base)


def equal_weight_ladder(universe: pd.DataFrame, snapshot: Any, base_ccy: str, notional_base: float) -> np.ndarray:
    """The default book of ``ladderdesk scenarios``: the first bond of every market × rung 1–10 y,
    equal weights of ``notional_base``."""
    ladder = (universe["rung"] <= 10).to_numpy()
    first = ~universe[ladder].duplicated(["market", "rung"])
    w = np.zeros(len(universe))
    w[np.flatnonzero(ladder)[first.to_numpy()]] = 1.0
    return weights_to_face(universe, snapshot, base_ccy, w / w.sum(), notional_base)


def scenario_report(universe: pd.DataFrame, snapshot: Any, base_ccy: str, name: str, face: np.ndarray,
                    scenarios: list[Any], *, horizon: bool = False, roll_years: int | None = None) -> ScenarioReport:
    """The grid of one book under ``scenarios``; with ``horizon`` the hedged return to each
    scenario's horizon split by component; with ``roll_years`` the ladder rolled forward under the
    first scenario."""
    from desktop.scenarios.grid import scenario_grid
    from desktop.scenarios.horizon import horizon_return, roll_forward

    engine = _engine(universe, snapshot, base_ccy)
    grid = scenario_grid(engine, scenarios, {name: np.asarray(face, float)})
    splits = None
    if horizon:
        splits = pd.DataFrame({sc.name: horizon_return(engine, face, sc, hedged=True).loc["Total"]
                               for sc in scenarios}).T
    roll = roll_forward(engine, face, scenarios[0], years=roll_years) if roll_years else None
    return ScenarioReport(grid, tuple(engine.markets), splits, roll)
