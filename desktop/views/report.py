"""The committee pack: one PDF (Qt's own writer, QPdfWriter + QTextDocument) of the open book.

Pages: the run card (valuation date, every data source with its date and age, the settings, the
solver's status), the summary current vs optimised with the optimiser's objective, the ladder,
exposure and trade-off charts as the window draws them, the scenario table (P&L of both books
under every scenario, in base currency), the binding constraints and the ticket (the TRADES the
controller's :func:`desktop.controller.book_tables` writes).

:func:`write_report` works on a window (File ▸ Export report…); :func:`report_from_workspace` opens
a workspace and a saved portfolio offscreen for ``ladderdesk report``.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from desktop import controller as ctl
from desktop.views import formats

if TYPE_CHECKING:
    from desktop.views.main_window import MainWindow

CHART_VIEWS = (("ladder", "Ladder: market value per rung and cash flows"),
               ("exposure", "Exposure: duration contribution, key rates, yield vs duration"),
               ("tradeoff", "Trade-off: expected return vs US share of duration and vs risk"))
CHART_SIZE = (980, 700)  # px of the window while the charts are drawn (docks hidden; scaled to the page width)
CSS = ("body { font-family: sans-serif; font-size: 9pt; } h1 { font-size: 16pt; } h2 { font-size: 12pt; "
       "margin-top: 12px; } table { border-collapse: collapse; } td, th { padding: 2px 6px; } "
       "th { background: #e8eef5; text-align: left; } td.n { text-align: right; } .note { color: #555555; }")


@dataclass(frozen=True)
class Report:
    path: Path
    pages: int
    sections: tuple[str, ...]
    trades: int


def _table(headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i >= numeric_from else ''}>{html.escape(str(c))}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0'><tr>{head}</tr>{body}</table>"


def _age(day: Any, as_of: Any) -> str:
    try:
        return f"{(as_of - day).days} d"
    except TypeError:
        return ""


def run_card_html(session: Any) -> str:
    s, snap, w, out = session, session.snapshot, session.whatif, session.outcome
    rows = [["Valuation date", f"{snap.as_of:%Y-%m-%d}", ""]]
    for code, curve in snap.curves.items():
        day = snap.curve_dates.get(code)
        rows.append([f"{code} curve", f"{curve.source} ({day:%Y-%m-%d})" if day else curve.source, _age(day, snap.as_of)])
    for ccy, day in sorted(getattr(snap, "short_rate_dates", {}).items()):
        rows.append([f"{ccy} short rate", f"{snap.short_rates_pct.get(ccy, float('nan')):.3f} % ({day:%Y-%m-%d})",
                     _age(day, snap.as_of)])
    for ccy, day in sorted(getattr(snap, "fx_dates", {}).items()):
        if ccy == "USD":
            continue
        rows.append([f"FX {ccy}", f"{snap.fx_usd_per_unit.get(ccy, float('nan')):.6g} USD ({day:%Y-%m-%d})",
                     _age(day, snap.as_of)])
    views = []
    for code in w.key_bp.keys() | w.parallel_bp.keys() | w.slope_bp.keys():
        shift = w.key_shift(code)
        if any(shift):
            views.append(f"{code} " + "/".join(f"{v:+.0f}" for v in shift) + " bp at 2/5/10/30 y")
    settings = [
        ["Preset", w.preset], ["Target duration", formats.years(w.target_duration, 1)],
        ["US cap (share of duration)", formats.pct(w.us_cap * 100.0, 0)],
        ["Risk aversion", formats.number(w.risk_aversion, 1)],
        ["Turnover limit", "none" if w.turnover_limit >= 2.0 else formats.pct(w.turnover_limit * 100.0, 0)],
        ["Returns", "FX-hedged" if w.hedged else "unhedged"], ["Base currency", w.base_ccy],
        ["Horizon", f"{ctl.horizon_months(w, s.saved_presets)} months"],
        ["Curve views", "; ".join(sorted(views)) or "none"],
    ]
    if w.markets is not None or w.rungs is not None:
        settings.append(["Ladder builder limits", f"markets {', '.join(w.markets or ())}, rungs {w.rungs}"])
    sol = getattr(out, "solution", None)
    status = "no optimisation" if out is None else (
        f"{out.status} in {out.solve_time_s * 1000:.0f} ms" + (f" ({sol.solver})" if sol is not None else ""))
    return ("<h2>Run card</h2>" + _table(["Data", "Source and date", "Age"], rows)
            + "<p></p>" + _table(["Setting", "Value"], settings)
            + f"<p><b>Solver:</b> {html.escape(status)}</p>")


def summary_html(session: Any) -> str:
    from desktop.views.summary import OBJECTIVE_ROWS, objective_figures

    cur, opt, base = session.current, session.optimised, session.whatif.base_ccy
    rows = []
    for key, label, unit in ctl.SUMMARY_ROWS:
        scale = 100.0 if unit == "%" and (key.startswith("w:") or key == "us_duration_share") else 1.0
        a = cur.figure(key) * scale
        b = opt.figure(key) * scale if opt is not None else float("nan")
        rows.append([label.replace("base", base), formats.summary_cell(a, unit), formats.summary_cell(b, unit),
                     formats.summary_cell(b - a, unit, change=True) if opt is not None else ""])
    out, job = session.outcome, session.solved_job
    book = session.book_tables()
    figures = objective_figures(out, None if job is None else job.current_weights,
                                len(book.trades) if book is not None else None)
    objective = []
    for key, label, unit in OBJECTIVE_ROWS:
        a, b = figures[key]
        fmt = (lambda v: formats.number(v, 0)) if unit == "n" else (lambda v: formats.pct(v, 2))
        objective.append([label.strip(), "—" if a is None else fmt(a), "—" if b is None else fmt(b)])
    return ("<h2>Summary: current vs optimised</h2>" + _table(["", "Current", "Optimised", "Change"], rows)
            + "<h2>Optimiser objective (over the horizon, % of value)</h2>"
            + _table(["", "Current", "Optimised"], objective))


def scenario_rows(session: Any) -> tuple[list[str], list[list[str]]]:
    """Total P&L (base ccy, the window's hedged/unhedged choice) of both books under every scenario."""
    from desktop.controller.scenario_lab import ScenarioJob, run_scenarios
    from desktop.scenarios.presets import PRESETS

    s = session
    saved = list(s.saved_scenarios)
    scenarios = tuple([p for p in PRESETS if p.name not in {sc.name for sc in saved}] + saved)
    books = {"current": s.face}
    if s.outcome is not None and s.outcome.face is not None:
        books["optimised"] = s.outcome.face
    grid = run_scenarios(ScenarioJob(universe=s.universe, snapshot=s.snapshot, base_ccy=s.whatif.base_ccy,
                                     scenarios=scenarios, portfolios=books)).grid
    measure = "hedged" if s.whatif.hedged else "unhedged"
    tables = {name: grid.table(name, measure, ("total",)) for name in books}
    base = s.whatif.base_ccy
    headers = ["Scenario", f"Current ({base})"] + ([f"Optimised ({base})", "Change"] if "optimised" in books else [])
    rows = []
    for sc in scenarios:
        a = float(tables["current"].loc[sc.name].iloc[0])
        row = [sc.name, formats.money(a)]
        if "optimised" in tables:
            b = float(tables["optimised"].loc[sc.name].iloc[0])
            row += [formats.money(b), formats.money(b - a, "", True)]
        rows.append(row)
    return headers, rows


def ticket_rows(session: Any) -> tuple[list[str], list[list[str]], str]:
    book = session.book_tables()
    if book is None:
        return [], [], "No optimised book: no ticket."
    t = book.trades
    headers = ["Side", "Mkt", "ID", "Name", "Face", "Clean", "Cash (base)", "Settle"]
    rows = [[str(r["side"]), str(r["market"]), str(r["id"]), str(r["name"])[:38], formats.face(float(r["face"])),
             formats.number(float(r["clean_price"]), 3), formats.money(float(r["cash_base"])),
             str(r["settle_date"])[:10]] for _, r in t.iterrows()]
    buys = float(t.loc[t["side"] == "BUY", "cash_base"].sum()) if len(t) else 0.0
    sells = float(t.loc[t["side"] == "SELL", "cash_base"].sum()) if len(t) else 0.0
    note = (f"{len(t)} trades; buys {formats.money(buys, session.whatif.base_ccy)}, sells "
            f"{formats.money(sells, session.whatif.base_ccy)} (TRADES as `ladderdesk optimize --trades` writes them).")
    return headers, rows, note


def chart_images(window: MainWindow) -> dict[str, QImage]:
    """The chart tabs drawn at :data:`CHART_SIZE` as the window shows them (the open tab is kept)."""
    from desktop.views.layout import docks

    app = QApplication.instance()
    s = window.session
    current = window.tabs.currentWidget()
    state, size = window.saveState(), window.size()
    shown = [d for d in docks(window).values() if d.isVisible()]
    for dock in shown:  # the charts alone at CHART_SIZE: legible when scaled to the page width
        dock.hide()
    window.resize(*CHART_SIZE)
    images: dict[str, QImage] = {}
    for key, _title in CHART_VIEWS:
        view = window.views.get(key)
        if view is None:
            continue
        window.show_view(key)
        if key == "tradeoff":  # the sweeps run on the worker once the tab is shown: wait for them (≤ 30 s)
            deadline = time.perf_counter() + 30
            while (s.outcome is not None and s.outcome.face is not None and s.outcome.frontier is None
                   and time.perf_counter() < deadline and getattr(s, "_sweep_runner", None) is not None):
                app.processEvents()
                time.sleep(0.01)
        s.flush()
        for _ in range(4):
            app.processEvents()
        view.refresh()
        app.processEvents()
        images[key] = view.grab().toImage()
    window.tabs.setCurrentWidget(current)
    window.resize(size)
    window.restoreState(state)
    for dock in shown:
        dock.show()
    return images


def report_html(window: MainWindow, images: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    s = window.session
    out = s.outcome
    sections = ["Run card", "Summary"]
    parts = [f"<h1>LadderDesk committee pack: {html.escape(s.portfolio_name)}</h1>",
             f"<p class=note>Generated {datetime.now():%Y-%m-%d %H:%M}; figures on the what-if curves of the "
             f"settings below, amounts in {s.whatif.base_ccy}.</p>",
             run_card_html(s), summary_html(s)]
    for key, title in CHART_VIEWS:
        if key in images:
            parts.append(f"<div style='page-break-before: always'><h2>{html.escape(title)}</h2>"
                         f"<img src='{images[key]}' width='760'></div>")
            sections.append(title.split(":")[0])
    headers, rows = scenario_rows(s)
    parts.append("<div style='page-break-before: always'><h2>Scenarios: total P&amp;L "
                 f"({'hedged' if s.whatif.hedged else 'unhedged'}, {s.whatif.base_ccy})</h2>"
                 + _table(headers, rows) + "</div>")
    sections.append("Scenarios")
    binding = list(getattr(out, "binding", ()) or ())
    advice = getattr(out, "advice", "") if out is not None else ""
    lines = "".join(f"<li>{html.escape(b)}</li>" for b in binding) or "<li>none</li>"
    parts.append("<h2>Binding limits (what one step of each is worth)</h2>" + f"<ul>{lines}</ul>"
                 + (f"<p><b>{html.escape(advice)}</b></p>" if advice else ""))
    sections.append("Binding constraints")
    headers, rows, note = ticket_rows(s)
    parts.append("<div style='page-break-before: always'><h2>Ticket: trades to the optimised book</h2>"
                 + (_table(headers, rows, numeric_from=4) if rows else "") + f"<p>{html.escape(note)}</p></div>")
    sections.append("Ticket")
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>", tuple(sections)


def write_report(window: MainWindow, path: str | Path) -> Report:
    """Write the committee pack of the window's open book to ``path`` (A4 PDF); returns its pages."""
    path = Path(path)
    s = window.session
    s.flush()
    images = chart_images(window)
    doc = QTextDocument()
    names = {}
    for key, image in images.items():
        url = f"chart://{key}"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
        names[key] = url
    text, sections = report_html(window, names)
    doc.setHtml(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(part))
    writer.setTitle(f"LadderDesk committee pack: {s.portfolio_name}")
    writer.setCreator("LadderDesk")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(110)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    pages = doc.pageCount()
    doc.print_(writer)
    del writer  # the file is complete when the writer is gone
    part.replace(path)
    book = s.book_tables()
    return Report(path, pages, sections, 0 if book is None else len(book.trades))


def report_from_workspace(workspace: str | None, portfolio: str, out: str | Path, timeout_s: float = 120.0) -> Report:
    """``ladderdesk report``: open ``workspace`` offscreen, open the saved ``portfolio`` with its
    settings, optimise it (the real optimiser) and write the pack. DataError for an unknown name."""
    import os
    import tempfile

    from PySide6.QtCore import QSettings

    from desktop.errors import DataError

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(["ladderdesk-report"])
    from desktop.views.app_setup import build_window
    from desktop.views.session import load_workspace

    scratch = tempfile.mkdtemp(prefix="ladderdesk-report-")
    window = build_window(workspace, QSettings(f"{scratch}/settings.ini", QSettings.Format.IniFormat))
    try:
        window.files.restore_session = False
        s = window.session
        data = load_workspace(workspace)
        s.open_workspace()
        s.load_saved()
        s.set_data(data.snapshot, data.universe, data.engine)
        if portfolio not in s.portfolio_names():
            known = ", ".join(s.portfolio_names()) or "none saved"
            raise DataError(f"no saved portfolio {portfolio!r} (known: {known})", field="--portfolio")
        s.open_portfolio(portfolio)
        window.resize(1400, 900)
        window.show()
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            app.processEvents()
            if s.idle and s.outcome is not None and s.solved_job is not None:
                break
            time.sleep(0.01)
        return write_report(window, out)
    finally:
        window.session.undo_stack.setClean()
        window.close()
