"""Trade-off sweeps on the compiled optimiser (desktop.controller.solving)."""

from __future__ import annotations

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
