"""Menus and file actions: portfolios, recent, compare, import (menu and drag-and-drop), exports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from desktop import controller as ctl
from desktop.views.charts.base import export_plot, plots_of
from desktop.views.runner import SolveRunner

if TYPE_CHECKING:
    from desktop.views.main_window import MainWindow

MAX_RECENT = 8
IMPORT_KINDS = ("bonds", "us-treasury", "mof-jgb", "rba-f2", "boe", "fred", "ecb-fx")


FORMAT_NAMES = {
    "bonds": "bonds list (market,id,name,coupon_pct,maturity)",
    "us-treasury": "US Treasury daily par yield curve",
    "mof-jgb": "MoF JGB interest rates (jgbcm)",
    "rba-f2": "RBA F2 government bond yields",
    "boe": "Bank of England yield curve (GLC workbook or IADB CSV)",
    "fred": "FRED series",
    "ecb-fx": "ECB euro FX reference rates (eurofxref-hist)",
    "holdings": "holdings file (market,id,face)",
    "prices": "price file (clean prices or yields per bond)",
}


def _head_text(path: str) -> str:
    """The first 8 kB as text (UTF-8, else cp932 for the MoF files); '' when unreadable."""
    from desktop.errors import DataError
    from desktop.importers.base import check_regular

    try:
        check_regular(path)  # never open a FIFO or a device here
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except (OSError, DataError):
        return ""
    for codec in ("utf-8-sig", "cp932"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")


def detect_import_kind(path: str) -> str | None:
    """Which format a dropped or opened file is, from its name and first lines (None: not recognised)."""
    name = Path(path).name.lower()
    if name.endswith((".xlsx", ".xls")):
        return "boe"
    if name.endswith(".zip") and name.startswith("eurofxref"):
        return "ecb-fx"
    head = _head_text(path)
    if not head:
        return None
    if head.lstrip().startswith("<"):
        return "bonds"  # the DMO D1A XML report
    lines = [ln.strip().strip("\ufeff") for ln in head.splitlines() if ln.strip()][:6]
    first = lines[0].lower() if lines else ""
    cells = [c.strip().strip('"').lower() for c in first.split(",")]
    if "基準日" in head or name.startswith("jgbcm"):
        return "mof-jgb"
    if "f2 capital market yields" in first or any(ln.lower().startswith("series id") for ln in lines):
        return "rba-f2"
    if cells and cells[0] == "date" and {"usd", "jpy"} <= set(cells):
        return "ecb-fx"  # the ECB's history: Date,USD,JPY,... (per euro)
    if cells and cells[0] == "date" and any(c.endswith((" mo", " yr")) for c in cells[1:]):
        return "us-treasury"
    if cells and cells[0] == "date" and any(c.startswith("iud") for c in cells[1:]):
        return "boe"
    if cells and cells[0] in ("observation_date", "date") and (len(cells) == 2 or cells[1:] == ["value"]):
        return "fred"
    if ("maturity" not in cells and ("clean price" in cells or "clean_price" in cells or "yield_pct" in cells)
            or cells[:4] == ["date", "isin", "tidm", "price"]):
        return "prices"  # a bonds CSV may carry prices too: with a maturity it is a bonds file
    if {"market", "id", "face"} <= set(cells) and "maturity" not in cells:
        return "holdings"
    if {"market", "id"} <= set(cells) and ("maturity" in cells or "coupon_pct" in cells):
        return "bonds"
    return None


def parse_import(job: tuple[str | None, str]) -> Any:
    """Worker task: parse a file with the named importer; without a name (drag-and-drop, File ▸
    Import) with the importer for the format its first lines show, and when none is recognised,
    each importer in turn, reporting only the one that got furthest. An error says which format the
    file was read as and only that format's problem."""
    from desktop.errors import DataError
    from desktop.importers import parse_file

    kind, path = job
    if kind is not None:
        return parse_file(kind, path)
    detected = detect_import_kind(path)
    if detected in KINDS_OF_DATA:
        try:
            return parse_file(detected, path)
        except DataError as exc:
            raise DataError(f"read as a {FORMAT_NAMES[detected]}: {exc.reason}", file=exc.file or path,
                            line=exc.line, field=exc.field, expected=exc.expected) from exc
    errors: list[tuple[str, DataError]] = []
    for k in IMPORT_KINDS:
        try:
            return parse_file(k, path)
        except DataError as exc:
            errors.append((k, exc))
    # no importer took it: report the one that got furthest into the file (most likely the intended format)
    kind, best = max(errors, key=lambda e: e[1].line or 0)
    raise DataError(f"not a format LadderDesk recognises; closest: {FORMAT_NAMES[kind]}: {best.reason}",
                    file=best.file or path, line=best.line, field=best.field, expected=best.expected)


