"""Why the answer is what it is: binding constraints with shadow prices, and infeasibility advice.

Shadow prices come from the duals of the compiled problem (objective in % over the horizon) and
are quoted in bp of risk-adjusted expected return per PM-sized step of the setting: +1 pt of US
cap / market limit / max weight / rung tolerance / turnover limit, +0.1 y of duration, +0.1 pt of
tracking error.

Infeasible requests are re-solved as an elastic problem (problem.py, slacks on every relaxable
constraint). Each relaxable setting is tried alone (its slack cheap, every other slack 10⁴ times
dearer): when that restores feasibility, the required value is the smallest relaxation of that
setting. If no single setting suffices, the joint relaxation is reported.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from desktop.markets import MARKET_CODES
from desktop.optim.errors import Infeasible, Relaxation
from desktop.optim.problem import SLACK_GROUPS
from desktop.optim.settings import OptimSettings
from desktop.optim.solution import Binding

if TYPE_CHECKING:
    from desktop.optim.solve import Optimiser

MIN_SHADOW_BP = 0.01  # quieter than this is not worth a line


def _dual(con) -> np.ndarray:
    v = con.dual_value
    return np.zeros(1) if v is None else np.abs(np.atleast_1d(np.asarray(v, float)))


def binding(opt: Optimiser, settings: OptimSettings, values: dict) -> tuple[Binding, ...]:
    """Binding constraints, largest shadow price first (bp of objective per step)."""
    c = opt.problem.cons
    dur = float(opt.problem.D @ opt.problem.w.value)
    out: list[Binding] = []

    def add(name: str, bp: float, step: str, text: str) -> None:
        if bp >= MIN_SHADOW_BP:
            out.append(Binding(name, bp, step, text.format(bp=bp) + " of risk-adjusted return"))

    add("duration_max", _dual(c["duration_max"]).sum() * 0.1 * 100, "+0.1 y",
        f"duration ceiling {values['d_hi']:.2f} y binds: +0.1 y adds {{bp:.2f}} bp")
    add("duration_min", _dual(c["duration_min"]).sum() * 0.1 * 100, "−0.1 y",
        f"duration floor {values['d_lo']:.2f} y binds: −0.1 y adds {{bp:.2f}} bp")
    add("us_cap", _dual(c["us_cap"]).sum() * dur * 0.01 * 100, "+1 pt",
        f"US cap {settings.us_cap:.0%} of duration binds: +1 pt of cap adds {{bp:.2f}} bp")
    for i, code in enumerate(MARKET_CODES):
        if code not in settings.market_max and code not in settings.market_min:
            continue
        add(f"market_max:{code}", _dual(c["market_max"])[i] * 1.0, "+1 pt",
            f"{code} maximum {values['m_hi'][i]:.0%} binds: +1 pt adds {{bp:.2f}} bp")
        add(f"market_min:{code}", _dual(c["market_min"])[i] * 1.0, "−1 pt",
            f"{code} minimum {values['m_lo'][i]:.0%} binds: −1 pt adds {{bp:.2f}} bp")
    add("max_weight", float(_dual(c["max_weight"]) @ values["allowed"]), "+1 pt",
        f"max {settings.max_weight:.0%} per bond binds: +1 pt adds {{bp:.2f}} bp")
    if settings.ladder_on:
        on = (np.asarray(values["r_hi"]) < 1e2).astype(float)  # rungs of the ladder (others are moot)
        add("rung_tolerance", float((_dual(c["rung_min"]) + _dual(c["rung_max"])) @ on), "+1 pt",
            f"rung tolerance ±{settings.rung_tolerance:.0%} binds: +1 pt adds {{bp:.2f}} bp")
    if settings.turnover_max is not None and "turnover_max" in c:
        add("turnover_max", _dual(c["turnover_max"]).sum(), "+1 pt",
            f"turnover limit {settings.turnover_max:.0%} binds: +1 pt adds {{bp:.2f}} bp")
    if settings.te_max_pct is not None:
        add("te_max", _dual(c["te_max"]).sum() * 0.001 * 100, "+0.1 pt",
            f"tracking-error limit {settings.te_max_pct:.1f}% binds: +0.1 pt adds {{bp:.2f}} bp")
    return tuple(sorted(out, key=lambda b: -b.shadow_bp))


def _active_groups(settings: OptimSettings, values: dict) -> list[str]:
    groups = ["duration"]
    if settings.us_cap < 1.0:
        groups.append("us_cap")
    if any(v > 0 for v in settings.market_min.values()):
        groups.append("market_min")
    if any(v < 1 for v in settings.market_max.values()):
        groups.append("market_max")
    if settings.ladder_on:
        groups.append("rung_tolerance")
    if settings.max_weight < 1.0:
        groups.append("max_weight")
    if values["turnover_max"] < 1e2:
        groups.append("turnover_max")
    if values["te_max"] < 1e2:
        groups.append("te_max")
    return groups


def _up(x: float, step: float) -> float:
    return math.ceil(x / step - 1e-9) * step


def _down(x: float, step: float) -> float:
    return math.floor(x / step + 1e-9) * step


def _relaxations(opt: Optimiser, settings: OptimSettings, values: dict, groups: list[str],
                 alone: bool, option: int = 0) -> list[Relaxation]:
    """Read the required setting values off the elastic solution."""
    el = opt.elastic
    s = {g: np.atleast_1d(np.asarray(el.s[g].value, float)) for g in SLACK_GROUPS}
    w = np.asarray(el.w.value, float)
    out: list[Relaxation] = []
    tol = 1e-6
    t, b = settings.target_duration, settings.duration_band
    if "duration" in groups and s["duration"].max() > tol:
        if s["duration"][0] > tol:  # must go below the floor
            new = _down(t - s["duration"][0], 0.01)
            band = _up(b + s["duration"][0], 0.01)
            text = f"lower the duration target to {new:.2f} y (or widen the band to ±{band:.2f} y)"
        else:
            new = _up(t + s["duration"][1], 0.01)
            band = _up(b + s["duration"][1], 0.01)
            text = f"raise the duration target to {new:.2f} y (or widen the band to ±{band:.2f} y)"
        out.append(Relaxation("duration", t, new, "years", alone, text))
    if "us_cap" in groups and s["us_cap"].max() > tol:
        us = float((el.D * (opt.universe["market"].to_numpy() == "US")) @ w) / max(float(el.D @ w), 1e-9)
        new = _up(us, 0.001)
        out.append(Relaxation("us_cap", settings.us_cap, new, "fraction of duration", alone,
                              f"raise the US cap to {new:.1%}"))
    for group, verb in (("market_min", "lower"), ("market_max", "raise")):
        if group in groups:
            for i, code in enumerate(MARKET_CODES):
                if s[group][i] > tol:
                    cur = float(values["m_lo" if group == "market_min" else "m_hi"][i])
                    new = _down(cur - s[group][i], 0.001) if verb == "lower" else _up(cur + s[group][i], 0.001)
                    word = "minimum" if group == "market_min" else "maximum"
                    out.append(Relaxation(f"{group}:{code}", cur, new, "fraction of market value", alone,
                                          f"{verb} the {code} {word} to {new:.1%}"))
    simple = (("rung_tolerance", settings.rung_tolerance or 0.0, "widen the rung tolerance to ±{:.1%}"),
              ("max_weight", settings.max_weight, "raise the max weight per bond to {:.1%}"),
              ("turnover_max", settings.turnover_max or 0.0, "raise the turnover limit to {:.1%}"))
    for group, cur, fmt in simple:
        if group in groups and s[group].max() > tol:
            new = _up(cur + s[group].max(), 0.001)
            out.append(Relaxation(group, cur, new, "fraction of market value", alone, fmt.format(new)))
    if "te_max" in groups and s["te_max"].max() > tol:
        new = _up((settings.te_max_pct or 0.0) + 100 * s["te_max"].max(), 0.01)
        out.append(Relaxation("te_max", settings.te_max_pct or 0.0, new, "% a year", alone,
                              f"raise the tracking-error limit to {new:.2f}%"))
    return [replace(r, option=option) for r in out]


def _solve_elastic(opt: Optimiser, values: dict, cheap: list[str]) -> bool:
    from desktop.optim.solve import OK, assign, run_solvers

    el = opt.elastic
    assign(el, values)
    scale = {g: 1.0 for g in SLACK_GROUPS}
    scale["us_cap"] = 1.0 / max(float(values["d_hi"]), 1.0)  # duration-years → fraction
    scale["duration"] = 0.1  # a year of duration ≈ 10 pts of weight
    el.penalty.value = np.array([scale[g] * (1.0 if g in cheap else 1e4) for g in SLACK_GROUPS])
    status, _, _ = run_solvers(el.problem)
    return status in OK


def _context(settings: OptimSettings) -> str:
    parts = []
    if settings.us_cap < 1.0:
        parts.append(f"a {settings.us_cap:.0%} US cap")
    if settings.ladder_on:
        parts.append(f"rungs {settings.rungs[0]}–{settings.rungs[1]} y at ±{settings.rung_tolerance:.0%} per rung")
    if settings.max_weight < 1.0:
        parts.append(f"max {settings.max_weight:.0%} per bond")
    for code, v in settings.market_min.items():
        if v > 0:
            parts.append(f"{code} ≥ {v:.0%}")
    for code, v in settings.market_max.items():
        if v < 1:
            parts.append(f"{code} ≤ {v:.0%}")
    if settings.turnover_max is not None:
        parts.append(f"turnover ≤ {settings.turnover_max:.0%}")
    if settings.te_max_pct is not None:
        parts.append(f"tracking error ≤ {settings.te_max_pct:.1f}%")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")


def diagnose(opt: Optimiser, settings: OptimSettings, values: dict) -> Infeasible:
    """An :class:`Infeasible` naming the smallest relaxation(s) that restore feasibility."""
    groups = _active_groups(settings, values)
    options: list[list[Relaxation]] = []
    for g in groups:
        if _solve_elastic(opt, values, [g]):
            found = _relaxations(opt, settings, values, groups, alone=True, option=len(options))
            if found and all(r.constraint.split(":")[0] == g for r in found):
                options.append(found)
    head = f"target {settings.target_duration:.2f} ± {settings.duration_band:.2f} y is out of reach"
    ctx = _context(settings)
    head += f" with {ctx}" if ctx else ""
    if options:
        text = " or ".join(" and ".join(r.text for r in opt_) for opt_ in options)
        return Infeasible(f"{head}: {text}.", tuple(r for opt_ in options for r in opt_))
    if _solve_elastic(opt, values, groups):
        joint = _relaxations(opt, settings, values, groups, alone=False)
        if joint:
            return Infeasible(f"{head}; no single setting fixes it — relax together: "
                              + " and ".join(r.text for r in joint) + ".", tuple(joint))
    rungs = f"rungs {settings.rungs[0]}–{settings.rungs[1]} y" if settings.ladder_on else "the universe"
    return Infeasible(f"no allocation is possible: {rungs} offers no eligible bond (check the rung range, "
                      "the allowed bonds and the market limits)")
