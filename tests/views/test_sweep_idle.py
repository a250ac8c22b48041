"""The trade-off sweeps run on the worker only when no solve is waiting, for the latest optimum,
and on a coarser grid for large universes."""

from __future__ import annotations

import pytest

from desktop import controller as ctl


@pytest.fixture
def real_window(make_window):
    return make_window(ctl.solve)


def test_sweep_follows_the_latest_optimum_and_never_runs_ahead_of_a_solve(real_window, qtbot, monkeypatch):
    s = real_window.session
    order: list[str] = []
    solve, sweep = s.solver._fn, s._sweep_runner._fn
    monkeypatch.setattr(s.solver, "_fn", lambda job: (order.append("solve"), solve(job))[1])
    monkeypatch.setattr(s._sweep_runner, "_fn", lambda job: (order.append("sweep"), sweep(job))[1])
    real_window.show_view("tradeoff")
    qtbot.waitUntil(lambda: s.outcome.frontier is not None and s.idle, timeout=60_000)
    assert order[-1] == "sweep"
    order.clear()
    s.set_value("us_cap", 0.25)  # a move: the old frontier goes, the solve runs first, then a new sweep
    qtbot.waitUntil(lambda: s.idle and s.solved_job.whatif.us_cap == 0.25 and s.outcome.frontier is not None,
                    timeout=60_000)
    assert order[0] == "solve" and order[-1] == "sweep"
    caps = s.outcome.frontier[s.outcome.frontier["kind"] == "cap"]
    assert len(caps) >= len(ctl.SWEEP_LEVELS) - 3  # the fine grid (caps below the US minimum are infeasible)
    assert (caps["us_share"] <= caps["level"] + 1e-6).all()


def test_large_universes_sweep_on_a_coarser_grid():
    from desktop.controller.solving import LARGE_UNIVERSE, sweep_grids

    fine = sweep_grids(LARGE_UNIVERSE)
    coarse = sweep_grids(LARGE_UNIVERSE + 1)
    assert len(coarse[0]) < len(fine[0]) and len(coarse[1]) < len(fine[1])
    assert coarse[0][0] == 0.0 and coarse[0][-1] == 1.0  # still spans every US share
