"""Why the answer is what it is: binding constraints with shadow prices, and infeasibility advice.

Binding constraints are reported per PM-sized step of the setting (+1 pt of US cap / market limit /
max weight / rung tolerance / turnover limit, ±0.1 y of duration, +0.1 pt of tracking error), in bp
of risk-adjusted expected return (the objective, % over the horizon):

* **the stated gain** is exact: the compiled problem is re-solved with that one limit moved by the
  step (parameter values only, no recompilation) and the change of the optimum is reported. The
  value of a limit is not linear in it (a tight 3 % US cap is worth 390 bp per pt at the margin but
  +1 pt gains 11.7 bp), so the dual alone would overstate the step;
* **the marginal rate** is the dual of the constraint × the step (the value of an infinitesimal move,
  scaled to the step) and is quoted beside it as "marginal";
* **degenerate ties**: where several limits bind together (e.g. four market bounds pin every market
  weight with Σw = 1), a limit can carry a non-zero dual while moving it alone gains nothing; such a
  limit is reported with a gain of 0, named as tied with the limits it binds together with.

Sweeps (``Optimiser.solve(..., diagnose=False)``: trade-off curves) skip the re-solves and report the
marginal rate as a linear estimate (``values["explain_steps"]`` False).

Infeasible requests are re-solved as an elastic problem (problem.py, slacks on every relaxable
constraint). Each relaxable setting is tried alone (its slack cheap, every other slack 10⁴ times
dearer): when that restores feasibility, the required value is the smallest relaxation of that
setting. If no single setting suffices, the joint relaxation is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.markets import MARKET_CODES
from desktop.optim.errors import Infeasible, Relaxation
from desktop.optim.problem import SLACK_GROUPS
from desktop.optim.settings import OptimSettings
from desktop.optim.solution import Binding

if TYPE_CHECKING:
    from desktop.optim.solve import Optimiser

MIN_SHADOW_BP = 0.01  # quieter than this is not worth a line (and a re-solved gain below it is "nothing")
TIE_SHARE = 0.25  # a limit whose step gains < MIN_SHADOW_BP and < this share of its marginal rate is a tie

Values = dict[str, Any]


def _dual(prob, name: str) -> np.ndarray:
    v = prob.dual(name)
    return np.zeros(1) if v is None else np.abs(np.atleast_1d(np.asarray(v, float)))


@dataclass(frozen=True)
class _Limit:
    """One relaxable limit of the solved problem: its marginal value and how to move it by the step."""

    name: str  # Binding.constraint, e.g. "us_cap", "market_max:UK"
    family: str  # limits of one family can tie with each other (market bounds with Σw = 1)
    label: str  # "US cap 3% of duration"
    step: str  # "+1 pt"
    step_words: str  # "+1 pt of cap"
    unit: str  # "pt" / "0.1 y" / "0.1 pt": the marginal rate is quoted per this size of move
    marginal_bp: float  # dual × step, bp
    move: Callable[[Values], Values]  # parameter values with this limit moved by the step


def _moved(values: Values, key: str, fn: Callable[[Any], Any]) -> Values:
    out = dict(values)
    old = values[key]
    out[key] = fn(np.array(old, dtype=float, copy=True) if np.ndim(old) else float(old))
    return out


def _set(arr: np.ndarray, i: int, value: float) -> np.ndarray:
    arr[i] = value
    return arr


def _limits(opt: Optimiser, settings: OptimSettings, values: Values) -> list[_Limit]:
    prob = opt.problem
    dur = float(prob.D @ prob.weights())
    out = [
        _Limit("duration_max", "duration", f"duration ceiling {values['d_hi']:.2f} y", "+0.1 y", "+0.1 y", "0.1 y",
               _dual(prob, "duration_max").sum() * 0.1 * 100, lambda v: _moved(v, "d_hi", lambda x: x + 0.1)),
        _Limit("duration_min", "duration", f"duration floor {values['d_lo']:.2f} y", "−0.1 y", "−0.1 y", "0.1 y",
               _dual(prob, "duration_min").sum() * 0.1 * 100, lambda v: _moved(v, "d_lo", lambda x: x - 0.1)),
        _Limit("us_cap", "us_cap", f"US cap {settings.us_cap:.0%} of duration", "+1 pt", "+1 pt of cap", "pt",
               _dual(prob, "us_cap").sum() * dur * 0.01 * 100, lambda v: _moved(v, "us_cap", lambda x: x + 0.01)),
    ]
    hi, lo = _dual(prob, "market_max"), _dual(prob, "market_min")
    for i, code in enumerate(MARKET_CODES):
        if code not in settings.market_max and code not in settings.market_min:
            continue
        out.append(_Limit(
            f"market_max:{code}", "market", f"{code} maximum {values['m_hi'][i]:.0%}", "+1 pt", "+1 pt", "pt",
            hi[i] * 1.0, lambda v, i=i: _moved(v, "m_hi", lambda a, i=i: _set(a, i, a[i] + 0.01))))
        out.append(_Limit(
            f"market_min:{code}", "market", f"{code} minimum {values['m_lo'][i]:.0%}", "−1 pt", "−1 pt", "pt",
            lo[i] * 1.0, lambda v, i=i: _moved(v, "m_lo", lambda a, i=i: _set(a, i, max(a[i] - 0.01, 0.0)))))
    allowed = np.asarray(values["allowed"], float)

    def more_weight(v: Values) -> Values:  # ub = max_weight × allowed (either parameterisation)
        v = _moved(v, "ub", lambda a: a + 0.01 * allowed)
        return _moved(v, "max_weight", lambda x: x + 0.01) if "max_weight" in v else v

    out.append(_Limit("max_weight", "max_weight", f"max {settings.max_weight:.0%} per bond", "+1 pt", "+1 pt", "pt",
                      float(_dual(prob, "max_weight") @ allowed), more_weight))
    if settings.ladder_on:
        on = np.asarray(values["r_hi"]) < 1e2  # rungs of the ladder (others are moot)

        def widen(v: Values) -> Values:
            v = _moved(v, "r_lo", lambda a: np.where(on, np.maximum(a - 0.01, 0.0), a))
            return _moved(v, "r_hi", lambda a: np.where(on, a + 0.01, a))

        out.append(_Limit("rung_tolerance", "rung", f"rung tolerance ±{settings.rung_tolerance:.0%}", "+1 pt",
                          "+1 pt", "pt", float((_dual(prob, "rung_min") + _dual(prob, "rung_max")) @ on.astype(float)),
                          widen))
    if settings.turnover_max is not None and "turnover_max" in prob.cons:
        out.append(_Limit("turnover_max", "turnover", f"turnover limit {settings.turnover_max:.0%}", "+1 pt",
                          "+1 pt", "pt", _dual(prob, "turnover_max").sum(),
                          lambda v: _moved(v, "turnover_max", lambda x: x + 0.01)))
    if settings.te_max_pct is not None:
        out.append(_Limit("te_max", "te", f"tracking-error limit {settings.te_max_pct:.1f}%", "+0.1 pt", "+0.1 pt",
                          "0.1 pt", _dual(prob, "te_max").sum() * 0.001 * 100,
                          lambda v: _moved(v, "te_max", lambda x: x + 0.001)))
    return out


def step_gains_bp(opt: Optimiser, values: Values, limits: list[_Limit]) -> dict[str, float | None]:
    """Change of the optimum (bp of objective) when each limit alone is moved by its step: the
    compiled problem of the last solve re-solved with new parameter values (None if a re-solve
    fails). The parameters are put back afterwards; the problem's variables then hold the last
    re-solve's values (the caller has read its solution already)."""
    from desktop.optim.solve import OK, assign, solve_compiled

    prob = opt.problem
    base = prob.objective_value()
    gains: dict[str, float | None] = {}
    try:
        for lim in limits:
            assign(prob, lim.move(values))
            status, _, _ = solve_compiled(prob)
            gains[lim.name] = (prob.objective_value() - base) * 100.0 if status in OK else None
    finally:
        assign(prob, values)
    return gains


