"""View-test fixtures: real bundled data loaded once, temp workspace and settings, thread/timer guard."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QThreadPool, QTimer

from desktop import controller as ctl
from desktop.views import session as session_mod


@pytest.fixture(scope="session")
def loaded_data(tmp_path_factory) -> session_mod.Loaded:
    """The bundled workspace snapshot and universe (built once for the whole test run)."""
    ws = tmp_path_factory.mktemp("ws") / "workspace.sqlite"
    return session_mod.load_workspace(str(ws))


def fake_solve(job: ctl.SolveJob) -> ctl.SolveOutcome:
    """A deterministic stand-in solver (the runner/session mechanics are under test, not cvxpy):
    moves 10 % of the value into the longest held bond, tags the outcome with the request."""
    time.sleep(0.02)
    w = np.asarray(job.current_weights, float).copy()
    held = np.flatnonzero(w > 0)
    if held.size:
        w[held[-1]] *= 1.1
        w /= w.sum()
    face = ctl.face_from_values(job.universe, w * job.market_value_base, job.fx)
    return ctl.SolveOutcome(status=f"optimal us_cap={job.whatif.us_cap:.4f}", solve_time_s=0.02, face=face, weights=w,
                            expected_return_pct=4.0, current_expected_return_pct=3.9)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, loaded_data, settings, tmp_path):
    """The main window on the real bundled data (loaded synchronously), with the fake solver."""
    from desktop.views.app_setup import build_window

    # the scenario engineer's tab is tested by its own tests; keep these independent of it
    win = build_window(str(tmp_path / "ws.sqlite"), settings, solve_fn=fake_solve, scenarios_tab=False)
    qtbot.addWidget(win)
    session = win.session
    session.open_workspace()
    session.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: session.outcome is not None and session.idle, timeout=10_000)
    # The solve usually lands within the chart throttle's interval of the first redraw: draw its
    # trailing edge now rather than in the middle of the test (a qtmodeltester still connected to
    # the holdings model would see that refresh's dataChanged against the proxy's row count).
    session.flush()
    yield win
    win.close()
    assert session.solver.active_threads() == 0
    assert session.idle


class UnsavedPrompts:
    """Answers the window's Save / Discard / Cancel prompt (a modal dialog would block an offscreen
    run) and records what the user was asked before (``asked``: "quitting", "opening …")."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.answer = QMessageBox.StandardButton.Discard
        self.asked: list[str] = []

    def __call__(self, _parent, _name: str, doing: str):  # noqa: ANN001, ANN204
        self.asked.append(doing)
        return self.answer


@pytest.fixture(autouse=True)
def unsaved_prompts(monkeypatch) -> UnsavedPrompts:
    import desktop.views.menus as menus

    prompts = UnsavedPrompts()
    prompts.real = menus.ask_unsaved  # the module's own prompt (for the test of its buttons)
    monkeypatch.setattr("desktop.views.menus.ask_unsaved", prompts)
    return prompts


@pytest.fixture
def make_window(qtbot, loaded_data, settings, tmp_path):
    """``make_window(solve_fn, scenarios_tab=False, preset="Shift from US rates")``: the main window on
    the bundled data with a fresh workspace, shown, after its first solve; closed at teardown."""
    from desktop.views.app_setup import build_window

    made = []

    def make(solve_fn, scenarios_tab: bool = False, preset: str | None = "Shift from US rates",
             timeout: int = 60_000):
        win = build_window(str(tmp_path / f"ws{len(made)}.sqlite"), settings, solve_fn=solve_fn,
                           scenarios_tab=scenarios_tab)
        qtbot.addWidget(win)
        s = win.session
        s.open_workspace()
        s.set_start_preset(preset)
        s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
        win.show()
        qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=timeout)
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()
        qtbot.waitUntil(lambda win=win: win.session.solver.active_threads() == 0, timeout=10_000)


@pytest.fixture(autouse=True)
def _no_threads_or_timers_left(qapp):
    """Fail a test that leaves a pool thread running or one of our timers active."""
    yield
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    leftovers = [t for t in qapp.findChildren(QTimer) if t.isActive()]
    assert not leftovers, f"active timers left: {leftovers}"


__all__ = ["fake_solve", "replace"]
