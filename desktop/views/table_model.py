"""Table models over DataFrames: formatted display, raw values for sorting, editable face amounts.

Painting a table asks the model, per visible cell, for seven roles, its flags and an index. Each
of those is a C++ → Python call, so both models answer the delegate's ``multiData`` in one call per
cell and the proxy answers ``flags`` itself: 3 Python calls per painted cell instead of 24. Display
strings are formatted on first paint and kept until the column's values change (a slider move
reformats the visible cells only, not 20,000 rows).

Sorting and filtering never ask Qt to compare cells: a ``QSortFilterProxyModel`` calls ``data()``
twice per comparison (~600,000 Python calls to sort 20,000 bonds: seconds), so :class:`MarketRungFilter`
is a proxy over row arrays — the filter is a numpy mask, the sort a stable ``argsort`` of each
column's sort ranks (the raw values of ``SORT_ROLE``, ranked once per data change).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics

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
_DIGIT = re.compile("[0-9]")
_WIDEST = 16  # text columns: the strings measured exactly, of those estimated widest
_LAYOUT_SIGNATURE = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")  # emit with a hint


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

    @property
    def numeric(self) -> bool:
        return bool(self.fmt) and self.fmt != "date"


def sort_value(value: object) -> float | str:
    """A cell's ``SORT_ROLE`` value: numbers as floats (NaN first: −inf), dates and text as strings."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return float(value) if not np.isnan(value) else float("-inf")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def sort_ranks(values: np.ndarray) -> np.ndarray:
    """Dense ranks (int) that order ``values`` as their :func:`sort_value` s compare: equal values
    share a rank. Vectorised for numbers, datetimes and text columns."""
    if values.dtype.kind in "iuf":
        keys = values.astype(float)
        keys[np.isnan(keys)] = -np.inf
    elif values.dtype.kind == "M":  # str(datetime64) is ISO text: chronological, "NaT" after every date
        keys = values.view("i8").copy()
        keys[np.isnat(values)] = np.iinfo(np.int64).max
    elif pd.api.types.infer_dtype(values, skipna=False) == "string":  # sort_value(text) is the text
        keys = values
    else:
        sv = np.array([sort_value(v) for v in values], dtype=object)
        is_num = np.fromiter((isinstance(v, float) for v in sv), bool, len(sv))
        if is_num.all():
            keys = sv.astype(float)
        elif not is_num.any():
            keys = sv
        else:  # numbers and text in one column (Qt has no order for that either): numbers first
            ranks = np.empty(len(sv), np.intp)
            ranks[is_num] = sort_ranks(sv[is_num].astype(float))
            ranks[~is_num] = sort_ranks(sv[~is_num]) + ranks[is_num].max() + 1
            return ranks
    return pd.factorize(keys, sort=True)[0]  # dense ranks: codes of the sorted distinct values


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
        self._align = [int(RIGHT if c.numeric else LEFT) for c in self._columns]
        self._ncols = len(self._columns)
        self._position = {c.key: i for i, c in enumerate(self._columns)}
        self._texts: list[list[str | None] | None] = [None] * self._ncols  # formatted lazily, per column
        self._ranks: list[np.ndarray | None] = [None] * self._ncols  # sort ranks, per column, on demand
        selectable = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        self._flags = [selectable | Qt.ItemFlag.ItemIsEditable if c.editable else selectable for c in self._columns]

    # -- data in -------------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace all rows in one go (one model reset)."""
        self.beginResetModel()
        self._rows = len(frame)
        self._arrays = [self._column_array(frame, c.key) for c in self._columns]
        self._texts = [None] * self._ncols
        self._ranks = [None] * self._ncols
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
            self._ranks[i] = None
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

    def values(self, key: str) -> np.ndarray | None:
        """A column's raw values (all rows), ``None`` if the model has no such column."""
        i = self._position.get(key)
        return None if i is None else self._arrays[i]

    def ranks(self, column: int) -> np.ndarray:
        """The column's sort ranks (:func:`sort_ranks` of its values), kept until its values change."""
        ranks = self._ranks[column]
        if ranks is None:
            ranks = self._ranks[column] = sort_ranks(self._arrays[column])
        return ranks

    def text(self, row: int, column: int) -> str:
        """The display string of a cell (formatted once per value)."""
        texts = self._texts[column]
        if texts is None:
            texts = self._texts[column] = [None] * self._rows
        out = texts[row]
        if out is None:
            out = texts[row] = self._columns[column].text(self._arrays[column][row])
        return out

    def widest_texts(self, column: int, metrics: QFontMetrics) -> list[str]:
        """A few strings at least as wide (in ``metrics``' font) as every display string of the
        column — what sizes the column without formatting or measuring every row.

        Numbers: the formatted largest and smallest value with every digit written as the font's
        widest digit (a fixed-point format is longest at its extremes). Dates: one date so written.
        Text: the distinct strings, the :data:`_WIDEST` widest by the sum of their characters' advances."""
        col, values = self._columns[column], self._arrays[column]
        if not len(values):
            return []
        if (col.numeric and values.dtype.kind in "iuf") or (col.fmt == "date" and values.dtype.kind == "M"):
            present = values[~np.isnan(values)] if values.dtype.kind in "fM" else values
            if not len(present):
                return []
            texts = []
            for v in {present.max(), present.min()}:
                try:
                    texts.append(col.text(v))
                except (TypeError, ValueError):  # a format that does not fit the values (not shown either)
                    continue
            digit = max("0123456789", key=metrics.horizontalAdvance)
            return [_DIGIT.sub(digit, t) for t in texts]
        texts = []
        for v in pd.unique(pd.Series(values, dtype=object)):
            if type(v) is str and not col.fmt:  # str(value): the text itself
                texts.append(v)
                continue
            try:
                texts.append(col.text(v))
            except (TypeError, ValueError):
                continue
        if len(texts) <= _WIDEST:
            return texts
        codes = np.array(texts, dtype=str).view(np.uint32).reshape(len(texts), -1)  # code points, 0-padded
        advance = np.zeros(int(codes.max()) + 1)
        used = np.zeros(len(advance), bool)
        used[codes.ravel()] = True
        for point in np.flatnonzero(used[1:]) + 1:  # each character once (not 0: padding)
            advance[point] = metrics.horizontalAdvance(chr(point))
        estimate = advance[codes].sum(axis=1)
        top = np.argpartition(-estimate, _WIDEST)[:_WIDEST]
        return [texts[i] for i in top]

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
                value = self.cell(row, column, role)
                if value is None:
                    item.clearData()
                else:
                    item.setData(value)
            else:
                item.clearData()

    def cell(self, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """What :meth:`data` answers for the cell (row, column), without a model index."""
        if not (0 <= row < self._rows and 0 <= column < self._ncols):
            return None
        if role == DISPLAY:
            return self.text(row, column)
        if role == ALIGN:
            return self._align[column]
        if role not in OTHER_ROLES:  # the delegate asks for ~10 roles per cell; most are unused
            return None
        col = self._columns[column]
        value = self._arrays[column][row]
        if role == Qt.ItemDataRole.EditRole:
            return float(value) if col.editable else col.text(value)
        if role == SORT_ROLE:
            return sort_value(value)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and self._colors is not None and column == 0:
            return self._colors(row)
        return None

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
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

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


class MarketRungFilter(QAbstractTableModel):
    """Sort by raw values; show only the chosen markets and rung range (and optionally held rows).

    A proxy of a :class:`DataFrameModel` (``mapToSource``/``mapFromSource``/``sourceModel`` as a
    ``QAbstractProxyModel`` has them) built on ``QAbstractTableModel``: a flat table's ``parent()``
    and ``sibling()`` stay in C++ — Qt calls ``parent()`` millions of times when it merges a large
    selection through a layout change.

    The rows shown are an array of source rows: a filter change recomputes it from numpy masks (in
    source order, then sorted: equal values in universe order — the ``QSortFilterProxyModel``'s
    depended on which rows had been filtered in before), a sort re-orders it by a stable argsort of
    the column's ranks (ties keep the order shown, as a ``QSortFilterProxyModel`` does). Like the ``QSortFilterProxyModel``
    this replaced (with ``dynamicSortFilter`` off), a change of the source's values repaints but
    neither re-filters nor re-sorts; a source reset does both. Selection and the current cell follow
    their rows through a sort or a filter change (a layout change)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._markets: set[str] | None = None
        self._rungs: tuple[int, int] = (0, 10_000)
        self._held_only = False
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._source: DataFrameModel | None = None
        self._ncols = 0
        self._set_rows(np.empty(0, np.intp), 0)

    # -- source ----------------------------------------------------------------------------------
    def sourceModel(self) -> DataFrameModel | None:  # noqa: N802 - QAbstractProxyModel's API
        return self._source

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802
        if not isinstance(model, DataFrameModel):
            raise TypeError("MarketRungFilter filters a DataFrameModel")
        self.beginResetModel()
        old = self._source
        if old is not None:
            old.modelAboutToBeReset.disconnect(self._source_about_to_reset)
            old.modelReset.disconnect(self._source_reset)
            old.dataChanged.disconnect(self._source_data_changed)
            old.headerDataChanged.disconnect(self.headerDataChanged)
        self._source = model
        model.modelAboutToBeReset.connect(self._source_about_to_reset)
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(self._source_data_changed)
        model.headerDataChanged.connect(self.headerDataChanged)
        self._remap()
        self.endResetModel()

    def _source_about_to_reset(self) -> None:
        self.beginResetModel()

    def _source_reset(self) -> None:
        self._remap()
        self.endResetModel()

    def _source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: object = ()) -> None:
        if not self._row_list:
            return
        lo, hi = top_left.row(), bottom_right.row()
        if lo <= 0 and hi >= len(self._inverse) - 1:
            first, last = 0, len(self._row_list) - 1
        else:
            shown = self._inverse[lo:hi + 1]
            shown = shown[shown >= 0]
            if not len(shown):
                return
            first, last = int(shown.min()), int(shown.max())
        self.dataChanged.emit(self.createIndex(first, top_left.column()), self.createIndex(last, bottom_right.column()),
                              list(roles or []))

    # -- rows shown ------------------------------------------------------------------------------
    def _set_rows(self, rows: np.ndarray, n_source: int) -> None:
        self._rows = np.asarray(rows, np.intp)
        self._row_list: list[int] = self._rows.tolist()  # per-cell lookups: list indexing is the cheapest
        self._inverse = np.full(n_source, -1, np.intp)
        self._inverse[self._rows] = np.arange(len(self._rows))

    def _accepted(self) -> np.ndarray:
        """Source rows passing the filter, in source order."""
        m = self._source
        n = m.rowCount() if m is not None else 0
        keep = np.ones(n, bool)
        if m is None or not n:
            return np.flatnonzero(keep)
        market = m.values("market")
        if self._markets is not None and market is not None:
            keep &= pd.Series(market, dtype=object).isin(self._markets).to_numpy()
        rung = m.values("rung")
        if rung is not None:
            r = np.trunc(np.asarray(rung, float))  # int(rung): whole years
            keep &= (r >= self._rungs[0]) & (r <= self._rungs[1])
        if self._held_only:
            held = np.zeros(n, bool)
            for key in ("face", "opt_face"):
                values = m.values(key)
                if values is not None:
                    held |= np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), float) > 0  # NaN: not held
            keep &= held
        return np.flatnonzero(keep)

    def _sorted(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` stably sorted by the sort column and order (column −1: source order)."""
        m = self._source
        if m is None or not len(rows):
            return rows
        key = m.ranks(self._sort_column)[rows] if 0 <= self._sort_column < m.columnCount() else rows
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            key = -key
        return rows[np.argsort(key, kind="stable")]

    def _remap(self) -> None:
        n = self._source.rowCount() if self._source is not None else 0
        self._ncols = self._source.columnCount() if self._source is not None else 0
        self._set_rows(self._sorted(self._accepted()), n)

    def _relayout(self, rows: np.ndarray, sort: bool = False) -> None:
        """Show ``rows`` (source rows) as one layout change; persistent indexes follow their rows.
        ``sort``: the same rows re-ordered (Qt's vertical-sort hint: a selection model then tracks one
        index per selected row, not one per cell)."""
        hint = QAbstractItemModel.LayoutChangeHint.VerticalSortHint if sort \
            else QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint
        self.layoutAboutToBeChanged[_LAYOUT_SIGNATURE].emit([], hint)
        old = self.persistentIndexList()  # e.g. a selection's: one per selected row, or per cell
        shown = np.fromiter((i.row() for i in old), np.intp, len(old))
        ok = (shown >= 0) & (shown < len(self._rows))
        source = np.where(ok, self._rows[np.where(ok, shown, 0)] if len(self._rows) else -1, -1)
        self._set_rows(rows, len(self._inverse))
        if old:
            moved = np.where(source >= 0, self._inverse[np.maximum(source, 0)], -1).tolist()
            new = [self.createIndex(r, i.column()) if r >= 0 else QModelIndex()
                   for r, i in zip(moved, old, strict=True)]
            self.changePersistentIndexList(old, new)
        self.layoutChanged[_LAYOUT_SIGNATURE].emit([], hint)

    def set_filter(self, markets: set[str] | None, rungs: tuple[int, int], held_only: bool = False) -> None:
        self._markets, self._rungs, self._held_only = markets, rungs, held_only
        self._relayout(self._sorted(self._accepted()))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self._relayout(self._sorted(self._rows), sort=True)

    def sortColumn(self) -> int:  # noqa: N802 - QSortFilterProxyModel's API
        return self._sort_column

    def sortOrder(self) -> Qt.SortOrder:  # noqa: N802
        return self._sort_order

    def source_rows(self) -> np.ndarray:
        """The source rows shown, in the order shown."""
        return self._rows.copy()

    # -- Qt proxy / model API ------------------------------------------------------------------
    def mapToSource(self, proxyIndex: Index) -> QModelIndex:  # noqa: N802, N803
        if self._source is None or not proxyIndex.isValid() or proxyIndex.row() >= len(self._row_list):
            return QModelIndex()
        return self._source.index(self._row_list[proxyIndex.row()], proxyIndex.column())

    def mapFromSource(self, sourceIndex: Index) -> QModelIndex:  # noqa: N802, N803
        if not sourceIndex.isValid() or sourceIndex.row() >= len(self._inverse):
            return QModelIndex()
        r = int(self._inverse[sourceIndex.row()])
        return self.createIndex(r, sourceIndex.column()) if r >= 0 else QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._row_list)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._ncols

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if 0 <= row < len(self._row_list) and 0 <= column < self._ncols and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and bool(self._row_list) and self._ncols > 0

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self._source is None or not index.isValid() or index.row() >= len(self._row_list):
            return None
        return self._source.cell(self._row_list[index.row()], index.column(), role)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        source = self.mapToSource(index)
        return self._source is not None and source.isValid() and self._source.setData(source, value, role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self._source is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._row_list):
                return None
            section = self._row_list[section]
        return self._source.headerData(section, orientation, role)

    # -- paint fast path: the view asks the proxy; answer in one Python call per cell ----------
    def multiData(self, index: Index, roleDataSpan: object) -> None:  # noqa: N802, N803 - Qt API
        r = index.row()
        if self._source is not None and index.isValid() and r < len(self._row_list) and index.column() < self._ncols:
            self._source.fill_roles(self._row_list[r], index.column(), roleDataSpan)
        else:
            for item in roleDataSpan:  # type: ignore[attr-defined]
                item.clearData()

    def flags(self, index: Index) -> Qt.ItemFlag:
        # columns are never filtered or reordered: a cell's flags are its source column's
        if self._source is None or not index.isValid():
            return NO_FLAGS
        return self._source.column_flags(index.column())
