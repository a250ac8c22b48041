"""Exposure tab, yield vs duration: one scatter per market with one brush; a what-if move moves the
points in place and they land where a fresh ``setData`` would put them; hover names the bond."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from desktop.markets import MARKET_CODES
from desktop.views.charts.base import market_color
from desktop.views.charts.exposure_chart import move_points


def _scatter_plot(window) -> pg.PlotItem:
    return window.exposure.scatter.getPlotItem()


def _universe_xy(window) -> tuple[np.ndarray, np.ndarray]:
    n = len(window.session.universe)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    for item in window.exposure.market_pts.values():
        x[item.bond_index], y[item.bond_index] = item.getData()
    return x, y


def _hedged_yields(window) -> np.ndarray:
    """Reference: yield + base 3-month rate − the bond's local 3-month rate (plain numpy)."""
    s = window.session
    u = s.universe
    rates = s.snapshot.short_rates_pct
    local = u["currency"].map(rates).to_numpy(float)
    return u["yield_pct"].to_numpy(float) + rates[s.whatif.base_ccy] - local


def _drawn(window, qtbot) -> None:
    window.show_view("exposure")
    qtbot.waitUntil(lambda: not window.exposure.pending() and not np.isnan(_universe_xy(window)[0]).any(),
                    timeout=5000)


def test_one_item_per_market_one_brush_and_the_universe_points(window, qtbot):
    _drawn(window, qtbot)
    u = window.session.universe
    codes = u["market"].to_numpy()
    legend = [label.text for _, label in _scatter_plot(window).legend.items]
    for code in MARKET_CODES:
        item = window.exposure.market_pts[code]
        assert item.opts["brush"].color() == market_color(code, 120)
        assert all(b is None for b in item.data["brush"])  # no per-point brush
        assert (codes[item.bond_index] == code).all() and len(item.bond_index) == (codes == code).sum()
        assert code in legend
    x, y = _universe_xy(window)
    np.testing.assert_allclose(x, u["mod_duration"].to_numpy(float), rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, _hedged_yields(window), rtol=0, atol=1e-12)
    held = window.session.face > 0
    assert held.any()
    hx, hy = window.exposure.held.getData()  # the "held now" rings sit on the held bonds
    np.testing.assert_array_equal(hx, x[held])
    np.testing.assert_array_equal(hy, y[held])


def test_a_move_moves_the_points_like_a_fresh_set_data(window, qtbot):
    _drawn(window, qtbot)
    s = window.session
    x0, y0 = _universe_xy(window)
    items_before = len(_scatter_plot(window).items)
    s.set_value("parallel:US", 25.0)
    s.flush()
    us = s.universe["market"].to_numpy() == "US"
    qtbot.waitUntil(lambda: not window.exposure.pending() and _universe_xy(window)[1][us].mean() > y0[us].mean(),
                    timeout=5000)
    x1, y1 = _universe_xy(window)
    moved_bp = (y1 - y0)[us] * 100.0
    assert np.median(moved_bp) == pytest.approx(25.0, abs=1.0) and moved_bp.min() > 20.0 and moved_bp.max() < 30.0
    np.testing.assert_array_equal(y1[~us], y0[~us])
    assert len(_scatter_plot(window).items) == items_before  # moved in place, nothing added
    held = s.face > 0
    np.testing.assert_array_equal(window.exposure.held.getData()[1], y1[held])  # the rings moved with them
    # the same points through pyqtgraph's own setData: same coordinates and bounds
    item = window.exposure.market_pts["US"]
    fresh = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None), brush=item.opts["brush"])
    fresh.setData(x=x1[us], y=y1[us])
    for ax in (0, 1):
        assert item.dataBounds(ax) == pytest.approx(fresh.dataBounds(ax), abs=1e-12)
    np.testing.assert_array_equal(item.getData()[1], fresh.getData()[1])


def test_move_points_keeps_the_bounds_right(qapp):
    item = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None), brush=pg.mkBrush("r"))
    item.setData(x=np.array([1.0, 2.0, 3.0]), y=np.array([4.0, 5.0, 6.0]))
    assert item.dataBounds(1) == (4.0, 6.0)  # cached by pyqtgraph
    assert move_points(item, np.array([1.0, 2.0, 3.0]), np.array([7.0, 8.0, 9.0]))
    np.testing.assert_array_equal(item.getData()[1], [7.0, 8.0, 9.0])
    assert item.dataBounds(1) == (7.0, 9.0)  # the cache was dropped
    assert not move_points(item, np.array([1.0]), np.array([2.0]))  # another count: setData's job
    assert not move_points(pg.ScatterPlotItem(), np.array([1.0]), np.array([2.0]))


def test_hover_names_the_bond_under_the_mouse(window, qtbot):
    _drawn(window, qtbot)
    u = window.session.universe
    x, y = _universe_xy(window)
    i = int(np.argmax(x))  # the longest bond (alone at the right edge)
    text = window.exposure._describe(float(x[i]), float(y[i]))
    assert text.startswith(str(u["name"].iat[i])) and f"D {x[i]:.2f} y" in text
    assert str(u["price_source"].iat[i]) in text  # where its price comes from (quote / model / extrapolated)


def test_key_rate_lines_follow_a_move_and_are_left_alone_when_unchanged(window, qtbot):
    _drawn(window, qtbot)
    s = window.session
    lines = window.exposure.krd_cur
    before = {code: lines[code].yData for code in MARKET_CODES}
    s.set_value("parallel:US", 40.0)
    s.flush()
    qtbot.waitUntil(lambda: not window.exposure.pending(), timeout=5000)
    k = s.current.key_rates.to_numpy(float)  # the evaluation's Σ w·KRD, market × key tenor
    for i, code in enumerate(MARKET_CODES):
        np.testing.assert_array_equal(lines[code].yData, k[i])
    assert not np.array_equal(lines["US"].yData, before["US"])  # the US exposure moved with its yields
    drawn = {code: lines[code].yData for code in MARKET_CODES}
    window.exposure.refresh()  # the same figures again (e.g. a solve landing): no line is re-set
    qtbot.waitUntil(lambda: not window.exposure.pending(), timeout=5000)
    assert all(lines[code].yData is drawn[code] for code in MARKET_CODES)
