"""Bench: slider-to-redraw latency of the desktop window and start-to-first-paint.

Latency: the real main window (offscreen Qt, same code as the app) on ``synthetic_universe(N)``
for N = 200, 2,000 and 10,000 (``LADDERDESK_BENCH_QUICK=1``: 200 and 2,000), a curve slider moved to a new value, then the event loop is run until
the what-if is applied, every chart of the visible tab has redrawn (staged redraws done) and the
paint events are processed. Moves are spaced by 100 ms so each one is a fresh move (the leading
edge of the redraw throttle), not a storm. The optimiser is stubbed out (it runs in its own
worker, debounced; its time is ``bench_optim``'s). Figures: median and p90 in ms per tab.
Targets (issue 15): p90 ≤ 16 ms on every tab at N = 2,000 and ≤ 33 ms at N = 10,000.

First paint: ``python -m desktop.app --first-paint-probe`` in a fresh process (temp settings and
workspace): seconds from interpreter start to the window's first paint, and to the bundled data's
analytics on screen (``ready``). Target ≤ 1.0 s to first paint. The machine is shared and noisy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MOVES = 25
TABS = ("ladder", "exposure", "holdings", "curves")
SIZES = (200, 2000, 10000)


def _stub_solve(job):  # noqa: ANN001, ANN202 - module-level so the worker can run it
    from desktop import controller as ctl

    return ctl.SolveOutcome(status="stub", solve_time_s=0.0)


def _settle(app, window) -> None:  # noqa: ANN001
    """Run the loop until the what-if is applied and every staged redraw has been painted."""
    s = window.session
    for _ in range(200):
        app.processEvents()
        stages = getattr(window.views.get("exposure"), "pending", lambda: False)()
        if not s._coalesce.isActive() and not stages:
            app.processEvents()
            return


def _quiet(app, window) -> None:  # noqa: ANN001
    """Before a move: let the previous move's (stubbed, debounced) solve land and the redraw it
    triggers finish, so the clock times this move only and the move is the throttle's leading edge.

    Without this the previous move's solve result was usually delivered inside the next move's
    timed window (its debounce timer fires on the first processEvents after the 100 ms pause and
    the stub returns at once): an extra recompute + summary refresh in about half the samples, and
    its chart redraw was left pending on the throttle's trailing edge, not timed.
    """
    s = window.session
    deadline = time.perf_counter() + 5.0
    while time.perf_counter() < deadline:
        app.processEvents()
        stages = getattr(window.views.get("exposure"), "pending", lambda: False)()
        if not (s.solver.busy or s._charts._timer.isActive() or s._coalesce.isActive() or stages):
            break
        time.sleep(0.002)
    app.processEvents()


def _latency(n: int, tmp: Path, tabs: tuple[str, ...] = TABS) -> list[str]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop import controller as ctl
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import synthetic_universe
    from desktop.views.app_setup import build_window

    app = QApplication.instance() or QApplication([])
    snap = load_bundled_snapshot()
    universe = synthetic_universe(n, seed=0, snapshot=snap)
    settings = QSettings(str(tmp / f"bench-{n}.ini"), QSettings.Format.IniFormat)
    window = build_window(str(tmp / "ws.sqlite"), settings, solve_fn=_stub_solve, scenarios_tab=False)
    window.resize(1600, 1000)
    window.show()
    s = window.session
    s.set_data(snap, universe, ctl.ShiftEngine(universe, snap.curves))
    lines = []
    rng = np.random.default_rng(n)
    slider = window.controls.bound["parallel:US"].widget.slider
    for tab in tabs:
        window.show_view(tab)
        _settle(app, window)
        times = []
        for _ in range(MOVES):
            time.sleep(0.1)  # past the redraw throttle: every move is a fresh one
            _quiet(app, window)
            value = int(rng.integers(-10_000, 10_000))
            start = time.perf_counter()
            slider.setValue(value)
            _settle(app, window)
            times.append((time.perf_counter() - start) * 1e3)
        lines.append(f"slider→redraw N={n:>5} {tab:<9} median {np.median(times):6.1f} ms  "
                     f"p90 {np.percentile(times, 90):6.1f} ms")
    window.close()
    return lines


def _first_paint(tmp: Path, runs: int = 3) -> list[str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "config"), LADDERDESK_DATA_DIR=str(tmp / "data"),
               QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    cmd = [sys.executable, "-m", "desktop.app", "--first-paint-probe"]
    subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=False)  # creates the workspace
    first, ready = [], []
    for _ in range(runs):
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=True).stdout
        fields = dict(part.split("=") for part in out.split() if "=" in part)
        first.append(float(fields["first_paint_s"]))
        ready.append(float(fields["ready_s"]))
    return [f"start→first paint median {np.median(first):.2f} s (runs: {', '.join(f'{x:.2f}' for x in first)}); "
            f"cvxpy and pandas not yet imported at first paint",
            f"start→bundled data on screen median {np.median(ready):.2f} s"]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def run() -> list[str]:
    """The figures, between the machine's load average before and after (it is shared and noisy)."""
    before = _load()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        only = os.environ.get("LADDERDESK_BENCH_TABS")  # e.g. "exposure": time one tab
        tabs = tuple(only.split(",")) if only else TABS
        lines = [] if only else _first_paint(tmp)
        quick = os.environ.get("LADDERDESK_BENCH_QUICK") == "1"
        for n in SIZES:
            if not (quick and n > 2000):
                lines += _latency(n, tmp, tabs)
    return [f"before: {before}", *lines, f"after: {_load()}"]


if __name__ == "__main__":  # pragma: no cover
    for line in run():
        print(line)
