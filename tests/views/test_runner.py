"""The single solve worker: debounced, newest request wins, stale results never reach the UI."""

from __future__ import annotations

import time

from desktop import controller as ctl
from desktop.views.runner import SolveRunner
from desktop.views.session import Session


def _slow_echo(job: float) -> float:
    time.sleep(0.12)  # longer than the debounce: new requests arrive while this one runs
    return job


def test_rapid_requests_never_deliver_a_stale_result(qtbot):
    runner = SolveRunner(_slow_echo, debounce_ms=20)
    got: list[float] = []
    runner.finished.connect(lambda value, _s: got.append(value))  # noqa: B023 - test-local list
    try:
        for i in range(12):  # a request every 40 ms: some start, then are superseded while running
            runner.request(float(i))
            qtbot.wait(40)
        qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
        assert got == [11.0]
        assert runner.dropped >= 1  # results of solves that were overtaken were thrown away
        assert runner.generation == runner.delivered + runner.dropped + runner.superseded
    finally:
        runner.shutdown()
    assert runner.active_threads() == 0


def slow_solve(job: ctl.SolveJob) -> ctl.SolveOutcome:
    time.sleep(0.1)
    return ctl.SolveOutcome(status=f"cap={job.whatif.us_cap:.2f}", solve_time_s=0.1)


def test_session_shows_only_the_solution_for_the_current_settings(qtbot, loaded_data):
    s = Session(solve_fn=slow_solve)
    seen: list[tuple[str, float]] = []
    s.solutionChanged.connect(lambda out: seen.append((out.status, s.whatif.us_cap)))  # noqa: B023
    try:
        s.set_data(loaded_data.snapshot, loaded_data.universe, loaded_data.engine)
        qtbot.waitUntil(lambda: s.idle, timeout=10_000)
        for cap in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4):
            s.set_value("us_cap", cap)
            qtbot.wait(70)  # past the 50 ms debounce: solves start and get overtaken
        qtbot.waitUntil(lambda: s.idle, timeout=10_000)
        assert seen[-1] == ("cap=0.40", 0.4)
        assert all(status == f"cap={cap:.2f}" for status, cap in seen)  # never a stale one
        assert s.solver.dropped >= 1
    finally:
        s.shutdown()
