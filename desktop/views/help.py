"""Help menu: a quick tour of the window (the README's "What it does", in short) and the keyboard
shortcuts, listed from the menus themselves (so the list is never out of date)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenuBar

    from desktop.views.main_window import MainWindow

TOUR = [
    ("What-if panel (left)", "Pick a preset (Neutral, Shift from US rates, or one you saved). Move target "
     "duration, the US cap, risk aversion and the turnover limit; shift each market's curve in bp "
     "(parallel, 2s10s and key-rate views at 2/5/10/30 y). Figures follow at once; the optimiser "
     "re-solves in the background (latest value wins)."),
    ("Summary", "Current vs optimised: yield, hedged yield, duration, DV01, US share of duration, risk, "
     "market value and weights, with the change; the binding limits with what one step of each is worth, or, "
     "when nothing is feasible, the smallest relaxation that fixes it."),
    ("Holdings & universe", "Every bond, sortable and filterable; double-click a face amount to edit it "
     "(undoable). Ctrl+C copies the selection as shown, Ctrl+Shift+C the raw numbers."),
    ("Ladder / Exposure", "Market value per rung and the cash-flow ladder; duration contribution, key-rate "
     "profile and yield vs duration, current vs optimised."),
    ("Curves", "Snapshot, what-if (dashed) and the selected scenario (dotted). Drag a key-tenor point of "
     "a curve up or down to set that key-rate view (Edit ▸ Undo takes it back)."),
    ("Trade-off / Scenarios", "Expected return against the US share of duration and against risk; P&L "
     "of both books under the 2025 stress scenarios and your saved ones."),
    ("Files", "Portfolios, presets and scenarios are saved by name in the workspace. File ▸ Import takes "
     "bond lists and official curve files (or drop a file on the window); File ▸ Export writes CSV, "
     "XLSX, charts and the committee report (PDF)."),
    ("Laptop screens", "View ▸ shows or hides the panels (Ctrl+1, Ctrl+2) and resets the layout for the "
     "window's size; below 1500 px the two panels share one tabbed dock."),
]


def tour_html() -> str:
    items = "".join(f"<li><b>{html.escape(t)}</b> — {html.escape(body)}</li>" for t, body in TOUR)
    return ("<h3>LadderDesk in two minutes</h3><p>A four-market government bond ladder (US Treasuries, "
            f"JGBs, ACGBs, gilts) and an optimiser that re-weights it.</p><ul>{items}</ul>")


def shortcuts(menu_bar: QMenuBar) -> list[tuple[str, str]]:
    """(menu path, shortcut) of every menu item that has one, in menu order."""
    out: list[tuple[str, str]] = []

    def walk(menu: QMenu, prefix: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{prefix} ▸ {action.text().replace('&', '')}")
            elif not action.isSeparator() and not action.shortcut().isEmpty():
                text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                out.append((f"{prefix} ▸ {action.text().replace('&', '')}", text))

    for top in menu_bar.actions():
        if top.menu() is not None:
            walk(top.menu(), top.text().replace("&", ""))
    return out


def shortcuts_html(menu_bar: QMenuBar) -> str:
    rows = "".join(f"<tr><td>{html.escape(p)}</td><td><b>{html.escape(k)}</b></td></tr>" for p, k in shortcuts(menu_bar))
    extra = ("<tr><td>Holdings table ▸ copy as shown / raw numbers</td><td><b>Ctrl+C / Ctrl+Shift+C</b></td></tr>"
             "<tr><td>Curves chart ▸ set a key-rate view</td><td><b>drag a ● point</b></td></tr>")
    return f"<h3>Keyboard shortcuts</h3><table cellspacing='6'>{rows}{extra}</table>"


class HelpDialog(QDialog):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setHtml(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        self.setMinimumSize(620, 520)  # fixed before show: no size-hint churn on the window
        self.resize(620, 520)


def build_help_menu(window: MainWindow, menu: QMenu) -> None:
    tour = QAction("Quick &tour", window)
    tour.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    tour.triggered.connect(lambda _checked=False: HelpDialog("Quick tour", tour_html(), window).open())
    keys = QAction("&Keyboard shortcuts", window)
    keys.triggered.connect(lambda _checked=False: HelpDialog("Keyboard shortcuts", shortcuts_html(window.menuBar()),
                                                             window).open())
    menu.addAction(tour)
    menu.addAction(keys)
