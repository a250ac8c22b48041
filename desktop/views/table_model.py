"""Table models over DataFrames: formatted display, raw values for sorting, editable face amounts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # raw value (float/str) under this role
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
OTHER_ROLES = frozenset({Qt.ItemDataRole.EditRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole})


@dataclass(frozen=True)
class Column:
    """One table column: DataFrame ``key``, header (with unit) and a number format ('' = text)."""

    key: str
    header: str
    fmt: str = ""  # e.g. "{:,.2f}"; "" → str(value); "date" → YYYY-MM-DD
    editable: bool = False
    tooltip: str = ""

    def text(self, value: object) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if self.fmt == "date":
            return pd.Timestamp(value).strftime("%Y-%m-%d") if not pd.isna(value) else ""
        if self.fmt:
            return self.fmt.format(value)
        return str(value)


class DataFrameModel(QAbstractTableModel):
    """A read-mostly table over a DataFrame. ``faceEdited(row, value)`` asks the owner to apply an edit
    (the owner pushes an undo command and calls :meth:`set_frame`/:meth:`update_columns`)."""

    faceEdited = Signal(int, float)

    def __init__(self, columns: Sequence[Column], parent: object = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._arrays: list[np.ndarray] = [np.empty(0, dtype=object) for _ in self._columns]
        self._rows = 0
        self._colors: Callable[[int], QColor | None] | None = None
        self._align = [int(RIGHT if c.fmt and c.fmt != "date" else LEFT) for c in self._columns]

    # -- data in -------------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace all rows in one go (one model reset)."""
        self.beginResetModel()
        self._rows = len(frame)
        self._arrays = [self._column_array(frame, c.key) for c in self._columns]
        self.endResetModel()

    def update_columns(self, frame: pd.DataFrame, keys: Iterable[str]) -> None:
        """Refresh some columns in place (same rows): one ``dataChanged`` for the block."""
        if len(frame) != self._rows:
            self.set_frame(frame)
            return
        cols = [i for i, c in enumerate(self._columns) if c.key in set(keys)]
        for i in cols:
            self._arrays[i] = self._column_array(frame, self._columns[i].key)
        if cols and self._rows:
            self.dataChanged.emit(self.index(0, min(cols)), self.index(self._rows - 1, max(cols)))

    @staticmethod
    def _column_array(frame: pd.DataFrame, key: str) -> np.ndarray:
        if key not in frame:
            return np.full(len(frame), np.nan)
        col = frame[key]
        return col.to_numpy() if col.dtype != bool else col.to_numpy().astype(object)

    def set_row_colors(self, colors: Callable[[int], QColor | None] | None) -> None:
        self._colors = colors

    def columns(self) -> list[Column]:
        return list(self._columns)

    def raw(self, row: int, key: str) -> object:
        return self._arrays[[c.key for c in self._columns].index(key)][row]

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # hot path: called per visible cell and role on every repaint — keep it flat
        if role == DISPLAY:
            r, c = index.row(), index.column()
            if r < self._rows and c < len(self._columns):
                return self._columns[c].text(self._arrays[c][r])
            return None
        if role == ALIGN:
            return self._align[index.column()] if index.column() < len(self._align) else None
        if role not in OTHER_ROLES:  # the delegate asks for ~10 roles per cell; most are unused
            return None
        if not index.isValid() or index.row() >= self._rows or index.column() >= len(self._columns):
            return None
        col = self._columns[index.column()]
        value = self._arrays[index.column()][index.row()]
        if role == Qt.ItemDataRole.EditRole:
            return float(value) if col.editable else col.text(value)
        if role == SORT_ROLE:
            if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
                return float(value) if not np.isnan(value) else float("-inf")
            if isinstance(value, pd.Timestamp):
                return value.strftime("%Y-%m-%d")
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and self._colors is not None and index.column() == 0:
            return self._colors(index.row())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._columns[section].tooltip or self._columns[section].header
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < self._rows:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._columns[index.column()].editable:
            return False
        try:
            amount = float(str(value).replace(",", ""))
        except ValueError:
            return False
        if not np.isfinite(amount) or amount < 0:
            return False
        self.faceEdited.emit(index.row(), amount)
        return True


class MarketRungFilter(QSortFilterProxyModel):
    """Sort by raw values; show only the chosen markets and rung range (and optionally held rows)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._markets: set[str] | None = None
        self._rungs: tuple[int, int] = (0, 10_000)
        self._held_only = False

    def set_filter(self, markets: set[str] | None, rungs: tuple[int, int], held_only: bool = False) -> None:
        self.beginFilterChange()
        self._markets, self._rungs, self._held_only = markets, rungs, held_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DataFrameModel):
            return True
        if self._markets is not None and model.raw(source_row, "market") not in self._markets:
            return False
        rung = int(model.raw(source_row, "rung"))
        if not (self._rungs[0] <= rung <= self._rungs[1]):
            return False
        if self._held_only:
            face = model.raw(source_row, "face")
            opt = model.raw(source_row, "opt_face")
            return bool((face or 0) > 0 or (opt or 0) > 0)
        return True