KINDS_OF_DATA = IMPORT_KINDS  # formats parse_import reads itself (holdings and prices have their own menus)


def ask_unsaved(parent: Any, name: str, doing: str) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel for a book with unsaved changes (Save is the default)."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                      f"{name!r} has changes that are not saved. Save them before {doing}?",
                      buttons.Save | buttons.Discard | buttons.Cancel, parent)
    box.setDefaultButton(buttons.Save)
    return buttons(box.exec())


class FileActions(QObject):
    def __init__(self, window: MainWindow, settings: QSettings | None) -> None:
        super().__init__(window)
        self.window, self.session, self.settings = window, window.session, settings
        self.importer = SolveRunner(parse_import, self, debounce_ms=0)
        self.importer.finished.connect(self._imported)
        self.importer.failed.connect(self._import_failed)
        self._pending_import: str = ""
        self.restore_session = True  # reopen the last portfolio / preset when the data first arrive
        self._build_menus()
        from desktop.views.valuation import install

        self.valuation = install(self)  # the valuation date, always visible in the status bar, movable
        self.session.loaded.connect(self._first_load)
        self._restore_tab()

    # -- quit and restart ----------------------------------------------------------------------
    def maybe_save(self, doing: str) -> bool:
        """Unsaved changes to the book: ask Save / Discard / Cancel. True = go on with ``doing``."""
        s = self.session
        if s is None or s.undo_stack.isClean():
            return True
        answer = ask_unsaved(self.window, s.portfolio_name, doing)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def before_close(self) -> bool:
        """The window is closing: ask about unsaved changes (False = stay open), remember the session."""
        if not self.maybe_save("quitting"):
            return False
        self.remember_session()
        return True

    def remember_session(self) -> None:
        """Keep the portfolio (if saved), preset and tab for the next start (QSettings)."""
        if self.settings is None or self.session is None:
            return
        s = self.session
        saved = not s.portfolio_name.startswith("Untitled") and s.portfolio_name in self.names()
        self.settings.setValue("session/workspace", str(s.workspace_path or ""))
        self.settings.setValue("session/portfolio", s.portfolio_name if saved else "")
        self.settings.setValue("session/preset", s.whatif.preset)
        key = next((k for k, w in self.window.views.items() if w is self.window.tabs.currentWidget()), "")
        self.settings.setValue("session/tab", key)
        self.settings.sync()

    def show_start_progress(self) -> bool:
        """While the workspace is opened (or, on a first start, built from the bundled data): the
        busy bar runs and the status says what is happening; a first start also offers the tour.
        Returns whether this is a first start (no earlier session in the settings)."""
        first = self.settings is None or not self.settings.contains("session/workspace")
        self.window.busy.setToolTip("Loading the market data…")
        self.window.busy.show()
        text = ("First start: building your workspace from the bundled end-2025 market data…" if first
                else "Opening the workspace…")
        self.window.status.setText(text)
        if first:
            self.window.message_bar.show_message(
                "Welcome to LadderDesk. The first start builds your workspace from the bundled market data "
                "(a few seconds). Help ▸ Quick tour shows the window in two minutes; F1 opens it any time.")
        self.session.loaded.connect(self._start_done)
        self.session.loadFailed.connect(self._start_done)
        return first

    def _start_done(self, *_args: object) -> None:
        self.session.loaded.disconnect(self._start_done)
        self.session.loadFailed.disconnect(self._start_done)
        self.window.busy.setToolTip("Optimising…")
        if not self.session.solver.busy:
            self.window.busy.hide()

    def _restore_tab(self) -> None:
        tab = str(self.settings.value("session/tab", "") or "") if self.settings is not None else ""
        if tab in self.window.views:
            self.window.show_view(tab)

    def _first_load(self) -> None:
        """The data arrived for the first time: reopen the last session's portfolio, else its preset."""
        self.session.loaded.disconnect(self._first_load)
        if not self.restore_session or self.settings is None:
            return
        s = self.session
        if str(self.settings.value("session/workspace", "") or "") != str(s.workspace_path or ""):
            return
        name = str(self.settings.value("session/portfolio", "") or "")
        preset = str(self.settings.value("session/preset", "") or "")
        if name and name in self.names():
            self.open_named(name)
            self.message(f"Reopened {name!r}, the portfolio of your last session.")
        elif preset and preset != s.whatif.preset and self.window.controls.preset.findText(preset) >= 0:
            s.apply_preset(preset)

    def _act(self, menu: QMenu, text: str, slot: Any, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, slot=slot: slot())  # never pass `checked` on
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        f = bar.addMenu("&File")
        self._act(f, "&New ladder", self.new, QKeySequence.StandardKey.New)
        self._act(f, "&Open portfolio…", self.open, QKeySequence.StandardKey.Open)
        self.recent_menu = f.addMenu("Open &recent")
        self._act(f, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._act(f, "Save &as…", self.save_as, QKeySequence.StandardKey.SaveAs)
        self._act(f, "&Compare saved variants…", self.compare)
        f.addSeparator()
        self._act(f, "&Import bonds or curves…", self.import_file, "Ctrl+I")
        self._act(f, "Import &holdings…", self.import_holdings)
        self._act(f, "Import &prices…", self.import_prices)
        ex = f.addMenu("&Export")
        self._act(ex, "Holdings table (CSV)…", self.export_holdings)
        self._act(ex, "Optimised allocation (CSV)…", self.export_allocations)
        self._act(ex, "Trades to optimised (CSV)…", self.export_trades)
        self._act(ex, "Ticket (CSV)…", self.export_ticket)
        self._act(ex, "Ticket (XLSX)…", self.export_ticket_xlsx)
        self._act(ex, "Cash flows (CSV)…", self.export_cash_flows)
        self._act(ex, "All (XLSX)…", self.export_xlsx)
        self._act(ex, "Current chart (PNG/SVG)…", self.export_chart)
        self._act(f, "Export &report (PDF)…", self.export_report, "Ctrl+Shift+P")
        f.addSeparator()
        self._act(f, "&Quit", self.window.close, QKeySequence.StandardKey.Quit)
        e = bar.addMenu("&Edit")
        undo = self.session.undo_stack.createUndoAction(self.window, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.session.undo_stack.createRedoAction(self.window, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        self._act(e, "Undo last &import", self.undo_import)
        p = bar.addMenu("&Portfolio")
        self._act(p, "&Build ladder…", self.build_ladder, "Ctrl+L")
        self._act(p, "&Apply optimisation", self.apply_optimisation, "Ctrl+Return")
        self._act(p, "Re-&optimise now", self.session.request_solve, "F5")
        p.addSeparator()
        self._act(p, "Save settings as &preset…", self.save_preset)
        self._act(p, "Save what-if as &scenario…", self.save_scenario)
        p.addSeparator()
        self._act(p, "&Roll ladder…", self.roll_ladder)
        from desktop.views.layout import build_view_menu, default_layout

        self.view_actions = build_view_menu(self.window, bar.addMenu("&View"))
        default_layout(self.window)  # (a saved layout, restored next, wins)
        from desktop.views.help import build_help_menu

        build_help_menu(self.window, bar.addMenu("&Help"))
        self._refresh_recent()

    # -- portfolios ----------------------------------------------------------------------------
    def new(self) -> None:
        if self.maybe_save("starting a new ladder"):
            self.session.new_portfolio()

    def names(self) -> list[str]:
        return self.session.portfolio_names()

    def open(self) -> None:
        names = self.names()
        if not names:
            self.message("No saved portfolios yet in this workspace.")
            return
        if not self.maybe_save("opening another portfolio"):
            return
        name, ok = QInputDialog.getItem(self.window, "Open portfolio", "Saved portfolio:", names, 0, False)
        if ok and name:
            self.open_named(name)

    def open_named(self, name: str) -> None:
        self.session.open_portfolio(name)
        self._remember(name)

    def save(self) -> bool:
        if self.session.portfolio_name.startswith("Untitled"):
            return self.save_as()
        return self.save_named(self.session.portfolio_name)

    def save_as(self) -> bool:
        name, ok = QInputDialog.getText(self.window, "Save portfolio as", "Name:", text=self.session.portfolio_name)
        return self.save_named(name) if ok else False

    def save_named(self, name: str) -> bool:
        if self._save_named("portfolio", self.session.save_portfolio, name):
            self._remember(name)
            return True
        return False

    # -- the user's presets and scenarios ------------------------------------------------------
    def save_preset(self, name: str | None = None) -> bool:
        """Save the optimiser settings (preset limits + sliders) under a name the PM picks."""
        if name is None:
            name, ok = QInputDialog.getText(self.window, "Save settings as preset", "Preset name:")
            if not ok:
                return False
        return self._save_named("preset", self.session.save_preset, name)

    def save_scenario(self, name: str | None = None) -> bool:
        """Save the what-if curve shifts as a scenario (it joins the Scenarios tab)."""
        if name is None:
            name, ok = QInputDialog.getText(self.window, "Save what-if as scenario", "Scenario name:")
            if not ok:
                return False
        return self._save_named("scenario", self.session.save_scenario, name)

    def confirm_overwrite(self, what: str, name: str) -> bool:
        """Ask before saving over an existing item (Yes / No; No is the default)."""
        answer = QMessageBox.question(self.window, f"Replace {what}?",
                                      f"A {what} named {name!r} already exists. Replace it?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _save_named(self, what: str, save: Any, name: str) -> bool:
        """Save under ``name``; an existing name asks first; a refused name is said in the message bar."""
        from desktop.controller.workspace import NameTaken
        from desktop.errors import LadderDeskError

        try:
            try:
                save(name)
            except NameTaken:
                if not self.confirm_overwrite(what, name):
                    self.message(f"{what.capitalize()} not saved: {name!r} was kept as it was.")
                    return False
                save(name, overwrite=True)
        except LadderDeskError as exc:
            self.message(f"{what.capitalize()} not saved: {exc}", "error")
            return False
        return True

    def _remember(self, name: str) -> None:
        if self.settings is None:
            return
        recent = [n for n in (self.settings.value("recent", []) or []) if n != name]
        self.settings.setValue("recent", ([name] + recent)[:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        names = list(self.settings.value("recent", []) or []) if self.settings is not None else []
        for name in names if isinstance(names, list) else [names]:
            action = self.recent_menu.addAction(name)
            action.setData(name)
            action.triggered.connect(self._open_recent)
        self.recent_menu.setEnabled(bool(names))

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and self.maybe_save("opening another portfolio"):
            self.open_named(str(action.data()))

    def compare(self) -> None:
        from desktop.views.dialogs.compare import CompareDialog

        names = self.names()
        if len(names) < 2:
            self.message("Save at least two variants to compare them.")
            return
        CompareDialog(self.session, names, self.window).open()

    def build_ladder(self) -> None:
        from desktop.views.dialogs.ladder_builder import LadderBuilderDialog

        dialog = LadderBuilderDialog(self.session, self.window)
        dialog.accepted.connect(dialog.build)
        dialog.open()

    def apply_optimisation(self) -> None:
        if not self.session.apply_optimisation():
            self.message("No optimised portfolio to apply yet.")

    # -- import --------------------------------------------------------------------------------
    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import bonds or an official curve file", "",
                                              "Data files (*.csv *.xlsx *.xls *.txt *.zip);;All files (*)")
        if path:
            self.start_import(path)

    def import_holdings(self, path: str | None = None) -> bool:
        """Replace the current book with a holdings file (``market,id,face``; undoable). The whole
        file is refused, naming its line, when a bond is unknown, listed twice or its face is bad."""
        from desktop.errors import LadderDeskError

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import holdings", "", "CSV (*.csv);;All files (*)")
            if not path:
                return False
        try:
            face = ctl.read_holdings_file(self.session.universe, path).face
        except LadderDeskError as exc:
            self.message(f"Holdings not imported — nothing was changed.\n{exc}", "error")
            return False
        self.session.set_holdings(face, f"Import holdings from {Path(path).name}")
        self.message(f"Imported {int((face > 0).sum())} holdings from {Path(path).name}")
        return True

    def import_prices(self, path: str | None = None) -> bool:
        """File ▸ Import prices… (desktop.views.book_actions)."""
        from desktop.views.book_actions import import_prices

        return import_prices(self, path)

    def roll_ladder(self, to_date: Any = None, path: str | None = None) -> bool:
        """Portfolio ▸ Roll ladder… (desktop.views.book_actions.roll_ladder)."""
        from desktop.views.book_actions import roll_ladder

        return roll_ladder(self, to_date, path)

    def export_ticket(self, path: str | None = None) -> str:
        """Export ▸ Ticket (CSV): TRADES, and HEDGES beside it for a hedged book."""
        from desktop.views.book_actions import export_ticket

        return export_ticket(self, path)

    def export_ticket_xlsx(self, path: str | None = None) -> str:
        from desktop.views.book_actions import export_ticket

        return export_ticket(self, path, xlsx=True)

    def start_import(self, path: str, kind: str | None = None) -> None:
        if kind is None:
            detected = detect_import_kind(path)
            if detected == "holdings":  # a book, not market data: File ▸ Import holdings does it
                self.import_holdings(path)
                return
            if detected == "prices":  # quotes: File ▸ Import prices does it
                self.import_prices(path)
                return
        self._pending_import = path
        self.session.statusChanged.emit(f"Importing {Path(path).name}…")
        self.importer.request((kind, path), immediate=True)

    def _imported(self, result: Any, _seconds: float, *, force: bool = False, replace: bool = False) -> None:
        try:
            detail = self.session.workspace.apply_import(result, force=force, replace=replace)
        except Exception as exc:  # noqa: BLE001 - DataError/WorkspaceError: shown, nothing changed
            text = str(exc)
            if "--replace" in text and not replace:  # a different curve (or FX month) is stored for that date
                label = "Replace the stored FX" if result.kind == "series" else "Replace the stored curve"
                self._import_failed(exc, (label, lambda: self._imported(result, 0.0,
                                                                                              replace=True)))
            elif "--force" in text and not force:  # an FX jump beyond the band
                self._import_failed(exc, ("Import anyway", lambda: self._imported(result, 0.0, force=True)))
            else:
                self._import_failed(exc)
            return
        self.session.statusChanged.emit(f"Imported {result.rows} rows of {result.source_name}; reloading…")
        if self.window.message_bar.kind == "error":  # an earlier failure no longer describes the data
            self.window.message_bar.dismiss()
        self.message(f"Imported {result.rows} rows of {result.source_name} from {Path(self._pending_import).name}.")
        self.session.note_import(detail)
        from desktop.views.valuation import offer_move

        offer_move(self, detail)  # newer data than the valuation date: offer to move it

    def _import_failed(self, error: BaseException, retry: tuple[str, Any] | None = None) -> None:
        self.window.message_bar.show_message(f"Import failed — nothing was changed.\n{error}", "error", retry)
        self.session.statusChanged.emit(f"Import failed: {error}")

    def message(self, text: str, kind: str = "info") -> None:
        """Shown in the window's message bar (never a modal dialog)."""
        self.window.message_bar.show_message(text, kind)

    # -- exports -------------------------------------------------------------------------------
    def frames(self) -> dict[str, pd.DataFrame]:
        """What the exports write: the holdings table as shown, and the optimised allocation and the
        trades to it exactly as ``ladderdesk optimize --out/--trades`` writes them (one controller
        function, :func:`desktop.controller.book_tables`)."""
        s = self.session
        s.flush()
        holdings = self.window.holdings.current_frame()
        book = s.book_tables()
        alloc = book.alloc if book is not None else pd.DataFrame(columns=ctl.ALLOC_COLUMNS)
        trades = book.trades if book is not None else pd.DataFrame(columns=ctl.TRADE_COLUMNS)
        flows = ctl.cash_flow_schedule(s.shifted, s.face, s.fx)
        return {"holdings": holdings, "allocations": alloc, "trades": trades, "cash_flows": flows}

    def _ask(self, title: str, default: str, filt: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, title, default, filt)
        return path if path and self.safe_output(path) else ""

    def safe_output(self, path: str) -> bool:
        """False (and says why) when ``path`` is the workspace or one of its SQLite files."""
        ws = self.session.workspace
        why = ws.output_conflict(path) if ws is not None else None
        if why:
            self.message(f"Not exported: {path} {why}. Choose another file.", "error")
        return not why

    def undo_import(self) -> bool:
        """Edit ▸ Undo last import: the data exactly as before the latest import, then a reload."""
        from desktop.errors import LadderDeskError

        try:
            detail = self.session.workspace.undo_import()
        except LadderDeskError as exc:
            self.message(f"Nothing undone: {exc}", "error")
            return False
        self.message("Undid the last import; the data are as they were before it.")
        self.session.note_import(detail)
        return True

    def export_holdings(self, path: str | None = None) -> str:
        return self._export_csv("holdings", path)

    def export_allocations(self, path: str | None = None) -> str:
        return self._export_csv("allocations", path)

    def export_trades(self, path: str | None = None) -> str:
        return self._export_csv("trades", path)

    def export_cash_flows(self, path: str | None = None) -> str:
        return self._export_csv("cash_flows", path)

    def _export_csv(self, what: str, path: str | None) -> str:
        from desktop.export import write_csv

        path = path or self._ask(f"Export {what}", f"{what}.csv", "CSV (*.csv)")
        if path and not self.safe_output(path):
            return ""
        if path:
            write_csv(self.frames()[what], path)
            self.session.statusChanged.emit(f"Exported {what} to {path}")
        return path or ""

    def export_xlsx(self, path: str | None = None) -> str:
        from desktop.export import write_xlsx

        path = path or self._ask("Export workbook", "ladder.xlsx", "Excel (*.xlsx)")
        if path and not self.safe_output(path):
            return ""
        if path:
            write_xlsx(self.frames(), path)
            self.session.statusChanged.emit(f"Exported workbook to {path}")
        return path or ""

    def export_chart(self, path: str | None = None) -> str:
        plots = plots_of(self.window.tabs.currentWidget())
        if not plots:
            self.message("This tab has no chart to export.")
            return ""
        path = path or self._ask("Export chart", "chart.png", "PNG (*.png);;SVG (*.svg)")
        if path and not self.safe_output(path):
            return ""
        if path:
            export_plot(plots[0], path)
        return path or ""

    def export_report(self, path: str | None = None) -> str:
        """File ▸ Export report…: the committee pack of the open book as a PDF (desktop.views.report)."""
        from desktop.views.report import write_report

        if self.session.outcome is None:
            self.message("No optimisation yet: the report needs one (wait for the first solve).")
            return ""
        default = f"{self.session.portfolio_name.replace(' *', '')} report.pdf".replace("/", "-")
        path = path or self._ask("Export committee report", default, "PDF (*.pdf)")
        if path and not self.safe_output(path):
            return ""
        if not path:
            return ""
        report = write_report(self.window, path)
        self.message(f"Wrote the committee report ({report.pages} pages) to {path}")
        return str(report.path)

    def shutdown(self) -> None:
        self.importer.shutdown()
