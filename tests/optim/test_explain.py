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


# --------------------------------------------------------------------------- binding constraints
def moved_by_step(s: OptimSettings, constraint: str) -> OptimSettings:
    """The PM's settings with one limit moved by the step the binding text states."""
    if constraint == "duration_max":  # ceiling +0.1 y, floor unchanged
        return replace(s, target_duration=s.target_duration + 0.05, duration_band=s.duration_band + 0.05)
    if constraint == "duration_min":
        return replace(s, target_duration=s.target_duration - 0.05, duration_band=s.duration_band + 0.05)
    if constraint.startswith("market_max:"):
        code = constraint.split(":")[1]
        return replace(s, market_max={**s.market_max, code: s.market_max[code] + 0.01})
    if constraint.startswith("market_min:"):
        code = constraint.split(":")[1]
        return replace(s, market_min={**s.market_min, code: max(s.market_min[code] - 0.01, 0.0)})
    if constraint == "te_max":
        return replace(s, te_max_pct=s.te_max_pct + 0.1)
    return replace(s, **{constraint: getattr(s, constraint) + 0.01})


def resolved_gain_bp(optimiser, s: OptimSettings, constraint: str) -> float:
    """bp of risk-adjusted return gained by moving the limit, from two solves through the public API."""
    base = optimiser.solve(s).objective_pct
    return (optimiser.solve(moved_by_step(s, constraint)).objective_pct - base) * 100.0


def by_name(sol) -> dict:
    return {b.constraint: b for b in sol.binding}


def test_stated_gain_is_the_gain_of_re_solving_with_the_limit_moved(optimiser):
    from desktop.optim.presets import neutral, shift_from_us

    cases = [shift_from_us(), replace(shift_from_us(), us_cap=0.03),
             OptimSettings(market_max={"JP": 0.1}, rung_tolerance=None),
             OptimSettings(target_duration=4.0, duration_band=0.1, te_max_pct=2.5),
             OptimSettings(target_duration=8.0, duration_band=0.1, rung_tolerance=None), neutral()]
    checked = set()
    for s in cases:
        sol = optimiser.solve(s)
        assert sol.binding
        for b in sol.binding:
            want = resolved_gain_bp(optimiser, s, b.constraint)
            assert abs(b.shadow_bp - max(want, 0.0)) < 0.02, (b.text, want)
            assert f"{b.shadow_bp:.2f} bp" in b.text
            checked.add(b.constraint.split(":")[0])
    assert {"us_cap", "market_max", "market_min", "max_weight", "rung_tolerance", "duration_max", "te_max"} <= checked


def test_tight_us_cap_reports_the_real_step_not_the_dual(optimiser):
    """3 % US cap with a 15 % US minimum: the dual is ~390 bp per pt but one more point of cap buys
    ~11.7 bp; the text says what +1 pt gains and keeps the dual as the marginal rate."""
    from desktop.optim.presets import shift_from_us

    s = replace(shift_from_us(), us_cap=0.03)
    cap = by_name(optimiser.solve(s))["us_cap"]
    want = resolved_gain_bp(optimiser, s, "us_cap")
    assert 5.0 < want < 20.0
    assert abs(cap.shadow_bp - want) < 0.02
    assert cap.text.startswith(f"US cap 3% of duration binds: +1 pt of cap adds {cap.shadow_bp:.2f} bp")
    marginal = float(cap.text.split("(marginal ")[1].split(" bp")[0])
    assert marginal > 10 * cap.shadow_bp  # the dual overstates the step many times over


def test_neutral_market_bounds_tie_and_the_ties_are_named(optimiser):
    """Neutral: every market weight sits on a bound (Σw = 1), so one of the four bounds is redundant:
    UK min and AU max carry small duals but moving either alone changes nothing."""
    from desktop.optim.presets import neutral

    s = neutral()
    found = by_name(optimiser.solve(s))
    market = [n for n in found if n.startswith("market_")]
    assert len(market) == 4
    ties = [found[n] for n in market if "degenerate tie" in found[n].text]
    assert ties
    for b in ties:
        assert b.shadow_bp == 0.0
        assert abs(resolved_gain_bp(optimiser, s, b.constraint)) < 0.01
        assert "alone adds nothing" in b.text
        others = [found[n].text.split(" binds")[0] for n in market if n != b.constraint]
        assert all(o in b.text for o in others), (b.text, others)
        assert float(b.text.split("marginal ")[1].split(" bp")[0]) >= 0.01  # the dual is not zero
    real = [found[n] for n in market if found[n] not in ties]
    assert real and all(b.shadow_bp > 0.1 for b in real)


def test_sweeps_skip_the_re_solves_and_say_the_figure_is_linear(optimiser):
    """solve(diagnose=False) (trade-off sweeps) reports the marginal rate × step, labelled as such."""
    from desktop.optim.presets import shift_from_us

    s = replace(shift_from_us(), us_cap=0.03)
    quick = by_name(optimiser.solve(s, diagnose=False))["us_cap"]
    exact = by_name(optimiser.solve(s))["us_cap"]
    assert "a linear estimate" in quick.text and "about" in quick.text
    assert quick.shadow_bp > 10 * exact.shadow_bp  # the linear figure: the dual × 1 pt
    assert f"marginal {quick.shadow_bp:.2f} bp per pt" in exact.text
