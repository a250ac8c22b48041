"""Shared chart plumbing: market colours, stacked bars, hover read-outs, PNG/SVG export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QWidget

from desktop.markets import MARKETS

pg.setConfigOptions(antialias=False, background="w", foreground="#222222")

CCY_MARKET = {m.currency: code for code, m in MARKETS.items()}


def market_color(code: str, alpha: int = 255) -> QColor:
    color = QColor(MARKETS[code].color if code in MARKETS else CCY_MARKET.get(code, "#777777"))
    if code in CCY_MARKET:
        color = QColor(MARKETS[CCY_MARKET[code]].color)
    color.setAlpha(alpha)
    return color


def make_plot(title: str, x_label: str, y_label: str, legend: bool = True, legend_cols: int = 4) -> pg.PlotWidget:
    """A white plot with axis labels (with units), grid and an optional legend."""
    widget = pg.PlotWidget()
    item = widget.getPlotItem()
    item.setTitle(title, size="11pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    item.showGrid(x=True, y=True, alpha=0.25)
    for axis in ("left", "bottom", "top", "right"):
        ax = item.getAxis(axis)
        ax.enableAutoSIPrefix(False)
        # axes and titles rarely change while the data move: paint them from a pixmap cache
        ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    item.titleLabel.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    _title_never_widens(item.titleLabel)
    item.setMenuEnabled(True)
    if legend:
        leg = item.addLegend(offset=(-10, 5), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 220),
                             pen=pg.mkPen("#bbbbbb"))
        leg.setColumnCount(legend_cols)
    widget.setMinimumSize(260, 200)
    return widget


def _title_never_widens(label: pg.LabelItem) -> None:
    """A long title must not make the plot wider than its tab (pyqtgraph sets the title's minimum
    width to its text width, and a plot wider than its widget is cut off on the right)."""
    measure = label.updateMin

    def update_min() -> None:
        measure()
        label.setMinimumWidth(0)
        height = label._sizeHint[Qt.SizeHint.MinimumSize][1]
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, height)
        label._sizeHint[Qt.SizeHint.PreferredSize] = (0, height)
        label.updateGeometry()

    label.updateMin = update_min
    update_min()


def export_plot(widget: pg.PlotWidget, path: str | Path) -> Path:
    """Write a chart to ``path`` as PNG (pyqtgraph's ImageExporter) or, for ``.svg``, SVG.

    SVG is rendered through Qt's QSvgGenerator: pyqtgraph 0.14's SVGExporter fails on some of
    our items (bar charts drawn from QPictures), Qt's renderer handles every item as vectors.
    """
    path = Path(path)
    if path.suffix.lower() == ".svg":
        from PySide6.QtCore import QRect, QSize
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        size = widget.size()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(size.width(), size.height()))
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(widget.getPlotItem().titleLabel.text or "LadderDesk chart")
        painter = QPainter(generator)
        try:
            widget.render(painter)
        finally:
            painter.end()
        return path
    ImageExporter(widget.getPlotItem()).export(str(path))
    return path


class StackedBars:
    """Bars stacked by series (market/currency) on integer x, optionally offset for side by side.

    One ``BarGraphItem`` per series, created once; :meth:`set` updates them with ``setOpts``.
    """

    def __init__(self, plot: pg.PlotItem, series: Sequence[str], offset: float = 0.0, width: float = 0.8,
                 alpha: int = 255, label_suffix: str = "", outline: bool = False) -> None:
        self.series = list(series)
        self.offset, self.width = offset, width
        self.items: dict[str, pg.BarGraphItem] = {}
        self._last: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # x, height, y0 last drawn
        for name in self.series:
            color = market_color(name, alpha)
            pen = pg.mkPen(market_color(name).darker(130), width=1) if outline else pg.mkPen(None)
            bar = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=width, brush=pg.mkBrush(color), pen=pen,
                                  name=f"{name}{label_suffix}")
            plot.addItem(bar)
            self.items[name] = bar

    def set(self, table: pd.DataFrame, scale: float = 1.0) -> float:
        """``table``: index = x (numbers), columns = series; values stacked in series order.

        Returns the tallest stack (for setting the y range with room for the legend)."""
        if not len(table):
            matrix = None
        elif list(table.columns) == self.series:  # the evaluation's tables: no reindex needed
            matrix = table.to_numpy(float)
        else:
            matrix = table.reindex(columns=self.series, fill_value=0.0).to_numpy(float)
        return self.set_matrix(np.asarray(table.index, dtype=float), matrix, scale)

    def set_matrix(self, x: np.ndarray, matrix: np.ndarray | None, scale: float = 1.0) -> float:
        """``matrix[i, j]`` = value of series j at ``x[i]``. A series whose bars did not move is
        left alone (``setOpts`` re-prepares the item and its bounds even for identical data)."""
        if matrix is None or not len(x):
            empty = np.zeros(0)
            for name in self.series:
                self._update(name, empty, empty, empty)
            return 0.0
        heights = matrix * scale
        bottoms = np.cumsum(heights, axis=1) - heights
        xs = np.asarray(x, float) + self.offset
        for j, name in enumerate(self.series):
            self._update(name, xs, heights[:, j], bottoms[:, j])
        return float(heights.sum(axis=1).max())

    def _update(self, name: str, x: np.ndarray, height: np.ndarray, y0: np.ndarray) -> None:
        last = self._last.get(name)
        if last is not None and all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(last, (x, height, y0), strict=True)):
            return
        self._last[name] = (x, height, y0)
        self.items[name].setOpts(x=x, height=height, y0=y0, width=self.width)


def set_label(widget: pg.PlotWidget, axis: str, text: str) -> None:
    """Change an axis label only if it differs (a label change re-lays out the plot)."""
    item = widget.getPlotItem().getAxis(axis)
    if item.labelText != text:
        widget.getPlotItem().setLabel(axis, text)


def legend_fraction(widget: pg.PlotWidget) -> float:
    """The share of the plot's height a top-anchored legend takes (0 when hidden or at the bottom)."""
    item = widget.getPlotItem()
    legend = item.legend
    if legend is None or not legend.isVisible() or not legend.items:
        return 0.0
    offset = legend.offset if legend.offset is not None else (0, 0)
    if offset[1] < 0:  # anchored at the bottom
        return 0.0
    height = item.vb.height()
    if height <= 50:
        return 0.25
    return min(0.6, (legend.boundingRect().height() + offset[1] + 14) / height)


def fit_y(widget: pg.PlotWidget, top: float, bottom: float = 0.0, headroom: float = 1.18) -> None:
    """Y range from ``bottom`` to ``top`` with headroom for the legend above the bars (sticky): the
    legend's own height decides, so it sits above the tallest bar, never on it."""
    top = max(top, 1e-9)
    frac = legend_fraction(widget)
    needed = bottom + (top - bottom) / (1.0 - frac) if frac else top
    sticky_range(widget, "y", bottom, max(top * headroom, needed), pad=0.0)


def sticky_range(widget: pg.PlotWidget, axis: str, lo: float, hi: float, pad: float = 0.05) -> None:
    """Set an axis range only when the data leave it or shrink below half of it.

    Autorange would move the axes on every what-if tick and force pyqtgraph to regenerate and
    repaint them; a sticky range keeps the axes still while the data move (and is easier to read).
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return
    vb = widget.getPlotItem().vb
    cur = vb.viewRange()[0 if axis == "x" else 1]
    span = max(hi - lo, 1e-9)
    inside = cur[0] <= lo and hi <= cur[1]
    if inside and span >= 0.5 * (cur[1] - cur[0]):
        return
    new = (lo - pad * span, hi + pad * span)
    if axis == "x":
        vb.setXRange(*new, padding=0)
    else:
        vb.setYRange(*new, padding=0)


class HoverLabel:
    """A text item following the mouse that shows what ``describe(x, y)`` returns."""

    def __init__(self, widget: pg.PlotWidget, describe, hide_on: Sequence = ()) -> None:  # noqa: ANN001
        """``hide_on``: signals after which the read-out is stale (the data changed): it hides."""
        self.widget, self.describe = widget, describe
        self.text = pg.TextItem("", color="#111111", fill=pg.mkBrush(255, 255, 240, 230), anchor=(0, 1))
        self.text.setZValue(100)
        widget.getPlotItem().addItem(self.text, ignoreBounds=True)
        self.text.hide()
        widget.scene().sigMouseMoved.connect(self.on_move)
        for signal in hide_on:
            signal.connect(self.hide)

    def hide(self, *_args: object) -> None:
        self.text.hide()

    def on_move(self, pos: QPointF) -> None:
        vb = self.widget.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(pos):
            self.text.hide()
            return
        p = vb.mapSceneToView(pos)
        msg = self.describe(p.x(), p.y())
        if not msg:
            self.text.hide()
            return
        self.text.setText(msg)
        (x0, x1), (y0, y1) = vb.viewRange()
        right = p.x() > x0 + 0.55 * (x1 - x0)  # near the right edge: the box opens to the left
        top = p.y() > y0 + 0.6 * (y1 - y0)  # near the top: it opens downwards
        self.text.setAnchor((1 if right else 0, 0 if top else 1))
        self.text.setPos(p)
        self.text.show()


def plots_of(widget: QWidget) -> list[pg.PlotWidget]:
    """All pyqtgraph plots inside a chart panel (for export)."""
    return widget.findChildren(pg.PlotWidget)


class LazyRefresh:
    """Mixin for chart panels: redraw only while visible; a hidden panel redraws when shown."""

    _stale = False

    def refresh_if_visible(self) -> bool:
        """True if the caller should redraw now; otherwise remember to redraw on show."""
        if not self.isVisible():  # type: ignore[attr-defined]
            self._stale = True
            return False
        self._stale = False
        return True

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)  # type: ignore[misc]
        if self._stale:
            self._stale = False
            self.refresh()  # type: ignore[attr-defined]
