"""Repaint storms: the charts keep showing the data a user just set, and nothing piles up.

Guards the PySide6 6.12.0 / CPython 3.11 abort (``Fatal Python error: none_dealloc`` after a few
hundred pyqtgraph repaints, see the pin in pyproject.toml) and, beyond "did not crash", what a user
sees during and after a storm of slider moves: every grabbed frame shows the curve and bars at the
values just set; after 300 what-if moves the Exposure charts show the figures of the final what-if
(the throttle's trailing edge), redrew during the storm, and hold the same number of items (data are
updated in place, never re-added). Any Qt warning fails the test (``qt_log_level_fail``).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from desktop import controller as ctl

LINE, BAR = QColor("#0072B2"), QColor("#D55E00")


def _pixel_near(image: QImage, x: float, y: float, color: QColor, radius: int = 2) -> bool:
    """Some pixel within ``radius`` of (x, y) has ``color`` (±8 per channel)."""
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px, py = int(round(x)) + dx, int(round(y)) + dy
            if 0 <= px < image.width() and 0 <= py < image.height():
                c = image.pixelColor(px, py)
                if max(abs(c.red() - color.red()), abs(c.green() - color.green()), abs(c.blue() - color.blue())) <= 8:
                    return True
    return False


def _to_widget(widget: pg.PlotWidget, x: float, y: float) -> tuple[float, float]:
    """Data coordinates → the widget's pixel coordinates (as in ``widget.grab()``)."""
    pt = widget.mapFromScene(widget.getPlotItem().vb.mapViewToScene(QPointF(x, y)))
    return float(pt.x()), float(pt.y())


def test_thousands_of_repaints_show_the_data_just_set(qtbot, qapp):
    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    plot = widget.getPlotItem()
    plot.setXRange(-0.5, 27.0, padding=0)
    plot.setYRange(-1.2, 1.2, padding=0)
    plot.disableAutoRange()
    curve = widget.plot([], [], pen=pg.mkPen(LINE, width=3))
    bars = pg.BarGraphItem(x=np.arange(10) + 17.0, height=np.ones(10), width=0.8, brush=BAR, pen=pg.mkPen(None))
    widget.addItem(bars)
    n_items = len(widget.scene().items())
    x = np.linspace(0.0, 15.0, 200)  # the curve left, the bars right (no overlap)
    checked = 0
    for i in range(3000):
        y = np.sin(x + i * 0.01)
        heights = 0.2 + 0.8 * np.abs(np.cos(np.arange(10) + i * 0.01))
        curve.setData(x, y)
        bars.setOpts(height=heights)
        qapp.processEvents()
        if i % 100 == 0:
            image = widget.grab().toImage()
            for k in (5, 40, 100, 160, 195):  # points of the curve just set
                assert _pixel_near(image, *_to_widget(widget, x[k], y[k]), LINE), (i, k)
            for j in (0, 4, 9):  # bar middles: bar colour; just above the bar top: not bar colour
                assert _pixel_near(image, *_to_widget(widget, 17.0 + j, heights[j] / 2), BAR, 0), (i, j)
                above = _to_widget(widget, 17.0 + j, heights[j] + 0.08)
                assert not _pixel_near(image, *above, BAR, 0), (i, j)
            checked += 1
    assert checked == 30
    np.testing.assert_array_equal(curve.getData()[1], np.sin(x + 2999 * 0.01))
    assert len(widget.scene().items()) == n_items  # updated in place


def _plot(panel, title: str) -> pg.PlotWidget:
    """The panel's plot whose title starts with ``title``."""
    for widget in panel.findChildren(pg.PlotWidget):
        if (widget.getPlotItem().titleLabel.text or "").startswith(title):
            return widget
    raise AssertionError(f"no plot titled {title!r}")


def _line(widget: pg.PlotWidget, name: str) -> np.ndarray:
    """y data of the legend-named line ``name`` (the current portfolio's key-rate line)."""
    for item in widget.getPlotItem().listDataItems():
        if item.name() == name:
            return np.asarray(item.yData, float)
    raise AssertionError(f"no line named {name!r}")


def _current_bars(widget: pg.PlotWidget, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, height) of the legend-named bar series ``name`` drawn left of each tick (the current
    portfolio; the optimised one is drawn right of it)."""
    for item in widget.getPlotItem().items:
        if isinstance(item, pg.BarGraphItem) and item.name() == name:
            x = np.asarray(item.opts["x"], float)
            if len(x) and (x - np.round(x) < 0).all():
                return np.round(x), np.asarray(item.opts["height"], float)
    raise AssertionError(f"no current bars named {name!r}")


def _universe_points(widget: pg.PlotWidget) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the whole universe in universe order: the per-market scatters (each tagged with its
    points' positions in the universe, ``bond_index``) put back together."""
    items = [it for it in widget.getPlotItem().items
             if isinstance(it, pg.ScatterPlotItem) and hasattr(it, "bond_index") and len(it.bond_index) == len(it.data)]
    n = sum(len(it.data) for it in items)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    for it in items:
        x[it.bond_index], y[it.bond_index] = it.getData()
    return x, y


