"""The window's real book: File ▸ Import prices… puts the quotes in the universe (the Summary's book is
valued at them), File ▸ Import holdings… reads a custodian layout, and Export ▸ Ticket (CSV and XLSX)
writes the same TRADES and HEDGES as ``ladderdesk optimize --trades --hedges`` on that workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop import controller as ctl
from desktop.cli import main
from desktop.identifiers import isin_of


def test_window_imports_prices_and_a_custodian_file_and_exports_the_cli_s_ticket(qtbot, loaded_data, settings,
                                                                                  tmp_path, capsys):
    from desktop.store import Workspace
    from desktop.views.app_setup import build_window

    ws = tmp_path / "ws.sqlite"
    Workspace.open(ws).close()
    u = loaded_data.universe
    real = u[~u["is_generic"].astype(bool) & (u["price_source"] != "extrapolated") & (u["years_to_maturity"] > 1.5)]
    pick = real.groupby("market").head(2)
    holdings = tmp_path / "custodian.txt"  # tab separated, ISIN where the data has one, "Par Value"
    rows = ["Account\tISIN\tPar Value\tCurrency"]
    rows += [f"CUST-1\t{isin_of(m, i) or i}\t{300_000_000 if m == 'JP' else 4_000_000}\t{c}"
             for m, i, c in zip(pick["market"], pick["id"], pick["currency"], strict=True)]
    holdings.write_text("\n".join(rows) + "\n")
    prices = tmp_path / "prices.csv"
    quoted = pick.groupby("market").head(1)
    pd.DataFrame({"market": quoted["market"], "id": quoted["id"], "clean_price": quoted["clean_price"] - 0.8,
                  "date": "2025-12-31"}).to_csv(prices, index=False)

    win = build_window(str(ws), settings, solve_fn=ctl.solve, scenarios_tab=False)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_start_preset("Shift from US rates")
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.show()
    win.files.start_import(str(prices))  # dropped / File ▸ Import…: a price file goes to the price import
    assert win.message_bar.kind != "error", win.message_bar.label.text()
    qtbot.waitUntil(lambda: s.idle and (s.universe["price_source"] == "quote").sum() == len(quoted), timeout=60_000)
    assert win.files.import_holdings(str(holdings))  # File ▸ Import holdings…
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle and s.outcome.solution is not None
                    and np.array_equal(s.solved_job.current_face, s.face), timeout=60_000)
    got = s.universe.set_index("id").loc[quoted["id"]]
    np.testing.assert_allclose(got["clean_price"], quoted["clean_price"] - 0.8, atol=1e-12)
    win_t = win.files.export_ticket(str(tmp_path / "win_trades.csv"))
    win_x = win.files.export_ticket_xlsx(str(tmp_path / "win_trades.xlsx"))
    assert win_t and win_x
    cli_t, cli_h = tmp_path / "cli_trades.csv", tmp_path / "cli_hedges.csv"
    assert main(["optimize", "--workspace", str(ws), "--preset", "Shift from US rates", "--current", str(holdings),
                 "--trades", str(cli_t), "--hedges", str(cli_h)]) == 0
    capsys.readouterr()
    t_win, t_cli = pd.read_csv(win_t), pd.read_csv(cli_t)
    assert len(t_cli) > 5
    pd.testing.assert_frame_equal(t_win, t_cli, rtol=1e-9)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "win_trades_HEDGES.csv"), pd.read_csv(cli_h), rtol=1e-9)
    from openpyxl import load_workbook

    wb = load_workbook(win_x)
    assert wb.sheetnames == ["TRADES", "HEDGES", "Run card"] and wb["TRADES"].max_row == len(t_cli) + 1
    win.close()
