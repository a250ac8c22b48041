"""Summary panel: current vs optimised portfolio figures with the change, plus solver advice."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.controller import SUMMARY_ROWS, Evaluation
from desktop.views.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
UP, DOWN, FLAT = QColor("#1b7a3a"), QColor("#b3261e"), QColor("#444444")


def _set(item: QTableWidgetItem, text: str) -> bool:
    """setText only on change (every setText repaints the cell)."""
    if item.text() == text:
        return False
    item.setText(text)
    return True


def _fmt(value: float, unit: str, base: str = "", change: bool = False) -> str:
    """Compact cell text; base-currency amounts as 12.3k / 100.00m (the row label names the currency)."""
    if value is None or not math.isfinite(value):
        return "—"
    sign = "+" if change and value > 0 else ""
    if unit == "%":
        return f"{sign}{value:.2f} %"
    if unit == "y":
        return f"{sign}{value:.2f} y"
    if abs(value) >= 1e6:
        return f"{sign}{value / 1e6:,.2f}m"
    if abs(value) >= 1e4:
        return f"{sign}{value / 1e3:,.1f}k"
    return f"{sign}{value:,.0f}"


class SummaryPanel(QWidget):
    """Rows: yield, hedged yield, duration, DV01, US share, risk, value, weights per market."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._base = ""
        self.table = QTableWidget(len(SUMMARY_ROWS), 3)
        self.table.setHorizontalHeaderLabels(["Current", "Optimised", "Change"])
        self.table.setVerticalHeaderLabels([label for _k, label, _u in SUMMARY_ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # fixed row heights: ResizeToContents would re-measure every row on each setText
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(310)
        self.table.setFixedHeight(24 * len(SUMMARY_ROWS) + self.table.horizontalHeader().sizeHint().height() + 6)
        for r in range(len(SUMMARY_ROWS)):
            for c in range(3):
                item = QTableWidgetItem("—")
                item.setTextAlignment(RIGHT)
                self.table.setItem(r, c, item)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setObjectName("advice")
        self.advice.setStyleSheet("QLabel#advice { color: #b3261e; }")
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice.hide()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #444444;")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        lay.addWidget(self.advice)
        lay.addWidget(self.notes)
        lay.addStretch(1)
        session.analyticsChanged.connect(self.refresh)
        session.adviceChanged.connect(self.set_advice)
        session.solutionChanged.connect(self.set_notes)

    def set_advice(self, text: str) -> None:
        self.advice.setText(text)
        self.advice.setVisible(bool(text))

    def set_notes(self, outcome: object) -> None:
        binding = getattr(outcome, "binding", ())
        notes = getattr(outcome, "notes", ())
        lines = [f"• {b}" for b in binding[:6]] + [f"⚠ {n}" for n in notes]
        self.notes.setText(("Binding constraints (shadow prices):\n" if binding else "") + "\n".join(lines))

    def refresh(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        if cur is None:
            return
        base = self.session.whatif.base_ccy
        if base != self._base:
            self._base = base
            self.table.setVerticalHeaderLabels([label.replace("base", base) for _k, label, _u in SUMMARY_ROWS])
        for r, (key, _label, unit) in enumerate(SUMMARY_ROWS):
            scale = 100.0 if unit == "%" and (key.startswith("w:") or key == "us_duration_share") else 1.0
            now = cur.figure(key) * scale
            _set(self.table.item(r, 0), _fmt(now, unit, base))
            self._set_opt(r, opt, key, scale, now, unit, base)

    def _set_opt(self, r: int, opt: Evaluation | None, key: str, scale: float, now: float, unit: str, base: str) -> None:
        if opt is None:
            _set(self.table.item(r, 1), "—")
            _set(self.table.item(r, 2), "")
            return
        new = opt.figure(key) * scale
        _set(self.table.item(r, 1), _fmt(new, unit, base))
        delta = new - now
        item = self.table.item(r, 2)
        if _set(item, _fmt(delta, unit, base, change=True)):
            item.setForeground(UP if delta > 1e-9 else DOWN if delta < -1e-9 else FLAT)
