"""Scenarios view: the scenario × (market, rung, total) P&L grid, its heat map and a bar chart.

The bar chart shows, for the selected scenario, current vs optimised: P&L by rung, the return to
the scenario's horizon split by component, or the coupon income per year of the ladder rolled
forward ten years (see :mod:`desktop.scenarios.horizon`).

Reads from the session (duck-typed, so tests can pass a small fake): ``snapshot`` (curves,
``fx_usd_per_unit``, ``short_rates_pct``), ``universe``, ``face`` (current holdings, local face),
``outcome.face`` (optimised holdings, optional) and ``whatif.base_ccy`` (default USD); listens to
``loaded``, ``analyticsChanged`` and ``solutionChanged`` when the session has them. Scenarios shock
the snapshot's curves (not the what-if curves). All finance is in :mod:`desktop.scenarios`.

Selecting a scenario (table row or heat-map cell) emits :attr:`ScenariosView.scenarioSelected`
with a :class:`ScenarioOverlay` (the shocked curves by market) and, when the session has it,
calls ``session.set_scenario_overlay(overlay)`` so the Curves view can draw them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import LadderDeskError
from desktop.scenarios.grid import ScenarioGrid, scenario_grid
from desktop.scenarios.horizon import COMPONENTS, horizon_return, roll_forward
from desktop.scenarios.model import Scenario
from desktop.scenarios.presets import PRESETS
from desktop.scenarios.revalue import MarketState, ScenarioEngine

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
SORT_ROLE = Qt.ItemDataRole.UserRole
_IDX = QModelIndex | QPersistentModelIndex
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(178, 24, 43), (247, 247, 247), (33, 102, 172)])  # RdBu: loss→gain


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
            return "" if np.isnan(value) else f"{value / 1e3:,.0f}"
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and value < 0:
            return QColor(178, 24, 43)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return str(self._frame.columns[section])
            return str(self._frame.index[section])
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return f"P&L in thousands of {self.unit}"
        return None


class ScenariosView(QWidget):
    """Grid table + heat map + bar chart by rung. ``refresh()`` recomputes from the session."""

    scenarioSelected = Signal(object)  # ScenarioOverlay
    gridChanged = Signal(object)  # ScenarioGrid

    def __init__(self, session: Any, parent: QWidget | None = None, scenarios: list[Scenario] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.scenarios: list[Scenario] = list(scenarios or PRESETS)
        self.grid: ScenarioGrid | None = None
        self.ms_per_scenario = float("nan")
        self._engine: ScenarioEngine | None = None
        self._engine_key: tuple[Any, Any, str] = (None, None, "")  # (universe, snapshot, base) it was built for
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
        self.model = GridModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
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
        lay.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.refresh)
        self.measure.currentIndexChanged.connect(self._redraw)
        self.portfolio.currentIndexChanged.connect(self._redraw)
        self.chart.currentIndexChanged.connect(self._draw_bars)
        for name in ("loaded", "analyticsChanged", "solutionChanged"):
            signal = getattr(session, name, None)
            if signal is not None:
                signal.connect(self.schedule_refresh)
        saved = getattr(session, "savedChanged", None)
        if saved is not None and scenarios is None:  # presets + the scenarios the user saved
            saved.connect(self._saved_changed)
        if getattr(session, "snapshot", None) is not None:
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
        user = list(getattr(self.session, "saved_scenarios", []))
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
        outcome = getattr(s, "outcome", None)
        face = getattr(outcome, "face", None) if outcome is not None else None
        if face is not None:
            out["optimised"] = np.asarray(face, dtype=float)
        return out

    def _base(self) -> str:
        whatif = getattr(self.session, "whatif", None)
        return str(getattr(whatif, "base_ccy", "USD"))

    def refresh(self) -> None:
        s = self.session
        if getattr(s, "snapshot", None) is None or len(getattr(s, "universe", ())) == 0 or not self.scenarios:
            return
        portfolios = self._portfolios()
        if any(len(f) != len(s.universe) for f in portfolios.values()):
            return  # holdings and universe out of step (mid-update); the next signal brings both
        key = (s.universe, s.snapshot, self._base())
        try:
            old = self._engine_key
            if self._engine is None or not (key[0] is old[0] and key[1] is old[1] and key[2] == old[2]):
                self._engine = ScenarioEngine.build(s.universe, MarketState.from_snapshot(s.snapshot, self._base()))
                self._engine_key = key
            start = time.perf_counter()
            self.grid = scenario_grid(self._engine, self.scenarios, portfolios)
        except (LadderDeskError, KeyError, ValueError) as exc:
            self.status.setText(f"Scenarios unavailable: {exc}")
            return
        self.ms_per_scenario = (time.perf_counter() - start) * 1e3 / len(self.scenarios)
        self.gridChanged.emit(self.grid)
        self._redraw()

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
        self.status.setText(f"{len(self.scenarios)} scenarios · {self.ms_per_scenario:.1f} ms per scenario · "
                            f"thousands of {g.base}")
        self._scale, self._unit = _scale(np.nanmax(np.abs(table.to_numpy(dtype=float)), initial=0.0))
        values = table.to_numpy(dtype=float) / self._scale
        span = float(np.nanmax(np.abs(values))) if values.size else 1.0
        span = span if span > 0 else 1.0
        self.image.setImage(np.nan_to_num(values.T), levels=(-span, span))
        self.colorbar.setLevels((-span, span))
        self.colorbar.setLabel("right", f"P&L ({self._unit} of {g.base})")
        hp = self.heat.getPlotItem()
        # compact column ticks so 15+ narrow cells stay legible: markets, Σ for the total, rung numbers
        hp.getAxis("bottom").setTicks([[(i + 0.5, _heat_tick(str(c))) for i, c in enumerate(table.columns)]])
        hp.setLabel("bottom", "market · Σ total · rung (years)")
        hp.getAxis("left").setTicks([[(i + 0.5, _short(n, 22)) for i, n in enumerate(table.index)]])
        hp.setRange(xRange=(0, values.shape[1]), yRange=(0, values.shape[0]), padding=0)
        self._select(min(self._selected, len(table) - 1), emit=False)

    def _chart_series(self, sc: Scenario) -> tuple[dict[str, pd.Series], str, str]:
        """Bars to draw for the chart mode: {portfolio: values by label}, title, x-axis label."""
        mode, measure = self.chart.currentText(), self._current_measure()
        grid, eng = cast(ScenarioGrid, self.grid), cast(ScenarioEngine, self._engine)
        if mode == CHARTS[0]:
            series = {p: grid.rung_bars(p, sc.name, measure) for p in grid.portfolios}
            return series, "P&L by rung", "rung (years to maturity)"
        faces = self._portfolios()
        if mode == CHARTS[1]:
            hedged = measure not in ("unhedged", "fx")
            cols = [*COMPONENTS, "total"]
            series = {p: horizon_return(eng, f, sc, hedged=hedged).loc["Total", cols] for p, f in faces.items()}
            title = f"Return to {sc.horizon_months}-month horizon ({'hedged' if hedged else 'unhedged'})"
            return series, title, "component"
        rolls = {p: roll_forward(eng, f, sc, years=10) for p, f in faces.items()}
        dur = rolls["current"]["mod_duration"]
        series = {p: r["income_base"].iloc[1:].set_axis([f"Y{y}" for y in r.index[1:]]) for p, r in rolls.items()}
        title = f"Income per year, rolled at the far rung (duration {dur.iloc[0]:.2f} → {dur.iloc[-1]:.2f} y)"
        return series, title, "year"

    def _draw_bars(self, *_args: object) -> None:
        if self.grid is None or self._engine is None or not self.scenarios:
            return
        series, title, x_label = self._chart_series(self.scenarios[self._selected])  # title: ≤ ~55 chars
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
            ticks = [(i, str(label)) for i, label in enumerate(values.index)]
        bp = self.bars_plot.getPlotItem()
        bp.getAxis("bottom").setTicks([ticks])
        name = _short(self.scenarios[self._selected].name, 40)
        bp.setTitle(f"{title}<br><span style='font-size:9pt'>{name}</span>", size="10pt", color="#222222")
        what = "P&L" if self.chart.currentText() != CHARTS[2] else "coupon income"
        bp.setLabel("left", f"{what} ({unit} of {self.grid.base})")
        bp.setLabel("bottom", x_label)

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
        if row < 0:
            return
        self._selected = row
        n_cols = self.model.columnCount()
        self.marker.setData([0, n_cols, n_cols, 0, 0], [row, row, row + 1, row + 1, row])
        self._draw_bars()
        if emit:
            overlay = self.overlay(row)
            self.scenarioSelected.emit(overlay)
            hook = getattr(self.session, "set_scenario_overlay", None)
            if callable(hook):
                hook(overlay)

    def overlay(self, row: int) -> ScenarioOverlay:
        """The shocked curves of scenario ``row`` (markets the scenario leaves alone are omitted)."""
        sc = self.scenarios[row]
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


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
