"""Backtest tab: runs on the worker, shows four curves and the statistics; Cancel stops it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from desktop.views.backtest_view import BacktestView  # noqa: E402


def test_run_shows_curves_and_stats(qtbot):
    view = BacktestView()
    qtbot.addWidget(view)
    view.start.setText("2025-01")
    view.end.setText("2025-03")
    with qtbot.waitSignal(view.outcomeReady, timeout=60_000) as blocker:
        view.run()
    outcome = blocker.args[0]
    assert list(outcome.cumulative_pct.index) == ["2025-01", "2025-02", "2025-03"]
    assert len(view.cum_plot.getPlotItem().listDataItems()) == 4
    assert view.table.rowCount() == 4 and view.table.item(0, 0).text() == "Shift from US rates"
    us = outcome.monthly[outcome.monthly["strategy"] == "US-only ladder"]["return_pct"]
    cum = ((1 + us / 100).prod() - 1) * 100
    assert outcome.cumulative_pct["US-only ladder"].iloc[-1] == pytest.approx(cum)
    assert view.bar.value() == view.bar.maximum() == 12
    assert "views off" in view.status.text()
    view.shutdown()


def test_cancel(qtbot):
    view = BacktestView()
    qtbot.addWidget(view)
    view.start.setText("2015-01")
    view.run()
    view.cancel()
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=60_000)
    assert view.status.text() == "Cancelled" and view.outcome is None
    view.shutdown()


def test_the_legend_sits_above_every_line(qtbot):
    """The cumulative-return legend (top left) never covers a line: the y range leaves it headroom."""

    view = BacktestView()
    qtbot.addWidget(view)
    view.setMinimumSize(900, 600)  # offscreen Qt warns "does not support propagateSizeHints()" otherwise
    view.show()
    view.start.setText("2024-01")
    view.end.setText("2025-12")
    with qtbot.waitSignal(view.outcomeReady, timeout=60_000):
        view.run()
    qtbot.wait(50)
    item = view.cum_plot.getPlotItem()
    legend = item.legend
    box = item.vb.mapSceneToView(legend.mapRectToScene(legend.boundingRect())).boundingRect()
    under_legend = []
    for line in item.listDataItems():
        x, y = line.getData()
        under_legend.extend(y[(x >= box.left()) & (x <= box.right())])
    assert under_legend, "the legend spans some months"
    assert max(under_legend) < min(box.top(), box.bottom())  # every line passes below its box
    view.shutdown()
