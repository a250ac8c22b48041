"""The valuation date in the window: visible in the status bar, offered for a move after an import of
newer data (MoF JGB curves to 2026-06-30, the real file), moved with the held book kept, and every
input dated on or before it (older ones flagged)."""

from __future__ import annotations

from datetime import date

import numpy as np

from desktop import controller as ctl
from tests.support.paths import FIXTURES_RAW


def test_import_of_newer_data_offers_to_move_the_valuation_date_and_the_book_stays(qtbot, loaded_data, settings,
                                                                                  tmp_path):
    from desktop.store import Workspace
    from desktop.views.app_setup import build_window

    ws = tmp_path / "ws.sqlite"
    Workspace.open(ws).close()
    win = build_window(str(ws), settings, solve_fn=ctl.solve, scenarios_tab=False)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_start_preset("Shift from US rates")
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.show()
    control = win.files.valuation
    control.refresh()
    assert control.label.text().startswith("Valued 2025-12-31") and control.isVisible()
    held = ctl.holdings_of(s.universe, s.face)
    win.files.start_import(str(FIXTURES_RAW / "jp" / "jgbcm_all.csv"))
    qtbot.waitUntil(lambda: win.message_bar.action.isVisible(), timeout=60_000)
    assert "Move to 2026-06-30" in win.message_bar.action.text()
    qtbot.waitUntil(lambda: s.idle and s.snapshot.as_of == date(2025, 12, 31), timeout=60_000)
    win.message_bar.action.click()
    qtbot.waitUntil(lambda: s.idle and s.snapshot is not None and s.snapshot.as_of == date(2026, 6, 30),
                    timeout=60_000)
    snap = s.snapshot
    assert snap.curve_dates["JP"] == date(2026, 6, 30) and snap.curve_dates["US"] == date(2025, 12, 31)
    assert all(d <= snap.as_of for d in [*snap.curve_dates.values(), *snap.fx_dates.values(),
                                         *snap.short_rate_dates.values()])
    control.refresh()
    tip = control.label.toolTip()
    assert "Valuation date 2026-06-30" in tip and "US curve 2025-12-31  ⚠" in tip and "JP curve 2026-06-30\n" in tip
    assert control.label.text() == "Valued 2026-06-30 ⚠"
    # the held book is kept (bonds matured by then are left out and listed by the session)
    kept = ctl.holdings_of(s.universe, s.face).set_index(["market", "id"])["face"]
    before = held.set_index(["market", "id"])["face"]
    live = before.index.intersection(kept.index)
    assert len(live) >= len(before) - 5 and np.allclose(kept.loc[live], before.loc[live])
    with Workspace.open(ws, readonly=True) as w:
        assert w.as_of == date(2026, 6, 30)
    win.close()
