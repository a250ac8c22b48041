"""Exposure view: duration contribution by market × rung, key-rate profile, yield vs duration."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from desktop.analytics import KEY_TENORS
from desktop.controller import Shifted, hedged_yield_pct
from desktop.markets import MARKET_CODES
from desktop.views.charts.base import (
    HoverLabel,
    LazyRefresh,
    StackedBars,
    fit_y,
    make_plot,
    market_color,
    move_points,  # noqa: F401 - (tests import it from here)
    set_label,
    set_line,
    set_points,
    sticky_range,
)
from desktop.views.session import Session

SCATTER_SLACK = 0.1  # room added when the points leave the scatter's range, as a share of their span
LEGEND_BAND = 0.4  # empty band under the lowest yield, as a share of the yields' span: the legend's two rows sit in it
STAGE_BUDGET_S = 0.006  # staged redraw: keep drawing plots in the same loop pass while under this


class ExposureChart(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contrib = make_plot("Duration contribution w·D",
                                 "rung (years)", "contribution (years)", legend_cols=2)
        self.krd = make_plot("Key-rate profile", "key tenor (years)",
                             "Σ w·KRD (years)", legend_cols=2)
        self.scatter = make_plot("Yield vs duration",
                                 "modified duration (years)", "yield (%)", legend_cols=2)
        self.markets = make_plot("Weight by market", "", "weight (%)")
        # legends where the data are not: short rungs and the 2 y key rate are low, nothing is long and low-yielding
        self.contrib.getPlotItem().legend.setOffset((10, 5))
        self.krd.getPlotItem().legend.setOffset((10, 5))
        self.scatter.getPlotItem().legend.setOffset((-10, -10))
        self.scatter.getPlotItem().legend.setColumnCount(3)  # two rows in the band left under the points
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
            self.krd_cur[code] = kp.plot([], [], pen=pen, name=code)
            dash = pg.mkPen(market_color(code), width=2, style=Qt.PenStyle.DashLine)
            self.krd_opt[code] = kp.plot([], [], pen=dash)
        kp.getAxis("bottom").setTicks([[(i, f"{t:g}y") for i, t in enumerate(KEY_TENORS)]])
        sp = self.scatter.getPlotItem()
        # one item per market with one brush (its legend entry too): a move only moves the points
        # (move_points), never re-styles them — per-point brushes cost a pen/brush lookup and a
        # symbol-atlas key per point on every redraw
        self.market_pts: dict[str, pg.ScatterPlotItem] = {}
        for code in MARKET_CODES:
            item = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None), brush=pg.mkBrush(market_color(code, 120)), name=code)
            item.bond_index = np.zeros(0, int)  # positions in the universe of this item's points
            sp.addItem(item)
            self.market_pts[code] = item
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
        self._split_key: object = None
        self._split: dict[str, np.ndarray] = {}
        self._stages: list = []
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(0)
        self._stage_timer.timeout.connect(self._run_stage)
        self._hover = HoverLabel(self.scatter, self._describe, hide_on=(session.chartsChanged,))
        caption = QLabel("Current vs optimised: bars left = current, right (pale, outlined) = optimised; "
                         "key-rate lines solid = current, dashed = optimised; scatter ○ = held now, ◆ = optimised. "
                         "Figures on the what-if curves.")
        caption.setWordWrap(True)
        caption.setStyleSheet("color: #444444;")
        grid = QGridLayout(self)
        grid.addWidget(caption, 0, 0, 1, 2)
        grid.addWidget(self.contrib, 1, 0)
        grid.addWidget(self.krd, 1, 1)
        grid.addWidget(self.scatter, 2, 0)
        grid.addWidget(self.markets, 2, 1)
        session.chartsChanged.connect(self.refresh)

    def refresh(self) -> None:
        """Redraw in four stages, one plot at a time: stages run back to back while they fit in a
        time budget (one repaint for the four plots when they are quick), and the rest go to the
        next event-loop pass once a stage has used it up, so a redraw never blocks the loop for four
        slow plots' worth of work (a newer refresh restarts the stages with the newest data)."""
        if not self.refresh_if_visible() or self.session.current is None:
            return
        self._stages = [self._draw_contrib, self._draw_krd, self._draw_scatter, self._draw_weights]
        self._run_stage()

    def _run_stage(self) -> None:
        start = time.perf_counter()
        while self._stages:
            self._stages.pop(0)()
            if time.perf_counter() - start > STAGE_BUDGET_S:
                break
        if self._stages:
            self._stage_timer.start()

    def pending(self) -> bool:
        return bool(self._stages)

    def _draw_contrib(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        top = self.cur.set(cur.duration_contrib)
        if opt is not None:
            top = max(top, self.opt.set(opt.duration_contrib))
        else:
            self.opt.set_matrix(np.zeros(0), None)
        fit_y(self.contrib, top)
        sticky_range(self.contrib, "x", 0.3, float(max(cur.duration_contrib.index.max(), 1)) + 0.7, pad=0.0)

    def _draw_krd(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        x = np.arange(len(KEY_TENORS), dtype=float)
        k_cur = cur.key_rates.to_numpy(float)
        k_opt = opt.key_rates.to_numpy(float) if opt is not None else None
        for i, code in enumerate(MARKET_CODES):
            set_line(self.krd_cur[code], x, k_cur[i])
            if k_opt is not None:
                set_line(self.krd_opt[code], x, k_opt[i])
            elif self.krd_opt[code].xData is not None and len(self.krd_opt[code].xData):
                self.krd_opt[code].setData([], [])  # (an empty line is left alone: setData re-lays out the plot)
        hi = max(k_cur.max(), k_opt.max() if k_opt is not None else 0.0)
        fit_y(self.krd, hi, bottom=min(0.0, k_cur.min()), headroom=1.25)

    def _draw_weights(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        wx = np.arange(len(MARKET_CODES), dtype=float)
        top = self.w_cur.set_matrix(wx, np.diag([cur.weights_by_market[c] for c in MARKET_CODES]), 100.0)
        if opt is not None:
            top = max(top, self.w_opt.set_matrix(wx, np.diag([opt.weights_by_market[c] for c in MARKET_CODES]), 100.0))
        else:
            self.w_opt.set_matrix(wx, None)
        fit_y(self.markets, top, headroom=1.1)

    def _draw_scatter(self) -> None:
        s = self.session
        self._scatter(s.repriced if s.repriced is not None else s.shifted)

    def _market_split(self, u: pd.DataFrame | Shifted) -> dict[str, np.ndarray]:
        """Universe positions of each market's bonds (cached per universe)."""
        if self._split_key is not self.session.universe:
            codes = u.column("market") if isinstance(u, Shifted) else u["market"].to_numpy()
            self._split = {code: np.flatnonzero(codes == code) for code in MARKET_CODES}
            self._split_key = self.session.universe
        return self._split

    def _scatter(self, u: pd.DataFrame | Shifted) -> None:
        """``u``: the universe on the what-if curves (the session's numpy arrays or a DataFrame)."""
        s = self.session
        hedged = s.whatif.hedged
        if isinstance(u, Shifted):
            d, y_local = u.column("mod_duration"), u.column("yield_pct")
        else:
            d, y_local = u["mod_duration"].to_numpy(float), u["yield_pct"].to_numpy(float)
        y = hedged_yield_pct(u, s.snapshot.short_rates_pct, s.whatif.base_ccy) if hedged else y_local
        for code, idx in self._market_split(u).items():
            set_points(self.market_pts[code], d[idx], y[idx])
            self.market_pts[code].bond_index = idx
        held = s.face > 0
        set_points(self.held, d[held], y[held])
        o = s.outcome.face > 0 if s.outcome is not None and s.outcome.face is not None else np.zeros(len(d), bool)
        set_points(self.held_opt, d[o], y[o])
        kind = f"hedged yield, {s.whatif.base_ccy} (%)" if hedged else "local yield (%)"  # short: fits a 720 px window
        set_label(self.scatter, "left", kind)
        # slack: yields and durations move with the sliders; the axes move once, not at every tick
        sticky_range(self.scatter, "x", 0.0, float(np.nanmax(d)) if len(d) else 1.0, slack=SCATTER_SLACK)
        # a band under the lowest yield keeps the legend (bottom right) off the points, whatever the curves' shape
        y_lo, y_hi = (float(np.nanmin(y)), float(np.nanmax(y))) if len(y) else (0.0, 1.0)
        sticky_range(self.scatter, "y", y_lo - LEGEND_BAND * max(y_hi - y_lo, 0.1), y_hi, slack=SCATTER_SLACK)
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
        u = self.session.universe  # names are static: no need to build the what-if DataFrame
        text = f"{u['name'].iat[i]}\nD {d[i]:.2f} y · yield {yy[i]:.3f} %"
        if "price_source" in u:  # where the price comes from, and a quote's spread to its curve
            source = str(u["price_source"].iat[i])
            spread = u["spread_bp"].iat[i] if "spread_bp" in u else np.nan
            text += f"\n{source}" + (f" · spread {spread:+.1f} bp" if np.isfinite(spread) else "")
        return text
