"""The committee pack: File ▸ Export report… and `ladderdesk report` write a PDF; read back with
pypdf (pages, text, charts) and checked against the window's own exports."""

from __future__ import annotations

import csv
import unicodedata

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.views.test_menus import leaf_actions

pypdf = pytest.importorskip("pypdf")


def _text(path) -> tuple[int, str, int]:  # noqa: ANN001
    reader = pypdf.PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    images = sum(len(page.images) for page in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split()), images  # (ligatures: ﬁ → fi)


def test_export_report_from_the_menu(window, qtbot, monkeypatch, tmp_path):
    s = window.session
    window.controls.preset.setCurrentText("Shift from US rates")
    qtbot.waitUntil(lambda: s.idle and s.outcome is not None, timeout=10_000)
    assert window.files.save_named("Committee book")
    out = tmp_path / "pack.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    dict(leaf_actions(window.menuBar()))["File > Export report (PDF)…"].trigger()
    assert out.exists() and out.read_bytes()[:5] == b"%PDF-"
    assert "pages" in window.message_bar.text()
    pages, text, images = _text(out)
    assert pages >= 5 and images >= 3  # ladder, exposure and trade-off charts
    for words in ("LadderDesk committee pack: Committee book", "Run card", "Valuation date 2025-12-31",
                  "Shift from US rates", "Summary: current vs optimised", "Modified duration", "Optimiser objective",
                  "Ladder", "Exposure", "Trade-off", "Scenarios: total P&L", "US parallel +100 bp",
                  "2025-04 Liberation Day tariff shock", "Binding limits", "Ticket: trades to the optimised book"):
        assert words in text, words
    # the data sources with their dates, as the workspace has them
    for code, day in s.snapshot.curve_dates.items():
        assert f"{day:%Y-%m-%d}" in text and f"{code} curve" in text
    # the ticket is the window's TRADES export, line for line
    trades = window.files.export_trades(str(tmp_path / "trades.csv"))
    with open(trades, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and f"{len(rows)} trades" in text
    for row in rows[:5]:
        assert row["id"] in text
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


@pytest.mark.slow
def test_ladderdesk_report_from_the_command_line(window, qtbot, tmp_path, capsys):
    from desktop.cli import main as cli_main

    s = window.session
    window.controls.preset.setCurrentText("Shift from US rates")  # saved with the book's run card
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)
    window.files.save_named("CLI book")
    path = s.workspace_path
    window.close()
    qtbot.waitUntil(lambda: s.solver.active_threads() == 0, timeout=10_000)
    out = tmp_path / "cli.pdf"
    assert cli_main(["report", "--workspace", path, "--portfolio", "No such book", "--out", str(out)]) == 2
    assert not out.exists() and "No such book" in capsys.readouterr().err
    assert cli_main(["report", "--workspace", path, "--portfolio", "CLI book", "--out", str(out), "--json"]) == 0
    printed = capsys.readouterr().out
    pages, text, images = _text(out)
    assert f'"pages": {pages}' in printed and pages >= 5 and images >= 3
    assert "LadderDesk committee pack: CLI book" in text and "Solver: optimal" in text
    assert "Binding limits" in text and "binds" in text  # the real optimiser's binding limits
