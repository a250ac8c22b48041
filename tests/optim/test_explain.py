"""Infeasible requests name the smallest relaxation, and applying it restores feasibility."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.errors import LadderDeskError
from desktop.optim.errors import Infeasible
from desktop.optim.settings import OptimSettings


def apply_option(s: OptimSettings, relaxations, option: int) -> OptimSettings:
    for r in relaxations:
        if r.option == option:
            s = apply(s, r)
    return s


def apply(s: OptimSettings, relaxation) -> OptimSettings:
    name, req = relaxation.constraint, relaxation.required
    if name == "duration":
        return replace(s, target_duration=req)
    if name.startswith("market_min:"):
        return replace(s, market_min={**s.market_min, name.split(":")[1]: req})
    if name.startswith("market_max:"):
        return replace(s, market_max={**s.market_max, name.split(":")[1]: req})
    return replace(s, **{name if name != "te_max" else "te_max_pct": req})


def test_long_target_with_tight_cap_names_the_relaxation(optimiser):
    s = OptimSettings(target_duration=9.0, duration_band=0.25, us_cap=0.2, rung_tolerance=0.10)
    with pytest.raises(Infeasible) as info:
        optimiser.solve(s)
    exc = info.value
    assert isinstance(exc, LadderDeskError)
    msg = str(exc)
    assert msg.startswith("target 9.00 ± 0.25 y is out of reach with a 20% US cap")
    assert "infeasible" not in msg.lower()
    names = [r.constraint for r in exc.relaxations]
    assert "duration" in names
    for r in exc.relaxations:
        assert r.alone and r.text in msg
        fixed = optimiser.solve(apply(s, r))
        assert fixed.status in ("optimal", "optimal_inaccurate")


def test_us_cap_alone_can_be_the_fix(optimiser):
    """Only UK and US allowed, UK max 10 %: the US must carry the duration, so the cap must rise."""
    allowed = optimiser.universe["market"].isin(["US", "UK"]).to_numpy()
    s = OptimSettings(us_cap=0.3, market_max={"UK": 0.1}, rung_tolerance=None, max_weight=1.0,
                      target_duration=6.0)
    with pytest.raises(Infeasible) as info:
        optimiser.solve(s, allowed=allowed)
    rel = {r.constraint: r for r in info.value.relaxations}
    assert "us_cap" in rel and "market_max:UK" in rel
    assert rel["us_cap"].required > 0.3
    assert "raise the US cap to" in str(info.value)
    optimiser.solve(apply(s, rel["us_cap"]), allowed=allowed)
    optimiser.solve(apply(s, rel["market_max:UK"]), allowed=allowed)


def test_market_minimums_summing_above_one(optimiser):
    s = OptimSettings(market_min={"JP": 0.6, "AU": 0.6}, rung_tolerance=None)
    with pytest.raises(Infeasible) as info:
        optimiser.solve(s)
    rel = info.value.relaxations
    assert any(r.constraint.startswith("market_min:") for r in rel)
    for option in {r.option for r in rel}:
        optimiser.solve(apply_option(s, rel, option))


def test_binding_constraints_are_reported_in_pm_units(optimiser):
    sol = optimiser.solve(OptimSettings(market_max={"JP": 0.1}, rung_tolerance=None))
    texts = [b.text for b in sol.binding]
    assert any(t.startswith("JP maximum 10% binds: +1 pt adds") for t in texts), texts
    assert all(b.shadow_bp > 0 for b in sol.binding)
