"""Undoable edits of the portfolio (QUndoStack commands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from desktop.views.session import Session


class SetHoldings(QUndoCommand):
    """Replace the face amounts (edit of one cell, a ladder, or applying an optimisation)."""

    def __init__(self, session: Session, old: np.ndarray, new: np.ndarray, text: str) -> None:
        super().__init__(text)
        self._session = session
        self._old = np.array(old, dtype=float, copy=True)
        self._new = np.array(new, dtype=float, copy=True)

    def redo(self) -> None:
        self._session.replace_face(self._new)

    def undo(self) -> None:
        self._session.replace_face(self._old)


class SetBook(QUndoCommand):
    """Replace the book together with the what-if and the optimiser's allowed bonds (Build ladder:
    undo gives back the preset's market and rung limits, not only the holdings)."""

    def __init__(self, session: Session, old: tuple, new: tuple, text: str) -> None:
        super().__init__(text)
        self._session = session
        self._old = _copy_book(old)
        self._new = _copy_book(new)

    def redo(self) -> None:
        self._session.restore_book(*self._new)

    def undo(self) -> None:
        self._session.restore_book(*self._old)


def _copy_book(book: tuple) -> tuple:
    face, whatif, allowed = book
    return (np.array(face, dtype=float, copy=True), whatif,
            None if allowed is None else np.array(allowed, dtype=bool, copy=True))


class SetWhatIf(QUndoCommand):
    """A what-if change made by a gesture (dragging a key-rate point on the Curves chart)."""

    def __init__(self, session: Session, old: object, new: object, text: str) -> None:
        super().__init__(text)
        self._session, self._old, self._new = session, old, new

    def redo(self) -> None:
        self._session.set_whatif(self._new)  # (already set while dragging: then a no-op)

    def undo(self) -> None:
        self._session.set_whatif(self._old)


class SetQuote(QUndoCommand):
    """A clean price typed in the holdings table: a quote at the valuation date (undo removes it)."""

    def __init__(self, session: Session, market: str, bond_id: str, clean_price: float) -> None:
        super().__init__(f"Quote {market} {bond_id} at {clean_price:.3f}")
        self._session, self._market, self._id, self._price = session, market, bond_id, float(clean_price)

    def redo(self) -> None:
        self._session.put_quote(self._market, self._id, self._price)

    def undo(self) -> None:
        self._session.put_quote(self._market, self._id, None)
