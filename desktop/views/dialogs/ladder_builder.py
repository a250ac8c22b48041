"""Ladder builder: markets, rung range and spacing, notional → one bond per rung per market."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from desktop.controller import LadderResult
from desktop.markets import MARKET_CODES
from desktop.views.session import Session

RULE = ("One bond per rung per market: on rung r (bonds maturing in (r−1, r] years) the one maturing nearest r, "
        "real bonds before curve-implied generics. A rung with no bond in a market stays empty and is listed. "
        "The notional is split equally across markets, then across that market's rungs; "
        "then the optimiser may re-weight the chosen bonds across the chosen markets (the preset's "
        "benchmark-relative market bounds do not apply to a hand-built ladder; duration, US cap and "
        "views do).")


class LadderBuilderDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Build a ladder")
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.markets: dict[str, QCheckBox] = {}
        for code in MARKET_CODES:
            box = QCheckBox(code)
            box.setChecked(True)
            self.markets[code] = box
            row.addWidget(box)
        form.addRow("Markets", row)
        self.first, self.last, self.step = QSpinBox(), QSpinBox(), QSpinBox()
        for spin, value in ((self.first, 1), (self.last, 10), (self.step, 1)):
            spin.setRange(1, 40)
            spin.setValue(value)
        form.addRow("First rung (y)", self.first)
        form.addRow("Last rung (y)", self.last)
        form.addRow("Spacing (y)", self.step)
        self.notional = QDoubleSpinBox()
        self.notional.setRange(1.0, 100_000.0)
        self.notional.setDecimals(1)
        self.notional.setValue(100.0)
        self.notional.setSuffix(f" m {session.whatif.base_ccy}")
        form.addRow("Notional", self.notional)
        self.optimise = QCheckBox("Optimise the split across markets (restricted to the ladder's bonds)")
        self.optimise.setChecked(True)
        form.addRow(self.optimise)
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        form.addRow(rule)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.result_: LadderResult | None = None
        self.setMinimumSize(self.sizeHint())  # fixed before show: no size-hint churn on the window

    def build(self) -> LadderResult:
        markets = [c for c, b in self.markets.items() if b.isChecked()]
        rungs = range(self.first.value(), max(self.first.value(), self.last.value()) + 1, self.step.value())
        result = self.session.build_ladder(markets, rungs, self.notional.value() * 1e6,
                                           restrict=self.optimise.isChecked())
        self.result_ = result
        return result
