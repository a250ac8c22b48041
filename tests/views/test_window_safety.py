"""The window keeps the workspace safe: an export aimed at the workspace file is refused and the
file is untouched; a curve that would replace a stored one is refused until the PM presses
"Replace the stored curve"; Edit ▸ Undo last import gives the data back exactly."""

from __future__ import annotations

import hashlib

import numpy as np


def _digest(path) -> str:  # noqa: ANN001
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_export_onto_the_workspace_is_refused(window):
    s = window.session
    ws = s.workspace.path
    s.workspace.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _digest(ws)
    for export in (window.files.export_holdings, window.files.export_allocations, window.files.export_xlsx):
        assert export(str(ws)) == ""
        assert window.message_bar.kind == "error" and "workspace" in window.message_bar.text()
    for sidecar in (f"{ws}-wal", f"{ws}-shm"):
        assert window.files.export_trades(sidecar) == ""
    assert _digest(ws) == before


def test_replace_a_stored_curve_only_when_asked_and_undo_it(window, qtbot, tmp_path):
    s = window.session
    original = s.snapshot.curves["US"]
    old_yields = np.asarray(original.input_yields_pct, float).copy()
    tenors = ["1 Mo", "2 Mo", "3 Mo", "6 Mo", "1 Yr", "2 Yr", "3 Yr", "5 Yr", "7 Yr", "10 Yr", "20 Yr", "30 Yr"]
    bumped = [3.80, 3.78, 3.75, 3.65, 3.55, 3.55, 3.62, 3.80, 4.00, 4.25, 4.85, 4.90]  # not the stored curve
    f = tmp_path / "us.csv"
    f.write_text("Date," + ",".join(f'"{t}"' for t in tenors) + "\n12/31/2025," + ",".join(map(str, bumped)) + "\n")
    window.files.start_import(str(f))
    bar = window.message_bar
    qtbot.waitUntil(lambda: bar.kind == "error", timeout=20_000)
    assert "replace" in bar.text().lower() and bar.action.isVisible()
    np.testing.assert_array_equal(s.snapshot.curves["US"].input_yields_pct, old_yields)  # nothing changed
    bar.action.click()  # "Replace the stored curve"
    qtbot.waitUntil(lambda: s.is_loaded and s.idle and s.snapshot.curves["US"] is not original
                    and bar.kind != "error", timeout=30_000)
    new = s.snapshot.curves["US"]
    assert np.isclose(new.par_yield_pct(10.0), 4.25, atol=1e-6)
    assert window.files.undo_import()  # Edit ▸ Undo last import
    qtbot.waitUntil(lambda: s.is_loaded and s.idle and np.isclose(s.snapshot.curves["US"].par_yield_pct(10.0),
                                                                    original.par_yield_pct(10.0)), timeout=30_000)
    np.testing.assert_allclose(s.snapshot.curves["US"].input_yields_pct, old_yields, rtol=0, atol=1e-12)
