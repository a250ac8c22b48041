"""Regression guard for PySide6 6.12's none_dealloc abort: thousands of pyqtgraph repaints."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


def test_thousands_of_repaints_do_not_crash(qtbot, qapp):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    curve = widget.plot([], [], pen=pg.mkPen("#0072B2", width=1))
    bars = pg.BarGraphItem(x=np.arange(10), height=np.ones(10), width=0.8, brush="#D55E00")
    widget.addItem(bars)
    x = np.linspace(0.0, 30.0, 200)
    for i in range(3000):
        curve.setData(x, np.sin(x + i * 0.01))
        bars.setOpts(height=np.abs(np.cos(np.arange(10) + i * 0.01)))
        qapp.processEvents()
        if i % 100 == 0:
            widget.grab()
    assert curve.getData()[0].size == 200


def test_window_charts_survive_many_redraws(window, qapp):
    s = window.session
    window.show_view("exposure")
    for i in range(300):
        s.set_value("parallel:UK", float(i % 50))
        qapp.processEvents()
    window.grab()
    assert s.whatif.parallel_bp["UK"] == 299 % 50
