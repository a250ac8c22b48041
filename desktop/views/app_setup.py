"""Building the window for the app, the screenshot mode and the first-paint probe."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.views.main_window import MainWindow

PRESETS = ["Neutral", "Shift from US rates"]


def gc_on_gui_thread(app: Any) -> None:
    """Run Python's cyclic garbage collector on the GUI thread only (pyqtgraph's GarbageCollector:
    automatic collection off, a timer collects every second). A collection triggered by an
    allocation in the worker would otherwise destroy dead Qt widgets on that thread, which
    deadlocks in shiboken (seen: a closed window collected inside the loader's pandas call)."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    if getattr(app, "_ladderdesk_gc", None) is None:
        app._ladderdesk_gc = GarbageCollector(interval=1.0)


def build_window(
    workspace: str | None = None,
    settings: QSettings | None = None,
    solve_fn: Callable[[Any], Any] | None = None,
    scenarios_tab: bool = True,
) -> MainWindow:
    window = MainWindow(settings if settings is not None else QSettings())
    populate(window, workspace, solve_fn, scenarios_tab)
    return window


def populate(
    window: MainWindow,
    workspace: str | None = None,
    solve_fn: Callable[[Any], Any] | None = None,
    scenarios_tab: bool = True,
) -> None:
    """Create the session (imports pandas and the core) and the views of a shown or hidden shell."""
    from desktop.views.session import Session

    session = Session() if solve_fn is None else Session(solve_fn=solve_fn)
    session.use_workspace(workspace)
    window.populate(session, PRESETS, scenarios_tab)


class _PaintWatcher(QObject):
    def __init__(self, start: float) -> None:
        super().__init__()
        self.start = start
        self.elapsed: float | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self.elapsed is None:
            self.elapsed = time.perf_counter() - self.start
        return False


def first_paint_probe(app: QApplication, window: MainWindow, start: float, workspace: str | None = None) -> int:
    """Print seconds from process start to the window's first paint (and whether cvxpy was loaded).

    ``window`` is the shell the app shows first (see :mod:`desktop.views.main_window`); ``ready_s``
    is when the bundled data's analytics are on screen (the optimiser still warming up)."""
    watcher = _PaintWatcher(start)
    window.installEventFilter(watcher)
    window.resize(1400, 900)
    window.show()
    deadline = time.perf_counter() + 10
    while watcher.elapsed is None and time.perf_counter() < deadline:
        app.processEvents()
        if watcher.elapsed is None:
            window.grab()  # offscreen: force a paint
    first = watcher.elapsed
    cvxpy, pandas = "cvxpy" in sys.modules, "pandas" in sys.modules
    populate(window, workspace)
    window.session.start_loading()
    window.files.show_start_progress()
    app.processEvents()
    window.grab()  # the progress (busy bar, status) painted
    progress = time.perf_counter() - start
    while window.session.current is None and time.perf_counter() < deadline + 60:
        app.processEvents()
        time.sleep(0.005)
    ready = time.perf_counter() - start
    print(f"first_paint_s={first:.3f} progress_s={progress:.3f} ready_s={ready:.3f} "
          f"cvxpy_loaded_at_first_paint={cvxpy} pandas_loaded_at_first_paint={pandas}", flush=True)
    window.close()
    return 0


def screenshot(app: QApplication, window: MainWindow, path: str, view: str, width: int, height: int) -> int:
    """Load the bundled data, wait for the first solve (≤ 60 s), render the window to ``path``.

    ``view``: a tab name, or "summary" for the ladder tab with the Summary dock in front (at 1280 px
    wide it shares the left side with the What-if panel)."""
    requested, dock = view, ("Summary" if view == "summary" else None)
    view = "ladder" if view == "summary" else view
    window.resize(width, height)
    if window.files is not None:
        from desktop.views.layout import default_layout

        default_layout(window, width)  # the layout a new user gets at this size
    if view not in window.views:
        print(f"ladderdesk: the {view!r} view is not available in this build", file=sys.stderr)
        window.close()
        return 2
    window.show_view(view)
    window.show()
    if window.files is not None:
        from desktop.views.layout import default_layout

        app.processEvents()
        default_layout(window, width)  # again once shown: dock widths apply to a laid-out window
        if dock is not None:
            from desktop.views.layout import docks

            docks(window)[dock].raise_()
    session = window.session
    session.start_loading()
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        app.processEvents()
        sweeping = view == "tradeoff" and session.outcome is not None and session.outcome.face is not None \
            and session.outcome.frontier is None
        if session.is_loaded and session.outcome is not None and not session.solver.busy and not sweeping:
            break
        if session.is_loaded and session.solver.delivered and not session.solver.busy and not sweeping:
            break
        time.sleep(0.01)
    # let the throttled chart redraws and the scenario grid's 60 ms refresh land on the solution
    settle = time.perf_counter() + 0.5
    while time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.01)
    tab = window.views[view]
    if view == "backtest":  # a picture of the tab's results, not of its "press Run" hint: its default run
        tab.run()
    runner = getattr(tab, "runner", None)  # a tab with its own job (liabilities, backtest) finishes it
    settle = time.perf_counter() + (240 if view == "backtest" else 20)
    while runner is not None and runner.busy and time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.01)
    QTimer.singleShot(0, app.quit)
    app.processEvents()
    for _ in range(5):
        app.processEvents()
    pixmap = window.grab()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # PNG quality 0 = the strongest (lossless) compression: README screenshots stay small
    ok = pixmap.save(path, None, 0 if path.lower().endswith(".png") else -1)
    session.shutdown()
    window.close()
    print(f"wrote {path} ({width}x{height}, view {requested})" if ok else f"could not write {path}", file=sys.stderr)
    return 0 if ok else 1
