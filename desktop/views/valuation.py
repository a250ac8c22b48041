"""The valuation date in the window: always visible in the status bar, movable, offered after an import.

:class:`ValuationControl` shows "Valued 2025-12-31" (the tooltip lists each input's date: curves,
short rates, FX, and how many bonds are quoted; an input more than 5 business days older than the
valuation date is marked) and a "Move…" button. Moving picks any date from the first on which every
market has a curve to the newest curve date; the workspace's as-of moves
(:meth:`desktop.store.Workspace.set_as_of`, the same as ``ladderdesk data --set-as-of``) and the data
reload keeps the held book (the session's import path). After an import of data newer than the
valuation date, :func:`offer_move` puts a "Move to <date>" button in the message bar.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def curve_date_range(ws: Any) -> tuple[date | None, date | None]:
    """(first date on which every market with curves has one, newest curve date) of the store ``ws``."""
    rows = ws.conn.execute("SELECT market, MIN(date), MAX(date) FROM curves GROUP BY market").fetchall()
    if not rows:
        return None, None
    return max(date.fromisoformat(r[1]) for r in rows), max(date.fromisoformat(r[2]) for r in rows)


def inputs_text(snapshot: Any, universe: Any) -> str:
    """Each input's date (curves per market, short rates and FX per currency, quotes), stale ones
    marked by the Summary's rule (:func:`desktop.controller.summary_inputs`)."""
    from desktop.controller import summary_inputs

    lines = [f"Valuation date {snapshot.as_of:%Y-%m-%d}"]
    for row in summary_inputs(snapshot):
        kind, _, name = row.key.partition(":")
        if row.day is None or kind not in ("curve", "short_rate", "fx"):
            continue
        what = {"curve": f"{name} curve", "short_rate": f"{name} short rate", "fx": f"{name} FX"}[kind]
        lines.append(f"{what} {row.day:%Y-%m-%d}" + ("  ⚠ older than 5 business days" if row.stale else ""))
    if universe is not None and "price_source" in universe:
        quoted = universe["price_source"] == "quote"
        stale = int((quoted & universe["stale"]).sum()) if "stale" in universe else 0
        lines.append(f"{int(quoted.sum())} bonds quoted ({stale} stale), "
                     f"{int((universe['price_source'] == 'extrapolated').sum())} priced beyond their curve")
    return "\n".join(lines)


class ValuationControl(QWidget):
    """Status-bar widget: the valuation date and a button to move it (module docstring)."""

    def __init__(self, files: Any) -> None:
        super().__init__(files.window)
        self.files, self.session = files, files.session
        self.label = QLabel("Valued —")
        self.button = QPushButton("Move…")
        self.button.setToolTip("Move the valuation date (every input is taken on or before it)")
        self.button.clicked.connect(self.ask)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self._shown: tuple[Any, Any] | None = None  # (snapshot, universe) the label describes
        self.session.loaded.connect(self.refresh)
        self.session.analyticsChanged.connect(self.refresh)

    def refresh(self) -> None:
        snap, universe = self.session.snapshot, self.session.universe
        if snap is None or (self._shown is not None and self._shown[0] is snap and self._shown[1] is universe):
            return  # a slider move changes neither the inputs nor their dates
        self._shown = (snap, universe)
        text = inputs_text(snap, universe)
        self.label.setText(f"Valued {snap.as_of:%Y-%m-%d}" + (" ⚠" if "⚠" in text else ""))
        self.label.setToolTip(text)

    def ask(self) -> date | None:
        store = getattr(self.session.workspace, "store", None)
        snap = self.session.snapshot
        if store is None or snap is None:
            return None
        lo, hi = curve_date_range(store)
        if lo is None:
            return None
        dialog = QDialog(self)
        dialog.setWindowTitle("Valuation date")
        edit = QDateEdit(QDate(snap.as_of.year, snap.as_of.month, snap.as_of.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(lo.year, lo.month, lo.day))
        edit.setMaximumDate(QDate(hi.year, hi.month, hi.day))
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(dialog.accept)
        box.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(f"Curves for every market from {lo:%Y-%m-%d}; the newest is {hi:%Y-%m-%d}.\n"
                                "Every input is taken on or before the valuation date."))
        layout.addWidget(edit)
        layout.addWidget(box)
        self._dialog = dialog  # tests answer it
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        picked = edit.date().toPython()
        self.move_to(picked)
        return picked

    def move_to(self, day: date) -> None:
        """Move the workspace's valuation date and reload (the held book is kept)."""
        from desktop.errors import LadderDeskError

        store = getattr(self.session.workspace, "store", None)
        if store is None:
            return
        try:
            store.set_as_of(day)
        except LadderDeskError as exc:
            self.files.message(f"The valuation date was not moved.\n{exc}", "error")
            return
        self.files.message(f"Valuation date moved to {day:%Y-%m-%d}; reloading the data (the book is kept).")
        self.session.note_import({"kind": "as_of", "as_of": day.isoformat()})


def install(files: Any) -> ValuationControl:
    """Put the control in the window's status bar (permanent, right-hand side)."""
    control = ValuationControl(files)
    files.window.statusBar().addPermanentWidget(control)
    control.refresh()
    return control


def offer_move(files: Any, detail: dict[str, Any]) -> None:
    """After an import of curves newer than the valuation date: a message-bar button moving to the
    import's newest date (never silently)."""
    store = getattr(files.session.workspace, "store", None)
    if store is None or not detail.get("newer_than_as_of"):
        return
    newest = [hi for _lo, hi in detail.get("curve_dates", {}).values()]
    target = date.fromisoformat(max(newest)) if newest else None
    current = date.fromisoformat(detail.get("as_of", "1900-01-01"))
    if target is None or target <= current:
        return
    control = getattr(files, "valuation", None)
    files.window.message_bar.show_message(
        f"The import has data after the valuation date {current:%Y-%m-%d}, up to {target:%Y-%m-%d} (markets "
        "without data that late use their latest curve before it, flagged in the status bar).", "info",
        action=(f"Move to {target:%Y-%m-%d}", lambda: control.move_to(target) if control else None))
