"""Exposure view: duration contribution by market × rung, key-rate profile, yield vs duration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QWidget

from desktop.analytics import KEY_RATE_COLUMNS, KEY_TENORS
from desktop.controller import hedged_yield_pct
from desktop.markets import MARKET_CODES
from desktop.views.charts.base import HoverLabel, StackedBars, make_plot, market_color
from desktop.views.session import Session


class ExposureChart(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contrib = make_plot("Duration contribution w·D (left current, right optimised)",
                                 "rung (years)", "contribution (years)", legend_cols=2)
        self.krd = make_plot("Key-rate profile (solid current, dashed optimised)", "key tenor (years)",
                             "Σ w·KRD (years)", legend_cols=2)
        self.scatter = make_plot("Yield vs duration (○ held, ◆ optimised)",
                                 "modified duration (years)", "yield (%)", legend_cols=3)
        self.markets = make_plot("Weight by market (left current, right optimised)", "", "weight (%)")
        p = self.contrib.getPlotItem()
        self.cur = StackedBars(p, MARKET_CODES, offset=-0.21, width=0.4)
        self.opt = StackedBars(p, MARKET_CODES, offset=0.21, width=0.4, alpha=110, outline=True)
        for code in MARKET_CODES:
            p.legend.removeItem(self.opt.items[code])
        kp = self.krd.getPlotItem()
        self.krd_cur: dict[str, pg.PlotDataItem] = {}
        self.krd_opt: dict[str, pg.PlotDataItem] = {}
        for code in MARKET_CODES:
            pen = pg.mkPen(market_color(code), width=2)
            self.krd_cur[code] = kp.plot([], [], pen=pen, symbol="o", symbolSize=6, symbolBrush=market_color(code), name=code)
            dash = pg.mkPen(market_color(code), width=2, style=Qt.PenStyle.DashLine)
            self.krd_opt[code] = kp.plot([], [], pen=dash, symbol="t", symbolSize=6, symbolBrush=market_color(code))
        kp.getAxis("bottom").setTicks([[(i, f"{t:g}y") for i, t in enumerate(KEY_TENORS)]])
        sp = self.scatter.getPlotItem()
        self.points: dict[str, pg.ScatterPlotItem] = {}
        for code in MARKET_CODES:
            item = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None), brush=pg.mkBrush(market_color(code, 120)), name=code)
            sp.addItem(item)
            self.points[code] = item
        self.held = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#111111", width=1.5), brush=pg.mkBrush(0, 0, 0, 0),
                                       name="held now")
        self.held_opt = pg.ScatterPlotItem(size=10, symbol="d", pen=pg.mkPen("#111111", width=1),
                                           brush=pg.mkBrush(255, 215, 0, 200), name="optimised")
        sp.addItem(self.held)
        sp.addItem(self.held_opt)
        mp = self.markets.getPlotItem()
        self.w_cur = StackedBars(mp, MARKET_CODES, offset=-0.2, width=0.38)
        self.w_opt = StackedBars(mp, MARKET_CODES, offset=0.2, width=0.38, alpha=110, outline=True)
        mp.legend.hide()
        mp.getAxis("bottom").setTicks([[(i, c) for i, c in enumerate(MARKET_CODES)]])
        self._xy = (np.zeros(0), np.zeros(0))
        self._hover = HoverLabel(self.scatter, self._describe)
        grid = QGridLayout(self)
        grid.addWidget(self.contrib, 0, 0)
        grid.addWidget(self.krd, 0, 1)
        grid.addWidget(self.scatter, 1, 0)
        grid.addWidget(self.markets, 1, 1)
        session.analyticsChanged.connect(self.refresh)

    def refresh(self) -> None:
        s = self.session
        cur, opt = s.current, s.optimised
        if cur is None:
            return
        self.cur.set(cur.duration_contrib)
        self.opt.set(opt.duration_contrib if opt is not None else cur.duration_contrib.iloc[0:0])
        x = np.arange(len(KEY_TENORS), dtype=float)
        for code in MARKET_CODES:
            self.krd_cur[code].setData(x, cur.key_rates.loc[code, list(KEY_RATE_COLUMNS)].to_numpy(float))
            if opt is not None:
                self.krd_opt[code].setData(x, opt.key_rates.loc[code, list(KEY_RATE_COLUMNS)].to_numpy(float))
            else:
                self.krd_opt[code].setData([], [])
        self._scatter(s.shifted)
        idx = pd.Index(MARKET_CODES)
        self.w_cur.set(pd.DataFrame(np.diag([cur.weights_by_market[c] for c in MARKET_CODES]), index=range(4),
                                    columns=idx), 100.0)
        if opt is not None:
            self.w_opt.set(pd.DataFrame(np.diag([opt.weights_by_market[c] for c in MARKET_CODES]), index=range(4),
                                        columns=idx), 100.0)

    def _scatter(self, u: pd.DataFrame) -> None:
        s = self.session
        hedged = s.whatif.hedged
        y = hedged_yield_pct(u, s.snapshot.short_rates_pct, s.whatif.base_ccy) if hedged else u["yield_pct"].to_numpy(float)
        d = u["mod_duration"].to_numpy(float)
        mkt = u["market"].to_numpy()
        for code in MARKET_CODES:
            m = mkt == code
            self.points[code].setData(d[m], y[m])
        held = s.face > 0
        self.held.setData(d[held], y[held])
        if s.outcome is not None and s.outcome.face is not None:
            o = s.outcome.face > 0
            self.held_opt.setData(d[o], y[o])
        else:
            self.held_opt.setData([], [])
        kind = f"FX-hedged yield into {s.whatif.base_ccy} (%)" if hedged else "local yield (%)"
        self.scatter.getPlotItem().setLabel("left", kind)
        self._xy = (d, y)

    def _describe(self, x: float, y: float) -> str:
        d, yy = self._xy
        if not len(d):
            return ""
        vb = self.scatter.getPlotItem().vb
        (x0, x1), (y0, y1) = vb.viewRange()
        dist = ((d - x) / max(x1 - x0, 1e-9)) ** 2 + ((yy - y) / max(y1 - y0, 1e-9)) ** 2
        i = int(np.argmin(dist))
        if dist[i] > 0.0004:
            return ""
        u = self.session.shifted
        return f"{u['name'].iat[i]}\nD {d[i]:.2f} y · yield {yy[i]:.3f} %"
