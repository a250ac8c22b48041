"""The DataFrame table model passes qtmodeltester; sorting uses raw values; TSV copy."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QItemSelectionModel, Qt

from desktop.views.holdings_view import COLUMNS
from desktop.views.table_model import SORT_ROLE, Column, DataFrameModel, MarketRungFilter


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "market": ["US", "JP", "UK"],
            "id": ["A", "B", "C"],
            "value": [1_000.5, 25.0, 300.0],
            "face": [1e6, 0.0, 5e9],  # > 2**31: floats, never Signal(int)
            "rung": [1, 2, 3],
        }
    )


def test_model_passes_qtmodeltester(qtmodeltester):
    model = DataFrameModel([Column("market", "Mkt"), Column("id", "ID"), Column("value", "Value", "{:,.2f}"),
                            Column("face", "Face", "{:,.0f}", editable=True), Column("rung", "Rung", "{:d}")])
    model.set_frame(_frame())
    qtmodeltester.check(model, force_py=True)


def test_holdings_model_passes_qtmodeltester(window, qtmodeltester):
    qtmodeltester.check(window.holdings.model, force_py=True)
    qtmodeltester.check(window.holdings.proxy, force_py=True)


def test_sort_by_raw_value_and_filter(qtbot):
    model = DataFrameModel([Column("market", "Mkt"), Column("value", "Value", "{:,.2f}"), Column("rung", "R", "{:d}")])
    model.set_frame(_frame())
    proxy = MarketRungFilter()
    proxy.setSourceModel(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(r, 1).data() for r in range(3)]
    assert shown == ["25.00", "300.00", "1,000.50"]  # not the text order
    assert proxy.index(0, 1).data(SORT_ROLE) == 25.0
    assert proxy.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    proxy.set_filter({"US", "UK"}, (1, 2))
    assert proxy.rowCount() == 1


def test_edit_emits_float_and_copy_tsv(window, qtbot):
    view = window.holdings
    s = window.session
    col = [c.key for c in COLUMNS].index("face")
    idx = view.proxy.index(0, col)
    src_row = view.proxy.mapToSource(idx).row()
    assert view.proxy.setData(idx, "3,000,000,000")
    assert s.face[src_row] == 3e9
    s.flush()  # the table follows on the (throttled) redraw signal
    sel = view.table.selectionModel()
    sel.select(view.proxy.index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    sel.select(view.proxy.index(0, col), QItemSelectionModel.SelectionFlag.Select)
    tsv = view.table.selection_tsv()
    lines = tsv.strip().split("\n")
    assert lines[0] == "Mkt\tFace (local)"
    assert lines[1].split("\t")[1] == "3000000000.0"
    qtbot.waitUntil(lambda: s.idle, timeout=5000)


def test_paint_fast_path_answers_what_data_answers(window):
    """multiData (one call per painted cell) gives the delegate exactly what data() gives."""
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    view = window.holdings
    proxy = view.proxy
    delegate = QStyledItemDelegate()
    for r in range(min(proxy.rowCount(), 12)):
        for c in range(proxy.columnCount()):
            idx = proxy.index(r, c)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, idx)
            assert option.text == (idx.data() or "")
            assert int(option.displayAlignment) == idx.data(Qt.ItemDataRole.TextAlignmentRole)
            assert proxy.flags(idx) == view.model.flags(proxy.mapToSource(idx))
            if c == 0:
                assert option.palette.text().color() == idx.data(Qt.ItemDataRole.ForegroundRole)


def test_update_arrays_repaints_only_moved_columns(qtbot):
    cols = [Column("market", "Mkt"), Column("value", "Value", "{:,.2f}"), Column("face", "Face", "{:,.0f}"),
            Column("rung", "Rung", "{:d}")]
    model = DataFrameModel(cols)
    model.set_frame(_frame())
    assert model.index(1, 1).data() == "25.00"
    seen = []
    model.dataChanged.connect(lambda a, b, *_: seen.append((a.column(), b.column(), a.row(), b.row())))
    model.modelReset.connect(lambda: seen.append("reset"))
    model.update_arrays({"value": [1.0, 2.0, 3.0], "face": _frame()["face"].to_numpy()})  # face unchanged
    assert seen == [(1, 1, 0, 2)]
    assert model.index(1, 1).data() == "2.00"  # the formatted-string cache follows the values
    model.update_arrays({"value": [1.0, 2.0, 3.0]})
    assert seen == [(1, 1, 0, 2)]  # nothing moved: nothing repainted


def test_jgb_rows_show_the_japanese_simple_yield(window, qtbot):
    import numpy as np

    from desktop.analytics import bond_analytics

    s = window.session
    model = window.holdings.model
    col = [c.key for c in COLUMNS].index("simple_yield_pct")
    u = s.universe
    jp, us = int(np.flatnonzero(u["market"] == "JP")[0]), int(np.flatnonzero(u["market"] == "US")[0])
    ref = bond_analytics(u.iloc[[jp]], u["settle_date"].iloc[[jp]], clean_price=u["clean_price"].iloc[[jp]])
    assert model.index(jp, col).data() == f"{ref['simple_yield_pct'].iloc[0]:.3f}"
    assert model.index(us, col).data() in ("", None)
    # a JP sell-off lowers the price and raises the simple yield shown
    before = float(model.index(jp, col).data())
    s.set_value("parallel:JP", 50.0)
    s.flush()
    window.show_view("holdings")
    qtbot.waitUntil(lambda: float(model.index(jp, col).data()) > before + 0.3, timeout=2000)
