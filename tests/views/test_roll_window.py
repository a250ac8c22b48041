"""Portfolio ▸ Roll ladder… in the window: matured bonds leave the book, the BUY ticket spends no
more than the book received, and Undo gives the book back."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd


def test_roll_ladder_from_the_menu(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    s = window.session
    before = np.array(s.face, dtype=float)
    u = s.universe
    to = date(s.snapshot.as_of.year + 2, 12, 31)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (to.isoformat(), True)))
    ticket = tmp_path / "roll.csv"
    actions = {a.text().replace("&", ""): a for a in window.menuBar().actions()}
    portfolio = actions["Portfolio"].menu()
    roll = next(a for a in portfolio.actions() if a.text().replace("&", "").startswith("Roll ladder"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(ticket), "CSV (*.csv)")))
    roll.trigger()
    assert window.message_bar.kind != "error", window.message_bar.text()
    trades = pd.read_csv(ticket)
    matured = (pd.to_datetime(u["maturity"]) <= pd.Timestamp(to)).to_numpy() & (before > 0)
    assert matured.any() and len(trades) > 0 and set(trades["side"]) == {"BUY"}
    after = np.array(s.face, dtype=float)
    assert np.all(after[matured] == 0)  # the matured bonds are gone from the book
    years = (pd.Timestamp(to) - pd.Timestamp(s.snapshot.as_of)).days / 365.25
    coupon = u["coupon_pct"].to_numpy(float) / 100.0
    for ccy, grp in trades.groupby("currency"):  # spends at most the principal + the coupons received
        mine = (u["currency"] == ccy).to_numpy()
        received = before[matured & mine].sum() + (before[mine] * coupon[mine]).sum() * (years + 0.5)
        assert grp["cash_local"].sum() <= received + 1e-6, ccy
    assert (trades["trade_date"] == to.isoformat()).all()
    s.undo_stack.undo()
    np.testing.assert_array_equal(np.array(s.face, dtype=float), before)
