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
