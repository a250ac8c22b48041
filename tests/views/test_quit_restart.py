"""Quit and restart: unsaved changes ask Save / Discard / Cancel on quit, New and Open; the last
portfolio, preset and tab come back when the window starts again on the same workspace."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.views.conftest import fake_solve
from tests.views.test_menus import leaf_actions

B = QMessageBox.StandardButton


def _action(window, label: str):  # noqa: ANN001, ANN202
    return dict(leaf_actions(window.menuBar()))[label]


def _edit(session) -> np.ndarray:  # noqa: ANN001
    row = int(np.flatnonzero(session.face > 0)[1])
    session.edit_face(row, 3_000_000.0)  # as a double-click edit in the holdings table does
    assert not session.undo_stack.isClean()
    return session.face.copy()


def test_quit_with_unsaved_changes_asks_and_restart_reopens_the_portfolio(window, qtbot, settings, monkeypatch,
                                                                          unsaved_prompts):
    from desktop.views.app_setup import build_window

    s = window.session
    window.controls.preset.setCurrentText("Shift from US rates")
    window.show_view("curves")
    edited = _edit(s)
    assert window.windowTitle().startswith("Untitled ladder *")
    unsaved_prompts.answer = B.Cancel
    _action(window, "File > Quit").trigger()
    assert unsaved_prompts.asked == ["quitting"] and window.isVisible()  # Cancel: nothing lost
    np.testing.assert_array_equal(s.face, edited)
    unsaved_prompts.answer = B.Save
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Kept on quit", True)))
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)
    _action(window, "File > Quit").trigger()
    assert not window.isVisible()
    assert "Kept on quit" in s.portfolio_names() or settings.value("session/portfolio") == "Kept on quit"
    qtbot.waitUntil(lambda: s.solver.active_threads() == 0, timeout=10_000)

    again = build_window(s.workspace_path, settings, solve_fn=fake_solve, scenarios_tab=False)
    qtbot.addWidget(again)
    again.show()
    again.session.start_loading()
    t = again.session
    qtbot.waitUntil(lambda: t.is_loaded and t.idle and t.portfolio_name == "Kept on quit", timeout=30_000)
    np.testing.assert_array_equal(t.face, edited)
    assert t.whatif.preset == "Shift from US rates"
    assert again.controls.preset.currentText() == "Shift from US rates"
    assert again.tabs.currentWidget() is again.views["curves"]
    assert t.undo_stack.isClean() and again.windowTitle().startswith("Kept on quit —")
    again.close()
    qtbot.waitUntil(lambda: t.solver.active_threads() == 0, timeout=10_000)


def test_restart_without_a_saved_portfolio_keeps_the_preset(window, qtbot, settings):
    from desktop.views.app_setup import build_window

    s = window.session
    window.controls.preset.setCurrentText("Shift from US rates")
    window.show_view("ladder")
    window.close()
    qtbot.waitUntil(lambda: s.solver.active_threads() == 0, timeout=10_000)
    again = build_window(s.workspace_path, settings, solve_fn=fake_solve, scenarios_tab=False)
    qtbot.addWidget(again)
    again.show()
    again.session.start_loading()
    t = again.session
    qtbot.waitUntil(lambda: t.is_loaded and t.idle and t.whatif.preset == "Shift from US rates", timeout=30_000)
    assert t.portfolio_name.startswith("Untitled") and again.tabs.currentWidget() is again.views["ladder"]
    again.close()
    qtbot.waitUntil(lambda: t.solver.active_threads() == 0, timeout=10_000)


def test_new_and_open_ask_before_dropping_unsaved_changes(window, qtbot, monkeypatch, unsaved_prompts):
    s = window.session
    window.files.save_named("Saved book")
    saved = s.face.copy()
    edited = _edit(s)
    unsaved_prompts.answer = B.Cancel
    _action(window, "File > New ladder").trigger()
    np.testing.assert_array_equal(s.face, edited)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("Saved book", True)))
    _action(window, "File > Open portfolio…").trigger()
    np.testing.assert_array_equal(s.face, edited)
    assert unsaved_prompts.asked == ["starting a new ladder", "opening another portfolio"]
    unsaved_prompts.answer = B.Discard
    _action(window, "File > Open portfolio…").trigger()
    np.testing.assert_array_equal(s.face, saved)
    assert s.undo_stack.isClean()
    _edit(s)
    _action(window, "File > New ladder").trigger()
    assert s.portfolio_name == "Untitled ladder" and s.undo_stack.isClean()
    assert len(unsaved_prompts.asked) == 4
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_the_prompt_offers_save_discard_and_cancel(monkeypatch, unsaved_prompts):
    seen = {}

    def answer(box):  # noqa: ANN001, ANN202
        seen["buttons"], seen["text"], seen["default"] = box.standardButtons(), box.text(), box.defaultButton()
        return int(B.Discard)

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert unsaved_prompts.real(None, "My book", "quitting") == B.Discard
    assert seen["buttons"] == B.Save | B.Discard | B.Cancel
    assert "My book" in seen["text"] and "quitting" in seen["text"]
