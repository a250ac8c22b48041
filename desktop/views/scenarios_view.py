"""Scenarios view: the scenario × (market, rung, total) P&L grid, its heat map and a bar chart.

The bar chart shows, for the selected scenario, current vs optimised: P&L by rung, the return to
the scenario's horizon split by component, or the coupon income per year of the ladder rolled
forward ten years (see :mod:`desktop.scenarios.horizon`).

The view is typed against :class:`ScenarioSource` (the Session, or a small fake in tests): it
builds a :class:`desktop.controller.scenario_lab.ScenarioJob` from the source's data and hands it
to ``source.run_scenarios(job)``, which computes it on the app's worker thread (latest request
wins); the result arrives through ``scenariosReady`` and is only drawn here. Scenarios shock the
snapshot's curves (not the what-if curves). All finance is in :mod:`desktop.scenarios`.

Selecting a scenario (table row or heat-map cell) emits :attr:`ScenariosView.scenarioSelected`
with a :class:`ScenarioOverlay` (the shocked curves by market) and calls
``source.set_scenario_overlay(overlay)`` so the Curves view can draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.controller.scenario_lab import CHART_HORIZON, CHART_ROLL, CHART_RUNG, ScenarioJob, ScenarioResult
from desktop.scenarios.grid import ScenarioGrid
from desktop.scenarios.model import Scenario
from desktop.scenarios.presets import PRESETS
from desktop.views.charts.base import fit_y
from desktop.views.formats import number, words

MEASURES = {
    "Hedged P&L": "hedged",
    "Unhedged P&L": "unhedged",
    "Full revaluation (price only)": "price_full",
    "Duration + convexity estimate": "price_dc",
    "Hedge carry": "hedge_carry",
    "FX effect (unhedged)": "fx",
}
DIFF = "optimised − current"
CHARTS = ("P&L by rung", "Return to horizon", "Roll-forward income")
CHART_KIND = dict(zip(CHARTS, (CHART_RUNG, CHART_HORIZON, CHART_ROLL), strict=True))
SORT_ROLE = Qt.ItemDataRole.UserRole
_IDX = QModelIndex | QPersistentModelIndex
NAME_MIN_PX = 110  # the scenario names never narrower than this ("2025-04 Liberati…")
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(178, 24, 43), (247, 247, 247), (33, 102, 172)])  # RdBu: loss→gain


class ScenarioSource(Protocol):
    """What the Scenarios view reads from the session and asks of it."""

    loaded: Any  # Signals: the data, the figures or the optimum changed; saved scenarios changed;
    analyticsChanged: Any  # a scenario result (ScenarioResult) or failure arrived
    solutionChanged: Any
    savedChanged: Any
    scenariosReady: Any
    scenariosFailed: Any

    @property
    def snapshot(self) -> Any: ...

    @property
    def universe(self) -> pd.DataFrame: ...

    @property
    def face(self) -> np.ndarray: ...

    @property
    def outcome(self) -> Any: ...  # .face: the optimised book, or None

    @property
    def whatif(self) -> Any: ...  # .base_ccy

    @property
    def saved_scenarios(self) -> Sequence[Scenario]: ...

    def run_scenarios(self, job: ScenarioJob) -> None: ...

    def set_scenario_overlay(self, overlay: Any) -> None: ...


@dataclass(frozen=True)
class ScenarioOverlay:
    """The curves of one scenario for the Curves view: ``curves[market]`` is the shocked Curve."""

    name: str
    scenario: Scenario
    curves: dict[str, Any]


class GridModel(QAbstractTableModel):
    """Wide grid (rows = scenarios, columns = markets, Total, rungs) in base ccy; raw value under
    ``UserRole``, text in thousands, losses in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self.unit = "USD"

    def set_frame(self, frame: pd.DataFrame, unit: str) -> None:
        self.beginResetModel()
        self._frame, self.unit = frame, unit
        self.endResetModel()

    def rowCount(self, parent: _IDX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: _IDX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._frame.columns)

    def data(self, index: _IDX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = float(self._frame.iat[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if np.isnan(value) else number(value / 1e3, decimals=0)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and round(value / 1e3) < 0:  # red only if shown negative
            return QColor(178, 24, 43)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return str(self._frame.columns[section])
            return str(self._frame.index[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            if orientation == Qt.Orientation.Horizontal:
                return f"P&L in thousands of {self.unit}"
            return str(self._frame.index[section])  # the full name: the header elides a long one
        return None


class GridTable(QTableView):
    """The scenario grid's table: every number column as wide as its content, the scenario names
    (the vertical header) in the width left over, elided (full name in the tooltip) rather than
    pushing the last rung columns out of view; at most their natural width, at least
    :data:`NAME_MIN_PX`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = self.verticalHeader()
        rows.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)  # compact rows: more scenarios in view
        cols = self.horizontalHeader()
        cols.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # sized from the content in fit_columns
        cols.setMinimumSectionSize(12)

    def fit_columns(self) -> None:
        """Number columns to their content, then the names to the room left (call after new data)."""
        self.resizeColumnsToContents()
        self.fit_names()

    def fit_names(self) -> None:
        rows = self.verticalHeader()
        natural = rows.sizeHint().width()
        numbers = self.horizontalHeader().length()
        frame = 2 * self.frameWidth()
        head = self.horizontalHeader().sizeHint().height() if self.horizontalHeader().isVisible() else 0
        overflow = rows.length() > self.height() - frame - head  # a vertical scroll bar takes its width
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self) if overflow else 0
        room = self.width() - frame - bar - numbers
        width = max(NAME_MIN_PX, min(natural, room))
        if rows.maximumWidth() != width or rows.minimumWidth() != width:
            rows.setFixedWidth(width)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_names()


class ScenariosView(QWidget):
    """Grid table + heat map + bar chart by rung. ``refresh()`` recomputes from the session."""

    scenarioSelected = Signal(object)  # ScenarioOverlay
    gridChanged = Signal(object)  # ScenarioGrid

    def __init__(self, session: ScenarioSource, parent: QWidget | None = None,
                 scenarios: list[Scenario] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.scenarios: list[Scenario] = list(scenarios or PRESETS)
        self.grid: ScenarioGrid | None = None
        self.result: ScenarioResult | None = None
        self.ms_per_scenario = float("nan")
        self._emit_overlay = False  # the user picked a scenario: emit its overlay when its result lands
        self._selected = 0
        self._stale = False
        self._scale, self._unit = 1e6, "millions"
        self.measure = QComboBox()
        self.measure.addItems(list(MEASURES))
        self.portfolio = QComboBox()
        self.portfolio.addItems(["current", "optimised", DIFF])
        self.chart = QComboBox()
        self.chart.addItems(list(CHARTS))
        self.status = QLabel("")
        # the tool row must not force the tab wider than the window: the label and combos may shrink
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for combo in (self.measure, self.chart):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        bar = QHBoxLayout()
        for label, w in (("Measure", self.measure), ("Portfolio", self.portfolio), ("Chart", self.chart)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.status)
        self.caption = QLabel("")  # the table's unit and what "hedged" includes
        self.caption.setWordWrap(True)
        self.model = GridModel(self)
        self.table = GridTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.heat = _plot_widget()
        hp = self.heat.getPlotItem()
        hp.setTitle("P&L heat map (red = loss, blue = gain)", size="10pt", color="#222222")
        hp.invertY(True)
        hp.setMouseEnabled(False, False)
        self.image = pg.ImageItem()
        self.image.setColorMap(DIVERGING)
        hp.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=DIVERGING, interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=hp)
        self.marker = pg.PlotDataItem([], [], pen=pg.mkPen("#000000", width=2))
        hp.addItem(self.marker)
        self.heat.scene().sigMouseClicked.connect(self._on_heat_click)
        self.bars_plot = _plot_widget()
        bp = self.bars_plot.getPlotItem()
        bp.showGrid(x=False, y=True, alpha=0.25)
        bp.addLegend(offset=(-10, 10), labelTextSize="9pt", labelTextColor="#222222", brush=pg.mkBrush(255, 255, 255, 200))
        self.bars = {
            "current": pg.BarGraphItem(x=[], height=[], width=0.38, brush="#0072B2", name="current"),
            "optimised": pg.BarGraphItem(x=[], height=[], width=0.38, brush="#E69F00", name="optimised"),
        }
        for item in self.bars.values():
            bp.addItem(item)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.heat)
        charts.addWidget(self.bars_plot)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        charts.setSizes([600, 400])
        split = QSplitter(Qt.Orientation.Vertical)  # table across the top, the two charts below
        split.addWidget(self.table)
        split.addWidget(charts)
        split.setSizes([360, 440])
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.caption)
        lay.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.refresh)
        self.measure.currentIndexChanged.connect(self.refresh)
        self.portfolio.currentIndexChanged.connect(self._redraw)
        self.chart.currentIndexChanged.connect(self.refresh)
        for signal in (session.loaded, session.analyticsChanged, session.solutionChanged):
            signal.connect(self.schedule_refresh)
        session.scenariosReady.connect(self._on_result)
        session.scenariosFailed.connect(self._on_failed)
        if scenarios is None:  # presets + the scenarios the user saved
            session.savedChanged.connect(self._saved_changed)
        if session.snapshot is not None:
            self.refresh()

    # -- data ----------------------------------------------------------------------------------
    def schedule_refresh(self, *_args: object) -> None:
        """Session changed: recompute ~60 ms after the last change; while hidden, on the next show."""
        if self.isVisible():
            self._timer.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _saved_changed(self) -> None:
        user = list(self.session.saved_scenarios)
        names = {sc.name for sc in user}
        self.set_scenarios([p for p in PRESETS if p.name not in names] + user)

    def set_scenarios(self, scenarios: list[Scenario]) -> None:
        """Replace the scenario list (presets + the user's own) and recompute."""
        self.scenarios = list(scenarios)
        self._selected = min(self._selected, max(len(self.scenarios) - 1, 0))
        self.refresh()

    def _portfolios(self) -> dict[str, np.ndarray]:
        s = self.session
        out = {"current": np.asarray(s.face, dtype=float)}
        outcome = s.outcome
        face = getattr(outcome, "face", None) if outcome is not None else None
        if face is not None:
            out["optimised"] = np.asarray(face, dtype=float)
        return out

    def job(self) -> ScenarioJob | None:
        """The computation the view needs now (None while there is no data)."""
        s = self.session
        if s.snapshot is None or len(s.universe) == 0 or not self.scenarios:
            return None
        return ScenarioJob(s.universe, s.snapshot, str(s.whatif.base_ccy), tuple(self.scenarios), self._portfolios(),
                           self._selected, CHART_KIND[self.chart.currentText()], self._current_measure())

    def refresh(self, *_args: object) -> None:
        """Ask the worker for the grid and the selected scenario's chart (the result is drawn on arrival)."""
        job = self.job()
        if job is not None:
            self.session.run_scenarios(job)

    def _on_result(self, result: ScenarioResult) -> None:
        if result.job.scenarios != tuple(self.scenarios):
            return  # computed for a scenario list that has since changed; the newer request follows
        self.result, self.grid = result, result.grid
        self.ms_per_scenario = result.ms_per_scenario
        self.gridChanged.emit(self.grid)
        self._redraw()
        self._draw_bars()
        if self._emit_overlay and result.job.selected == self._selected:
            self._emit_overlay = False
            overlay = self.overlay(self._selected)
            self.scenarioSelected.emit(overlay)
            self.session.set_scenario_overlay(overlay)

    def _on_failed(self, error: BaseException) -> None:
        self.status.setText(f"Scenarios unavailable: {error}")

    # -- drawing -------------------------------------------------------------------------------
    def _current_measure(self) -> str:
        return MEASURES[self.measure.currentText()]

    def _current_portfolio(self) -> str:
        name = self.portfolio.currentText()
        return name if self.grid is not None and name in self.grid.portfolios else "current"

    def _redraw(self, *_args: object) -> None:
        if self.grid is None:
            return
        g = self.grid
        kinds, measure = ("market", "total", "rung"), self._current_measure()
        if self.portfolio.currentText() == DIFF and "optimised" in g.portfolios:
            table = g.table("optimised", measure, kinds) - g.table("current", measure, kinds)
        else:
            table = g.table(self._current_portfolio(), measure, kinds)
        self.model.set_frame(table, g.base)
        self.table.fit_columns()
        self.status.setText(f"{len(self.scenarios)} scenarios · {self.ms_per_scenario:.1f} ms per scenario")
        self.caption.setText(
            f"P&L in thousands of {g.base}, instantaneous shock, full revaluation (heat map: red = loss, "
            "blue = gain). Hedged P&L includes the "
            "forward points of the FX hedge over each scenario's own horizon (the 2025 presets: "
            f"{_horizons(self.scenarios)}), not the optimiser's 12 months.")
        self._scale, self._unit = _scale(np.nanmax(np.abs(table.to_numpy(dtype=float)), initial=0.0))
        values = table.to_numpy(dtype=float) / self._scale
        span = float(np.nanmax(np.abs(values))) if values.size else 1.0
        span = span if span > 0 else 1.0
        self.image.setImage(np.nan_to_num(values.T), levels=(-span, span))
        self.colorbar.setLevels((-span, span))
        unit = {"millions": "m", "thousands": "k"}.get(self._unit, self._unit)
        self.heat.getPlotItem().setTitle(f"P&L heat map ({unit} {g.base})",
                                         size="10pt", color="#222222")
        hp = self.heat.getPlotItem()
        # compact column ticks so 15+ narrow cells stay legible: markets, Σ for the total, rung numbers
        hp.getAxis("bottom").setTicks([[(i + 0.5, _heat_tick(str(c))) for i, c in enumerate(table.columns)]])
        hp.setLabel("bottom", "market · Σ total · rung (years)")
        hp.getAxis("left").setTicks([[(i + 0.5, _short(n, 24)) for i, n in enumerate(table.index)]])
        hp.setRange(xRange=(0, values.shape[1]), yRange=(0, values.shape[0]), padding=0)
        self._mark(min(self._selected, len(table) - 1))

    def _draw_bars(self, *_args: object) -> None:
        r = self.result
        if r is None or r.grid is None or not self.scenarios:
            return
        series = r.series  # title: ≤ ~55 chars
        peak = max((float(np.nanmax(np.abs(b.to_numpy(dtype=float)), initial=0.0)) for b in series.values()),
                   default=0.0)
        scale, unit = _scale(peak)
        ticks: list[tuple[int, str]] = []
        for k, (pname, item) in enumerate(self.bars.items()):
            if pname not in series:
                item.setOpts(x=[], height=[])
                continue
            values = series[pname]
            x = np.arange(len(values), dtype=float)
            item.setOpts(x=x + (k - 0.5) * 0.4, height=values.to_numpy(dtype=float) / scale, width=0.38)
            ticks = [(i, words(str(label))) for i, label in enumerate(values.index)]
        bp = self.bars_plot.getPlotItem()
        bp.getAxis("bottom").setTicks([ticks])
        heights = [np.asarray(item.opts["height"], float) for item in self.bars.values() if len(item.opts["height"])]
        if heights:  # room above the tallest bar for the legend (top right), so it never covers a bar
            allh = np.concatenate(heights)
            top, bottom = max(float(np.nanmax(allh)), 0.0), min(float(np.nanmin(allh)), 0.0)
            fit_y(self.bars_plot, top if top > 0 else 0.05 * (top - bottom) + 1e-9, bottom * 1.08)
        name = _short(r.job.scenarios[min(r.job.selected, len(r.job.scenarios) - 1)].name, 40)
        bp.setTitle(f"{r.title}<br><span style='font-size:9pt'>{name}</span>", size="10pt", color="#222222")
        bp.setLabel("left", f"{r.value_label} ({unit} of {r.grid.base})")
        bp.setLabel("bottom", r.x_label)

    # -- selection -----------------------------------------------------------------------------
    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.row() != self._selected:
            self._select(current.row())

    def _on_heat_click(self, event: Any) -> None:
        pos = self.heat.getPlotItem().vb.mapSceneToView(event.scenePos())
        row = int(np.floor(pos.y()))
        if 0 <= row < len(self.scenarios):
            self.select_scenario(row)

    def select_scenario(self, row: int) -> None:
        """Select scenario ``row``: highlight it, redraw the rung bars, emit the curve overlay."""
        self._selected = row  # so the table's currentRowChanged does not emit a second time
        self.table.selectRow(row)
        self._select(row)

    def _select(self, row: int, emit: bool = True) -> None:
        """Scenario ``row`` selected: mark it and ask for its chart (its overlay follows with the result)."""
        if row < 0:
            return
        self._selected = row
        self._mark(row)
        self._emit_overlay = self._emit_overlay or emit
        self.refresh()

    def _mark(self, row: int) -> None:
        n_cols = self.model.columnCount()
        self.marker.setData([0, n_cols, n_cols, 0, 0], [row, row, row + 1, row + 1, row])

    def overlay(self, row: int) -> ScenarioOverlay:
        """The shocked curves of scenario ``row`` (markets the scenario leaves alone are omitted),
        from the worker's result when it is for that row."""
        sc = self.scenarios[row]
        r = self.result
        if r is not None and r.job.selected == row and r.job.scenarios == tuple(self.scenarios):
            return ScenarioOverlay(sc.name, sc, dict(r.curves))
        curves = {m: c.shifted(sc.shift_bp(m, c.zero_tenors)) for m, c in self.session.snapshot.curves.items()
                  if not sc.curve_shock(m).is_zero}
        return ScenarioOverlay(sc.name, sc, curves)


def _plot_widget() -> pg.PlotWidget:
    """White plot, dark axes, no automatic SI prefixes (units are in the axis labels)."""
    widget = pg.PlotWidget(background="w")
    item = widget.getPlotItem()
    for name in ("left", "bottom", "right"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen("#444444"))
        axis.setTextPen(pg.mkPen("#222222"))
        axis.enableAutoSIPrefix(False)
    widget.setMinimumSize(240, 180)
    return widget


def _scale(max_abs: float) -> tuple[float, str]:
    """Display scale for amounts: millions from 1m up, else thousands."""
    return (1e6, "millions") if max_abs >= 1e6 else (1e3, "thousands")


def _heat_tick(column: str) -> str:
    """Heat-map column tick: ``Total`` → ``Σ``, ``7y`` → ``7``, market codes as they are."""
    if column == "Total":
        return "Σ"
    return column[:-1] if column.endswith("y") and column[:-1].isdigit() else column


def _horizons(scenarios: list[Scenario]) -> str:
    months = sorted({sc.horizon_months for sc in scenarios})
    return ", ".join(f"{m} months" for m in months)


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
