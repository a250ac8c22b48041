"""Trade-off view: expected return vs US share of duration (US cap / floor sweep) and vs risk
(the same points, plus a sweep of the risk aversion λ), current and optimised marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.views.charts.base import HoverLabel, LazyRefresh, make_plot
from desktop.views.session import Session


class TradeoffChart(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plot = make_plot("Expected return vs US share of duration",
                              "US share of duration (%)", "expected return (%, 1y)")
        p = self.plot.getPlotItem()
        self.curve = p.plot([], [], pen=pg.mkPen("#0072B2", width=2), symbol="o", symbolSize=5,
                            symbolBrush="#0072B2", name="optimal at each US cap or floor")
        self.now = pg.ScatterPlotItem(size=14, symbol="s", brush=pg.mkBrush("#555555"), name="current")
        self.best = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#E69F00"), name="optimised")
        p.addItem(self.now)
        p.addItem(self.best)
        self._hover = HoverLabel(self.plot, self._describe, hide_on=(session.solutionChanged,))
        self.note = QLabel("Waiting for the first optimisation…")
        self.note.setWordWrap(True)
        p.legend.setOffset((-10, 10))  # top right: the frontier falls from top left to bottom right
        self.risk_plot = make_plot("Expected return vs risk", "risk (% vol a year)", "expected return (%, 1y)",
                                   legend_cols=1)
        r = self.risk_plot.getPlotItem()
        self.lam_curve = r.plot([], [], pen=pg.mkPen("#009E73", width=2), symbol="t", symbolSize=7,
                                symbolBrush="#009E73", name="optimal at each risk aversion λ")
        self.cap_points = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#0072B2"), name="US cap / floor sweep")
        self.now_risk = pg.ScatterPlotItem(size=14, symbol="s", brush=pg.mkBrush("#555555"), name="current")
        self.best_risk = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#E69F00"), name="optimised")
        for item in (self.cap_points, self.now_risk, self.best_risk):
            r.addItem(item)
        r.legend.setOffset((10, 10))  # top left: the frontier rises from bottom left to top right
        plots = QHBoxLayout()
        plots.addWidget(self.plot, 3)
        plots.addWidget(self.risk_plot, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(plots, 1)
        lay.addWidget(self.note)
        session.solutionChanged.connect(self.refresh)

    def _describe(self, x: float, y: float) -> str:
        out = self.session.outcome
        if out is None or out.frontier is None or not len(out.frontier):
            return ""
        f = _us_sweep(out.frontier)
        (x0, x1), (y0, y1) = self.plot.getPlotItem().vb.viewRange()
        dx = (f["us_share"].to_numpy(float) * 100.0 - x) / max(x1 - x0, 1e-9)
        dy = (f["expected_return_pct"].to_numpy(float) - y) / max(y1 - y0, 1e-9)
        i = int(np.argmin(dx * dx + dy * dy))
        if dx[i] ** 2 + dy[i] ** 2 > 0.0025:
            return ""
        row = f.iloc[i]
        rule = f"US cap {row['level']:.0%}" if row["kind"] == "cap" else f"US weight ≥ {row['level']:.0%}"
        return (f"{rule}\nUS share {row['us_share']:.1%} · return {row['expected_return_pct']:.2f} %"
                f"\nrisk {row['risk_pct']:.2f} % vol")

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.session.want_sweep(True)

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802
        super().hideEvent(event)
        self.session.want_sweep(False)

    def refresh(self) -> None:
        if not self.refresh_if_visible():
            return
        s = self.session
        out = s.outcome
        if out is None:
            return
        if out.frontier is not None and len(out.frontier):
            f, lam = _us_sweep(out.frontier), out.frontier[out.frontier["kind"] == "risk_aversion"]
            self.curve.setData(f["us_share"].to_numpy(float) * 100.0, f["expected_return_pct"].to_numpy(float))
            self.cap_points.setData(f["risk_pct"].to_numpy(float), f["expected_return_pct"].to_numpy(float))
            lam = lam.sort_values("risk_pct")
            self.lam_curve.setData(lam["risk_pct"].to_numpy(float), lam["expected_return_pct"].to_numpy(float))
            self.note.setText(
                f"{len(f)} optimal portfolios: US caps 0–100 % and US weight floors above your US minimum, "
                f"each with every other constraint of the current settings; right, also {len(lam)} risk aversions λ from "
                f"{lam['level'].min():g} to {lam['level'].max():g} (infeasible points left out). Expected return "
                "over the horizon (carry + roll-down + curve views) in base currency; risk from the factor model.")
        else:
            self.curve.setData([], [])
            self.cap_points.setData([], [])
            self.lam_curve.setData([], [])
            self.note.setText("Sweeping the US cap…" if s.sweep_wanted else f"No sweep for this solve ({out.status}).")
        cur = s.current
        if cur is not None and out.current_expected_return_pct is not None:
            self.now.setData([cur.us_duration_share * 100.0], [out.current_expected_return_pct])
            if out.current_risk_pct is not None:
                self.now_risk.setData([out.current_risk_pct], [out.current_expected_return_pct])
        opt = s.optimised
        if opt is not None and out.expected_return_pct is not None:
            self.best.setData([opt.us_duration_share * 100.0], [out.expected_return_pct])
            self.best_risk.setData([out.risk_pct] if out.risk_pct is not None else [],
                                   [out.expected_return_pct] if out.risk_pct is not None else [])
        else:
            self.best.setData([], [])
            self.best_risk.setData([], [])
        self._fit()

    def _fit(self) -> None:
        """Both plots show every point (sweeps, current, optimised) with a little room around them."""
        # headroom (fraction of the y span) above the data for the legend at the top of each plot
        for plot, items, headroom in ((self.plot, (self.curve, self.now, self.best), 0.12),
                                      (self.risk_plot, (self.lam_curve, self.cap_points, self.now_risk,
                                                        self.best_risk), 0.35)):
            xs, ys = [], []
            for item in items:
                x, y = item.getData()
                if x is not None and len(x):
                    xs.append(np.asarray(x, float))
                    ys.append(np.asarray(y, float))
            if xs:
                x, y = np.concatenate(xs), np.concatenate(ys)
                vb = plot.getPlotItem().getViewBox()
                lo, hi = float(y.min()), float(y.max())
                vb.setRange(xRange=(float(x.min()), float(x.max())), yRange=(lo, hi + headroom * (hi - lo)),
                            padding=0.06)


def _us_sweep(frontier):  # noqa: ANN001, ANN202 - DataFrame in, DataFrame out
    """The US cap / floor points of the sweep (the risk-aversion points belong to the risk plot)."""
    return frontier[frontier["kind"].isin(["cap", "floor"])].reset_index(drop=True)
