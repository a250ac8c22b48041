"""Bench: the app on a full-size universe (issue 15 item 5) at N = 5,000 and 20,000 synthetic bonds.

Universe: a fresh workspace (created from the bundled data), the DMO D1A "gilts in issue" report
(``../shared/data/raw/uk/dmo-D1A-20231201.xml``) imported into it through the real importer and the
workspace's import path — the 2023 file lists gilts that matured before the valuation date, so only
those maturing after it are imported — then the workspace's universe (``build_universe``: the
bundled bonds, the D1A gilts, the curve-implied generics) plus ``synthetic_universe(N)`` model-priced
off the same snapshot's curves. "Include curve-implied bonds" is switched on so the optimiser may buy
every bond (synthetic bonds are generic).

Figures (offscreen Qt, the real main window; its own background solver stubbed so it does not
compete for the 2 cores — the optimiser is timed directly, as ``controller.solve`` on the window's
job):

* **start-up to data on screen**: ``build_window`` → ``Session.set_data`` (ShiftEngine, evaluation,
  ladder) → the event loop until the first paint of the window with the data (``window.grab()``);
  the universe build (pricing N bonds: analytics, zero-curve key rates) timed on its own beside it.
* **holdings table** (its tab shown, each figure to the table repainted; then back to the tab the
  window started on): the table's build on the loaded data (``HoldingsView.reload``: the model, the
  filter and sort, the column widths — part of the start-up above), median of 5; then, with every
  row shown, the wait when the PM unticks "Held/optimised only" (filter + sort of the whole universe)
  and when they sort the whole universe by Name (a click on its header).
* **slider → recompute** p50/p90: ``Session.set_value("parallel:US", …)`` then ``Session.flush`` —
  the reprice on the what-if curves and both portfolios' evaluation (``Session.recompute`` on the
  repriced arrays) to ``analyticsChanged``; 25 moves.
* **first solve** (compile + solve) and **re-solve** after a slider move: ``controller.solve`` on
  ``Session.solve_job()`` (the window's job: current holdings, turnover).

``LADDERDESK_BENCH_QUICK=1`` leaves out N = 20,000. The machine has 2 cores shared with other work.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SIZES = (5_000, 20_000)
MOVES = 25
D1A = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw" / "uk" / "dmo-D1A-20231201.xml"


def stub_solve(job: Any) -> Any:  # module level: the window's worker runs it
    from desktop import controller as ctl

    return ctl.SolveOutcome(status="stub", solve_time_s=0.0)


@dataclasses.dataclass
class FullSize:
    """A workspace with the D1A gilts imported, its snapshot, and the full-size universe."""

    workspace: Path
    snapshot: Any
    real: pd.DataFrame  # the workspace's universe (bundled + D1A + generics)
    universe: pd.DataFrame  # real + synthetic
    d1a_live: int  # D1A conventional gilts maturing after the valuation date
    d1a_new: int  # of those, gilts the bundled data did not have
    build_s: float  # pricing the synthetic bonds (synthetic_universe)


def full_size_universe(n_synthetic: int, folder: Path, d1a: Path = D1A, seed: int = 0) -> FullSize:
    """Build the set-up of the module docstring in ``folder`` (a new workspace file there)."""
    from desktop.controller.workspace import WorkspaceService
    from desktop.importers.dmo_d1a import parse
    from desktop.universe import build_universe, synthetic_universe

    path = folder / f"full-{n_synthetic}.sqlite"
    with WorkspaceService.open(str(path)) as ws:
        as_of = ws.snapshot().as_of
        result = parse(d1a)
        live = result.bonds[pd.to_datetime(result.bonds["maturity"]) > pd.Timestamp(as_of)].reset_index(drop=True)
        known = set(ws.snapshot().bonds["id"].astype(str))
        ws.apply_import(dataclasses.replace(result, bonds=live, rows=len(live)))
        snap = ws.snapshot()
    real = build_universe(snap)
    t0 = time.perf_counter()
    syn = synthetic_universe(n_synthetic, seed=seed, snapshot=snap)
    build_s = time.perf_counter() - t0
    universe = pd.concat([real, syn[real.columns]], ignore_index=True)
    return FullSize(path, snap, real, universe, len(live), int((~live["id"].astype(str).isin(known)).sum()), build_s)


def start_window(fs: FullSize, settings_path: Path) -> tuple[Any, Any, float]:
    """(app, window, seconds): build_window + set_data, run until the window has painted the data."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.views.app_setup import build_window

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    t0 = time.perf_counter()
    window = build_window(str(fs.workspace), settings, solve_fn=stub_solve, scenarios_tab=False)
    window.resize(1400, 900)
    window.show()
    window.session.open_workspace()
    window.session.set_data(fs.snapshot, fs.universe)
    app.processEvents()
    window.grab()  # offscreen: force the paint of the window with the data
    app.processEvents()
    return app, window, time.perf_counter() - t0


