"""Shared chart plumbing: market colours, stacked bars, hover read-outs, PNG/SVG export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPaintEngine, QPainter, QPen, QPicture, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from desktop.markets import MARKETS

pg.setConfigOptions(antialias=False, background="w", foreground="#222222")

CCY_MARKET = {m.currency: code for code, m in MARKETS.items()}


def market_color(code: str, alpha: int = 255) -> QColor:
    color = QColor(MARKETS[code].color if code in MARKETS else CCY_MARKET.get(code, "#777777"))
    if code in CCY_MARKET:
        color = QColor(MARKETS[CCY_MARKET[code]].color)
    color.setAlpha(alpha)
    return color


class GridAxis(pg.AxisItem):
    """An axis whose grid lines are painted in its plot's background (:class:`GridPlot`).

    pyqtgraph draws the grid from the axis: translucent lines over the data, and the axis' bounding
    rectangle (so its pixmap cache) grown to the whole plot. Every repaint then blended two plot-sized
    translucent pixmaps (Qt hands those to its thread pool: a wait on a busy machine) and a range
    change redrew translucent lines, which Qt blends pixel by pixel. Here the axis keeps the small
    rectangle it has without a grid (labels and axis line, cached), and the same grid lines, at the
    same positions and in the same grey on the plot's background (their colour blended onto it once,
    drawn opaque), go into the plot's cached backdrop: behind the data, redrawn when the ticks move.
    """

    _specs: tuple | None = None  # pyqtgraph's draw specs of the current picture
    _measuring = False

    def __init__(self, orientation: str, **kwargs: object) -> None:
        self._pens: dict[tuple[int, int, float], QPen] = {}
        super().__init__(orientation, **kwargs)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsScenePositionChanges)  # see itemChange

    # pyqtgraph sets ``picture = None`` whenever the axis must be redrawn (range, size, ticks, pens,
    # labels): the grid is redrawn then too
    @property
    def picture(self) -> QPicture | None:
        return self.__dict__.get("_picture")

    @picture.setter
    def picture(self, value: QPicture | None) -> None:
        self.__dict__["_picture"] = value
        if value is None and not self._measuring:
            self._specs = None
            try:
                scene = self.scene()
            except RuntimeError:  # being deleted
                return
            for view in scene.views() if scene is not None else ():
                if isinstance(view, GridPlot):
                    view.grid_changed()

    def itemChange(self, change, value):  # noqa: ANN001, ANN201, N802 - Qt API
        if change == QGraphicsItem.GraphicsItemChange.ItemScenePositionHasChanged:
            self.picture = None  # moved: its grid lines are elsewhere in the scene
        return super().itemChange(change, value)

    def boundingRect(self):  # noqa: ANN201, N802 - Qt API
        """The axis without its grid (pyqtgraph's rectangle when the grid is off); while the labels are
        placed, the rectangle with the grid, as pyqtgraph places them (it hides those that leave it)."""
        if self._measuring:
            return super().boundingRect()
        grid, self.grid = self.grid, False
        try:
            return super().boundingRect()
        finally:
            self.grid = grid

    def _draw_specs(self) -> tuple | None:
        if self._specs is None:
            picture = QPicture()
            painter = QPainter(picture)  # where pyqtgraph measures the labels too
            self._measuring = True  # pyqtgraph drops the picture while it measures: not a change
            try:
                if self.style["tickFont"]:
                    painter.setFont(self.style["tickFont"])
                self._specs = super().generateDrawSpecs(painter)
            finally:
                self._measuring = False
                painter.end()
        return self._specs

    def generateDrawSpecs(self, p):  # noqa: ANN001, ANN201, N802 - pyqtgraph API
        specs = self._draw_specs()
        if specs is None or self.grid is False:
            return specs
        return specs[0], [], specs[2]  # with a grid the tick lines are the grid: the backdrop draws them

    def grid_lines(self, background: QColor) -> list[tuple[QPen, QPointF, QPointF]]:
        """This axis' grid lines in scene coordinates, opaque (their colour over ``background``)."""
        if self.grid is False or not self.isVisible() or self.linkedView() is None:
            return []
        specs = self._draw_specs()
        if specs is None:
            return []
        return [(self._opaque(pen, background), self.mapToScene(p1), self.mapToScene(p2)) for pen, p1, p2 in specs[1]]

    def _opaque(self, pen: QPen, background: QColor) -> QPen:
        color = pen.color()
        key = (color.rgba(), background.rgba(), pen.widthF())
        out = self._pens.get(key)
        if out is None:
            a = color.alphaF()
            mix = [round(b + (c - b) * a) for c, b in zip(color.getRgb()[:3], background.getRgb()[:3], strict=True)]
            out = QPen(pen)
            out.setColor(QColor(*mix))
            self._pens[key] = out
        return out


class GridPlot(pg.PlotWidget):
    """A plot whose background, grid lines included (from its :class:`GridAxis` axes), is painted
    from an image it keeps: an opaque copy per repaint, redrawn only when the grid moved.

    (Qt's own background cache would do the copy, but dropping it asks for a repaint, and the axes
    drop their grid during a paint too, when pyqtgraph settles the ranges: one paint more each time.)
    """

    _backdrop: QImage | None = None
    _backdrop_key: tuple | None = None
    _painting = False
    _repaint_after = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)

    def grid_changed(self) -> None:
        """An axis' grid moved: redraw the backdrop (and the whole plot) on the next paint."""
        self._backdrop = None
        if self._painting:
            self._repaint_after = True  # the background may be painted already: paint once more
        else:
            self.viewport().update()

    def paintEvent(self, ev) -> None:  # noqa: ANN001, N802 - Qt API
        self._painting, self._repaint_after = True, False
        try:
            self.scene().prepareForPaint()  # (pyqtgraph's paintEvent) may move the ranges: grid_changed
            # ...before the background is painted: this paint has the new grid, where it paints
            moved = self._repaint_after
            self._repaint_after = False
            QGraphicsView.paintEvent(self, ev)
        finally:
            self._painting = False
        if self._repaint_after or (moved and not ev.region().contains(self.viewport().rect())):
            self.viewport().update()

    def grid_lines(self) -> list[tuple[QPen, QPointF, QPointF]]:
        """The grid's lines in scene coordinates, in drawing order, with their opaque pens."""
        background = self.backgroundBrush().color()
        lines = []
        for name in ("left", "bottom", "right", "top"):
            axis = self.getPlotItem().getAxis(name)
            if isinstance(axis, GridAxis):
                lines += axis.grid_lines(background)
        return lines

    @staticmethod
    def _draw(painter: QPainter, lines: list[tuple[QPen, QPointF, QPointF]]) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # as pyqtgraph draws the grid
        for pen, p1, p2 in lines:
            painter.setPen(pen)
            painter.drawLine(p1, p2)

    def _render(self, width: int, height: int, ratio: float, color: QColor, t: QTransform) -> QImage:
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(color)
        painter = QPainter(image)
        try:
            painter.setTransform(t)
            self._draw(painter, self.grid_lines())
        finally:
            painter.end()
        return image

    def drawBackground(self, painter: QPainter, rect) -> None:  # noqa: ANN001, N802 - Qt API
        brush = self.backgroundBrush()
        if painter.paintEngine().type() != QPaintEngine.Type.Raster or not brush.isOpaque():
            super().drawBackground(painter, rect)  # SVG or a see-through background: lines as they are
            painter.save()
            self._draw(painter, self.grid_lines())
            painter.restore()
            return
        vp = self.viewport()
        ratio = vp.devicePixelRatioF()
        t = self.viewportTransform()
        width, height = max(1, round(vp.width() * ratio)), max(1, round(vp.height() * ratio))
        key = (width, height, ratio, brush.color().rgba(), t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy())
        if self._backdrop is None or key != self._backdrop_key:
            self._backdrop = self._render(width, height, ratio, brush.color(), t)
            self._backdrop_key = key
        painter.save()
        painter.setTransform(t.inverted()[0], combine=True)  # scene → viewport pixels
        painter.drawImage(0, 0, self._backdrop)
        painter.restore()


