"""Compare two saved variants side by side (figures on today's what-if curves)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import controller as ctl
from desktop.views.session import Session
from desktop.views.summary import _fmt


class CompareDialog(QDialog):
    def __init__(self, session: Session, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Compare saved variants")
        self.resize(560, 480)
        self.a, self.b = QComboBox(), QComboBox()
        for combo in (self.a, self.b):
            combo.addItems(names)
        if len(names) > 1:
            self.b.setCurrentIndex(1)
        top = QHBoxLayout()
        top.addWidget(QLabel("A"))
        top.addWidget(self.a, 1)
        top.addWidget(QLabel("B"))
        top.addWidget(self.b, 1)
        self.table = QTableWidget(len(ctl.SUMMARY_ROWS), 3)
        self.table.setHorizontalHeaderLabels(["A", "B", "B − A"])
        self.table.setVerticalHeaderLabels([label for _k, label, _u in ctl.SUMMARY_ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table)
        self.a.currentTextChanged.connect(self.refresh)
        self.b.currentTextChanged.connect(self.refresh)
        self.refresh()
        self.setMinimumSize(self.sizeHint())  # fixed before show: no size-hint churn on the window

    def evaluation(self, name: str) -> ctl.Evaluation:
        s = self.session
        return ctl.evaluate(s.shifted, s.saved_face(name), s.fx, s.snapshot.short_rates_pct, s.whatif.base_ccy)

    def refresh(self, *_args: object) -> None:
        if not self.a.currentText() or not self.b.currentText():
            return
        ea, eb = self.evaluation(self.a.currentText()), self.evaluation(self.b.currentText())
        base = self.session.whatif.base_ccy
        for r, (key, _label, unit) in enumerate(ctl.SUMMARY_ROWS):
            scale = 100.0 if unit == "%" and (key.startswith("w:") or key == "us_duration_share") else 1.0
            va, vb = ea.figure(key) * scale, eb.figure(key) * scale
            for c, text in enumerate((_fmt(va, unit, base), _fmt(vb, unit, base), _fmt(vb - va, unit, base, True))):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
