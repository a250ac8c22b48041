"""Ladder view: market value per rung stacked by market (current | optimised) and the cash-flow ladder."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from desktop.controller import cash_flow_ladder
from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.views.charts.base import (
    HoverLabel,
    LazyRefresh,
    StackedBars,
    fit_y,
    make_plot,
    set_label,
    sticky_range,
)
from desktop.views.session import Session


class LadderChart(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.weights = QCheckBox("Show weights (%) instead of market value")
        self.rungs = make_plot("Market value per rung (left current, right optimised)",
                               "rung (years to maturity)", "market value (m, base ccy)")
        self.flows = make_plot("Cash-flow ladder of the current portfolio",
                               "calendar year (coupons + principal, by currency)", "cash flow (m, base ccy)")
        p = self.rungs.getPlotItem()
        self.cur = StackedBars(p, MARKET_CODES, offset=-0.21, width=0.4, label_suffix="")
        self.opt = StackedBars(p, MARKET_CODES, offset=+0.21, width=0.4, alpha=110, outline=True, label_suffix=" (optimised)")
        for code in MARKET_CODES:  # one legend entry per market
            p.legend.removeItem(self.opt.items[code])
        self.cf = StackedBars(self.flows.getPlotItem(), CURRENCIES, width=0.7)
        self._tables: tuple[pd.DataFrame, pd.DataFrame] = (pd.DataFrame(), pd.DataFrame())
        self._hover = HoverLabel(self.rungs, self._describe, hide_on=(session.chartsChanged,))
        self._hover_cf = HoverLabel(self.flows, self._describe_cf, hide_on=(session.chartsChanged,))
        self._cf_table = pd.DataFrame()
        self._cf_key: tuple[object, ...] = ()
        top = QHBoxLayout()
        top.addWidget(self.weights)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.rungs, 3)
        lay.addWidget(self.flows, 2)
        self.weights.toggled.connect(self._on_toggle)
        session.chartsChanged.connect(self.refresh)

    def _on_toggle(self, _checked: bool) -> None:
        self.refresh()

    def refresh(self) -> None:
        if not self.refresh_if_visible():
            return
        s = self.session
        if s.current is None:
            return
        pct = self.weights.isChecked()
        base = s.whatif.base_ccy
        cur = s.current.value_by_rung
        opt = s.optimised.value_by_rung if s.optimised is not None else cur.iloc[0:0]
        scale_c = 100.0 / s.current.market_value_base if pct else 1e-6
        scale_o = (100.0 / s.optimised.market_value_base if pct else 1e-6) if s.optimised is not None else 1.0
        top = max(self.cur.set(cur, scale_c), self.opt.set(opt, scale_o))
        fit_y(self.rungs, top)
        self._tables = (cur * scale_c, opt * scale_o)
        set_label(self.rungs, "left", "weight (%)" if pct else f"market value (m {base})")
        last = max([0, *cur.index.tolist(), *opt.index.tolist()])
        sticky_range(self.rungs, "x", 0.3, last + 0.7, pad=0.0)
        key = (s.face_version, base, id(s.universe))
        if key != self._cf_key:  # cash flows depend on holdings and base currency, not on curve shifts
            self._cf_key = key
            self._cf_table = cash_flow_ladder(s.shifted, s.face, s.fx) * 1e-6
            fit_y(self.flows, self.cf.set(self._cf_table))
            if len(self._cf_table):
                years = self._cf_table.index
                self.flows.getPlotItem().setXRange(years.min() - 0.6, years.max() + 0.6, padding=0)
        set_label(self.flows, "left", f"cash flow (m {base})")

    def _describe(self, x: float, _y: float) -> str:
        rung = int(np.round(x))
        which = 0 if x < rung else 1
        table = self._tables[which]
        if rung not in table.index:
            return ""
        row = table.loc[rung]
        unit = "%" if self.weights.isChecked() else "m"
        parts = [f"{c}: {row.get(c, 0.0):,.2f}{unit}" for c in MARKET_CODES if row.get(c, 0.0)]
        return f"{rung}y rung ({'current' if which == 0 else 'optimised'})\n" + "\n".join(parts)

    def _describe_cf(self, x: float, _y: float) -> str:
        year = int(np.round(x))
        if year not in self._cf_table.index:
            return ""
        row = self._cf_table.loc[year]
        return f"{year}\n" + "\n".join(f"{c}: {v:,.2f}m" for c, v in row.items() if v)
