"""Trade-off sweeps on the compiled optimiser (desktop.controller.solving)."""

from __future__ import annotations

import numpy as np

from desktop import controller as ctl


def test_tradeoff_sweep_never_beats_the_optimum_within_the_pms_limits(universe, snap):
    """Sweep points that meet the PM's own US cap cannot dominate the optimal portfolio (a sweep
    point that did would be relaxing another limit, e.g. a US floor below the preset's minimum)."""
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.solve import Optimiser

    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    face = ctl.build_ladder(universe, list(snap.curves), range(1, 11), 100e6, fx).face
    values = ctl.market_values_base(universe, face, fx)
    w0 = values / values.sum()
    settings = ctl.optim_settings(ctl.whatif_from_preset("Shift from US rates", ctl.WhatIf()))
    opt = Optimiser(OptimInputs.from_snapshot(snap, universe))
    best = opt.solve(settings, current_weights=w0)
    sweep = ctl.tradeoff_sweep(opt, settings, w0, None)
    assert set(sweep["kind"]) == {"cap", "floor", "risk_aversion"}
    assert sweep.loc[sweep["kind"] == "floor", "level"].min() > settings.market_min["US"]
    inside = sweep[sweep["kind"].isin(["cap", "floor"]) & (sweep["us_share"] <= settings.us_cap + 1e-9)]
    dominating = inside[(inside["expected_return_pct"] > best.expected_return_pct + 1e-4)
                        & (inside["risk_pct"] < best.risk_pct - 1e-4)]
    assert dominating.empty, dominating


def _session_with(qtbot, snap, universe):
    from desktop.views.session import Session

    s = Session(solve_fn=ctl.solve)
    s.set_data(snap, universe)
    # the bundled real bonds alone cannot meet Neutral's benchmark-relative limits (US ≥ 67 % with no
    # real US bond on rungs 1, 4, 6, 8, 9): this test is about the cache, so curve-implied bonds are in
    s.set_value("allow_generic", True)
    qtbot.waitUntil(lambda: s.outcome is not None and s.idle, timeout=60_000)
    return s


def test_two_sessions_with_two_universes_never_share_a_compiled_problem(qtbot, snap, universe):
    """The compiled-optimiser cache is keyed on content: a second session on another universe
    (here: no Australian bonds) gets its own problem; alternating re-solves stay correct and equal a
    fresh compile of the same job (the old per-session counter key gave 'matmul: dimension mismatch')."""
    from desktop.controller import solving

    solving._OPTIMISERS.clear()
    full = universe.reset_index(drop=True)
    no_jp = universe[universe["market"] != "AU"].reset_index(drop=True)
    a, b = _session_with(qtbot, snap, full), _session_with(qtbot, snap, no_jp)
    try:
        assert a.outcome.status.startswith("optimal") and b.outcome.status.startswith("optimal")
        assert len(solving._OPTIMISERS) == 2
        assert ctl.problem_key(full, snap) != ctl.problem_key(no_jp, snap)
        for s in (a, b, a):  # alternate: each re-solve finds its own compiled problem
            s.set_value("risk_aversion", s.whatif.risk_aversion + 1.0)
            want = s.whatif.risk_aversion
            qtbot.waitUntil(lambda s=s, want=want: s.idle and s.outcome is not None
                            and s.solved_job.whatif.risk_aversion == want, timeout=60_000)
            assert s.outcome.status.startswith("optimal")
        for s in (a, b):
            job = s.solve_job()
            cached = ctl.solve(job).weights
            solving._OPTIMISERS.clear()
            fresh = ctl.solve(job).weights
            assert np.allclose(cached, fresh, atol=1e-6), np.abs(cached - fresh).max()  # solver tolerance
        assert b.outcome.weights.shape == (len(no_jp),)
    finally:
        a.shutdown()
        b.shutdown()


def test_cache_is_bounded_and_reuses_identical_content(snap, universe):
    from desktop.controller import solving

    solving._OPTIMISERS.clear()
    u = universe.reset_index(drop=True)
    parts = [u, u[u["market"] != "JP"].reset_index(drop=True), u[u["market"] != "AU"].reset_index(drop=True)]
    for v in parts:
        ctl.solve(ctl.solve_job(snap, v, np.zeros(len(v))))
    assert len(solving._OPTIMISERS) == solving.CACHE_SIZE
    assert ctl.problem_key(u, snap) not in solving._OPTIMISERS  # least recently used went first
    key = ctl.problem_key(parts[2], snap)
    compiled = solving._OPTIMISERS[key]
    ctl.solve(ctl.solve_job(snap, parts[2].copy(deep=True), np.zeros(len(parts[2]))))  # same content
    assert solving._OPTIMISERS[key] is compiled and len(solving._OPTIMISERS) == solving.CACHE_SIZE


def test_us_cap_sweep_is_a_frontier(universe, snap):
    """Along the cap sweep the US share never exceeds its cap and expected return never falls as the
    cap loosens (each point keeps every other limit); risk falls with more risk aversion."""
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.settings import CurveView, OptimSettings
    from desktop.optim.solve import Optimiser

    settings = OptimSettings(views={"US": CurveView(parallel_bp=-60)})
    opt = Optimiser(OptimInputs.from_snapshot(snap, universe))
    sweep = ctl.tradeoff_sweep(opt, settings, np.zeros(len(universe)), None)
    caps = sweep[sweep["kind"] == "cap"].sort_values("level")
    assert len(caps) >= 8
    assert (caps["us_share"] <= caps["level"] + 1e-6).all()
    assert (np.diff(caps["expected_return_pct"].to_numpy()) >= -1e-6).all()
    lam = sweep[sweep["kind"] == "risk_aversion"].sort_values("level")
    assert (np.diff(lam["risk_pct"].to_numpy()) <= 1e-6).all()
