"""File ▸ Import prices… and File ▸ Export ▸ Ticket (CSV / XLSX): the window's side of the real book.

Both go through the same functions as the CLI: :func:`desktop.controller.book.import_price_file`
(parse + store, as ``ladderdesk import prices``), and the session's
:func:`desktop.controller.book_tables` → TRADES / HEDGES / :func:`desktop.ticket.write_ticket_xlsx`
(``ladderdesk optimize --trades --hedges``). Failures are shown in the message bar; nothing changes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog


def import_prices(files: Any, path: str | None = None) -> bool:
    """Parse and store a price file (generic, Tradeweb/FTSE, DMO); the data reload keeps the book."""
    from desktop.controller.book import import_price_file
    from desktop.errors import LadderDeskError

    if path is None:
        path, _ = QFileDialog.getOpenFileName(files.window, "Import prices", "", "CSV (*.csv);;All files (*)")
        if not path:
            return False
    session = files.session
    try:
        detail = import_price_file(session.workspace, path)
    except LadderDeskError as exc:
        files.message(f"Prices not imported — nothing was changed.\n{exc}", "error")
        return False
    skipped = ", ".join(f"{n} {what}" for what, n in detail.get("skipped", {}).items())
    added = detail.get("bonds_added") or []
    text = (f"Imported {detail['rows']} quotes from {Path(path).name} ({detail['source_name']})"
            + (f"; {len(added)} bonds added" if added else "") + (f"; skipped {skipped}" if skipped else ""))
    if detail.get("after_as_of"):
        text += (f". {detail['after_as_of']} quotes are dated after the valuation date {detail['as_of']} and are not "
                 "used until it moves")
    files.message(text)
    session.note_import(detail)
    return True


def _default_name(session: Any, what: str, suffix: str) -> str:
    name = re.sub(r"[^\w.-]+", "_", str(session.portfolio_name or "ladder")).strip("_") or "ladder"
    return f"{what}_{name}_{date.today():%Y-%m-%d}{suffix}"


def export_ticket(files: Any, path: str | None = None, *, xlsx: bool = False) -> str:
    """The ticket of the latest optimisation: TRADES (+ HEDGES beside it for a hedged book) as CSV, or
    one workbook with a run card. Refused (message bar) while curve-implied bonds are traded."""
    from desktop.errors import LadderDeskError
    from desktop.export import write_csv

    session = files.session
    session.flush()
    book = session.book_tables()
    if book is None:
        files.message("No optimised portfolio yet: nothing to put on a ticket.", "error")
        return ""
    try:
        book.check_ticket()
    except LadderDeskError as exc:
        files.message(f"Ticket not written.\n{exc}", "error")
        return ""
    suffix = ".xlsx" if xlsx else ".csv"
    if path is None:
        path, _ = QFileDialog.getSaveFileName(files.window, "Export ticket", _default_name(session, "TRADES", suffix),
                                              "Excel (*.xlsx)" if xlsx else "CSV (*.csv)")
        if not path:
            return ""
    try:
        if xlsx:
            from desktop.controller import run_card
            from desktop.ticket import write_ticket_xlsx

            card = {**run_card(session.snapshot, session.whatif, session.outcome),
                    "portfolio": str(session.portfolio_name), "trade_date": f"{book.trade_date:%Y-%m-%d}",
                    "warnings": "; ".join(book.warnings) or "none"}
            write_ticket_xlsx(path, book.trades, book.hedges, card)
        else:
            write_csv(book.trades, path)
            if book.hedges is not None:
                write_csv(book.hedges, str(Path(path).with_name(Path(path).stem + "_HEDGES.csv")))
    except LadderDeskError as exc:
        files.message(f"Ticket not written.\n{exc}", "error")
        return ""
    note = f"Wrote the ticket ({len(book.trades)} trades) to {path}"
    if book.warnings:
        files.message(note + ".\n" + "\n".join(book.warnings))
    else:
        session.statusChanged.emit(note)
    return path


def roll_ladder(files: Any, to_date: Any = None, path: str | None = None) -> bool:
    """Portfolio ▸ Roll ladder…: what the book receives up to ``to_date`` (asked for; default a year
    after the valuation date) is reinvested at the far end of its ladder with real bonds
    (:func:`desktop.controller.roll.roll_ladder`); the rolled book replaces the current one
    (undoable) and its BUY ticket is written to ``path`` (asked for)."""
    from datetime import date, timedelta

    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from desktop.controller.roll import roll_ladder as roll
    from desktop.errors import LadderDeskError
    from desktop.export import write_csv

    session = files.session
    if to_date is None:
        default = (session.snapshot.as_of + timedelta(days=365)).isoformat()
        text, ok = QInputDialog.getText(files.window, "Roll ladder", "Roll to date (YYYY-MM-DD):", text=default)
        if not ok:
            return False
        try:
            to_date = date.fromisoformat(text.strip())
        except ValueError:
            files.message(f"Not rolled: {text!r} is not a date (YYYY-MM-DD).", "error")
            return False
    try:
        result = roll(session.snapshot, session.face, to_date, universe=session.universe,
                      base_ccy=session.whatif.base_ccy)
    except LadderDeskError as exc:
        files.message(f"Not rolled: {exc}", "error")
        return False
    if path is None:
        path, _ = QFileDialog.getSaveFileName(files.window, "Roll ticket", f"TRADES_roll_{to_date:%Y-%m-%d}.csv",
                                              "CSV (*.csv)")
    if path:
        write_csv(result.trades, path)
    session.set_holdings(result.face, f"Roll ladder to {to_date:%Y-%m-%d}")
    note = f"Rolled to {to_date:%Y-%m-%d}: {len(result.trades)} purchases" + (f", ticket {path}" if path else "")
    if result.warnings:
        note += " · " + "; ".join(result.warnings[:3])
    files.message(note)
    return True
