"""Curve views are the PM's: the preset's key-rate views are shown and editable in the what-if
panel, a key-rate point of the what-if curve can be dragged on the Curves chart (one undo step)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from desktop.views.charts.base import market_color


def test_the_presets_key_rate_views_are_on_screen(window):
    window.controls.preset.setCurrentText("Shift from US rates")
    spins = window.controls.key_views.spins
    # desktop/optim/presets.py's text: US bear-steepens 0 / +5 / +15 / +25 bp, gilts rally at the front
    assert [spins[("US", t)].value() for t in (2.0, 5.0, 10.0, 30.0)] == [0, 5, 15, 25]
    assert [spins[("UK", t)].value() for t in (2.0, 5.0, 10.0, 30.0)] == [-20, -15, -10, 0]
    assert "12 months" in window.controls.horizon.text()
    window.controls.preset.setCurrentText("Neutral")
    assert all(spin.value() == 0 for spin in spins.values())


def test_typing_a_key_rate_view_moves_the_zero_curve_there(window, qtbot):
    s = window.session
    spin = window.controls.key_views.spins[("US", 10.0)]
    spin.setValue(40.0)
    s.flush()
    assert s.whatif.key_bp["US"] == {10.0: 40.0}
    base, moved = s.snapshot.curves["US"], s.curves["US"]
    t = np.array([5.0, 7.5, 10.0, 20.0, 30.0])
    # linear between key tenors, nothing at 5 y and 30 y: +40 bp at 10 y, 0 at 5 and 30
    np.testing.assert_allclose((moved.zero_rate(t) - base.zero_rate(t)) * 1e4, [0.0, 20.0, 40.0, 20.0, 0.0], atol=1e-6)
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def _send(viewport, kind, pos: QPointF, buttons) -> None:  # noqa: ANN001
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, viewport.mapToGlobal(pos.toPoint()), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


def test_dragging_a_key_rate_point_sets_the_view_and_undo_restores_it(window, qtbot):
    s = window.session
    window.controls.preset.setCurrentText("Shift from US rates")
    window.show_view("curves")
    s.flush()
    chart = window.curves
    qtbot.waitUntil(lambda: len(chart.handles.market_points("US")[0]) == 4, timeout=2000)
    x, y = chart.handles.market_points("US")
    i = int(np.flatnonzero(x == 10.0)[0])
    vb = chart.plot.getPlotItem().vb
    start = chart.plot.mapFromScene(vb.mapViewToScene(QPointF(10.0, float(y[i]))))
    end = chart.plot.mapFromScene(vb.mapViewToScene(QPointF(10.0, float(y[i]) + 0.30)))  # 0.30 % higher
    viewport = chart.plot.viewport()
    hold, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send(viewport, QEvent.Type.MouseButtonPress, QPointF(start), hold)
    steps = 8
    for k in range(1, steps + 1):
        p = QPointF(start) + (QPointF(end) - QPointF(start)) * (k / steps)
        _send(viewport, QEvent.Type.MouseMove, p, hold)
        qtbot.wait(5)
    _send(viewport, QEvent.Type.MouseButtonRelease, QPointF(end), none)
    assert chart.drag is None
    # the preset's +15 bp plus the 30 bp drag (pixel rounding: within 1 bp)
    assert s.whatif.key_bp["US"][10.0] == pytest.approx(45.0, abs=1.0)
    assert window.controls.key_views.spins[("US", 10.0)].value() == s.whatif.key_bp["US"][10.0]
    assert s.whatif.key_bp["US"][5.0] == 5.0  # the other key tenors untouched
    assert s.undo_stack.undoText().startswith("US 10 y view")
    s.undo_stack.undo()
    assert s.whatif.key_bp["US"][10.0] == 15.0
    assert window.controls.key_views.spins[("US", 10.0)].value() == 15.0
    s.undo_stack.redo()
    assert s.whatif.key_bp["US"][10.0] == pytest.approx(45.0, abs=1.0)
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_a_chart_read_out_hides_when_the_data_change(window, qtbot, qapp):
    s = window.session
    window.show_view("curves")
    s.flush()
    chart = window.curves
    vb = chart.plot.getPlotItem().vb
    chart._hover.on_move(vb.mapViewToScene(QPointF(10.0, 4.0)))  # the mouse rests over the chart
    assert chart._hover.text.isVisible() and "10.0 y" in chart._hover.text.toPlainText()
    window.controls.bound["parallel:US"].widget.spin.setValue(25.0)  # the data change under it
    s.flush()
    assert not chart._hover.text.isVisible()
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_a_read_out_near_the_edge_opens_inwards(window, qtbot):
    s = window.session
    window.show_view("curves")
    s.flush()
    chart = window.curves
    vb = chart.plot.getPlotItem().vb
    (x0, x1), (y0, y1) = vb.viewRange()
    for x, y in ((x1 - 0.5, y1 - 0.05), (x0 + 0.5, y0 + 0.05), (x1 - 0.5, y0 + 0.05)):
        chart._hover.on_move(vb.mapViewToScene(QPointF(x, y)))
        assert chart._hover.text.isVisible()
        chart.plot.grab()  # painted: the read-out's transform is up to date
        inner = chart._hover.text.textItem
        box, area = inner.mapRectToScene(inner.boundingRect()), vb.sceneBoundingRect()
        assert area.contains(box), (x, y, box, area)  # never cut off by the plot's edge


def _par_yield_pct(curve, shift_bp: float, maturity: float) -> float:
    """Reference: semi-annual par yield (%) of a bond of a whole number of half years on the curve's
    zero nodes moved by ``shift_bp`` (plain numpy: the coupon that prices the bond at par)."""
    times = np.arange(0.5, maturity + 1e-9, 0.5)
    df = np.exp(-(np.interp(times, curve.zero_tenors, curve.zero_rates) + shift_bp / 1e4) * times)
    return 100.0 * 2.0 * (1.0 - df[-1]) / df.sum()


def test_the_what_if_curve_is_drawn_and_follows_a_slider_move(window, qtbot):
    s = window.session
    window.controls.preset.setCurrentText("Neutral")  # no key-rate views: the slider is the only shift
    window.show_view("curves")
    chart = window.curves
    us, jp = s.snapshot.curves["US"], s.snapshot.curves["JP"]
    slider = window.controls.bound["parallel:US"].widget
    for bp in (50.0, -30.0):
        slider.spin.setValue(bp)
        s.flush()
        x, y = chart.shifted["US"].getData()
        assert x is not None and len(x) > 0
        for maturity in (2.0, 5.0, 10.0, 30.0):
            i = int(np.flatnonzero(np.isclose(x, maturity))[0])
            assert y[i] == pytest.approx(_par_yield_pct(us, bp, maturity), abs=1e-6), (bp, maturity)
        bx, by = chart.base["US"].getData()  # the snapshot's line stays where it was
        i = int(np.flatnonzero(np.isclose(bx, 10.0))[0])
        assert by[i] == pytest.approx(_par_yield_pct(us, 0.0, 10.0), abs=1e-6)
        # the key-tenor handles sit on the what-if curve, in the market's colour
        hx, hy = chart.handles.market_points("US")
        np.testing.assert_array_equal(hx, [2.0, 5.0, 10.0, 30.0])
        np.testing.assert_allclose(hy, [_par_yield_pct(us, bp, t) for t in hx], atol=1e-6)
        us_points = [p for p in chart.handles.points() if p.data() == "US"]
        assert len(us_points) == 4 and all(p.brush().color() == market_color("US") for p in us_points)
        jx, _ = chart.shifted["JP"].getData()
        assert jx is None or len(jx) == 0  # JP did not move: no what-if line
        jhx, jhy = chart.handles.market_points("JP")
        np.testing.assert_allclose(jhy, [_par_yield_pct(jp, 0.0, t) for t in jhx], atol=1e-6)
        # the axis holds both curves
        lo, hi = chart.plot.getPlotItem().vb.viewRange()[1]
        assert lo < min(y.min(), by.min()) and max(y.max(), by.max()) < hi
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_the_quotes_are_drawn_in_their_markets_colour(window):
    window.show_view("curves")
    window.session.flush()
    chart = window.curves
    points = chart.quotes.points()
    for code, curve in window.session.snapshot.curves.items():
        mine = [p for p in points if p.pen().color() == market_color(code)]
        if curve.curve_type != "par":
            assert not mine  # a zero curve (BoE) has no par quotes to show
            continue
        keep = curve.tenors <= 30
        np.testing.assert_allclose(sorted(p.pos().x() for p in mine), np.sort(curve.tenors[keep]))
        got = sorted((p.pos().x(), p.pos().y()) for p in mine)
        want = sorted(zip(curve.tenors[keep], curve.input_yields_pct[keep], strict=True))
        np.testing.assert_allclose(np.asarray(got), np.asarray(want))
