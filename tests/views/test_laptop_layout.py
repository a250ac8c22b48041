"""Laptop screens: at 1280×720 and 1366×768 every tab's plots, legends and tables lie inside their
widgets, the charts get at least 60 % of the width, legends sit above the bars; the View menu."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtWidgets import QAbstractItemView, QDockWidget

from tests.views.conftest import fake_solve
from tests.views.test_menus import leaf_actions


@pytest.fixture
def laptop(make_window):
    return make_window(fake_solve, scenarios_tab=True, timeout=10_000)


def _inside(inner: QRectF | QRect, outer: QRectF | QRect, slack: float = 1.5) -> bool:
    return (inner.left() >= outer.left() - slack and inner.top() >= outer.top() - slack
            and inner.right() <= outer.right() + slack and inner.bottom() <= outer.bottom() + slack)


def _window_rect(widget, window) -> QRect:  # noqa: ANN001
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_every_tab_fits_a_laptop_screen(laptop, qtbot, qapp, size):
    from desktop.views.layout import default_layout

    win, s = laptop, laptop.session
    win.resize(*size)
    qapp.processEvents()
    assert default_layout(win) == "compact"
    qapp.processEvents()
    assert (win.width(), win.height()) == size
    assert win.tabs.width() >= 0.6 * win.width(), (win.tabs.width(), win.width())
    page = _window_rect(win.tabs, win)
    for key, view in win.views.items():
        win.show_view(key)
        s.flush()
        for _ in range(5):
            qapp.processEvents()
        qtbot.wait(80)  # throttled redraws and the scenario grid land
        area = _window_rect(view, win)
        assert _inside(area, page), (key, area, page)
        for plot in view.findChildren(pg.PlotWidget):
            if not plot.isVisible():
                continue
            rect = _window_rect(plot, win)
            assert _inside(rect, area), (key, "plot widget", rect, area)
            item = plot.getPlotItem()
            scene_view = QRectF(plot.rect())  # the scene shown by the widget (no scroll in a PlotWidget)
            assert _inside(item.sceneBoundingRect(), scene_view, 2), (key, item.titleLabel.text, "plot item cut off")
            vb = item.vb.sceneBoundingRect()
            assert vb.width() > 120 and vb.height() > 80, (key, item.titleLabel.text, vb)
            legend = item.legend
            if legend is not None and legend.isVisible() and legend.items:
                assert _inside(legend.sceneBoundingRect(), vb, 2), (key, item.titleLabel.text, "legend outside")
        for table in view.findChildren(QAbstractItemView):
            if table.isVisible() and table.width() > 50:
                assert _inside(_window_rect(table, win), area), (key, type(table).__name__)


def test_legends_sit_above_the_bars(laptop, qapp, qtbot):
    from desktop.views.layout import default_layout

    win, s = laptop, laptop.session
    win.resize(1280, 720)
    default_layout(win)
    for key in ("ladder", "exposure"):
        win.show_view(key)
        s.flush()
        for _ in range(5):
            qapp.processEvents()
        qtbot.wait(80)
    for _chart, plot, bars in ((win.ladder, win.ladder.rungs, (win.ladder.cur, win.ladder.opt)),
                              (win.exposure, win.exposure.contrib, (win.exposure.cur, win.exposure.opt))):
        item = plot.getPlotItem()
        legend_bottom = item.vb.mapSceneToView(item.legend.sceneBoundingRect().bottomLeft()).y()
        left = item.vb.mapSceneToView(item.legend.sceneBoundingRect().bottomLeft()).x()
        right = item.vb.mapSceneToView(item.legend.sceneBoundingRect().bottomRight()).x()
        for stacked in bars:
            for bar in stacked.items.values():
                x, h, y0 = (bar.opts.get(k) for k in ("x", "height", "y0"))
                if x is None or not len(x):
                    continue
                under = (x + stacked.width / 2 >= left) & (x - stacked.width / 2 <= right)
                tops = (y0 + h)[under]
                assert not len(tops) or tops.max() <= legend_bottom + 1e-9, (item.titleLabel.text, tops.max(), legend_bottom)


def test_view_menu_hides_shows_and_resets_the_docks(laptop, qapp):
    win = laptop
    actions = dict(leaf_actions(win.menuBar()))
    docks = {d.windowTitle(): d for d in win.findChildren(QDockWidget)}
    win.resize(1600, 1000)
    actions["View > Reset layout"].trigger()
    qapp.processEvents()
    assert win.dockWidgetArea(docks["Summary"]) != win.dockWidgetArea(docks["What-if"])  # side by side
    summary_toggle = actions["View > Summary panel"]
    assert summary_toggle.isChecked() and docks["Summary"].isVisible()
    summary_toggle.trigger()
    assert not docks["Summary"].isVisible()
    wide = win.tabs.width()
    actions["View > What-if panel"].trigger()
    qapp.processEvents()
    assert not docks["What-if"].isVisible() and win.tabs.width() > wide
    win.resize(1280, 720)
    actions["View > Reset layout"].trigger()
    qapp.processEvents()
    assert docks["What-if"].isVisible()
    assert win.dockWidgetArea(docks["Summary"]) == win.dockWidgetArea(docks["What-if"])  # tabbed at 1280
    assert win.tabs.width() >= 0.6 * win.width()
    actions["View > Chart legends"].trigger()
    assert not win.ladder.rungs.getPlotItem().legend.isVisible()
    actions["View > Chart legends"].trigger()
    assert win.ladder.rungs.getPlotItem().legend.isVisible()
