"""Holdings / universe table: filter by market and rung, edit face amounts, copy as TSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.analytics import simple_yield_pct
from desktop.controller import hedged_yield_pct
from desktop.markets import MARKET_CODES
from desktop.views.charts.base import LazyRefresh, market_color
from desktop.views.session import Session
from desktop.views.table_model import Column, DataFrameModel, MarketRungFilter

COLUMNS = [  # the portfolio's own figures first, so they are on screen without scrolling
    Column("market", "Mkt"),
    Column("id", "ID"),
    Column("name", "Name"),
    Column("rung", "Rung y", "{:d}"),
    Column("yield_pct", "Yield %", "{:.3f}"),
    Column("simple_yield_pct", "JGB simple %", "{:.3f}",
           tooltip="Japanese simple yield (単利): (coupon + (100 − clean)/years) / clean; JGBs only"),
    Column("hedged_yield_pct", "Hedged %", "{:.3f}", tooltip="FX-hedged yield into the base currency"),
    Column("mod_duration", "Mod dur y", "{:.2f}"),
    Column("face", "Face (local)", "{:,.0f}", editable=True, tooltip="Face amount held, local currency; editable"),
    Column("weight_pct", "Weight %", "{:.2f}"),
    Column("opt_weight_pct", "Opt weight %", "{:.2f}",
           tooltip="The optimiser's weight (today's prices, before rounding faces to denominations): the "
                   "weight its per-bond limit binds on"),
    Column("opt_face", "Opt face", "{:,.0f}", tooltip="Optimised face amount (local currency)"),
    Column("value_base", "MV (base)", "{:,.0f}"),
    Column("clean_price", "Clean price", "{:.3f}", editable=True,
           tooltip="Clean price per 100 face: the quote where one is imported, else the model price off the curve; "
                   "type a price to quote the bond at the valuation date (undoable)"),
    Column("price_source", "Source", tooltip="quote (imported or typed), model (the market's curve) or "
                                              "extrapolated (model beyond the curve's points)"),
    Column("price_date", "Price date", "date", tooltip="Date of the quote or of the curve; ⚠ in the status bar "
                                                        "when older than 5 business days"),
    Column("spread_bp", "Spread bp", "{:+.1f}", tooltip="Quoted yield − model yield off the market's curve (bp)"),
    Column("dv01", "DV01 /100", "{:.4f}", tooltip="Price change per 100 face for 1 bp (local ccy)"),
    Column("coupon_pct", "Cpn %", "{:.3f}"),
    Column("maturity", "Maturity", "date"),
    Column("years_to_maturity", "Yrs", "{:.2f}"),
]
SHIFTED_LIVE = ("clean_price", "yield_pct", "mod_duration", "dv01", "years_to_maturity")  # straight from the repricing
STATIC = ("market", "id", "name", "rung", "coupon_pct", "maturity", "price_source", "price_date",
          "spread_bp")  # never move with a slider


def holdings_frame(session: Session) -> pd.DataFrame:
    """The table's DataFrame, columns in :data:`COLUMNS` order: the static bond columns + :func:`live_columns`."""
    frame = session.universe.reindex(columns=list(STATIC)).reset_index(drop=True).assign(**live_columns(session))
    return frame[[c.key for c in COLUMNS]]


def live_columns(session: Session) -> dict[str, np.ndarray]:
    """The columns of :func:`holdings_frame` a slider move or a solve can change, from the session's
    numpy arrays (no DataFrame): universe figures on the what-if curves + current and optimised holdings."""
    r = session.repriced if session.repriced is not None else session.engine.base
    n = len(r)
    out = {k: r.column(k) for k in SHIFTED_LIVE}
    out["hedged_yield_pct"] = hedged_yield_pct(r, session.snapshot.short_rates_pct, session.whatif.base_ccy)
    out["simple_yield_pct"] = simple_yield_pct(r.column("market"), r.column("coupon_pct"), out["clean_price"],
                                               out["years_to_maturity"])
    out["face"] = np.array(session.face, dtype=float)
    cur, opt = session.current, session.optimised
    out["value_base"] = cur.values_base if cur is not None else np.zeros(n)
    out["weight_pct"] = cur.weights * 100.0 if cur is not None else np.zeros(n)
    out["opt_face"] = np.asarray(opt.face, float) if opt is not None else np.full(n, np.nan)
    out["opt_weight_pct"] = opt.weights * 100.0 if opt is not None else np.full(n, np.nan)
    solved = session.outcome.weights if session.outcome is not None else None
    if opt is not None and solved is not None and len(solved) == n:
        out["opt_weight_pct"] = np.asarray(solved, float) * 100.0  # what "max x % per bond" binds on
    return out


