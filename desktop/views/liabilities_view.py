"""Liabilities panel: what the PM owes (an editable needs table, CSV import), the cheapest hedged
ladder that funds it, and what that is worth against US Treasuries only and each single market.

Chart: per year of the needs, the cash each market's bonds deliver (FX-hedged, base ccy, stacked by
market) plus the cash carried from earlier years (grey), the needs as a line and the surplus after
each year's needs as a second line. Beside it the costs (match vs single markets, bp of the match's
cost), the binding limits with their shadow prices (bp of cost per point of limit) and warnings.

All finance is :func:`desktop.controller.liabilities.match`, run on the app's worker thread
(:class:`desktop.views.runner.SolveRunner`; pass ``pool=`` the optimiser's pool so cvxpy is only ever
used from one thread). The view only reads ``source.snapshot`` and ``source.universe`` (the Session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controller import liabilities as lia
from desktop.controller.liabilities import MatchSettings
from desktop.controller.needs import needs_csv_frame, parse_needs, read_needs, year_end_business_day
from desktop.errors import LadderDeskError
from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.views.charts.base import StackedBars, fit_y, make_plot
from desktop.views.runner import SolveRunner

CARRIED = "carried"
DEFAULT_NEEDS = [(str(y), "10,000,000") for y in range(2027, 2035)]


class LiabilitySource(Protocol):
    @property
    def snapshot(self) -> Any: ...

    @property
    def universe(self) -> Any: ...


@dataclass(frozen=True, eq=False)
class MatchJob:
    snapshot: Any
    universe: pd.DataFrame
    needs: pd.DataFrame
    settings: MatchSettings


def run_match_job(job: MatchJob) -> lia.LiabilityMatch:
    """Worker task: the controller's match (module-level, pure function of the job)."""
    return lia.match(job.snapshot, job.needs, job.settings, universe=job.universe)


def yearly_funding(lm: lia.LiabilityMatch) -> pd.DataFrame:
    """Per need year: cash by market + carried (stackable), need, surplus after the year's last need."""
    f = lm.flows.copy()
    f["year"] = pd.to_datetime(f["date"]).dt.year
    markets = list(lm.result.settings.markets)
    g = f.groupby("year")
    out = g[[*markets]].sum()
    out[CARRIED] = g["carried_in"].first()  # what came in from before the year's first need
    out["need"] = g["need"].sum()
    out["surplus"] = g["surplus"].last()
    return out


