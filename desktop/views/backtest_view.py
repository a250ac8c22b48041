"""Backtest tab: "has the shift paid?" — cumulative return and drawdown of Shift from US rates,
Neutral, a US-only ladder and an equal-weight four-market ladder, and their statistics.

The run is :func:`desktop.controller.backtest.run_job` on the app's worker thread (a
:class:`~desktop.views.runner.SolveRunner`, sharing the optimiser's thread when given its
``pool``), with a progress bar and Cancel. The presets' curve views are forecasts: off unless the
box is ticked. Past results, not advice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controller.backtest import (
    BacktestJob,
    BacktestOutcome,
    BacktestSettings,
    Cancelled,
    SnapshotTables,
    read_bundled_tables,
    run_job,
)
from desktop.views.charts.base import make_plot
from desktop.views.runner import SolveRunner

COLORS = ("#D55E00", "#0072B2", "#555555", "#009E73", "#CC79A7", "#E69F00")
LEGEND_HEADROOM = 0.45  # room above the highest cumulative return, as a share of the range: the legend sits in it
STATS = [("ann_return_pct", "Ann. return %"), ("ann_vol_pct", "Ann. vol %"), ("return_per_risk", "Return/risk"),
         ("worst_month_pct", "Worst month %"), ("worst_month", "Worst month"), ("max_drawdown_pct", "Max DD %"),
         ("2025-04_pct", "2025-04 %"), ("2025-05_pct", "2025-05 %"), ("2025_pct", "2025 %"),
         ("since_2025-12-31_pct", "Since 2025-12-31 %")]


class _Progress(QObject):
    changed = Signal(int, int, str)


class BacktestView(QWidget):
    """``tables``: a callable returning the market tables (e.g. ``workspace.tables``), or None for the
    bundled snapshot. ``pool``: the worker thread to share (``session``'s runner ``pool``)."""

    outcomeReady = Signal(object)  # BacktestOutcome

    def __init__(self, tables: Callable[[], SnapshotTables] | None = None, pool: QThreadPool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tables = tables or read_bundled_tables
        self.outcome: BacktestOutcome | None = None
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.changed.connect(self._on_progress)
        self.runner = SolveRunner(run_job, self, debounce_ms=0, pool=pool)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.start = QLineEdit("2014-01")
        self.end = QLineEdit("")
        self.end.setPlaceholderText("latest")
        for w in (self.start, self.end):
            w.setMinimumWidth(84)
            w.setMaximumWidth(100)
        self.hedged = QCheckBox("Hedged")
        self.hedged.setToolTip("FX-hedged into USD with one-month forwards (else unhedged: the spot FX move)")
        self.hedged.setChecked(True)
        self.cost = QDoubleSpinBox()
        self.cost.setRange(0.0, 50.0)
        self.cost.setSingleStep(0.5)
        self.cost.setSuffix(" bp")
        self.views = QCheckBox("Preset curve views (forecasts)")
        self.run_button = QPushButton("Run backtest")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(200)
        self.status = QLabel("Views off by default · past results, not advice")
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        tools = QHBoxLayout()
        for label, w in (("From", self.start), ("To", self.end)):
            tools.addWidget(QLabel(label))
            tools.addWidget(w)
        tools.addWidget(self.hedged)
        tools.addWidget(QLabel("Cost"))
        tools.addWidget(self.cost)
        tools.addWidget(self.views)
        tools.addWidget(self.run_button)
        tools.addWidget(self.cancel_button)
        tools.addWidget(self.bar)
        tools.addStretch(1)
        self.cum_plot = make_plot("Cumulative return", "month", "cumulative return (%)", legend_cols=2)
        self.cum_plot.getPlotItem().legend.setOffset((10, 5))  # top left, in the headroom (show_outcome)
        self.dd_plot = make_plot("Drawdown from peak", "month", "drawdown (%)", legend=False)
        self.hint = pg.TextItem("Press Run backtest: four strategies, month by month (about a minute for the\n"
                                "whole history; a shorter From … To is faster). Past, simulated results, not advice.",
                                color="#444444", anchor=(0.5, 0.5))
        self.cum_plot.getPlotItem().addItem(self.hint)
        self.hint.setPos(0.5, 0.5)
        self.dd_plot.setXLink(self.cum_plot)
        self.table = QTableWidget(0, len(STATS) + 1)
        self.table.setHorizontalHeaderLabels(["Strategy"] + [h for _k, h in STATS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        split = QSplitter()
        split.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.cum_plot)
        split.addWidget(self.dd_plot)
        split.addWidget(self.table)
        split.setSizes([400, 200, 180])
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    # -- running --------------------------------------------------------------------------------
    def settings(self) -> BacktestSettings:
        return BacktestSettings(start=self.start.text().strip() or None, end=self.end.text().strip() or None,
                                hedged=self.hedged.isChecked(), cost_bp=float(self.cost.value()),
                                views=self.views.isChecked())

    def run(self) -> None:
        """Start a run on the worker with the current settings."""
        self._cancel = threading.Event()
        cancel = self._cancel
        job = BacktestJob(self._tables(), self.settings(), progress=self._progress.changed.emit, cancel=cancel)
        self.bar.setValue(0)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Running…")
        self.runner.request(job, immediate=True)

    def cancel(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, label: str) -> None:
        self.bar.setMaximum(total)
        self.bar.setValue(done)
        self.bar.setFormat(f"{label.rsplit(' ', 1)[-1]}  %p%")  # the month being run

    def _idle(self) -> None:
        self.bar.setFormat("%p%")
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_failed(self, error: BaseException) -> None:
        self._idle()
        self.status.setText("Cancelled" if isinstance(error, Cancelled) else f"Backtest failed: {error}")

    def _on_finished(self, outcome: BacktestOutcome, seconds: float) -> None:
        self._idle()
        self.outcome = outcome
        self.show_outcome(outcome)
        self.status.setText(f"{outcome.notes[0]} · {seconds:.1f} s · past results, not advice")
        self.outcomeReady.emit(outcome)

    # -- drawing --------------------------------------------------------------------------------
    def show_outcome(self, outcome: BacktestOutcome) -> None:
        months = pd.PeriodIndex(outcome.cumulative_pct.index, freq="M")
        x = months.year + (months.month - 0.5) / 12.0
        for plot in (self.cum_plot, self.dd_plot):
            plot.getPlotItem().clear()
        for i, name in enumerate(outcome.cumulative_pct.columns):
            pen = pg.mkPen(COLORS[i % len(COLORS)], width=2)
            self.cum_plot.plot(np.asarray(x), outcome.cumulative_pct[name].to_numpy(), pen=pen, name=str(name))
            self.dd_plot.plot(np.asarray(x), outcome.drawdown_pct[name].to_numpy(), pen=pen)
        values = outcome.cumulative_pct.to_numpy(float)
        if values.size and np.isfinite(values).any():  # headroom above the lines for the two-row legend
            lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
            span = max(hi - lo, 1.0)
            self.cum_plot.getPlotItem().vb.setYRange(lo - 0.03 * span, hi + LEGEND_HEADROOM * span, padding=0)
        stats = outcome.stats
        self.table.setRowCount(len(stats))
        for r, (_i, row) in enumerate(stats.iterrows()):
            self.table.setItem(r, 0, QTableWidgetItem(str(row["strategy"])))
            for c, (key, _h) in enumerate(STATS, start=1):
                v = row[key]
                text = v if isinstance(v, str) else ("" if pd.isna(v) else f"{v:.2f}")
                self.table.setItem(r, c, QTableWidgetItem(text))

    def shutdown(self) -> None:
        self._cancel.set()
        self.runner.shutdown()
