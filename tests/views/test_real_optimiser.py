"""The window with the real cvxpy optimiser: a first solve lands; infeasible → advice in the panel."""

from __future__ import annotations

import pytest

from desktop import controller as ctl


@pytest.fixture
def real_window(qtbot, loaded_data, settings, tmp_path):
    from desktop.views.app_setup import build_window

    win = build_window(str(tmp_path / "ws.sqlite"), settings, solve_fn=ctl.solve, scenarios_tab=False)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_start_preset("Shift from US rates")
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.show()
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=60_000)
    yield win
    win.close()


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
