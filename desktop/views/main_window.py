"""The main window: tabs (holdings, ladder, exposure, curves, trade-off, scenarios), docks, status bar.

Fast start: the window is a light Qt-only shell (menus come later, the tab area says "Loading…")
that can be shown and painted before pandas, pyqtgraph or cvxpy are imported; :meth:`populate`
then builds the session-bound views (it imports them lazily).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.views.message_bar import MessageBar

if TYPE_CHECKING:
    from desktop.views.session import Session

VIEWS = ("holdings", "ladder", "exposure", "curves", "tradeoff", "scenarios", "liabilities", "backtest")
TITLES = {"holdings": "Holdings && universe", "ladder": "Ladder", "exposure": "Exposure", "curves": "Curves",
          "tradeoff": "Trade-off", "scenarios": "Scenarios", "liabilities": "Liabilities", "backtest": "Backtest"}


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session: Any = None
        self.files: Any = None
        self.settings = settings
        self.views: dict[str, QWidget] = {}
        self.setWindowTitle("LadderDesk")
        self.setAcceptDrops(True)
        # An explicit minimum keeps the layout from changing the top-level window's size constraints
        # after show (offscreen Qt warns "does not support propagateSizeHints()" on every change).
        self.setMinimumSize(960, 640)
        self.tabs = QTabWidget()
        self._placeholder = QLabel("Loading LadderDesk…")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(self._placeholder, "LadderDesk")
        self.message_bar = MessageBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.message_bar)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setToolTip("Optimising…")
        self.busy.setToolTip("Loading…")  # running from the first paint: the shell is loading the app
        self.status = QLabel("Starting LadderDesk: loading the views and the market data…")
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().addPermanentWidget(self.busy)
        if settings is not None and isinstance(settings.value("window/geometry"), QByteArray):
            self.restoreGeometry(settings.value("window/geometry"))

    def populate(self, session: Session, presets: list[str] | None = None, scenarios_tab: bool = True) -> None:
        """Build the views, docks and menus for ``session`` (imports the heavy modules)."""
        from desktop.views.charts.curves_chart import CurvesChart
        from desktop.views.charts.exposure_chart import ExposureChart
        from desktop.views.charts.ladder_chart import LadderChart
        from desktop.views.charts.tradeoff_chart import TradeoffChart
        from desktop.views.controls import WhatIfPanel
        from desktop.views.holdings_view import HoldingsView
        from desktop.views.menus import FileActions
        from desktop.views.summary import SummaryPanel

        self.session = session
        self.busy.hide()  # from now on it shows the loader (FileActions.show_start_progress) and the optimiser
        self.holdings = HoldingsView(session)
        self.ladder = LadderChart(session)
        self.exposure = ExposureChart(session)
        self.curves = CurvesChart(session)
        self.tradeoff = TradeoffChart(session)
        self.views = {"holdings": self.holdings, "ladder": self.ladder, "exposure": self.exposure,
                      "curves": self.curves, "tradeoff": self.tradeoff}
        if scenarios_tab:
            from desktop.views.scenarios_view import ScenariosView

            self.views["scenarios"] = ScenariosView(session)  # a broken tab fails loudly, never hides
            session.scenariosFailed.connect(self._scenarios_failed)
            from desktop.views.backtest_view import BacktestView
            from desktop.views.liabilities_view import LiabilitiesView

            # both compute on the optimiser's worker thread (one cvxpy solve at a time)
            self.views["liabilities"] = LiabilitiesView(session, pool=session.solver.pool)
            session.loaded.connect(self.views["liabilities"].data_loaded)
            self.views["backtest"] = BacktestView(self._market_tables, pool=session.solver.pool)
        self.tabs.removeTab(0)
        self._placeholder.deleteLater()
        for key, widget in self.views.items():
            self.tabs.addTab(widget, TITLES[key])
        self.controls = WhatIfPanel(session, presets or ["Neutral"])
        self.summary = SummaryPanel(session)
        self._dock("What-if", self.controls, Qt.DockWidgetArea.LeftDockWidgetArea, scroll=True)
        self._dock("Summary", self.summary, Qt.DockWidgetArea.RightDockWidgetArea)
        session.statusChanged.connect(self.status.setText)
        session.busyChanged.connect(self.busy.setVisible)
        session.titleChanged.connect(self._set_title)
        session.loadFailed.connect(self._load_failed)
        self.files = FileActions(self, self.settings)
        self.restore_layout()

    # -- drag-and-drop import ------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802
        for url in event.mimeData().urls():
            if url.isLocalFile() and self.files is not None:
                self.files.start_import(url.toLocalFile())
                break

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title}")
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setWidget(widget)
            area_widget.setMinimumWidth(widget.sizeHint().width() + 24)
            widget = area_widget
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _market_tables(self) -> Any:
        """The backtest's data: the open workspace's market tables (the bundled ones before loading)."""
        ws = self.session.workspace
        if ws is None:
            from desktop.snapshot import read_bundled_tables

            return read_bundled_tables()
        return ws.tables()

    def _scenarios_failed(self, error: BaseException) -> None:
        self.message_bar.show_message(f"The Scenarios tab could not be computed: {error}", "error")

    def _load_failed(self, text: str) -> None:
        self.message_bar.show_message(text, "error", ("Start a fresh workspace", self.start_fresh_workspace))

    def start_fresh_workspace(self) -> str:
        """Open a new workspace (bundled data) beside the unreadable one, which stays untouched.

        The new file is ``<name>-fresh-YYYYmmdd-HHMMSS.sqlite`` in the same folder; returns its path.
        """
        import time
        from pathlib import Path

        bad = Path(self.session.workspace_path or "workspace.sqlite")
        fresh = bad.with_name(f"{bad.stem}-fresh-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
        self.session.use_workspace(str(fresh))
        self.session.start_loading()
        self.message_bar.show_message(f"Started a fresh workspace: {fresh} (the old file was not modified).")
        return str(fresh)

    def _set_title(self, name: str) -> None:
        self.setWindowTitle(f"{name} — LadderDesk")

    def show_view(self, name: str) -> None:
        widget = self.views.get(name)
        if widget is None:
            raise ValueError(f"unknown view {name!r}; expected one of {', '.join(self.views)}")
        self.tabs.setCurrentWidget(widget)

    # -- layout persistence --------------------------------------------------------------------
    def restore_layout(self) -> None:
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_layout(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: ANN001
        if self.files is not None and not self.files.before_close():  # Cancel on unsaved changes
            event.ignore()
            return
        for timer in self.findChildren(QTimer):  # staged redraws, hover, debounce: nothing outlives the window
            timer.stop()
        self.save_layout()
        if self.files is not None:
            self.files.shutdown()
        if self.session is not None:
            self.session.shutdown()
        super().closeEvent(event)
