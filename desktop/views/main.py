"""GUI entry: ``run_gui(argv)`` — the window, ``--screenshot``, ``--first-paint-probe``."""

from __future__ import annotations

import argparse
import os
import sys
import time

START = time.perf_counter()
VIEW_NAMES = ("holdings", "ladder", "exposure", "curves", "tradeoff", "scenarios", "liabilities", "backtest")
SCREENSHOT_VIEWS = (*VIEW_NAMES, "summary")  # "summary": the ladder tab with the Summary dock in front
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ladderdesk", description="LadderDesk: four-market government bond ladders")
    parser.add_argument("--screenshot", metavar="FILE.png", help="render the window offscreen to FILE.png and exit")
    parser.add_argument("--view", default="ladder", choices=SCREENSHOT_VIEWS,
                        help="tab for --screenshot ('summary': the Summary dock in front)")
    parser.add_argument("--size", default="1600x1000", help="window size for --screenshot, WIDTHxHEIGHT")
    parser.add_argument("--workspace", help="workspace SQLite file (default: the user's workspace)")
    parser.add_argument("--preset", help="optimiser preset to start from (e.g. 'Shift from US rates')")
    parser.add_argument("--first-paint-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        if not (200 <= w <= 8000 and 200 <= h <= 8000):
            raise ValueError
    except ValueError:
        parser.error(f"--size must look like 1600x1000, got {args.size!r}")
    args.width, args.height = w, h
    return args


def run_gui(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.screenshot or args.first_paint_probe:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.views.app_setup import (
        build_window,
        first_paint_probe,
        gc_on_gui_thread,
        populate,
        screenshot,
    )
    from desktop.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    gc_on_gui_thread(app)
    app.setOrganizationName("LadderDesk")
    app.setApplicationName("LadderDesk")
    if args.first_paint_probe:
        return first_paint_probe(app, MainWindow(QSettings()), START, args.workspace)
    if args.screenshot:
        # a throw-away settings file: the picture never depends on (or changes) the user's saved layout
        import tempfile

        scratch = tempfile.mkdtemp(prefix="ladderdesk-shot-")
        window = build_window(args.workspace, QSettings(f"{scratch}/settings.ini", QSettings.Format.IniFormat))
        window.session.set_start_preset(args.preset)
        return screenshot(app, window, args.screenshot, args.view, args.width, args.height)
    window = MainWindow(QSettings())  # light shell: painted before pandas/pyqtgraph/cvxpy load
    if not window.settings.contains("window/geometry"):
        window.resize(1500, 950)
    window.show()
    app.processEvents()  # first paint
    populate(window, args.workspace)
    window.session.set_start_preset(args.preset)
    window.files.restore_session = args.preset is None  # --preset wins over the last session's
    window.session.start_loading()
    window.files.show_start_progress()
    return app.exec()
