"""The Scenarios tab on a laptop and a desktop screen: the scenario grid shows every column without a
horizontal scroll bar (long names elided, the full name in the tooltip), and the "P&L by rung"
legend never sits on a bar nor the heat map's colour bar on a cell."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop.scenarios.model import CurveShock, Scenario
from tests.views.conftest import fake_solve


@pytest.fixture
def scenarios_window(make_window):
    return make_window(fake_solve, scenarios_tab=True, timeout=10_000)


def _show(win, qapp, qtbot, size: tuple[int, int]):  # noqa: ANN001, ANN202
    from desktop.views.layout import default_layout

    win.resize(*size)
    qapp.processEvents()
    default_layout(win)
    win.show_view("scenarios")
    view = win.views["scenarios"]
    qtbot.waitUntil(lambda: view.grid is not None and view.model.rowCount() == len(view.scenarios), timeout=30_000)
    win.session.flush()
    for _ in range(5):
        qapp.processEvents()
    qtbot.wait(80)
    return view


def _check_fits(view) -> None:  # noqa: ANN001
    table, model = view.table, view.model
    widths = sum(table.columnWidth(c) for c in range(model.columnCount()))
    assert table.viewport().width() >= widths, (table.viewport().width(), widths)
    assert table.horizontalScrollBar().maximum() == 0  # no horizontal scrolling needed
    last = model.columnCount() - 1
    assert str(model.headerData(last, Qt.Orientation.Horizontal)).endswith("y")  # the longest rung is there
    assert table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width()
    for c in range(model.columnCount()):  # every number column is at least as wide as its widest figure
        texts = [model.index(r, c).data() for r in range(model.rowCount())]
        widest = max(table.fontMetrics().horizontalAdvance(t) for t in texts)
        assert table.columnWidth(c) >= widest, (model.headerData(c, Qt.Orientation.Horizontal), texts)
    for r, scenario in enumerate(view.scenarios):  # each name row: the full name in the tooltip
        assert model.headerData(r, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == scenario.name
        assert model.headerData(r, Qt.Orientation.Vertical) == scenario.name  # elided only when painted


@pytest.mark.parametrize("size", [(1280, 720), (1600, 1000)])
def test_scenario_table_shows_every_column_without_scrolling(scenarios_window, qapp, qtbot, size):
    view = _show(scenarios_window, qapp, qtbot, size)
    _check_fits(view)
    names = view.table.verticalHeader()
    widest = max(names.fontMetrics().horizontalAdvance(sc.name) for sc in view.scenarios)
    assert names.width() < widest + 60  # the name column no wider than its longest name needs


def test_a_long_scenario_name_is_elided_and_the_table_still_fits_at_1280x720(scenarios_window, qapp, qtbot):
    from desktop.scenarios.presets import PRESETS
    from desktop.views.scenarios_view import NAME_MIN_PX

    win = scenarios_window
    view = _show(win, qapp, qtbot, (1280, 720))
    long = Scenario("My desk's very long scenario name: gilts sell off, AUD weakens and the JGB curve steepens "
                    "again", curves={"UK": CurveShock(parallel_bp=60), "JP": CurveShock(slope_bp=30)},
                    fx_pct={"AUD": -5})
    view.set_scenarios([*PRESETS, long])
    qtbot.waitUntil(lambda: view.model.rowCount() == len(PRESETS) + 1, timeout=30_000)
    for _ in range(5):
        qapp.processEvents()
    _check_fits(view)
    names = view.table.verticalHeader()
    assert NAME_MIN_PX <= names.width() < names.fontMetrics().horizontalAdvance(long.name)  # elided


def test_rung_legend_never_covers_a_bar_and_the_colour_bar_sits_beside_the_heat_map(scenarios_window, qapp, qtbot):
    view = _show(scenarios_window, qapp, qtbot, (1280, 720))
    item = view.bars_plot.getPlotItem()
    for row in range(len(view.scenarios)):
        view.select_scenario(row)
        qtbot.waitUntil(lambda row=row: view.result is not None and view.result.job.selected == row, timeout=30_000)
        qapp.processEvents()
        legend = item.legend.sceneBoundingRect()
        assert item.vb.sceneBoundingRect().contains(legend), view.scenarios[row].name
        bottom = item.vb.mapSceneToView(legend.bottomLeft()).y()
        left = item.vb.mapSceneToView(legend.bottomLeft()).x()
        right = item.vb.mapSceneToView(legend.bottomRight()).x()
        for bar in view.bars.values():
            x, h, w = (np.asarray(bar.opts[k], float) for k in ("x", "height", "width"))
            if not x.size:
                continue
            under = (x + w / 2 >= left) & (x - w / 2 <= right)
            top = np.maximum(h, 0.0)[under]  # a bar runs from 0 to its height
            assert not top.size or top.max() <= bottom + 1e-9, (view.scenarios[row].name, top.max(), bottom)
    heat = view.heat.getPlotItem()
    cells = heat.vb.sceneBoundingRect()
    assert not view.colorbar.sceneBoundingRect().intersects(cells)
    assert heat.legend is None  # the heat map has no legend over its cells (the colour bar explains it)
