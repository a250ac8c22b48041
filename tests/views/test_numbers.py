"""Numbers as a PM reads them: one formatter per unit, no "-0.00", one thousands rule; the holdings
table keeps id and name in view, copies what it shows (raw with Shift); the Summary's objective."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from desktop.views import formats


@pytest.mark.parametrize(("value", "unit", "change", "text"), [
    (4.2166, "%", False, "4.22 %"),
    (-0.004, "%", True, "0.00 %"),  # never "-0.00 %"
    (0.26, "%", True, "+0.26 %"),
    (5.8412, "y", False, "5.84 y"),
    (11_012.0, "base", True, "+11.0k"),
    (9_335.0, "base", True, "+9.3k"),  # the same rule as 11,012 (was "+9,335")
    (321_600.0, "base", True, "+321.6k"),
    (100_264_000.0, "base", False, "100.26m"),
    (-47_800.0, "base", True, "-47.8k"),
    (999.4, "base", False, "999"),
    (float("nan"), "%", False, "—"),
])
def test_one_formatter_per_unit(value, unit, change, text):
    assert formats.summary_cell(value, unit, "USD", change) == text


def test_money_face_bp_and_words():
    assert formats.money(100_264_000.0, "USD") == "100.26m USD"
    assert formats.money(2.5e9, "JPY") == "2.50bn JPY"
    assert formats.face(781_550_000.0) == "781,550,000"
    assert formats.bp(-0.3) == "0 bp" and formats.bp(12.0) == "+12 bp"
    assert formats.words("roll_down") == "Roll-down" and formats.words("price_change") == "Price change"
    assert formats.words("us_cap") == "US cap" and formats.words("hedged_pnl") == "Hedged P&L"


def test_summary_shows_no_negative_zero_and_colours_by_what_is_shown(window):
    from desktop.controller import SUMMARY_ROWS

    window.session.flush()
    table = window.summary.table
    for r in range(len(SUMMARY_ROWS)):
        for c in range(3):
            text = table.item(r, c).text()
            assert not text.startswith("-0.00") and "−0.00" not in text, (SUMMARY_ROWS[r], text)
            if c == 2 and text and not any(ch in "123456789" for ch in text):
                assert table.item(r, c).foreground().color().name() == "#444444"


def test_holdings_keep_id_and_name_in_view_and_copy_what_they_show(window, qtbot):
    view = window.holdings
    window.show_view("holdings")
    table = view.table
    window.session.flush()
    qtbot.waitUntil(lambda: view.proxy.rowCount() > 0, timeout=2000)
    bar = table.horizontalScrollBar()
    bar.setValue(bar.maximum())  # scrolled to the right end
    assert bar.maximum() > 0
    frozen = table.frozen
    assert frozen.isVisible()
    assert [frozen.isColumnHidden(c) for c in range(5)] == [False, False, False, True, True]
    assert frozen.width() == sum(table.columnWidth(c) for c in range(3))
    assert frozen.model().index(0, 1).data() == view.proxy.index(0, 1).data()  # the same rows, same order
    # the face column is wide enough for the largest yen face (no elided "781,550,0…")
    col = [c.key for c in view.model.columns()].index("face")
    widest = max(table.fontMetrics().horizontalAdvance(view.proxy.index(r, col).data() or "")
                 for r in range(view.proxy.rowCount()))
    assert table.columnWidth(col) >= widest + 8
    # Ctrl+C copies formatted numbers, Ctrl+Shift+C raw ones (real key presses on the table)
    sel = table.selectionModel()
    ycol = [c.key for c in view.model.columns()].index("yield_pct")
    sel.select(view.proxy.index(0, 1), QItemSelectionModel.SelectionFlag.Select)
    sel.select(view.proxy.index(0, ycol), QItemSelectionModel.SelectionFlag.Select)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    shown = QGuiApplication.clipboard().text().strip().split("\n")[1].split("\t")
    assert shown[1] == view.proxy.index(0, ycol).data() and len(shown[1].split(".")[1]) == 3
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    raw = QGuiApplication.clipboard().text().strip().split("\n")[1].split("\t")
    row = view.proxy.mapToSource(view.proxy.index(0, 0)).row()
    assert float(raw[1]) == pytest.approx(float(window.session.repriced.column("yield_pct")[row]), abs=1e-12)


def test_summary_objective_terms_turnover_and_trades(window, qtbot, tmp_path):
    """The fake solver has no Solution: the objective rows say so ("—"); with a real solve they are
    filled (tests/views/test_real_optimiser.py drives the real optimiser)."""
    table = window.summary.objective
    assert table.rowCount() >= 10
    assert table.item(0, 1).text() == "—"
