"""The DataFrame table model passes qtmodeltester; sorting uses raw values; TSV copy."""

from __future__ import annotations

import pandas as pd
import pytest
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
    tsv = view.table.selection_tsv()  # as shown (Ctrl+C)
    lines = tsv.strip().split("\n")
    assert lines[0] == "Mkt\tFace (local)"
    assert lines[1].split("\t")[1] == "3,000,000,000"
    raw = view.table.selection_tsv(raw=True).strip().split("\n")  # Ctrl+Shift+C
    assert raw[1].split("\t")[1] == "3000000000.0"
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


def _japanese_simple_yield(coupon_pct, clean, maturity, settle):
    """単利 written out (MoF/JSDA quote style): (coupon + (100 − clean) / years) / clean × 100, years =
    days from settlement to maturity / 365."""
    import numpy as np

    years = (pd.to_datetime(maturity) - pd.to_datetime(settle)).dt.days.to_numpy(float) / 365.0
    return (np.asarray(coupon_pct, float) + (100.0 - np.asarray(clean, float)) / years) / np.asarray(clean, float) * 100.0


def test_jgb_rows_show_the_japanese_simple_yield(window, qtbot):
    """Every JGB row shows (coupon + (100 − price)/years)/price of the price the same row shows, before
    and after a JGB sell-off; other markets' rows leave the column blank."""
    import numpy as np

    s = window.session
    window.show_view("holdings")
    model = window.holdings.model
    keys = [c.key for c in COLUMNS]
    col, price_col = keys.index("simple_yield_pct"), keys.index("clean_price")
    u = s.universe
    jp = np.flatnonzero(u["market"].to_numpy() == "JP")
    assert len(jp) >= 20

    def shown(rows, column, role=Qt.ItemDataRole.DisplayRole):
        return [model.index(int(r), column).data(role) for r in rows]

    def check() -> np.ndarray:
        price = np.array(shown(jp, price_col, SORT_ROLE), float)
        ref = _japanese_simple_yield(u["coupon_pct"].iloc[jp], price, u["maturity"].iloc[jp], u["settle_date"].iloc[jp])
        np.testing.assert_allclose(np.array(shown(jp, col, SORT_ROLE), float), ref, rtol=0, atol=1e-9)
        assert shown(jp, col) == [f"{v:.3f}" for v in ref]
        return ref

    before = check()
    # one JGB by hand: the first JP row's figures as the table shows them
    row = int(jp[0])
    price, cpn = float(model.index(row, price_col).data(SORT_ROLE)), float(u["coupon_pct"].iat[row])
    years = (pd.Timestamp(u["maturity"].iat[row]) - pd.Timestamp(u["settle_date"].iat[row])).days / 365.0
    assert float(model.index(row, col).data(SORT_ROLE)) == pytest.approx((cpn + (100 - price) / years) / price * 100, abs=1e-9)
    others = np.flatnonzero(u["market"].to_numpy() != "JP")
    assert set(shown(others, col)) <= {"", None}
    # a JGB sell-off of 50 bp lowers the prices shown and the simple yield follows them
    s.set_value("parallel:JP", 50.0)
    s.flush()
    qtbot.waitUntil(lambda: float(model.index(int(jp[-1]), col).data(SORT_ROLE)) > before[-1] + 0.3, timeout=2000)
    after = check()
    assert (after > before).all()
    assert set(shown(others, col)) <= {"", None}
