"""Table models over DataFrames: formatted display, raw values for sorting, editable face amounts.

Painting a table asks the model, per visible cell, for seven roles, its flags and (through the
sort/filter proxy) a source index. Each of those is a C++ → Python call, so both models answer the
delegate's ``multiData`` in one call per cell, the proxy answers ``flags`` itself and the source
model its own ``index``: 3 Python calls per painted cell instead of 24. Display strings are
formatted on first paint and kept until the column's values change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractItemModel,
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
NO_FLAGS = Qt.ItemFlag.NoItemFlags
_DISPLAY, _ALIGN = int(DISPLAY), int(ALIGN)  # QModelRoleData.role() is a plain int
_OTHER = frozenset(int(r) for r in OTHER_ROLES)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)


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
            text = self.fmt.format(value)
            if text.startswith("-") and not any(ch in "123456789" for ch in text):
                return text[1:]  # rounds to zero: "0.00", never "-0.00"
            return text
        return str(value)


class DataFrameModel(QAbstractTableModel):
    """A read-mostly table over a DataFrame. ``faceEdited(row, value)`` asks the owner to apply an edit
    (the owner pushes an undo command and calls :meth:`set_frame`/:meth:`update_arrays`)."""

    faceEdited = Signal(int, float)
    valueEdited = Signal(int, str, float)  # row, column key, value: an edit of another editable column

    def __init__(self, columns: Sequence[Column], parent: object = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._arrays: list[np.ndarray] = [np.empty(0, dtype=object) for _ in self._columns]
        self._rows = 0
        self._colors: Callable[[int], QColor | None] | None = None
        self._align = [int(RIGHT if c.fmt and c.fmt != "date" else LEFT) for c in self._columns]
        self._ncols = len(self._columns)
        self._position = {c.key: i for i, c in enumerate(self._columns)}
        self._texts: list[list[str | None] | None] = [None] * self._ncols  # formatted lazily, per column
        selectable = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        self._flags = [selectable | Qt.ItemFlag.ItemIsEditable if c.editable else selectable for c in self._columns]

    # -- data in -------------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace all rows in one go (one model reset)."""
        self.beginResetModel()
        self._rows = len(frame)
        self._arrays = [self._column_array(frame, c.key) for c in self._columns]
        self._texts = [None] * self._ncols
        self.endResetModel()

    def update_arrays(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Refresh columns in place from arrays of the current row count (no model reset): the
        columns whose values changed drop their formatted strings and get one ``dataChanged`` per
        contiguous block of columns (unchanged columns are not repainted)."""
        changed = []
        for key, values in arrays.items():
            i = self._position.get(key)
            if i is None:
                continue
            new = np.asarray(values)
            if len(new) != self._rows:
                raise ValueError(f"column {key!r}: {len(new)} values for {self._rows} rows")
            old = self._arrays[i]
            if old is new or (old.dtype == new.dtype and old.dtype.kind == "f" and np.array_equal(old, new, equal_nan=True)):
                continue
            self._arrays[i] = new
            self._texts[i] = None
            changed.append(i)
        if not changed or not self._rows:
            return
        changed.sort()
        start = prev = changed[0]
        for i in [*changed[1:], None]:
            if i is not None and i == prev + 1:
                prev = i
                continue
            self.dataChanged.emit(self.createIndex(0, start), self.createIndex(self._rows - 1, prev))
            if i is not None:
                start = prev = i

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
        return self._arrays[self._position[key]][row]

    def text(self, row: int, column: int) -> str:
        """The display string of a cell (formatted once per value)."""
        texts = self._texts[column]
        if texts is None:
            texts = self._texts[column] = [None] * self._rows
        out = texts[row]
        if out is None:
            out = texts[row] = self._columns[column].text(self._arrays[column][row])
        return out

    def fill_roles(self, row: int, column: int, span: object) -> None:
        """Answer every role of a ``QModelRoleDataSpan`` for one cell (what :meth:`data` answers)."""
        for item in span:  # type: ignore[attr-defined]
            role = item.role()
            if role == _DISPLAY:  # text(row, column) inlined: this runs once per painted cell
                texts = self._texts[column]
                if texts is None:
                    texts = self._texts[column] = [None] * self._rows
                text = texts[row]
                if text is None:
                    text = texts[row] = self._columns[column].text(self._arrays[column][row])
                item.setData(text)
            elif role == _ALIGN:
                item.setData(self._align[column])
            elif role == _FOREGROUND:
                color = self._colors(row) if column == 0 and self._colors is not None else None
                if color is None:
                    item.clearData()
                else:
                    item.setData(color)
            elif role in _OTHER:
                value = self.data(self.createIndex(row, column), role)
                if value is None:
                    item.clearData()
                else:
                    item.setData(value)
            else:
                item.clearData()

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._ncols

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # one Python call instead of QAbstractTableModel's rowCount() + columnCount()
        if 0 <= row < self._rows and 0 <= column < self._ncols and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def multiData(self, index: Index, roleDataSpan: object) -> None:  # noqa: N802, N803 - Qt API
        r, c = index.row(), index.column()
        if index.isValid() and r < self._rows and c < self._ncols:
            self.fill_roles(r, c, roleDataSpan)
        else:
            for item in roleDataSpan:  # type: ignore[attr-defined]
                item.clearData()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # called per role by everything but the delegate's paint (which uses multiData)
        if role == DISPLAY:
            r, c = index.row(), index.column()
            if r < self._rows and c < self._ncols:
                return self.text(r, c)
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
            return NO_FLAGS
        return self._flags[index.column()]

    def column_flags(self, column: int) -> Qt.ItemFlag:
        return self._flags[column] if 0 <= column < self._ncols else NO_FLAGS

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._columns[index.column()].editable:
            return False
        try:
            amount = float(str(value).replace(",", ""))
        except ValueError:
            return False
        if not np.isfinite(amount) or amount < 0:
            return False
        key = self._columns[index.column()].key
        if key == "face":
            self.faceEdited.emit(index.row(), amount)
        else:
            self.valueEdited.emit(index.row(), key, amount)
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
        self._source: DataFrameModel | None = None  # the source when it is a DataFrameModel (fast path)

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802 - Qt API
        self._source = model if isinstance(model, DataFrameModel) else None
        super().setSourceModel(model)

    def set_filter(self, markets: set[str] | None, rungs: tuple[int, int], held_only: bool = False) -> None:
        self.beginFilterChange()
        self._markets, self._rungs, self._held_only = markets, rungs, held_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # -- paint fast path: the view asks the proxy; answer in one Python call per cell ----------
    def multiData(self, index: Index, roleDataSpan: object) -> None:  # noqa: N802, N803 - Qt API
        model = self._source
        if model is None:
            super().multiData(index, roleDataSpan)
            return
        src = self.mapToSource(index)  # one Python call: DataFrameModel.index
        if src.isValid():
            model.fill_roles(src.row(), src.column(), roleDataSpan)
        else:
            for item in roleDataSpan:  # type: ignore[attr-defined]
                item.clearData()

    def flags(self, index: Index) -> Qt.ItemFlag:
        model = self._source
        if model is None:
            return super().flags(index)
        # columns are never filtered or reordered: a cell's flags are its source column's
        return model.column_flags(index.column()) if index.isValid() else NO_FLAGS

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
