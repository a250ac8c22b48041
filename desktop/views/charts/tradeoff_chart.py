"""Trade-off view: expected return vs US share of duration from the optimiser's sweep."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.views.charts.base import HoverLabel, LazyRefresh, make_plot
from desktop.views.session import Session


class TradeoffChart(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plot = make_plot("Expected return vs US share of duration (US cap and floor sweep)",
                              "US share of duration (%)", "expected return (%, 1y)")
        p = self.plot.getPlotItem()
        self.curve = p.plot([], [], pen=pg.mkPen("#0072B2", width=2), symbol="o", symbolSize=5,
                            symbolBrush="#0072B2", name="optimal at each US cap / floor")
        self.now = pg.ScatterPlotItem(size=14, symbol="s", brush=pg.mkBrush("#555555"), name="current")
        self.best = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#E69F00"), name="optimised")
        p.addItem(self.now)
        p.addItem(self.best)
        self._hover = HoverLabel(self.plot, self._describe)
        self.note = QLabel("Waiting for the first optimisation…")
        self.note.setWordWrap(True)
        p.legend.setOffset((-10, 10))  # top right: the frontier falls from top left to bottom right
        lay = QVBoxLayout(self)
        lay.addWidget(self.plot)
        lay.addWidget(self.note)
        session.solutionChanged.connect(self.refresh)

    def _describe(self, x: float, y: float) -> str:
        out = self.session.outcome
        if out is None or out.frontier is None or not len(out.frontier):
            return ""
        f = out.frontier
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
            f = out.frontier
            self.curve.setData(f["us_share"].to_numpy(float) * 100.0, f["expected_return_pct"].to_numpy(float))
            self.note.setText(
                f"{len(f)} optimal portfolios: US caps 0–100 % and US weight floors 10–100 % with every other "
                "constraint of the current settings (infeasible points left out). Expected return over the "
                "horizon (carry + roll-down + curve views) in base currency.")
        else:
            self.curve.setData([], [])
            self.note.setText("Sweeping the US cap…" if s.sweep_wanted else f"No sweep for this solve ({out.status}).")
        cur = s.current
        if cur is not None and out.current_expected_return_pct is not None:
            self.now.setData([cur.us_duration_share * 100.0], [out.current_expected_return_pct])
        opt = s.optimised
        if opt is not None and out.expected_return_pct is not None:
            self.best.setData([opt.us_duration_share * 100.0], [out.expected_return_pct])
        else:
            self.best.setData([], [])
