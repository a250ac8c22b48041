"""Curves view: each market's par curve (model, from the bootstrapped zero curve), the what-if
curves (dashed) and, when a scenario is selected in the Scenarios tab, its shocked curves (dotted).

The what-if curve carries a handle at each key tenor (2/5/10/30 y): dragging one up or down sets
that market's key-rate view by the vertical move (1 % of par yield = 100 bp of zero rate at that
tenor, rounded to whole bp), live while dragging and as one undoable step when released."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.analytics import KEY_TENORS
from desktop.markets import MARKET_CODES, MARKETS
from desktop.views.charts.base import (
    HoverLabel,
    LazyRefresh,
    make_plot,
    market_color,
    move_points,
    sticky_range,
)
from desktop.views.session import Session

TITLE = "Par curves: solid = snapshot, dashed = what-if, ○ = quotes, ● = drag to set a view"
GRID = np.round(np.concatenate([np.arange(0.25, 2.0, 0.25), np.arange(2.0, 30.01, 0.5)]), 2)
KEYS = np.asarray(KEY_TENORS, float)
SLACK = 0.1  # room added when a curve leaves the y range, as a share of the curves' span


class KeyHandles(pg.ScatterPlotItem):
    """Every market's key-tenor points on its what-if curve, in one item (one paint for all); a
    left-drag on a point moves that market's view at that tenor."""

    def __init__(self, chart: CurvesChart) -> None:
        super().__init__(size=10, symbol="o", hoverable=True, hoverSize=13, tip=None)
        self.chart = chart
        self.codes: tuple[str, ...] = ()  # the markets of the points, in order, len(KEYS) points each
        self.setZValue(20)
        self.setCursor(Qt.CursorShape.SizeVerCursor)

    def show_points(self, ys: dict[str, np.ndarray]) -> None:
        """Put the points of each market in ``ys`` (par yields at KEYS) on the chart: moved in place
        when the markets are the same as before (their styles kept), otherwise set anew."""
        order = {c: i for i, c in enumerate(MARKET_CODES)}  # drawn in this order: the last on top
        codes = tuple(sorted(ys, key=lambda c: order.get(c, len(order))))
        x = np.tile(KEYS, len(codes))
        y = np.concatenate([ys[c] for c in codes]) if codes else np.zeros(0)
        if codes == self.codes and move_points(self, x, y):
            return
        self.codes = codes
        per_point = [c for c in codes for _ in KEYS]
        self.setData(x=x, y=y, data=per_point,
                     pen=[pg.mkPen(market_color(c).darker(140), width=1.5) for c in per_point],
                     brush=[pg.mkBrush(market_color(c)) for c in per_point])

    def market_points(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """(tenors, par yields %) of ``code``'s points."""
        x, y = self.getData()
        mine = np.asarray([c == code for c in self.data["data"]], bool) if len(self.data) else np.zeros(0, bool)
        return np.asarray(x)[mine], np.asarray(y)[mine]

    def mouseDragEvent(self, ev) -> None:  # noqa: ANN001, N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            points = self.pointsAt(ev.buttonDownPos())
            if len(points) == 0:
                ev.ignore()
                return
            self.chart.begin_drag(str(points[0].data()), float(points[0].pos().x()), float(ev.buttonDownPos().y()))
        if self.chart.drag is None:
            ev.ignore()
            return
        ev.accept()
        self.chart.drag_to(float(ev.pos().y()))
        if ev.isFinish():
            self.chart.end_drag()


class CurvesChart(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._drawn_shift: dict[str, tuple[float, ...]] = {}  # market → the shift its lines show (bp)
        self.session = session
        self.plot = make_plot(TITLE,
                              "maturity (years)", "par yield (%, semi-annual)")
        p = self.plot.getPlotItem()
        p.setXRange(0.0, 30.5, padding=0)
        self.base: dict[str, pg.PlotDataItem] = {}
        self.shifted: dict[str, pg.PlotDataItem] = {}
        self.scenario: dict[str, pg.PlotDataItem] = {}
        self.scenario_name = ""
        for code in MARKET_CODES:
            color = market_color(code)
            self.base[code] = p.plot([], [], pen=pg.mkPen(color, width=2), name=MARKETS[code].name)
            self.shifted[code] = p.plot([], [], pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine))
            self.scenario[code] = p.plot([], [], pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DotLine))
        # the quotes of every market in one item, the key-tenor handles in another (one paint each)
        self.quotes = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(255, 255, 255))
        p.addItem(self.quotes)
        self.handles = KeyHandles(self)
        p.addItem(self.handles)
        self._handle_y: dict[str, np.ndarray] = {}  # market → its handles' par yields (%)
        self.drag: tuple[str, float, float, object, float] | None = None  # market, tenor, y0, what-if, bp0
        self._values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._scenario_values: dict[str, np.ndarray] = {}
        self._hover = HoverLabel(self.plot, self._describe,
                                 hide_on=(session.chartsChanged, session.scenarioOverlayChanged))
        lay = QVBoxLayout(self)
        lay.addWidget(self.plot)
        session.loaded.connect(self._draw_base)
        session.chartsChanged.connect(self.refresh)
        session.scenarioOverlayChanged.connect(self.set_overlay)

    def set_overlay(self, overlay: object | None) -> None:
        """Draw a scenario's shocked curves dotted (``overlay.curves[market]``; None clears them)."""
        curves = dict(getattr(overlay, "curves", {}) or {})
        self.scenario_name = str(getattr(overlay, "name", "")) if overlay is not None else ""
        self._scenario_values = {code: np.asarray(c.par_yield_pct(GRID), float) for code, c in curves.items()}
        for code, item in self.scenario.items():
            if code in self._scenario_values:
                item.setData(GRID, self._scenario_values[code])
            else:
                item.setData([], [])
        # the scenario goes on a second line: a longer one-line title would widen the plot past the tab
        title = TITLE + (f"<br><span style='font-size:9pt'>dotted = scenario “{html.escape(self.scenario_name)}”</span>"
                         if self.scenario_name else "")
        self.plot.getPlotItem().setTitle(title, size="11pt")
        self._fit()

    def _draw_base(self) -> None:
        self._drawn_shift = {}  # new base curves: every shifted line is redrawn on them
        self._handle_y = {}
        qx, qy, qcode = [], [], []
        for code, curve in self.session.snapshot.curves.items():
            y = np.asarray(curve.par_yield_pct(GRID), float)
            self.base[code].setData(GRID, y)
            self._values[code] = (y, y)
            if curve.curve_type == "par":
                keep = curve.tenors <= 30
                qx.append(curve.tenors[keep])
                qy.append(curve.input_yields_pct[keep])
                qcode += [code] * int(keep.sum())
        self.quotes.setData(x=np.concatenate(qx) if qx else np.zeros(0), y=np.concatenate(qy) if qy else np.zeros(0),
                            pen=[pg.mkPen(market_color(c)) for c in qcode])

    def refresh(self) -> None:
        if not self.refresh_if_visible():
            return
        s = self.session
        if not self._values and s.snapshot is not None:
            self._draw_base()
        drawn = self._drawn_shift
        for code, curve in s.curves.items():
            shift = tuple(np.round(s.whatif.key_shift(code), 9))
            if drawn.get(code) == shift and code in self._values:
                continue  # this market's curve did not move: its lines are already right
            drawn[code] = shift
            moved = bool(np.any(shift))
            if moved:
                y = np.asarray(curve.par_yield_pct(GRID), float)
                self.shifted[code].setData(GRID, y)
                self._values[code] = (self._values[code][0], y)
            else:
                self.shifted[code].setData([], [])
                self._values[code] = (self._values[code][0], self._values[code][0])
            self._handle_y[code] = np.asarray(curve.par_yield_pct(KEYS), float)
        self.handles.show_points(self._handle_y)
        self._fit()

    # -- dragging a key-rate point ---------------------------------------------------------------
    def begin_drag(self, code: str, tenor: float, y0: float) -> None:
        """Start moving ``code``'s view at ``tenor`` (the key tenor nearest the grabbed point)."""
        tenor = float(KEYS[int(np.argmin(np.abs(KEYS - tenor)))])
        whatif = self.session.whatif
        self.drag = (code, tenor, y0, whatif, float(whatif.key_bp.get(code, {}).get(tenor, 0.0)))

    def drag_to(self, y: float) -> None:
        """The point is at par yield ``y`` (%): the view moves by the vertical distance in bp."""
        from desktop.views.controls import KEY_RANGE_BP, with_key_view

        if self.drag is None:
            return
        code, tenor, y0, whatif, bp0 = self.drag
        bp = float(np.clip(round(bp0 + (y - y0) * 100.0), -KEY_RANGE_BP, KEY_RANGE_BP))
        self.session.set_whatif(with_key_view(whatif, code, tenor, bp))

    def end_drag(self) -> None:
        """Released: the whole drag becomes one undoable step."""
        from desktop.views.commands import SetWhatIf

        if self.drag is None:
            return
        code, tenor, _y0, before, _bp0 = self.drag
        self.drag = None
        after = self.session.whatif
        if after != before:
            bp = after.key_bp.get(code, {}).get(tenor, 0.0)
            self.session.undo_stack.push(SetWhatIf(self.session, before, after,
                                                   f"{code} {tenor:g} y view {bp:+.0f} bp"))

    def _fit(self) -> None:
        values = [v for pair in self._values.values() for v in pair] + list(self._scenario_values.values())
        if values:
            lo, hi = min(float(v.min()) for v in values), max(float(v.max()) for v in values)
            # slack: a what-if dragged on past the top or bottom moves the axis once, not at every tick
            sticky_range(self.plot, "y", lo - 0.25, hi + 0.6, pad=0.0, slack=SLACK)

    def _describe(self, x: float, _y: float) -> str:
        if not self._values or not (GRID[0] <= x <= GRID[-1]):
            return ""
        lines = [f"{x:.1f} y"]
        for code, (base, new) in self._values.items():
            b, n = np.interp(x, GRID, base), np.interp(x, GRID, new)
            text = f"{code}: {b:.3f} %" + (f" → {n:.3f} %" if abs(n - b) > 1e-6 else "")
            if code in self._scenario_values:
                text += f"  (scenario {np.interp(x, GRID, self._scenario_values[code]):.3f} %)"
            lines.append(text)
        return "\n".join(lines)
