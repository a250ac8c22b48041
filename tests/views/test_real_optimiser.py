"""The window with the real cvxpy optimiser: a first solve lands; infeasible → advice in the panel."""

from __future__ import annotations

import pytest

from desktop import controller as ctl


@pytest.fixture
def real_window(make_window):
    return make_window(ctl.solve)


def test_real_solve_and_infeasible_advice(real_window, qtbot):
    s = real_window.session
    assert s.outcome.status.startswith("optimal")
    assert s.optimised is not None and s.optimised.us_duration_share <= 0.30 + 1e-3
    assert "optimal" in real_window.status.text()
    # an impossible request: 12-year duration on a 1–10 y ladder with no US
    real_window.controls.bound["target_duration"].widget.spin.setValue(12.0)
    real_window.controls.bound["us_cap"].widget.spin.setValue(0.0)
    qtbot.waitUntil(lambda: s.outcome.status == "infeasible" and s.idle, timeout=30_000)
    advice = real_window.summary.advice
    assert advice.isVisible() and "Infeasible" in advice.text() and "duration" in advice.text()
    assert s.optimised is None  # no stale optimised figures shown next to the advice
    real_window.controls.bound["target_duration"].widget.spin.setValue(6.0)
    real_window.controls.bound["us_cap"].widget.spin.setValue(30.0)
    qtbot.waitUntil(lambda: s.outcome.status.startswith("optimal") and s.idle, timeout=30_000)
    assert not advice.isVisible()


def test_tradeoff_sweep_when_tab_shown(real_window, qtbot):
    s = real_window.session
    real_window.show_view("tradeoff")
    qtbot.waitUntil(lambda: s.outcome.frontier is not None and s.idle, timeout=60_000)
    f = s.outcome.frontier
    us = f[f["kind"].isin(["cap", "floor"])]
    assert len(us) >= 5 and us["us_share"].max() - us["us_share"].min() > 0.2
    x, _y = real_window.tradeoff.curve.getData()
    assert x is not None and len(x) == len(us)
    # the risk-aversion sweep traces an efficient frontier: more risk buys more expected return
    lam = f[f["kind"] == "risk_aversion"].sort_values("level")
    assert len(lam) >= 5
    assert (lam["risk_pct"].diff().dropna() <= 1e-6).all()
    assert (lam["expected_return_pct"].diff().dropna() <= 1e-6).all()
    rx, ry = real_window.tradeoff.lam_curve.getData()
    assert rx is not None and len(rx) == len(lam)
    bx, _by = real_window.tradeoff.best_risk.getData()
    assert len(bx) == 1 and bx[0] == pytest.approx(s.outcome.risk_pct)


def test_summary_objective_expected_return_turnover_and_trades(real_window, qtbot, tmp_path):
    """The Summary's objective rows against figures worked out here: the terms add up to the expected
    return (Σ weight × the bond's return), turnover = Σ|w − w₀| of the two books, the trade count =
    the rows of the exported TRADES file."""
    import csv

    import numpy as np

    from desktop.views.summary import OBJECTIVE_ROWS

    win, s = real_window, real_window.session
    out, job = s.outcome, s.solved_job
    table = win.summary.objective
    row = {key: r for r, (key, _l, _u) in enumerate(OBJECTIVE_ROWS)}

    def shown(key: str, col: int = 1) -> float:
        return float(table.item(row[key], col).text().split()[0].replace(",", ""))

    assert shown("expected_return_pct") == pytest.approx(out.expected_return_pct, abs=0.006)
    parts = sum(shown(k) for k in ("carry_pct", "rolldown_pct", "view_pct", "convexity_pct"))
    assert parts == pytest.approx(shown("expected_return_pct"), abs=0.021)  # 4 rounded terms
    assert shown("expected_return_pct", 0) == pytest.approx(out.current_expected_return_pct, abs=0.006)
    objective = shown("expected_return_pct") - shown("risk_penalty_pct") - shown("turnover_cost_pct")
    assert shown("objective_pct") == pytest.approx(objective, abs=0.016)
    w, w0 = np.asarray(out.weights, float), np.asarray(job.current_weights, float)
    assert shown("turnover_pct") == pytest.approx(np.abs(w - w0).sum() * 100.0, abs=0.006)
    assert shown("tracking_error_pct") > 0
    path = win.files.export_trades(str(tmp_path / "trades.csv"))
    with open(path, newline="", encoding="utf-8") as fh:
        n_trades = sum(1 for _ in csv.DictReader(fh))
    assert shown("trades") == n_trades > 0


def test_optimised_weights_are_shown_as_the_limit_binds_them(real_window, qtbot):
    """'max 10 % per bond binds' and the holdings table never shows 10.07 %: the Opt weight column is
    the optimiser's weight (before faces are rounded to denominations and repriced)."""
    from desktop.views.holdings_view import COLUMNS

    win, s = real_window, real_window.session
    assert any("max 10% per bond" in b for b in s.outcome.binding), s.outcome.binding
    win.show_view("holdings")
    s.flush()
    view = win.holdings
    col = [c.key for c in COLUMNS].index("opt_weight_pct")
    shown = [view.model.text(r, col) for r in range(view.model.rowCount())]
    weights = [float(t) for t in shown if t]
    assert max(weights) == pytest.approx(10.0, abs=0.005) and all(w <= 10.0 for w in weights)
