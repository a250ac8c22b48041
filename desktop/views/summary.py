"""Summary panel: current vs optimised portfolio figures with the change, plus solver advice."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.controller import SUMMARY_ROWS, Evaluation
from desktop.views.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
UP, DOWN = QColor("#1b7a3a"), QColor("#b3261e")


def _fmt(value: float, unit: str, base: str, change: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    sign = "+" if change and value > 0 else ""
    if unit == "%" :
        return f"{sign}{value:.2f} %"
    if unit == "y":
        return f"{sign}{value:.2f} y"
    if abs(value) >= 1e6:
        return f"{sign}{value / 1e6:,.2f}m {base}"
    return f"{sign}{value:,.0f} {base}"


class SummaryPanel(QWidget):
    """Rows: yield, hedged yield, duration, DV01, US share, risk, value, weights per market."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table = QTableWidget(len(SUMMARY_ROWS), 3)
        self.table.setHorizontalHeaderLabels(["Current", "Optimised", "Change"])
        self.table.setVerticalHeaderLabels([label for _k, label, _u in SUMMARY_ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(330)
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
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        lay.addWidget(self.advice)
        session.analyticsChanged.connect(self.refresh)
        session.adviceChanged.connect(self.set_advice)

    def set_advice(self, text: str) -> None:
        self.advice.setText(text)
        self.advice.setVisible(bool(text))

    def refresh(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        if cur is None:
            return
        base = self.session.whatif.base_ccy
        for r, (key, _label, unit) in enumerate(SUMMARY_ROWS):
            scale = 100.0 if unit == "%" and (key.startswith("w:") or key == "us_duration_share") else 1.0
            now = cur.figure(key) * scale
            self.table.item(r, 0).setText(_fmt(now, unit, base))
            self._set_opt(r, opt, key, scale, now, unit, base)

    def _set_opt(self, r: int, opt: Evaluation | None, key: str, scale: float, now: float, unit: str, base: str) -> None:
        if opt is None:
            self.table.item(r, 1).setText("—")
            self.table.item(r, 2).setText("")
            return
        new = opt.figure(key) * scale
        self.table.item(r, 1).setText(_fmt(new, unit, base))
        delta = new - now
        item = self.table.item(r, 2)
        item.setText(_fmt(delta, unit, base, change=True))
        item.setForeground(UP if delta > 1e-9 else DOWN if delta < -1e-9 else QColor("#444444"))
