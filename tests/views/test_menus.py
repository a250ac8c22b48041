"""Every menu action, triggered the way a user does (menu item, dialog answered), leaves no
exception in the log; the Portfolio menu's save-as-preset / save-as-scenario workflows end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMessageBox

from tests.views.conftest import fake_solve


class Dialogs:
    """Answers every standard dialog the menus open, and records what was asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.asked: list[str] = []
        self.text = "Menu test"
        self.open_files: dict[str, str] = {}
        self.question = QMessageBox.StandardButton.Yes
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(self.get_text))
        monkeypatch.setattr(QInputDialog, "getItem", staticmethod(self.get_item))
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(self.get_open))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self.get_save))
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self.ask))
        monkeypatch.setattr(QMessageBox, "exec", self.exec_box)

    def get_text(self, _parent, title, _label, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        self.asked.append(title)
        return self.text, True

    def get_item(self, _parent, title, _label, items, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        self.asked.append(title)
        return (items[0], True) if items else ("", False)

    def get_open(self, _parent, title, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        self.asked.append(title)
        for key, path in self.open_files.items():
            if key.lower() in title.lower():
                return path, ""
        return "", ""

    def get_save(self, _parent, title, default="", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        self.asked.append(title)
        return str(self.tmp / (Path(default).name or "out.bin")), ""

    def ask(self, _parent, title, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        self.asked.append(title)
        return self.question

    def exec_box(self, box):  # noqa: ANN001, ANN201 - QMessageBox.exec on an instance (Save/Discard/Cancel)
        self.asked.append(box.windowTitle())
        button = box.button(QMessageBox.StandardButton.Discard)
        return int(QMessageBox.StandardButton.Discard if button is not None else QMessageBox.StandardButton.Yes)


def leaf_actions(menu_bar) -> list[tuple[str, object]]:  # noqa: ANN001
    """(path, QAction) of every triggerable item of the menu bar, in menu order (submenus walked)."""
    out: list[tuple[str, object]] = []

    def walk(menu, prefix: str) -> None:  # noqa: ANN001
        for action in menu.actions():
            if action.isSeparator():
                continue
            label = f"{prefix} > {action.text().replace('&', '')}"
            if action.menu() is not None:
                walk(action.menu(), label)
            else:
                out.append((label, action))

    for top in menu_bar.actions():
        walk(top.menu(), top.text().replace("&", ""))
    return out


@pytest.fixture
def menu_window(qtbot, loaded_data, settings, tmp_path):
    from desktop.views.app_setup import build_window

    win = build_window(str(tmp_path / "ws.sqlite"), settings, solve_fn=fake_solve, scenarios_tab=True)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=10_000)
    s.flush()
    yield win
    win.close()
    qtbot.waitUntil(lambda: s.solver.active_threads() == 0, timeout=10_000)


def _close_dialogs(accept: bool = True) -> int:
    n = 0
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and w.isVisible():
            (w.accept if accept else w.reject)()
            n += 1
    return n


def test_every_menu_action_runs_without_an_exception(menu_window, qtbot, monkeypatch, tmp_path):
    win, s = menu_window, menu_window.session
    caught: list[BaseException] = []
    previous = sys.excepthook

    def hook(kind, value, tb):  # noqa: ANN001
        caught.append(value)
        previous(kind, value, tb)

    monkeypatch.setattr(sys, "excepthook", hook)
    dialogs = Dialogs(monkeypatch, tmp_path)
    bonds = tmp_path / "bonds.csv"
    bonds.write_text("market,id,name,coupon_pct,maturity\nUS,MENU1,UST 4.25% 2034 (test),4.25,2034-02-15\n")
    held = s.universe.loc[s.face > 0, ["market", "id"]].head(3).assign(face=1_000_000)
    holdings = tmp_path / "holdings.csv"
    held.to_csv(holdings, index=False)
    dialogs.open_files = {"holdings": str(holdings), "bonds": str(bonds)}
    s.set_value("parallel:US", 10.0)  # a what-if to save as a scenario
    win.files.save_named("First")
    win.files.save_named("Second")  # two saved variants: Open and Compare have something to show
    win.show_view("exposure")  # a tab with a chart (Export > Current chart)
    actions = leaf_actions(win.menuBar())
    labels = [label for label, _ in actions]
    assert len(labels) >= 20, labels
    quit_items = [a for label, a in actions if label.endswith("Quit")]
    done: list[str] = []
    for label in labels:
        action = dict(leaf_actions(win.menuBar())).get(label)  # (Open recent is rebuilt by every save)
        if action is None or label.endswith("Quit") or not action.isEnabled():
            continue
        if label.endswith("Undo last import"):  # would take back the bonds imported above: test_window_safety
            continue
        dialogs.text = f"Menu test {len(done)}"
        if "Roll ladder" in label:  # its prompt asks for a date: two years on, when rungs have matured
            dialogs.text = f"{s.snapshot.as_of.year + 2}-12-31"
        action.trigger()
        qtbot.waitUntil(lambda: s.idle and not win.files.importer.busy, timeout=30_000)
        _close_dialogs()
        qtbot.waitUntil(lambda: s.idle and s.is_loaded, timeout=30_000)
        assert win.message_bar.kind != "error", f"{label}: {win.message_bar.text()}"
        done.append(label)
    assert not caught, caught
    # the actions did what they say
    assert any("Import bonds" in a for a in dialogs.asked) and "MENU1" in set(s.universe["id"])
    pdfs = [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]
    assert len(pdfs) == 1 and pdfs[0].read_bytes()[:5] == b"%PDF-"  # File > Export report
    for name in ("holdings.csv", "alloc.csv", "trades.csv", "cash_flows.csv", "ladder.xlsx", "chart.png"):
        exported = [p for p in tmp_path.iterdir() if p.name.startswith(Path(name).stem[:5])]
        assert exported, f"{name} not written; asked: {dialogs.asked}"
    assert len(quit_items) == 1
    win.setWindowModified(False)
    quit_items[0].trigger()  # last: the window closes
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5000)
    assert not caught, caught


def test_save_settings_as_preset_and_what_if_as_scenario_from_the_menu(menu_window, qtbot, monkeypatch,
                                                                         settings, tmp_path):
    from desktop.views.app_setup import build_window

    win, s = menu_window, menu_window.session
    dialogs = Dialogs(monkeypatch, tmp_path)
    actions = dict(leaf_actions(win.menuBar()))
    win.controls.preset.setCurrentText("Shift from US rates")
    win.controls.bound["us_cap"].widget.spin.setValue(22.0)
    win.controls.bound["parallel:JP"].widget.spin.setValue(30.0)
    s.flush()
    dialogs.text = "PM rotation"
    actions["Portfolio > Save settings as preset…"].trigger()
    dialogs.text = "JGB bear +30"
    actions["Portfolio > Save what-if as scenario…"].trigger()
    assert dialogs.asked == ["Save settings as preset", "Save what-if as scenario"]
    assert win.message_bar.kind != "error", win.message_bar.text()
    picker = [win.controls.preset.itemText(i) for i in range(win.controls.preset.count())]
    assert "PM rotation" in picker and win.controls.preset.currentText() == "PM rotation"
    scen_tab = win.views["scenarios"]
    qtbot.waitUntil(lambda: "JGB bear +30" in [sc.name for sc in scen_tab.scenarios], timeout=5000)
    # the same name again: asked, answered No, kept
    dialogs.question = QMessageBox.StandardButton.No
    actions["Portfolio > Save what-if as scenario…"].trigger()
    assert dialogs.asked[-1].startswith("Replace scenario")
    path = s.workspace_path
    win.close()
    qtbot.waitUntil(lambda: s.solver.active_threads() == 0, timeout=10_000)

    again = build_window(path, settings, solve_fn=fake_solve, scenarios_tab=True)
    qtbot.addWidget(again)
    again.show()
    again.session.start_loading()
    qtbot.waitUntil(lambda: again.session.is_loaded and again.session.idle, timeout=30_000)
    picker = [again.controls.preset.itemText(i) for i in range(again.controls.preset.count())]
    assert "PM rotation" in picker
    assert "JGB bear +30" in [sc.name for sc in again.views["scenarios"].scenarios]
    again.controls.preset.setCurrentText("PM rotation")
    t = again.session
    # the preset holds the settings as they were on screen (independent of the code: the typed values)
    assert t.whatif.us_cap == pytest.approx(0.22) and t.whatif.parallel_bp.get("JP") == pytest.approx(30.0)
    saved = next(sc for sc in t.saved_scenarios if sc.name == "JGB bear +30")
    assert saved.curves["JP"].parallel_bp == pytest.approx(30.0)
    again.close()
    qtbot.waitUntil(lambda: t.solver.active_threads() == 0, timeout=10_000)


def test_undo_of_build_ladder_restores_the_presets_limits(menu_window, qtbot):
    from desktop import controller as ctl
    from desktop.optim.presets import get_preset
    from desktop.views.dialogs.ladder_builder import LadderBuilderDialog

    win, s = menu_window, menu_window.session
    win.controls.preset.setCurrentText("Shift from US rates")
    s.flush()
    before_whatif, before_face = s.whatif, s.face.copy()
    preset = get_preset("Shift from US rates")
    dialog = LadderBuilderDialog(s, win)
    qtbot.addWidget(dialog)
    dialog.markets["US"].setChecked(False)
    dialog.build()
    assert s.whatif.markets == ("JP", "AU", "UK")
    built = ctl.optim_settings(s.whatif)
    assert built.market_max.get("US") == 0.0
    s.undo_stack.undo()
    assert s.whatif == before_whatif and s.allowed is None
    np.testing.assert_array_equal(s.face, before_face)
    restored = ctl.optim_settings(s.whatif)
    # the preset's own market bounds (from the preset table, not the window) are back
    assert dict(restored.market_min) == dict(preset.market_min)
    assert dict(restored.market_max) == dict(preset.market_max)
    assert win.controls.preset.currentText() == "Shift from US rates"
    s.undo_stack.redo()
    assert s.whatif.markets == ("JP", "AU", "UK") and s.allowed is not None
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_failed_import_banner_clears_after_a_successful_import(menu_window, qtbot, tmp_path):
    win, s = menu_window, menu_window.session
    bad = tmp_path / "bad.csv"
    bad.write_text("market,id,name,coupon_pct,maturity\nUS,X1,Bad bond,abc,2030-01-01\n")
    win.files.start_import(str(bad), "bonds")
    qtbot.waitUntil(lambda: win.message_bar.kind == "error", timeout=10_000)
    assert "Import failed" in win.message_bar.text()
    good = tmp_path / "good.csv"
    good.write_text("market,id,name,coupon_pct,maturity\nUS,GOOD1,UST 4% 2032 (test),4.0,2032-05-15\n")
    win.files.start_import(str(good), "bonds")
    qtbot.waitUntil(lambda: "GOOD1" in set(s.universe["id"]), timeout=30_000)
    assert win.message_bar.kind != "error"
    assert "Import failed" not in win.message_bar.text()
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_summary_after_a_curve_import_equals_a_fresh_evaluation_of_the_new_data(menu_window, qtbot, tmp_path):
    """Import a MoF JGB curve file for the valuation date (the bundled JGB curve is a day older;
    every yield +60 bp): without F5, the Summary shows what an evaluation built from a fresh read
    of the workspace gives."""
    from desktop import controller as ctl
    from desktop.views.session import load_workspace

    win, s = menu_window, menu_window.session
    as_of, jp = s.snapshot.as_of, s.snapshot.curves["JP"]
    assert s.snapshot.curve_dates["JP"] < as_of
    tenors = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40]
    yields = [float(np.interp(t, jp.tenors, jp.input_yields_pct)) + 0.60 for t in tenors]
    path = tmp_path / "jgbcm_new_day.csv"
    path.write_bytes(("国債金利情報,,,,,,,,,,,,,,,(単位 : %)\n基準日," + ",".join(f"{t}年" for t in tenors) + "\n"
                      + f"R{as_of.year - 2018}.{as_of.month}.{as_of.day}," + ",".join(f"{y:.3f}" for y in yields)
                      + "\n").encode("cp932"))
    held = ctl.holdings_of(s.universe, s.face)
    old_yield = s.current.yield_pct
    win.files.start_import(str(path), "mof-jgb")
    qtbot.waitUntil(lambda: (s.last_import is not None and s.is_loaded and s.idle
                             and s.current.yield_pct > old_yield + 0.05) or win.message_bar.kind == "error",
                    timeout=60_000)
    assert win.message_bar.kind != "error", win.message_bar.text()
    assert s.snapshot.curve_dates["JP"] == as_of
    s.flush()
    fresh = load_workspace(s.workspace_path)  # an independent read of the workspace after the import
    face = ctl.match_holdings(fresh.universe, held, "held", unknown="report").face
    rates, fx = fresh.snapshot.short_rates_pct, ctl.fx_to_base(fresh.snapshot.fx_usd_per_unit, "USD")
    expect = ctl.evaluate(fresh.engine.reprice_arrays(s.whatif), face, fx, rates, "USD")
    expect_opt = ctl.evaluate(fresh.engine.reprice_arrays(s.whatif), s.outcome.face, fx, rates, "USD")
    rows = {key: r for r, (key, _l, _u) in enumerate(ctl.SUMMARY_ROWS)}
    table = win.summary.table

    def number(text: str) -> float:
        body = text.replace("−", "-").replace(",", "").split()[0]
        mult = {"k": 1e3, "m": 1e6}.get(body[-1:], 1.0)
        return float(body.rstrip("km")) * mult

    assert number(table.item(rows["yield_pct"], 0).text()) == pytest.approx(expect.yield_pct, abs=0.006)
    assert number(table.item(rows["mod_duration"], 0).text()) == pytest.approx(expect.mod_duration, abs=0.006)
    assert number(table.item(rows["market_value_base"], 0).text()) == pytest.approx(
        expect.market_value_base, rel=1e-4)
    assert number(table.item(rows["market_value_base"], 1).text()) == pytest.approx(
        expect_opt.market_value_base, rel=1e-4)
    assert s.current.yield_pct == pytest.approx(expect.yield_pct, abs=1e-9)


def _drop(win, path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    win.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier))


def test_import_errors_name_the_detected_format_and_only_its_problem(menu_window, qtbot, tmp_path):
    win, s = menu_window, menu_window.session
    # a holdings file dropped on the window is imported as holdings (was: "missing 基準日 header")
    held = s.universe.loc[s.face > 0, ["market", "id"]].head(4).assign(face=[1e6, 2e6, 3e6, 4e6])
    holdings = tmp_path / "my_book.csv"
    held.to_csv(holdings, index=False)
    _drop(win, holdings)
    assert win.message_bar.kind != "error", win.message_bar.text()
    got = s.universe.assign(face=s.face).set_index("id").loc[held["id"], "face"].to_numpy()
    np.testing.assert_array_equal(got, [1e6, 2e6, 3e6, 4e6])
    assert int((s.face > 0).sum()) == 4
    # a Treasury curve file with a bad cell: the Treasury format and its problem, nothing else
    bad = tmp_path / "daily-treasury-rates.csv"
    bad.write_text('Date,"1 Mo","3 Mo","1 Yr","2 Yr","5 Yr","10 Yr","30 Yr"\n12/30/2025,3.7,3.6,x,3.4,3.7,4.1,4.8\n')
    _drop(win, bad)
    qtbot.waitUntil(lambda: win.message_bar.kind == "error", timeout=10_000)
    text = win.message_bar.text()
    assert "US Treasury daily par yield curve" in text and "line 2" in text
    for other in ("基準日", "MoF", "RBA", "FRED", "Bank of England", "bonds list"):
        assert other not in text, text
    win.message_bar.dismiss()
    # not a known format at all: the closest one is named, once
    odd = tmp_path / "notes.csv"
    odd.write_text("colour,shape\nred,round\n")
    _drop(win, odd)
    qtbot.waitUntil(lambda: win.message_bar.kind == "error", timeout=10_000)
    assert "closest:" in win.message_bar.text() and win.message_bar.text().count("closest") == 1
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def test_an_ecb_fx_file_is_recognised_and_imported_from_the_window(menu_window, qtbot, tmp_path):
    """File ▸ Import (or a drop) of the ECB's eurofxref-hist file: recognised without naming the kind,
    stored as the workspace's FX history, month-ends as the file has them (read here with csv)."""
    import shutil

    from desktop.controller.workspace import WorkspaceService
    from desktop.views.menus import detect_import_kind
    from tests.support.ecb import CUT, month_ends

    win, s = menu_window, menu_window.session
    path = tmp_path / "eurofxref-hist.csv"
    shutil.copyfile(CUT, path)
    assert detect_import_kind(str(path)) == "ecb-fx"
    assert detect_import_kind(str(tmp_path / "eurofxref-hist.zip")) == "ecb-fx"
    win.files.start_import(str(path))
    qtbot.waitUntil(lambda: s.last_import is not None or win.message_bar.kind == "error", timeout=30_000)
    assert win.message_bar.kind != "error", win.message_bar.text()
    qtbot.waitUntil(lambda: s.idle, timeout=30_000)
    s.flush()
    with WorkspaceService.open(s.workspace_path) as service:
        fxh = service.tables().fx_history.set_index(["currency", "date"])
    for (ccy, _month), (day, _per_eur, usd) in month_ends(path).items():
        assert fxh.loc[(ccy, day), "usd_per_unit"] == pytest.approx(usd, rel=1e-12)
        assert str(path) in fxh.loc[(ccy, day), "source"]
