"""Chart plumbing (desktop/views/charts/base.py): the grid is painted in the plot's background and
looks as pyqtgraph's own grid does (same pixels, except where two grid lines cross: pyqtgraph's
translucent lines add up there), it follows range changes, lies under the data and is in PNG
exports; sticky ranges give slack on the side the data left by, not on the first fit."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

from desktop.views.charts.base import GridAxis, export_plot, make_plot, sticky_range

SIZE = (640, 420)


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    return np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4).reshape(h, -1)[:, :w] & 0xFFFFFF


def _stock_plot() -> pg.PlotWidget:
    """pyqtgraph's own plot with the same title, labels and grid (translucent, drawn by the axes)."""
    widget = pg.PlotWidget()
    item = widget.getPlotItem()
    item.setTitle("Grid", size="11pt")
    item.setLabel("bottom", "x (years)")
    item.setLabel("left", "y (%)")
    item.showGrid(x=True, y=True, alpha=0.25)
    for axis in ("left", "bottom"):
        item.getAxis(axis).enableAutoSIPrefix(False)
    return widget


def _pair(qtbot) -> tuple[pg.PlotWidget, pg.PlotWidget]:
    ours, stock = make_plot("Grid", "x (years)", "y (%)", legend=False), _stock_plot()
    for w in (ours, stock):
        qtbot.addWidget(w)
        w.resize(*SIZE)
        w.show()
    return ours, stock


def _set_ranges(plots, x: tuple[float, float], y: tuple[float, float], qtbot) -> None:
    for w in plots:
        w.getPlotItem().vb.setRange(xRange=x, yRange=y, padding=0)
    qtbot.wait(20)


def _assert_same_grid(ours: pg.PlotWidget, stock: pg.PlotWidget) -> None:
    a, b = _pixels(ours.grab().toImage()), _pixels(stock.grab().toImage())
    assert a.shape == b.shape
    gridded = (b != 0xFFFFFF).sum()
    assert gridded > 1000  # there is a grid to compare
    diff = np.argwhere(a != b)
    # only where a horizontal and a vertical grid line cross: both its row and its column are grid
    # lines in pyqtgraph's picture (mostly non-white), and pyqtgraph's pixel is the darker one there
    row_grid = (b != 0xFFFFFF).mean(axis=1) > 0.5
    col_grid = (b != 0xFFFFFF).mean(axis=0) > 0.5
    for r, c in diff:
        assert row_grid[r] and col_grid[c], (r, c, hex(a[r, c]), hex(b[r, c]))
        assert (b[r, c] & 0xFF) < (a[r, c] & 0xFF)
    assert len(diff) <= row_grid.sum() * col_grid.sum()


def test_the_grid_looks_like_pyqtgraphs_and_follows_the_ranges(qtbot):
    ours, stock = _pair(qtbot)
    assert isinstance(ours.getPlotItem().getAxis("left"), GridAxis)
    _set_ranges((ours, stock), (0.0, 30.5), (0.4, 5.6), qtbot)
    _assert_same_grid(ours, stock)
    _set_ranges((ours, stock), (2.0, 11.0), (-1.3, 0.35), qtbot)  # other ticks, other label widths
    _assert_same_grid(ours, stock)


def test_the_grid_is_under_the_data(qtbot):
    ours, stock = _pair(qtbot)
    _set_ranges((ours, stock), (0.0, 10.0), (0.0, 10.0), qtbot)
    for w in (ours, stock):  # an opaque red band across the whole plot, over many grid lines
        w.getPlotItem().plot([0.0, 10.0], [5.0, 5.0], pen=pg.mkPen((255, 0, 0), width=9))
    qtbot.wait(20)
    a, b = _pixels(ours.grab().toImage()), _pixels(stock.grab().toImage())
    band = (a == 0xFF0000).mean(axis=1) > 0.5
    assert band.sum() >= 7
    assert (a[band][:, 80:-80] == 0xFF0000).all()  # grid lines do not cut through the data
    assert (b[band][:, 80:-80] != 0xFF0000).any()  # (pyqtgraph's grid was drawn over it)


def test_a_png_export_has_the_grid(qtbot, tmp_path):
    ours, stock = _pair(qtbot)
    _set_ranges((ours, stock), (0.0, 30.5), (0.4, 5.6), qtbot)
    path = export_plot(ours, tmp_path / "chart.png")
    exported = _pixels(QImage(str(path)))
    on_screen = _pixels(ours.grab().toImage())
    assert exported.shape == on_screen.shape
    np.testing.assert_array_equal(exported, on_screen)
    assert ((exported != 0xFFFFFF).mean(axis=1) > 0.5).sum() >= 4  # horizontal grid lines in it


def test_sticky_range_slack_on_the_side_the_data_left_by(qtbot):
    w = make_plot("Sticky", "x", "y", legend=False)
    qtbot.addWidget(w)
    vb = w.getPlotItem().vb

    def y_range() -> list[float]:
        return vb.viewRange()[1]

    sticky_range(w, "y", 2.0, 6.0, pad=0.0, slack=0.1)
    assert y_range() == pytest.approx([2.0, 6.0])  # the first fit is tight
    sticky_range(w, "y", 2.5, 5.5, pad=0.0, slack=0.1)
    assert y_range() == pytest.approx([2.0, 6.0])  # inside: the axis stays
    sticky_range(w, "y", 2.0, 7.0, pad=0.0, slack=0.1)  # out at the top: 10 % of the 5-wide span more there
    assert y_range() == pytest.approx([2.0, 7.5])
    sticky_range(w, "y", 2.0, 7.4, pad=0.0, slack=0.1)
    assert y_range() == pytest.approx([2.0, 7.5])  # the next tick up is still inside
    sticky_range(w, "y", 1.0, 7.0, pad=0.0, slack=0.1)  # out at the bottom only
    assert y_range() == pytest.approx([1.0 - 0.6, 7.0])
    sticky_range(w, "y", 3.0, 4.0, pad=0.0, slack=0.1)  # shrunk below half: tight again
    assert y_range() == pytest.approx([3.0, 4.0])
    sticky_range(w, "x", 0.0, 10.0, pad=0.0)  # no slack asked: as before
    sticky_range(w, "x", 0.0, 12.0, pad=0.0)
    assert vb.viewRange()[0] == pytest.approx([0.0, 12.0])