def slider_moves(window: Any, moves: int = MOVES, seed: int = 0) -> np.ndarray:
    """Seconds per slider move: set_value on the US parallel shift, flush (recompute → analyticsChanged)."""
    s = window.session
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(moves):
        bp = float(rng.integers(-100, 101))
        t0 = time.perf_counter()
        s.set_value("parallel:US", bp)
        s.flush()
        out.append(time.perf_counter() - t0)
    return np.array(out)


def holdings_table(window: Any, runs: int = 5) -> tuple[float, float, float]:
    """(build, browse, sort) seconds: ``HoldingsView.reload`` (median of ``runs``), unticking
    "Held/optimised only", sorting every row by Name; the view left as it was."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app, view = QApplication.instance(), window.holdings
    shown = window.tabs.currentWidget()
    window.show_view("holdings")  # on screen: each figure includes the table's repaint
    app.processEvents()

    def timed(action: Any) -> float:
        t0 = time.perf_counter()
        action()
        view.table.viewport().grab()  # offscreen: force the repaint
        app.processEvents()
        return time.perf_counter() - t0

    build = float(np.median([timed(view.reload) for _ in range(runs)]))
    browse = timed(lambda: view.held_only.setChecked(False))
    name = [c.key for c in view.model.columns()].index("name")
    sort = timed(lambda: view.table.sortByColumn(name, Qt.SortOrder.AscendingOrder))
    view.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    view.held_only.setChecked(True)
    window.tabs.setCurrentWidget(shown)  # the slider figures below time the same tab as before
    app.processEvents()
    return build, browse, sort


def solve_twice(window: Any) -> tuple[Any, float, Any, float]:
    """(first outcome, seconds, re-solve outcome, seconds): controller.solve on the window's job,
    then again after a +10 bp US slider move."""
    from desktop import controller as ctl

    s = window.session
    t0 = time.perf_counter()
    first = ctl.solve(s.solve_job())
    t_first = time.perf_counter() - t0
    s.set_value("parallel:US", float(s.whatif.parallel_bp.get("US", 0.0)) + 10.0)
    s.flush()
    t0 = time.perf_counter()
    again = ctl.solve(s.solve_job())
    return first, t_first, again, time.perf_counter() - t0


def _one(n: int, tmp: Path) -> list[str]:
    fs = full_size_universe(n, tmp)
    app, window, t_start = start_window(fs, tmp / f"settings-{n}.ini")
    s = window.session
    s.set_value("allow_generic", True)  # the optimiser may buy the synthetic (generic) bonds
    s.flush()
    build, browse, sort = holdings_table(window)
    moves = slider_moves(window) * 1e3
    first, t_first, again, t_again = solve_twice(window)
    window.close()
    app.processEvents()
    return [
        f"N={len(fs.universe):,} ({len(fs.real)} workspace bonds incl. {fs.d1a_live} live D1A gilts, "
        f"{fs.d1a_new} new to the bundled data; {n:,} synthetic priced in {fs.build_s:.1f} s)",
        f"  start-up to data on screen (build_window + set_data + paint): {t_start:.2f} s",
        f"  holdings table: build {build * 1e3:.0f} ms (median of 5); with every row shown: untick "
        f"'Held/optimised only' {browse * 1e3:.0f} ms, sort by Name {sort * 1e3:.0f} ms",
        f"  slider -> recompute: p50 {np.percentile(moves, 50):.1f} ms, p90 {np.percentile(moves, 90):.1f} ms "
        f"({MOVES} moves)",
        f"  first solve {t_first:.2f} s ({first.status}), re-solve after a slider move {t_again:.2f} s "
        f"({again.status}; solver {again.solve_time_s:.2f} s)",
    ]


def run() -> list[str]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not D1A.exists():
        return [f"skipped: {D1A} not found (the shared official files sit beside the repository)"]
    quick = os.environ.get("LADDERDESK_BENCH_QUICK") == "1"
    lines = ["machine: 2 cores shared with other work; one run per size"]
    with tempfile.TemporaryDirectory() as d:
        for n in SIZES:
            if quick and n > 5_000:
                continue
            lines += _one(n, Path(d))
    return lines


if __name__ == "__main__":  # pragma: no cover
    for line in run():
        print(line)
