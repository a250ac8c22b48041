"""The holdings table shows each bond's price source, price date and spread to its curve after a
price import, and "Include curve-implied bonds" in the what-if panel is what lets the optimiser buy
generic bonds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl


def test_imported_quotes_show_source_date_and_spread(qtbot, loaded_data, make_window, tmp_path):
    from tests.views.conftest import fake_solve

    u = loaded_data.universe
    gilt = u[(u["market"] == "UK") & (u["price_source"] == "model") & (u["years_to_maturity"].between(4, 7))].iloc[0]
    prices = tmp_path / "prices.csv"
    pd.DataFrame({"market": ["UK"], "id": [gilt["id"]], "clean_price": [gilt["clean_price"] + 1.0],
                  "date": ["2025-12-31"]}).to_csv(prices, index=False)
    win = make_window(fake_solve, preset="Neutral")  # no views: today's prices
    s = win.session
    assert win.files.import_prices(str(prices))  # File ▸ Import prices…
    qtbot.waitUntil(lambda: s.idle and (s.universe["price_source"] == "quote").sum() == 1, timeout=60_000)
    s.flush()
    from desktop.views.holdings_view import holdings_frame

    table = holdings_frame(s).set_index("id")  # the table's rows (the view may filter some out)
    row = table.loc[gilt["id"]]
    assert row["price_source"] == "quote" and pd.Timestamp(row["price_date"]) == pd.Timestamp("2025-12-31")
    assert row["clean_price"] == pytest.approx(gilt["clean_price"] + 1.0, abs=1e-9)
    # first-order independent check: 1 point of price on the dirty price at the model duration
    expected_bp = -1.0 / gilt["dirty_price"] / gilt["mod_duration"] * 1e4
    assert row["spread_bp"] == pytest.approx(expected_bp, rel=0.03)
    others = table.drop(index=gilt["id"])
    assert (others["price_source"].isin(["model", "extrapolated"])).all() and others["spread_bp"].isna().all()
    from PySide6.QtCore import Qt

    header = [win.holdings.model.headerData(c, Qt.Orientation.Horizontal) for c in range(win.holdings.model.columnCount())]
    assert {"Source", "Price date", "Spread bp"} <= set(header)
    win.close()


def test_include_curve_implied_bonds_is_the_what_if_switch(qtbot, make_window):
    win = make_window(ctl.solve)
    s = win.session
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle and s.outcome.weights is not None, timeout=60_000)
    generic = s.universe["is_generic"].to_numpy(bool)
    assert not win.controls.allow_generic.isChecked()
    assert np.all(s.outcome.weights[generic] < 1e-6)  # real bonds only by default
    win.controls.allow_generic.setChecked(True)
    qtbot.waitUntil(lambda: s.idle and s.solved_job is not None and s.solved_job.whatif.allow_generic, timeout=60_000)
    assert s.whatif.allow_generic and s.solved_job.allowed is None or s.solved_job.allowed[generic].any()
    win.controls.allow_generic.setChecked(False)
    qtbot.waitUntil(lambda: s.idle and not s.solved_job.whatif.allow_generic, timeout=60_000)
    assert np.all(s.outcome.weights[generic] < 1e-6)
    win.close()


def test_a_price_typed_in_the_holdings_table_becomes_a_quote_and_undo_removes_it(qtbot, make_window):
    from PySide6.QtCore import Qt

    from desktop.views.holdings_view import COLUMNS
    from tests.views.conftest import fake_solve

    win = make_window(fake_solve, preset="Neutral")
    s = win.session
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=20_000)
    u = s.universe
    row = int(np.flatnonzero(((u["market"] == "US") & (u["price_source"] == "model")).to_numpy())[0])
    bond = u["id"].iat[row]
    model_price = float(u["clean_price"].iat[row])
    col = [c.key for c in COLUMNS].index("clean_price")
    m = win.holdings.model
    assert m.flags(m.index(row, col)) & Qt.ItemFlag.ItemIsEditable
    assert m.setData(m.index(row, col), f"{model_price - 0.5:.4f}", Qt.ItemDataRole.EditRole)  # the PM types it
    qtbot.waitUntil(lambda: s.is_loaded and s.idle and (s.universe["price_source"] == "quote").any(), timeout=30_000)
    got = s.universe.set_index("id").loc[bond]
    assert got["price_source"] == "quote" and got["clean_price"] == pytest.approx(model_price - 0.5, abs=5e-5)
    assert got["spread_bp"] > 0  # cheaper price → higher yield than the curve's
    s.undo_stack.undo()
    qtbot.waitUntil(lambda: s.is_loaded and s.idle and not (s.universe["price_source"] == "quote").any(),
                    timeout=30_000)
    assert s.universe.set_index("id").loc[bond, "clean_price"] == pytest.approx(model_price, abs=1e-9)
    win.close()