SLOW_SOLVE_S = 0.8


def _slow_solve(job: ctl.SolveJob) -> ctl.SolveOutcome:
    """The views' stand-in solver, slowed to a real solve's pace: a result can only come ≥ 0.8 s
    after a request, so charts that are right sooner got there from the instant what-if path."""
    from tests.views.conftest import fake_solve

    time.sleep(SLOW_SOLVE_S)
    return fake_solve(job)


@pytest.fixture
def slow_window(qtbot, loaded_data, settings, tmp_path):
    from desktop.views.app_setup import build_window

    win = build_window(str(tmp_path / "ws.sqlite"), settings, solve_fn=_slow_solve, scenarios_tab=False)
    qtbot.addWidget(win)
    session = win.session
    session.open_workspace()
    session.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: session.outcome is not None and session.idle, timeout=10_000)
    session.flush()
    yield win
    qtbot.waitUntil(lambda: session.idle, timeout=10_000)
    win.close()
    assert session.solver.active_threads() == 0


def test_slider_storm_ends_with_the_charts_on_the_last_value(slow_window, qtbot, qapp):
    """300 UK parallel moves, one event-loop pass each, while the optimiser is slow: the Exposure
    charts redraw during the storm and reach the final what-if's figures while the optimiser is
    still busy (no flush: the redraw throttle's trailing edge), with as many items as before."""
    window = slow_window
    s = window.session
    window.show_view("exposure")
    panel = window.exposure
    krd, scatter = _plot(panel, "Key-rate profile"), _plot(panel, "Yield vs duration")
    contrib = _plot(panel, "Duration contribution")
    qtbot.waitUntil(lambda: len(_universe_points(scatter)[0]) == len(s.universe) and not panel.pending(), timeout=3000)
    plots = panel.findChildren(pg.PlotWidget)
    items_before = [len(p.scene().items()) for p in plots]
    start = s.whatif
    x0, y0 = _universe_points(scatter)
    uk = s.universe["market"].to_numpy() == "UK"
    assert uk.sum() >= 20
    values = [float((7 * i) % 50) for i in range(299)] + [37.0]
    seen = set()
    for v in values:
        s.set_value("parallel:UK", v)
        qapp.processEvents()
        seen.add(round(float(_line(krd, "UK").sum()), 12))
    final = start.with_value("parallel:UK", 37.0)
    assert s.whatif == final
    # reference: the final what-if repriced from scratch (a new engine) and aggregated
    engine = ctl.ShiftEngine(s.universe, s.snapshot.curves)
    fx = ctl.fx_to_base(s.snapshot.fx_usd_per_unit, final.base_ccy)
    want = ctl.evaluate(engine.reprice_arrays(final), s.face, fx, s.snapshot.short_rates_pct, final.base_ccy)
    want_uk = want.key_rates.loc["UK"].to_numpy(float)
    uk_contrib = want.duration_contrib["UK"]

    def final_drawn() -> bool:
        rungs, heights = _current_bars(contrib, "UK")
        return (np.allclose(_line(krd, "UK"), want_uk, rtol=1e-12, atol=1e-15)
                and np.array_equal(rungs, uk_contrib.index.to_numpy(float))
                and np.allclose(heights, uk_contrib.to_numpy(float), rtol=1e-12, atol=1e-15))

    qtbot.waitUntil(final_drawn, timeout=SLOW_SOLVE_S * 500)
    assert not s.idle and window.busy.isVisible(), "the charts waited for the optimiser"
    for code in ("US", "JP", "AU"):
        np.testing.assert_allclose(_line(krd, code), want.key_rates.loc[code].to_numpy(float), rtol=1e-12)
    assert len(seen) >= 3, "the key-rate chart did not redraw during the storm"
    # the scatter: UK bonds sit ≈ 37 bp higher (a parallel zero-curve move of 37 bp), others unchanged
    qtbot.waitUntil(lambda: not panel.pending(), timeout=1000)
    x1, y1 = _universe_points(scatter)
    moved = (y1 - y0)[uk] * 100.0
    assert np.median(moved) == pytest.approx(37.0, abs=1.0) and moved.min() > 30.0 and moved.max() < 40.0
    np.testing.assert_array_equal(y1[~uk], y0[~uk])
    assert (x1[uk] < x0[uk] + 1e-12).all()  # higher yields, shorter durations
    assert [len(p.scene().items()) for p in plots] == items_before