FROZEN = 3  # market, id and name stay in view while the other columns scroll


class CopyableTable(QTableView):
    """Ctrl+C copies the selected block as TSV, numbers as shown (header row); Ctrl+Shift+C the raw
    numbers (full precision) for a spreadsheet."""

    def keyPressEvent(self, event) -> None:  # noqa: ANN001
        if event.matches(QKeySequence.StandardKey.Copy):
            raw = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            QGuiApplication.clipboard().setText(self.selection_tsv(raw=raw))
            return
        if (event.key() == Qt.Key.Key_C and event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            QGuiApplication.clipboard().setText(self.selection_tsv(raw=True))
            return
        super().keyPressEvent(event)

    def selection_tsv(self, raw: bool = False) -> str:
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        model = self.model()
        lines = ["\t".join(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in cols)]
        for r in rows:
            cells = []
            for c in cols:
                value = model.index(r, c).data(Qt.ItemDataRole.UserRole + 1)
                text = model.index(r, c).data()
                cells.append(repr(value) if raw and isinstance(value, float) and text else str(text or ""))
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"


class FrozenColumnsTable(CopyableTable):
    """The first :data:`FROZEN` columns drawn by a second view over the left edge, so id and name
    stay in view while the rest scrolls (the Qt "frozen column" pattern: one model, one selection)."""

    def __init__(self, frozen: int = FROZEN, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.n_frozen = frozen
        self.frozen = CopyableTable(self)
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 1px solid #999999; }")
        self.frozen.setWordWrap(False)  # rows exactly as tall as the main view's (one line each)
        self.setWordWrap(False)
        for view in (self, self.frozen):
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.frozen.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.frozen.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)

    def setModel(self, model) -> None:  # noqa: ANN001, N802 - Qt API
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setSortingEnabled(False)
        self.frozen.horizontalHeader().setSectionsClickable(True)
        self.frozen.horizontalHeader().sectionClicked.connect(self._sort_from_frozen)
        self.horizontalHeader().sortIndicatorChanged.connect(self._sync_sort_indicator)
        model.layoutChanged.connect(self._columns_shown)
        model.modelReset.connect(self._columns_shown)
        # after the selection model's own slots (connected by setModel above)
        model.layoutAboutToBeChanged.connect(self._note_whole_selection)
        model.layoutChanged.connect(self._keep_whole_selection)
        self._whole_selection: np.ndarray | None = None
        self._columns_shown()

    def _note_whole_selection(self) -> None:
        """Before a filter change: is every cell selected (Ctrl+A)? Qt's selection model keeps such a
        selection as one range it does not map through a change of the row count (it would come out
        as an arbitrary block), so the rows are noted here and selected again afterwards — the rows
        still shown stay selected, rows coming into view are not (what row removal/insertion gives)."""
        model, sel = self.model(), self.selectionModel()
        self._whole_selection = None
        if not isinstance(model, MarketRungFilter) or sel is None or not model.rowCount():
            return
        ranges = sel.selection()
        if len(ranges) == 1 and ranges[0].top() == 0 and ranges[0].left() == 0 \
                and ranges[0].bottom() == model.rowCount() - 1 and ranges[0].right() == model.columnCount() - 1:
            self._whole_selection = model.source_rows()

    def _keep_whole_selection(self) -> None:
        rows, self._whole_selection = self._whole_selection, None
        model, sel = self.model(), self.selectionModel()
        if rows is None or not isinstance(model, MarketRungFilter) or sel is None or len(rows) == model.rowCount():
            return  # the same rows (a sort): Qt selects the whole table again itself
        keep = np.isin(model.source_rows(), rows)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0]))))
        selection = QItemSelection()
        last = model.columnCount() - 1
        for start, stop in zip(edges[::2], edges[1::2], strict=True):  # runs of kept rows
            selection.select(model.index(int(start), 0), model.index(int(stop) - 1, last))
        sel.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _sort_from_frozen(self, column: int) -> None:
        header = self.horizontalHeader()
        same = header.sortIndicatorSection() == column
        order = Qt.SortOrder.DescendingOrder if same and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder \
            else Qt.SortOrder.AscendingOrder
        self.sortByColumn(column, order)

    def _sync_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        fh = self.frozen.horizontalHeader()
        fh.setSortIndicatorShown(column < self.n_frozen)
        fh.setSortIndicator(column, order)

    def _columns_shown(self) -> None:
        model = self.model()
        if model is None:
            return
        self.frozen.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        self.frozen.setAlternatingRowColors(self.alternatingRowColors())
        for c in range(model.columnCount()):
            self.frozen.setColumnHidden(c, c >= self.n_frozen)
            if c < self.n_frozen:
                self.frozen.setColumnWidth(c, self.columnWidth(c))
        self._place()

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if index < self.n_frozen:
            self.frozen.setColumnWidth(index, new)
            self._place()

    def _row_resized(self, index: int, _old: int, new: int) -> None:
        self.frozen.setRowHeight(index, new)

    def frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in range(min(self.n_frozen, self.model().columnCount() if self.model() else 0)))

    def _place(self) -> None:
        self.frozen.setGeometry(self.verticalHeader().width() + self.frameWidth(), self.frameWidth(),
                                self.frozen_width(),
                                self.viewport().height() + self.horizontalHeader().height())

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._place()

    def moveCursor(self, action, modifiers):  # noqa: ANN001, ANN201, N802 - keep the current cell out from under
        current = super().moveCursor(action, modifiers)
        if action == QTableView.CursorAction.MoveLeft and current.column() >= self.n_frozen:
            x = self.visualRect(current).topLeft().x()
            if x < self.frozen_width():
                bar = self.horizontalScrollBar()
                bar.setValue(bar.value() + x - self.frozen_width())
        return current

    def scrollTo(self, index, hint=QTableView.ScrollHint.EnsureVisible) -> None:  # noqa: ANN001, N802
        if index.column() >= self.n_frozen:
            super().scrollTo(index, hint)

    def fit_columns(self, model: DataFrameModel) -> None:
        """Each column as wide as its header and its widest value over every row of ``model`` (the
        source: filtered-out rows too), as ``resizeColumnsToContents`` would measure them — but from
        a few candidate strings per column (:meth:`DataFrameModel.widest_texts`), not a delegate
        size hint per row (that measured 1,000 rows per column and took ~0.5 s at 20,000 bonds)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)  # what sizeHintForColumn gives the delegate
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
        metrics, style, header = QFontMetrics(option.font), self.style(), self.horizontalHeader()
        grid = 1 if self.showGrid() else 0
        for c in range(model.columnCount()):
            option.displayAlignment = Qt.AlignmentFlag(model.cell(0, c, Qt.ItemDataRole.TextAlignmentRole) or 0)
            content = 0
            for text in model.widest_texts(c, metrics):
                option.text = text
                content = max(content, style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, option,
                                                              QSize(), self).width() + grid)
            self.setColumnWidth(c, max(content, header.sectionSizeHint(c)))


class HoldingsView(LazyRefresh, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = DataFrameModel(COLUMNS, self)
        self.model.set_row_colors(self._row_color)
        self.proxy = MarketRungFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = FrozenColumnsTable()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.checks: dict[str, QCheckBox] = {}
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Markets:"))
        for code in MARKET_CODES:
            box = QCheckBox(code)
            box.setChecked(True)
            box.toggled.connect(self._refilter)
            self.checks[code] = box
            bar.addWidget(box)
        self.rung_lo, self.rung_hi = QSpinBox(), QSpinBox()
        for spin, value in ((self.rung_lo, 1), (self.rung_hi, 50)):
            spin.setRange(1, 50)
            spin.setValue(value)
            spin.setSuffix(" y")
            spin.valueChanged.connect(self._refilter)
        self.held_only = QCheckBox("Held/optimised only")
        self.held_only.setToolTip("Untick to browse the whole universe")
        self.held_only.setChecked(True)
        self.held_only.toggled.connect(self._refilter)
        self.count = QLabel()
        bar.addSpacing(16)
        bar.addWidget(QLabel("Rungs"))
        bar.addWidget(self.rung_lo)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.rung_hi)
        bar.addSpacing(16)
        bar.addWidget(self.held_only)
        bar.addStretch(1)
        bar.addWidget(self.count)
        note = QLabel("Prices: the quote where one is imported (File ▸ Import prices…), else the model price off "
                      "the market's curve — the Source, Price date and Spread bp columns say which. Double-click a "
                      "face amount to edit; Ctrl+C copies the selection as shown, Ctrl+Shift+C with raw numbers.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table)
        lay.addWidget(note)
        self.model.faceEdited.connect(session.edit_face)
        self.model.valueEdited.connect(self._value_edited)
        session.loaded.connect(self.reload)
        session.chartsChanged.connect(self.refresh)
        self._rows = -1
        self._held_key = 0
        self._colors: dict[str, QColor] = {}

    def _row_color(self, row: int) -> QColor | None:
        code = str(self.model.raw(row, "market"))
        color = self._colors.get(code)
        if color is None:
            color = self._colors[code] = market_color(code)
        return color

    def reload(self) -> None:
        frame = holdings_frame(self.session)
        self.model.set_frame(frame)
        self._rows = len(frame)
        self.table.fit_columns(self.model)
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 190))
        metrics = self.table.fontMetrics()
        for key in ("face", "opt_face"):  # the largest yen face with room: never "781,550,0…"
            c = next(i for i, col in enumerate(COLUMNS) if col.key == key)
            self.table.setColumnWidth(c, max(self.table.columnWidth(c), metrics.horizontalAdvance("99,999,999,999") + 16))
        self.table._columns_shown()
        self._refilter()

    def refresh(self) -> None:
        if not self.refresh_if_visible():
            return
        s = self.session
        if s.engine is None or self._rows != len(s.universe):
            self.reload()
            return
        self.model.update_arrays(live_columns(s))  # dataChanged for the moved columns, no model reset
        opt = s.outcome.face if s.outcome is not None and s.outcome.face is not None else np.zeros(0)
        key = hash(((s.face > 0).tobytes(), (opt > 0).tobytes()))
        if self.held_only.isChecked() and key != self._held_key:  # the set of held rows changed
            self._held_key = key
            self._refilter()
        self.count.setText(f"{self.proxy.rowCount()} of {self._rows} bonds")

    def _refilter(self, *_args: object) -> None:
        markets = {c for c, box in self.checks.items() if box.isChecked()}
        self.proxy.set_filter(markets, (self.rung_lo.value(), self.rung_hi.value()), self.held_only.isChecked())
        self.proxy.sort(self.proxy.sortColumn(), self.proxy.sortOrder())
        self.count.setText(f"{self.proxy.rowCount()} of {self._rows} bonds")

    def _value_edited(self, row: int, key: str, value: float) -> None:
        if key == "clean_price":
            self.session.type_quote(row, value)

    def current_frame(self) -> pd.DataFrame:
        """The rows as shown (filter + sort), raw values — what the CSV export writes."""
        return holdings_frame(self.session).iloc[self.proxy.source_rows()].reset_index(drop=True)

