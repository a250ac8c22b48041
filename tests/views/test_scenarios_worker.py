"""The Scenarios tab computes on the app's worker thread, latest request wins, and a failure shows
in the window's message bar."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop.controller import scenario_lab
from desktop.views import session as session_mod


@pytest.fixture
def scen_window(qtbot, loaded_data, settings, tmp_path, monkeypatch):
    from desktop.views.app_setup import build_window
    from tests.views.conftest import fake_solve

    threads: list[str] = []
    jobs: list[scenario_lab.ScenarioJob] = []

    def recording(job):
        threads.append(threading.current_thread().name)
        jobs.append(job)
        return scenario_lab.run_scenarios(job)

    monkeypatch.setattr(session_mod, "run_scenarios", recording)
    win = build_window(str(tmp_path / "ws.sqlite"), settings, solve_fn=fake_solve, scenarios_tab=True)
    qtbot.addWidget(win)
    s = win.session
    s.open_workspace()
    s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.resize(1400, 900)
    win.show()
    win.show_view("scenarios")
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=10_000)
    yield win, threads, jobs
    win.close()


def test_scenarios_run_off_the_gui_thread_and_latest_wins(scen_window, qtbot):
    win, threads, jobs = scen_window
    view = win.views["scenarios"]
    qtbot.waitUntil(lambda: view.result is not None and view.result.job.portfolios.keys() >= {"optimised"},
                    timeout=10_000)
    assert threads and all(t != threading.main_thread().name for t in threads)
    # the grid drawn is the one for the book on screen: P&L equals a direct computation
    direct = scenario_lab.run_scenarios(view.job())
    np.testing.assert_allclose(view.grid.table("current").to_numpy(), direct.grid.table("current").to_numpy())
    n = len(jobs)
    for row in (1, 2, 3, 4):  # a burst of selections: only the last one's result is drawn
        view.select_scenario(row)
    qtbot.waitUntil(lambda: view.result.job.selected == 4 and not win.session._scenario_runner.busy, timeout=10_000)
    assert len(jobs) > n
    assert view.result.job.selected == 4 and view.scenarios[4].name[:30] in view.bars_plot.getPlotItem().titleLabel.text


def test_a_failing_scenario_computation_shows_in_the_message_bar(scen_window, qtbot, monkeypatch):
    win, _threads, _jobs = scen_window

    def broken(job):
        raise ValueError("curve for AU missing")

    monkeypatch.setattr(win.session._scenario_runner, "_fn", broken)
    win.views["scenarios"].refresh()
    qtbot.waitUntil(lambda: win.message_bar.kind == "error", timeout=10_000)
    assert "Scenarios tab" in win.message_bar.text() and "curve for AU missing" in win.message_bar.text()