def binding(opt: Optimiser, settings: OptimSettings, values: Values) -> tuple[Binding, ...]:
    """Binding constraints, largest gain for the stated step first (module doc).

    ``Binding.shadow_bp`` is the re-solved gain for the step (bp of risk-adjusted return; 0 for a
    degenerate tie), or the marginal rate × step when ``values["explain_steps"]`` is False.
    """
    limits = [lim for lim in _limits(opt, settings, values) if lim.marginal_bp >= MIN_SHADOW_BP]
    if not limits:
        return ()
    exact = bool(values.get("explain_steps", True))
    gains = step_gains_bp(opt, values, limits) if exact else {}
    out: list[Binding] = []
    for lim in limits:
        marginal = f"marginal {lim.marginal_bp:.2f} bp per {lim.unit}"
        gain = gains.get(lim.name)
        if not exact or gain is None:
            why = "" if not exact else "; the re-solve failed"
            out.append(Binding(lim.name, lim.marginal_bp, lim.step,
                               f"{lim.label} binds: {lim.step_words} adds about {lim.marginal_bp:.2f} bp of "
                               f"risk-adjusted return (the marginal rate, a linear estimate{why})"))
            continue
        gain = max(gain, 0.0)  # a relaxed limit cannot lower the optimum: below 0 is solver noise
        if gain >= MIN_SHADOW_BP:
            out.append(Binding(lim.name, gain, lim.step,
                               f"{lim.label} binds: {lim.step_words} adds {gain:.2f} bp of risk-adjusted return "
                               f"({marginal} at the limit)"))
            continue
        if gain >= TIE_SHARE * lim.marginal_bp:  # simply worth little: not a tie, not worth a line
            continue
        tied = [o.label for o in limits if o.name != lim.name and (o.family == lim.family or lim.family != "market")]
        with_ = f" together with {_join(tied)}" if tied else ""
        out.append(Binding(lim.name, 0.0, lim.step,
                           f"{lim.label} binds{with_} (a degenerate tie): {lim.step_words} alone adds nothing "
                           f"(0.00 bp of risk-adjusted return; its {marginal} is not available alone)"))
    return tuple(sorted(out, key=lambda b: -b.shadow_bp))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
