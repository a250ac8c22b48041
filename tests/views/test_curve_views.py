"""Curve views are the PM's: the preset's key-rate views are shown and editable in the what-if
panel, a key-rate point of the what-if curve can be dragged on the Curves chart (one undo step)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


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
    qtbot.waitUntil(lambda: chart.handles["US"].data is not None and len(chart.handles["US"].data) == 4,
                    timeout=2000)
    x, y = chart.handles["US"].getData()
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