def make_plot(title: str, x_label: str, y_label: str, legend: bool = True, legend_cols: int = 4) -> pg.PlotWidget:
    """A white plot with axis labels (with units), grid and an optional legend."""
    widget = GridPlot(axisItems={"left": GridAxis("left"), "bottom": GridAxis("bottom")})
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
    """Write a chart to ``path`` as PNG or, for ``.svg``, SVG, as the plot is on screen.

    SVG is rendered through Qt's QSvgGenerator: pyqtgraph 0.14's SVGExporter fails on some of
    our items (bar charts drawn from QPictures), Qt's renderer handles every item as vectors.
    PNG is the widget's own rendering: pyqtgraph's ImageExporter renders the scene only, without
    the plot's background, where :class:`GridPlot` draws the grid.
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
    if not isinstance(widget, GridPlot):
        ImageExporter(widget.getPlotItem()).export(str(path))
        return path
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
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


def move_points(item: pg.ScatterPlotItem, x: np.ndarray, y: np.ndarray) -> bool:
    """Move the points of ``item`` to (x, y) in place, keeping their style; False (nothing done) when
    the number of points differs or the item has no point table (then ``setData`` is needed).

    ``setData`` rebuilds the point table and looks every point up in the symbol atlas again (Python,
    per point: 17 ms a redraw at 2,000 bonds, most of the Exposure tab's time). Here only the
    coordinates change, so the cached symbols stay valid; what ``ScatterPlotItem.addPoints`` does after
    writing new coordinates is repeated: geometry change, view bounds, cached bounds and picture
    dropped, ``sigPlotChanged``. (pyqtgraph 0.13–0.14 layout: a structured ``data`` with ``x``/``y``.)
    """
    data = getattr(item, "data", None)
    if data is None or len(data) != len(x) or len(x) == 0 or data.dtype.names is None or "x" not in data.dtype.names:
        return False
    if np.array_equal(data["x"], x) and np.array_equal(data["y"], y):
        return True  # unchanged (another market's move): no repaint
    data["x"] = x
    data["y"] = y
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]
    item.invalidate()
    item.sigPlotChanged.emit(item)
    return True


def set_points(item: pg.ScatterPlotItem, x: np.ndarray, y: np.ndarray) -> None:
    """Show (x, y) in ``item``: moved in place when the count is unchanged (:func:`move_points`),
    otherwise ``setData``; an empty item given no points is left alone (``setData`` re-lays out)."""
    if move_points(item, x, y) or (len(x) == 0 and len(item.data) == 0):
        return
    item.setData(x=x, y=y)


def set_line(item: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
    """``item.setData(x, y)`` unless it already shows exactly these points (a slider moves one market:
    the other markets' lines are left alone, no re-preparing and no repaint)."""
    if (item.xData is not None and item.yData is not None and len(item.xData) == len(x)
            and np.array_equal(item.xData, x) and np.array_equal(item.yData, y)):
        return
    item.setData(x, y)


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


def sticky_range(widget: pg.PlotWidget, axis: str, lo: float, hi: float, pad: float = 0.05,
                 slack: float = 0.0) -> None:
    """Set an axis range only when the data leave it or shrink below half of it.

    Autorange would move the axes on every what-if tick and force pyqtgraph to regenerate and
    repaint them; a sticky range keeps the axes still while the data move (and is easier to read).
    ``slack``: when the data leave the range, the side they left by gets this share of the data's
    span more room, so a slider dragged on in the same direction does not move the axis again at
    the next tick (for data that move with the sliders, e.g. yields); not on the first fit.
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return
    vb = widget.getPlotItem().vb
    cur = vb.viewRange()[0 if axis == "x" else 1]
    span = max(hi - lo, 1e-9)
    inside = cur[0] <= lo and hi <= cur[1]
    if inside and span >= 0.5 * (cur[1] - cur[0]):
        return
    fitted = getattr(vb, "_sticky_fitted", set())
    if axis not in fitted:
        slack = 0.0
    new = (lo - (pad + (slack if lo < cur[0] else 0.0)) * span, hi + (pad + (slack if hi > cur[1] else 0.0)) * span)
    vb._sticky_fitted = fitted | {axis}
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