class LiabilitiesView(QWidget):
    """The Liabilities tab (module docstring). ``matched`` carries each new result."""

    matched = Signal(object)

    def __init__(self, source: LiabilitySource, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.result: lia.LiabilityMatch | None = None
        self.runner = SolveRunner(run_match_job, self, debounce_ms=0, pool=pool)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_error)
        # needs table and settings
        self.needs = QTableWidget(0, 2)
        self.needs.setHorizontalHeaderLabels(["date or year", "amount (base ccy)"])
        self.needs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.set_needs_rows(DEFAULT_NEEDS)
        add, remove, load = QPushButton("Add row"), QPushButton("Remove row"), QPushButton("Import CSV…")
        self.match_button = QPushButton("Match")
        add.clicked.connect(self._add_row)
        remove.clicked.connect(self._remove_row)
        load.clicked.connect(self._import_dialog)
        self.match_button.clicked.connect(self.request)
        self.base = QComboBox()
        self.base.addItems(list(CURRENCIES))
        self.market_boxes = {c: QCheckBox(c) for c in MARKET_CODES}
        for box in self.market_boxes.values():
            box.setChecked(True)
        defaults = MatchSettings()
        self.us_cap = self._spin(0, 100, defaults.us_cap * 100, " %")
        self.max_weight = self._spin(0, 100, defaults.max_weight * 100, " %")
        self.reinvest = self._spin(-10, 50, defaults.reinvest_rate_pct, " % a year")
        self.allow_generic = QCheckBox("Include curve-implied bonds")
        form = QFormLayout()
        form.addRow("Base currency", self.base)
        row = QHBoxLayout()
        for box in self.market_boxes.values():
            row.addWidget(box)
        form.addRow("Markets", row)
        form.addRow("US share of duration ≤", self.us_cap)
        form.addRow("Each bond ≤ (of cost)", self.max_weight)
        form.addRow("Reinvestment rate", self.reinvest)
        form.addRow("", self.allow_generic)
        buttons = QHBoxLayout()
        for b in (add, remove, load):
            buttons.addWidget(b)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(QLabel("Needs (a year = its last business day)"))
        lv.addWidget(self.needs, 1)
        lv.addLayout(buttons)
        lv.addLayout(form)
        lv.addWidget(self.match_button)
        # chart, costs, limits
        self.chart = make_plot("Needs vs funded cash by year (FX-hedged)", "year", "cash (m, base ccy)")
        plot = self.chart.getPlotItem()
        self.bars = StackedBars(plot, [*MARKET_CODES, CARRIED], width=0.7)
        self.need_line = plot.plot([], [], pen=pg.mkPen("#000000", width=1), symbol="o", symbolSize=5, name="need")
        self.surplus_line = plot.plot([], [], pen=pg.mkPen("#E69F00", width=1), name="surplus")
        self.costs = QTableWidget(0, 5)
        self.costs.setHorizontalHeaderLabels(["funding", "cost (base ccy)", "vs match (bp)", "bonds", "note"])
        self.costs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.costs.horizontalHeader().setStretchLastSection(True)
        self.headline = QLabel("Enter the needs and press Match.")
        self.headline.setWordWrap(True)
        self.limits = QLabel("")
        self.limits.setWordWrap(True)
        right = QSplitter()
        right.setOrientation(Qt.Orientation.Vertical)
        right.addWidget(self.chart)
        box = QWidget()
        bv = QVBoxLayout(box)
        bv.addWidget(self.headline)
        bv.addWidget(self.costs, 1)
        bv.addWidget(self.limits)
        right.addWidget(box)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)

    @staticmethod
    def _spin(lo: float, hi: float, value: float, suffix: str) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(lo, hi)
        s.setDecimals(2)
        s.setValue(value)
        s.setSuffix(suffix)
        return s

    # -- needs table ---------------------------------------------------------------------------
    def set_needs_rows(self, rows: list[tuple[str, str]]) -> None:
        self.needs.setRowCount(0)
        for when, amount in rows:
            r = self.needs.rowCount()
            self.needs.insertRow(r)
            self.needs.setItem(r, 0, QTableWidgetItem(when))
            self.needs.setItem(r, 1, QTableWidgetItem(amount))

    def needs_rows(self) -> list[tuple[str, str]]:
        def cell(r: int, c: int) -> str:
            item = self.needs.item(r, c)
            return item.text().strip() if item is not None else ""
        rows = [(cell(r, 0), cell(r, 1)) for r in range(self.needs.rowCount())]
        return [r for r in rows if r[0] or r[1]]

    def _add_row(self) -> None:
        self.needs.insertRow(self.needs.rowCount())

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.needs.selectedIndexes()}, reverse=True) or [self.needs.rowCount() - 1]
        for r in rows:
            if r >= 0:
                self.needs.removeRow(r)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import needs", "", "CSV files (*.csv);;All files (*)")
        if path:
            self.import_csv(path)

    def import_csv(self, path: str) -> bool:
        """Fill the table from NEEDS.csv (the CLI's reader); False with the message shown on bad input."""
        try:
            needs = read_needs(path, self.base.currentText(), self.source.snapshot.as_of)
        except LadderDeskError as exc:
            self.headline.setText(f"Could not import: {exc}")
            return False
        table = needs_csv_frame(needs)
        self.set_needs_rows([(d, f"{a:,.2f}") for d, a in zip(table["date"], table["amount"], strict=True)])
        return True

    # -- matching --------------------------------------------------------------------------------
    def settings(self) -> MatchSettings:
        return MatchSettings(base_ccy=self.base.currentText(),
                             markets=tuple(c for c, b in self.market_boxes.items() if b.isChecked()),
                             us_cap=self.us_cap.value() / 100.0, max_weight=self.max_weight.value() / 100.0,
                             reinvest_rate_pct=self.reinvest.value(), allow_generic=self.allow_generic.isChecked())

    def request(self) -> bool:
        """Read the table and settings and start a match on the worker; False (message shown) on bad input."""
        snap = self.source.snapshot
        if snap is None or self.source.universe is None:
            self.headline.setText("No market data loaded yet.")
            return False
        rows = self.needs_rows()
        try:
            settings = self.settings().validate()
            dated = [[year_end_business_day(int(w), settings.base_ccy).isoformat()
                      if w.isdigit() and 1900 <= int(w) <= 2199 else w, a] for w, a in rows]  # a year per row
            needs = parse_needs(["date", "amount"], dated, [i + 1 for i in range(len(rows))], "needs table",
                                    settings.base_ccy, snap.as_of)
        except LadderDeskError as exc:
            self.headline.setText(f"Cannot match: {exc}".replace("line ", "row "))
            return False
        self.headline.setText("Matching…")
        self.runner.request(MatchJob(snap, self.source.universe, needs, settings), immediate=True)
        return True

    def data_loaded(self) -> None:
        """The market data arrived (or changed): match again if the tab is on screen."""
        if self.isVisible() and not self.runner.busy:
            self.request()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """First shown: match the needs in the table at once (a chart, not an empty frame)."""
        super().showEvent(event)
        if self.result is None and not self.runner.busy and self.source.snapshot is not None:
            self.request()

    def _on_error(self, error: BaseException) -> None:
        self.result = None
        self.headline.setText(f"Cannot fund these needs: {error}")
        self.bars.set(pd.DataFrame())
        self.need_line.setData([], [])
        self.surplus_line.setData([], [])
        self.costs.setRowCount(0)
        self.limits.setText("")

    def _on_result(self, lm: lia.LiabilityMatch, _seconds: float) -> None:
        self.result = lm
        y = yearly_funding(lm)
        scale = 1e-6
        top = self.bars.set(y[[*lm.result.settings.markets, CARRIED]], scale)
        self.need_line.setData(y.index.to_numpy(float), y["need"].to_numpy(float) * scale)
        self.surplus_line.setData(y.index.to_numpy(float), y["surplus"].to_numpy(float) * scale)
        fit_y(self.chart, max(top, float(y["need"].max()) * scale))
        ccy = lm.result.settings.base_ccy
        c = lm.comparison
        self.costs.setRowCount(len(c))
        for r, row in enumerate(c.itertuples(index=False)):
            cost = "infeasible" if not np.isfinite(row.cost_base) else f"{row.cost_base:,.0f}"
            vs = "" if not np.isfinite(row.extra_vs_match_bp) else f"{row.extra_vs_match_bp:+,.1f}"
            for col, text in enumerate((row.funding, cost, vs, str(row.bonds), row.note)):
                self.costs.setItem(r, col, QTableWidgetItem(text))
        value = lm.saving_vs_us_base
        head = f"Cost today {lm.cost_base:,.0f} {ccy} for {lm.needs['amount'].sum():,.0f} {ccy} of needs"
        if np.isfinite(value):
            head += f" — {value:,.0f} {ccy} cheaper than US Treasuries only ({value / lm.cost_base * 1e4:,.0f} bp)"
        self.headline.setText(head)
        lines = [b.text for b in lm.result.binding] or ["no limit binds"]
        lines += [f"⚠ {w}" for w in lm.result.warnings]
        self.limits.setText("Binding limits:\n" + "\n".join(lines))
        self.matched.emit(lm)

    def shutdown(self) -> None:
        self.runner.shutdown()
