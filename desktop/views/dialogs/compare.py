"""Compare two saved variants side by side: summary (with risk), holdings diff, the trades from A to
B, exposure charts and the P&L of both under one scenario. Figures on today's what-if curves; the
scenario P&L on the snapshot's curves shocked by the scenario (as the Scenarios tab)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import controller as ctl
from desktop.markets import MARKET_CODES
from desktop.views import formats
from desktop.views.session import Session
from desktop.views.summary import _fmt, _tone

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HOLDING_COLUMNS = ("Mkt", "ID", "Name", "Face A", "Face B", "B − A", "Weight A", "Weight B")


def _table(headers: list[str] | tuple[str, ...], rows: list[list[str]], tones: bool = False,
           row_labels: list[str] | None = None) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    if row_labels is not None:
        table.setVerticalHeaderLabels(row_labels)
    else:
        table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    fill(table, rows, tones)
    return table


def fill(table: QTableWidget, rows: list[list[str]], tones: bool = False) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            numeric = bool(text) and (text[0].isdigit() or text[0] in "+-—")
            item.setTextAlignment(RIGHT if numeric else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if tones and c == len(row) - 1:
                item.setForeground(_tone(text))
            table.setItem(r, c, item)


class CompareDialog(QDialog):
    def __init__(self, session: Session, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Compare saved variants")
        self.a, self.b, self.scenario = QComboBox(), QComboBox(), QComboBox()
        for combo in (self.a, self.b):
            combo.addItems(names)
        if len(names) > 1:
            self.b.setCurrentIndex(1)
        self._scenarios = self._scenario_list()
        self.scenario.addItems([sc.name for sc in self._scenarios])
        top = QHBoxLayout()
        for label, combo in (("A", self.a), ("B", self.b), ("Scenario", self.scenario)):
            top.addWidget(QLabel(label))
            top.addWidget(combo, 1)
        self.table = _table(["A", "B", "B − A"], [], row_labels=[label for _k, label, _u in ctl.SUMMARY_ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.holdings = _table(HOLDING_COLUMNS, [])
        self.trades = _table(["Side", "Mkt", "ID", "Face", "Cash (base)", "Name"], [])
        self.trades.horizontalHeader().setStretchLastSection(True)
        self.holdings.horizontalHeader().setStretchLastSection(True)
        self.trades_note = QLabel()
        self.trades_note.setWordWrap(True)
        self.pnl = _table(["A", "B", "B − A"], [])
        self.pnl_note = QLabel()
        self.pnl_note.setWordWrap(True)
        self.charts = self._charts()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Summary")
        self.tabs.addTab(self.holdings, "Holdings")
        self.tabs.addTab(_with_note(self.trades, self.trades_note), "Trades A → B")
        self.tabs.addTab(self.charts, "Exposure")
        self.tabs.addTab(_with_note(self.pnl, self.pnl_note), "Scenario P&&L")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.a.currentTextChanged.connect(self.refresh)
        self.b.currentTextChanged.connect(self.refresh)
        self.scenario.currentIndexChanged.connect(self.refresh)
        self._risks: dict[tuple, float | None] = {}
        self.refresh()
        self.setMinimumSize(720, 560)  # fixed before show: no size-hint churn on the window
        self.resize(820, 620)

    # -- pieces ----------------------------------------------------------------------------------
    def _scenario_list(self) -> list[Any]:
        from desktop.scenarios.presets import PRESETS

        saved = list(self.session.saved_scenarios)
        names = {sc.name for sc in saved}
        return [p for p in PRESETS if p.name not in names] + saved

    def _charts(self) -> QWidget:
        from desktop.views.charts.base import StackedBars, make_plot

        box = QWidget()
        grid = QGridLayout(box)
        self.contrib = make_plot("Duration contribution w·D (left A, right B)", "rung (years)", "years",
                                 legend_cols=4)
        self.bars_a = StackedBars(self.contrib.getPlotItem(), MARKET_CODES, offset=-0.21, width=0.4)
        self.bars_b = StackedBars(self.contrib.getPlotItem(), MARKET_CODES, offset=0.21, width=0.4, alpha=110,
                                  outline=True)
        for code in MARKET_CODES:
            self.contrib.getPlotItem().legend.removeItem(self.bars_b.items[code])
        self.krd = make_plot("Key-rate profile Σ w·KRD (solid A, dashed B)", "key tenor", "years", legend_cols=4)
        grid.addWidget(self.contrib, 0, 0)
        grid.addWidget(self.krd, 0, 1)
        return box

    def evaluation(self, name: str) -> ctl.Evaluation:
        s = self.session
        face = s.saved_face(name)
        return ctl.evaluate(s.shifted, face, s.fx, s.snapshot.short_rates_pct, s.whatif.base_ccy,
                            self.risk_pct(face))

    def risk_pct(self, face: np.ndarray) -> float | None:
        """The factor model's annual volatility (% of value) of a book, as the optimiser measures it
        (its current-book risk: :func:`desktop.controller.solve`, compiled problem cached per universe)."""
        from desktop.errors import LadderDeskError

        s = self.session
        key = (face.tobytes(), s.whatif.hedged, s.whatif.base_ccy)
        if key not in self._risks:
            try:
                job = ctl.solve_job(s.snapshot, s.universe, face, whatif=s.whatif,
                                    saved_presets=dict(s.saved_presets))
                self._risks[key] = ctl.solve(job).current_risk_pct
            except LadderDeskError:
                self._risks[key] = None
        return self._risks[key]

    # -- refresh -----------------------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        name_a, name_b = self.a.currentText(), self.b.currentText()
        if not name_a or not name_b:
            return
        s = self.session
        face_a, face_b = s.saved_face(name_a), s.saved_face(name_b)
        ea, eb = self.evaluation(name_a), self.evaluation(name_b)
        base = s.whatif.base_ccy
        rows = []
        for key, _label, unit in ctl.SUMMARY_ROWS:
            scale = 100.0 if unit == "%" and (key.startswith("w:") or key == "us_duration_share") else 1.0
            va, vb = ea.figure(key) * scale, eb.figure(key) * scale
            rows.append([_fmt(va, unit, base), _fmt(vb, unit, base), _fmt(vb - va, unit, base, True)])
        fill(self.table, rows, tones=True)
        self.table.setVerticalHeaderLabels([label for _k, label, _u in ctl.SUMMARY_ROWS])
        self._holdings(face_a, face_b, ea, eb)
        self._trades(face_a, face_b)
        self._exposure(ea, eb)
        self._scenario_pnl(face_a, face_b)

    def _holdings(self, face_a: np.ndarray, face_b: np.ndarray, ea: ctl.Evaluation, eb: ctl.Evaluation) -> None:
        u = self.session.universe
        held = np.flatnonzero((face_a > 0) | (face_b > 0))
        order = held[np.lexsort((u["rung"].to_numpy()[held], u["market"].to_numpy()[held]))]
        rows = [[str(u["market"].iat[i]), str(u["id"].iat[i]), str(u["name"].iat[i]), formats.face(face_a[i]),
                 formats.face(face_b[i]), _signed_face(face_b[i] - face_a[i]),
                 formats.weight(ea.weights[i] * 100.0), formats.weight(eb.weights[i] * 100.0)] for i in order]
        fill(self.holdings, rows)
        self.holdings.resizeColumnsToContents()

    def _trades(self, face_a: np.ndarray, face_b: np.ndarray) -> None:
        s = self.session
        trade_date = getattr(s.snapshot, "as_of", None) or date.today()
        book = ctl.orders(s.universe, face_a, face_b, s.fx, trade_date, 0.0)
        trades = book.trades
        rows = []
        for _, t in trades.iterrows():
            rows.append([str(t.get("side", "")), str(t.get("market", "")), str(t.get("id", "")),
                         formats.face(float(t.get("face", np.nan))),
                         formats.money(float(t.get("cash_base", np.nan))), str(t.get("name", ""))])
        fill(self.trades, rows)
        self.trades.resizeColumnsToContents()
        extra = []
        generic = getattr(book, "generic", None)
        if generic is not None and len(generic):
            extra.append(f"{len(generic)} curve-implied generic bond(s) not ticketable: {', '.join(map(str, list(generic)[:6]))}")
        cash = float(pd.to_numeric(trades.get("cash_base", pd.Series(dtype=float)), errors="coerce").abs().sum()) \
            if len(trades) else 0.0
        self.trades_note.setText(f"{len(trades)} trades from A to B, settling on each market's calendar after "
                                 f"{trade_date:%Y-%m-%d}; gross cash {formats.money(cash, s.whatif.base_ccy)}. "
                                 + " ".join(extra))

    def _exposure(self, ea: ctl.Evaluation, eb: ctl.Evaluation) -> None:
        import pyqtgraph as pg

        from desktop.analytics import KEY_TENORS
        from desktop.views.charts.base import fit_y, market_color

        top = max(self.bars_a.set(ea.duration_contrib), self.bars_b.set(eb.duration_contrib))
        fit_y(self.contrib, top)
        p = self.krd.getPlotItem()
        p.clear()
        x = np.arange(len(KEY_TENORS), dtype=float)
        ka, kb = ea.key_rates.to_numpy(float), eb.key_rates.to_numpy(float)
        for i, code in enumerate(MARKET_CODES):
            p.plot(x, ka[i], pen=pg.mkPen(market_color(code), width=2), name=code)
            p.plot(x, kb[i], pen=pg.mkPen(market_color(code), width=2, style=Qt.PenStyle.DashLine))
        p.getAxis("bottom").setTicks([[(i, f"{t:g}y") for i, t in enumerate(KEY_TENORS)]])
        fit_y(self.krd, float(max(ka.max(), kb.max())), bottom=min(0.0, float(min(ka.min(), kb.min()))), headroom=1.3)

    def _scenario_pnl(self, face_a: np.ndarray, face_b: np.ndarray) -> None:
        from desktop.controller.scenario_lab import ScenarioJob, run_scenarios

        s = self.session
        i = self.scenario.currentIndex()
        if i < 0 or not self._scenarios:
            fill(self.pnl, [])
            return
        sc = self._scenarios[i]
        job = ScenarioJob(universe=s.universe, snapshot=s.snapshot, base_ccy=s.whatif.base_ccy, scenarios=(sc,),
                          portfolios={"A": face_a, "B": face_b})
        grid = run_scenarios(job).grid
        measure = "hedged" if s.whatif.hedged else "unhedged"
        ta, tb = grid.table("A", measure, ("market", "total")), grid.table("B", measure, ("market", "total"))
        groups = list(ta.columns)
        rows = []
        for g in groups:
            va, vb = float(ta[g].iloc[0]), float(tb[g].iloc[0])
            rows.append([formats.money(va), formats.money(vb), formats.money(vb - va, "", True)])
        self.pnl.setVerticalHeaderLabels([str(g) for g in groups])
        self.pnl.verticalHeader().show()
        fill(self.pnl, rows, tones=True)
        self.pnl.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.pnl_note.setText(f"{sc.name}: {measure} P&L in {s.whatif.base_ccy} by market and in total "
                              "(full revaluation on the snapshot's curves shocked by the scenario).")


def _with_note(table: QTableWidget, note: QLabel) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(table, 1)
    lay.addWidget(note)
    return box


def _signed_face(delta: float) -> str:
    text = formats.face(abs(delta))
    return text if not text or text == "0" else ("+" if delta > 0 else "-") + text
