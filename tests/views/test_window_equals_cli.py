"""The window and `ladderdesk optimize`, given the same workspace, holdings file and settings,
write identical ALLOC and TRADES files (one controller path behind both)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl
from desktop.cli import main


@pytest.fixture
def holdings_file(loaded_data, tmp_path):
    u = loaded_data.universe
    real = u[~u["is_generic"].astype(bool)]
    pick = real.groupby("market").head(3)
    book = pd.DataFrame({"market": pick["market"], "id": pick["id"],
                         "face": np.where(pick["market"] == "JP", 300_000_000.0, 4_000_000.0)})
    path = tmp_path / "holdings.csv"
    book.to_csv(path, index=False)
    return path


def test_window_and_cli_write_the_same_alloc_and_trades(qtbot, loaded_data, settings, tmp_path, holdings_file,
                                                        capsys):
    from desktop.store import Workspace
    from desktop.views.app_setup import build_window

    ws = tmp_path / "ws.sqlite"
    Workspace.open(ws).close()
    cli_alloc, cli_trades = tmp_path / "cli_alloc.csv", tmp_path / "cli_trades.csv"
    assert main(["optimize", "--workspace", str(ws), "--preset", "Shift from US rates", "--current",
                 str(holdings_file), "--out", str(cli_alloc), "--trades", str(cli_trades)]) == 0
    capsys.readouterr()

    win = build_window(str(ws), settings, solve_fn=ctl.solve, scenarios_tab=False)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_start_preset("Shift from US rates")
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.show()
    assert win.files.import_holdings(str(holdings_file))  # File ▸ Import holdings…
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle and s.outcome.solution is not None
                    and np.array_equal(s.solved_job.current_face, s.face), timeout=60_000)
    win_alloc = win.files.export_allocations(str(tmp_path / "win_alloc.csv"))
    win_trades = win.files.export_trades(str(tmp_path / "win_trades.csv"))
    a_cli, a_win = pd.read_csv(cli_alloc), pd.read_csv(win_alloc)
    t_cli, t_win = pd.read_csv(cli_trades), pd.read_csv(win_trades)
    assert len(a_cli) > 10 and len(t_cli) > 5
    pd.testing.assert_frame_equal(a_win, a_cli, rtol=1e-9)
    pd.testing.assert_frame_equal(t_win, t_cli, rtol=1e-9)
    win.close()
