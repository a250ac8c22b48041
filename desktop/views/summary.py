"""Summary panel: current vs optimised portfolio figures with the change, the date and source of
every input they are computed from (curves, FX, short rates, quotes; stale ones marked ⚠), the
optimiser's objective, plus solver advice. The panel scrolls when the dock is shorter than it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controller import SUMMARY_ROWS, Evaluation, InputDate, summary_inputs
from desktop.views import formats
from desktop.views.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
UP, DOWN, FLAT = QColor("#1b7a3a"), QColor("#b3261e"), QColor("#444444")
STALE = "⚠"
TABLE_MIN_PX = 366  # "100.26m" and "Optimised" fit in each column (with the panel's scroll bar beside)
INPUT_ROW_PX = 20


def _set(item: QTableWidgetItem, text: str) -> bool:
    """setText only on change (every setText repaints the cell)."""
    if item.text() == text:
        return False
    item.setText(text)
    return True


def _fmt(value: float, unit: str, base: str = "", change: bool = False) -> str:
    """Cell text by unit (:func:`desktop.views.formats.summary_cell`; the row label names the currency)."""
    return formats.summary_cell(value, unit, base, change)


def _tone(text: str) -> QColor:
    """Green for a shown gain, red for a shown loss, grey when the shown figure is zero."""
    if not any(ch in "123456789" for ch in text):
        return FLAT
    return DOWN if text.startswith("-") else UP


#: The optimiser's objective and trading figures (key, label, unit): return terms over the horizon
#: in % of value (Σ w · the optimiser's per-bond terms), tracking error vs the benchmark, turnover.
OBJECTIVE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("expected_return_pct", "Expected return", "%"),
    ("carry_pct", "  carry", "%"),
    ("rolldown_pct", "  roll-down", "%"),
    ("view_pct", "  curve views", "%"),
    ("convexity_pct", "  convexity", "%"),
    ("risk_penalty_pct", "− risk penalty", "%"),
    ("turnover_cost_pct", "− turnover cost", "%"),
    ("objective_pct", "= objective", "%"),
    ("tracking_error_pct", "Tracking error", "%"),
    ("turnover_pct", "Turnover", "%"),
    ("trades", "Trades", "n"),
)


def objective_figures(outcome: object, current_weights: np.ndarray | None, trades: int | None) -> dict:
    """(current, optimised) per :data:`OBJECTIVE_ROWS` key from ``outcome.solution``; None = not known."""
    sol = getattr(outcome, "solution", None)
    out: dict[str, tuple[float | None, float | None]] = {k: (None, None) for k, _l, _u in OBJECTIVE_ROWS}
    if sol is None:
        return out
    returns = sol.returns
    w = sol.weights.reindex(returns.index).fillna(0.0).to_numpy(float)
    cur = None if current_weights is None or len(current_weights) != len(returns) else np.asarray(current_weights, float)
    for key in ("expected_return_pct", "carry_pct", "rolldown_pct", "view_pct", "convexity_pct"):
        if key in returns:
            col = returns[key].to_numpy(float)
            out[key] = (float(cur @ col) if cur is not None else None, float(w @ col))
    out["risk_penalty_pct"] = (None, float(sol.risk_penalty_pct))
    out["turnover_cost_pct"] = (None, float(sol.turnover_cost_pct))
    out["objective_pct"] = (None, float(sol.objective_pct))
    out["tracking_error_pct"] = (None, float(sol.tracking_error_pct))
    out["turnover_pct"] = (0.0, float(sol.turnover) * 100.0)
    out["trades"] = (0.0, None if trades is None else float(trades))
    return out


class SummaryPanel(QWidget):
    """Rows: yield, hedged yield, duration, DV01, US share, risk, value, weights per market; then
    the inputs (:func:`desktop.controller.summary_inputs`) and the optimiser's objective."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._base = ""
        self._inputs_of: tuple[object, int] | None = None  # (snapshot, face_version) the inputs show
        self.table = QTableWidget(len(SUMMARY_ROWS), 3)
        self.table.setHorizontalHeaderLabels(["Current", "Optimised", "Change"])
        self.table.setVerticalHeaderLabels([label for _k, label, _u in SUMMARY_ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # fixed row heights: ResizeToContents would re-measure every row on each setText
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(TABLE_MIN_PX)
        self.table.setFixedHeight(24 * len(SUMMARY_ROWS) + self.table.horizontalHeader().sizeHint().height() + 6)
        for r in range(len(SUMMARY_ROWS)):
            for c in range(3):
                item = QTableWidgetItem("—")
                item.setTextAlignment(RIGHT)
                self.table.setItem(r, c, item)
        self.inputs = QTableWidget(0, 2)
        self.inputs.setObjectName("inputs")
        self.inputs.setHorizontalHeaderLabels(["As of", "Source"])
        head = self.inputs.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.inputs.horizontalHeaderItem(0).setToolTip(
            f"The date of the figure used; {STALE} = more than a few business days before the valuation date "
            "(hover a row for how many)")
        self.inputs.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.inputs.verticalHeader().setDefaultSectionSize(INPUT_ROW_PX)
        self.inputs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.inputs.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inputs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inputs.setMinimumWidth(TABLE_MIN_PX)
        self._size_inputs()
        self.objective = QTableWidget(len(OBJECTIVE_ROWS), 3)
        self.objective.setObjectName("objective")
        self.objective.setHorizontalHeaderLabels(["Current", "Optimised", "Change"])
        self.objective.setVerticalHeaderLabels([label for _k, label, _u in OBJECTIVE_ROWS])
        self.objective.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.objective.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.objective.verticalHeader().setDefaultSectionSize(22)
        self.objective.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.objective.setMinimumWidth(TABLE_MIN_PX)
        self.objective.setToolTip("The optimiser's objective over the preset's horizon, in % of value: expected "
                                  "return (carry + roll-down + curve views + convexity) minus the risk penalty "
                                  "and the turnover cost; tracking error (annual) against the benchmark mix; "
                                  "turnover in % of value; trades = lines of the ticket to the optimised book")
        self.objective.setFixedHeight(22 * len(OBJECTIVE_ROWS) + self.objective.horizontalHeader().sizeHint().height()
                                      + 6)
        for r in range(len(OBJECTIVE_ROWS)):
            for c in range(3):
                item = QTableWidgetItem("—")
                item.setTextAlignment(RIGHT)
                self.objective.setItem(r, c, item)
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
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        lay.addWidget(self.inputs)
        lay.addWidget(self.objective)
        lay.addWidget(self.advice)
        lay.addWidget(self.notes)
        lay.addStretch(1)
        # a dock shorter than the panel (1280x720: tabbed with What-if) scrolls it: never squeezed
        self.scroll = QScrollArea()
        self.scroll.setObjectName("summary_scroll")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroll.setMinimumWidth(body.minimumSizeHint().width() + bar)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        session.loaded.connect(self.refresh_inputs)
        session.analyticsChanged.connect(self.refresh)
        session.adviceChanged.connect(self.set_advice)
        session.solutionChanged.connect(self.set_notes)

    # -- inputs: the date and source of every figure the summary is computed from ----------------
    def _size_inputs(self) -> None:
        rows = self.inputs.rowCount()
        self.inputs.setFixedHeight(INPUT_ROW_PX * rows + self.inputs.horizontalHeader().sizeHint().height() + 4)

    def refresh_inputs(self) -> None:
        """Show :func:`desktop.controller.summary_inputs` for the loaded data and the held book
        (recomputed only when the snapshot or the book changed: a slider move changes neither)."""
        s = self.session
        snap = s.snapshot
        if snap is None:
            return
        key = (snap, s.face_version)
        if self._inputs_of is not None and self._inputs_of[0] is snap and self._inputs_of[1] == key[1]:
            return
        self._inputs_of = key
        self.set_inputs(summary_inputs(snap, s.universe, s.face))

    def set_inputs(self, rows: tuple[InputDate, ...]) -> None:
        t = self.inputs
        if t.rowCount() != len(rows):
            t.setRowCount(len(rows))
            self._size_inputs()
        for r, row in enumerate(rows):
            label = t.verticalHeaderItem(r)
            if label is None:
                label = QTableWidgetItem()
                t.setVerticalHeaderItem(r, label)
            label.setText(row.label)
            label.setToolTip(row.tooltip)
            when = "—" if row.day is None else f"{row.day:%Y-%m-%d}"
            texts = (f"{when} {STALE}" if row.stale else when, row.detail)
            for c, text in enumerate(texts):
                item = t.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    t.setItem(r, c, item)
                item.setText(text)
                item.setToolTip(row.tooltip)
                item.setData(Qt.ItemDataRole.UserRole, row.key)
            t.item(r, 0).setForeground(DOWN if row.stale else FLAT)

    def set_advice(self, text: str) -> None:
        self.advice.setText(text)
        self.advice.setVisible(bool(text))

    def set_notes(self, outcome: object) -> None:
        binding = getattr(outcome, "binding", ())
        notes = getattr(outcome, "notes", ())
        lines = [f"• {b}" for b in binding[:6]] + [f"⚠ {n}" for n in notes]
        self.notes.setText(("Binding limits (what one step of each is worth):\n" if binding else "") + "\n".join(lines))
        self.set_objective(outcome)

    def set_objective(self, outcome: object) -> None:
        s = self.session
        job = s.solved_job
        book = s.book_tables() if getattr(outcome, "face", None) is not None else None
        trades = len(book.trades) if book is not None else None
        figures = objective_figures(outcome, None if job is None else job.current_weights, trades)
        for r, (key, _label, unit) in enumerate(OBJECTIVE_ROWS):
            now, new = figures[key]
            fmt = (lambda v, sign=False: formats.number(v, 0, sign)) if unit == "n" else \
                (lambda v, sign=False: formats.pct(v, 2, sign))
            _set(self.objective.item(r, 0), fmt(now) if now is not None else "—")
            _set(self.objective.item(r, 1), fmt(new) if new is not None else "—")
            delta = fmt(new - now, True) if now is not None and new is not None else ""
            item = self.objective.item(r, 2)
            if _set(item, delta):
                item.setForeground(_tone(delta))

    def refresh(self) -> None:
        cur, opt = self.session.current, self.session.optimised
        if cur is None:
            return
        self.refresh_inputs()
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
        text = _fmt(delta, unit, base, change=True)
        if _set(item, text):
            item.setForeground(_tone(text))
