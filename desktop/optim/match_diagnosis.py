"""Why a match cannot be made, or costs more than it should, in the PM's words.

* A need no allowed bond can reach (no flow on or before its date) is named, with the markets left
  out whose bonds pay in time (:func:`coverage_gaps`): ``the 2026-01-25 need cannot be met: the
  first flow of the allowed bonds is on 2026-01-31; allow UK; move the need later``.
* Limits that clash: for each limit group alone, the smallest change that makes the match feasible,
  by bisection of the LP to 0.1 point (:func:`relaxations`, cheapest first; limits as fractions 0–1).
* A need after the last flow of the allowed bonds is not infeasible (cash is carried to it at the
  reinvestment rate) but is warned about, with the left-out markets whose bonds mature later
  (:func:`tail_warnings`).

All read a :class:`desktop.optim.match_lp.MatchProblem`; the texts become
:class:`desktop.optim.errors.Infeasible` / warnings in :func:`desktop.optim.matching.match_liabilities`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from desktop.markets import MARKET_CODES
from desktop.optim.errors import Relaxation
from desktop.optim.match_lp import MatchProblem
from desktop.optim.match_settings import MatchSettings


def coverage_gaps(mp: MatchProblem) -> list[str]:
    """Needs no allowed bond can reach (no flow on or before the date); the PM's words."""
    problems = []
    first_flow = mp.flow_date.min() if len(mp.flow_date) else None
    for d, amount in zip(mp.dates, mp.need, strict=True):
        if amount <= 0 or (first_flow is not None and first_flow <= d):
            continue
        others = _other_markets_text(mp, before=d)
        when = f"the first flow of the allowed bonds is on {first_flow}" if first_flow is not None else \
            "no bond is allowed"
        problems.append(f"the {d} need cannot be met: {when}{others}; move the need later")
    return problems


def _left_out_markets(mp: MatchProblem) -> list[tuple[str, pd.DataFrame]]:
    """(market, its eligible bonds) for every market the settings leave out."""
    u = mp.universe
    eligible = mp.settings.allow_generic | ~u["is_generic"].astype(bool)
    return [(code, u[(u["market"] == code) & eligible]) for code in MARKET_CODES
            if code not in mp.settings.markets]


def _other_markets_text(mp: MatchProblem, before: np.datetime64) -> str:
    """'; allow UK' for markets left out with a bond paying on or before ``before``."""
    out = []
    for code, mine in _left_out_markets(mp):
        if len(mine) and (pd.to_datetime(mine["next_coupon"]).min().to_datetime64() <= before):
            out.append(f"allow {code}")
    return ("; " + " or ".join(out)) if out else ""


def _longer_markets_text(mp: MatchProblem, after: np.datetime64) -> str:
    """'; allow UK (bonds to 2073-10-22)' for markets left out with bonds maturing after ``after``."""
    out = []
    for code, mine in _left_out_markets(mp):
        last = pd.to_datetime(mine["maturity"]).max() if len(mine) else None
        if last is not None and last.to_datetime64() > after:
            out.append(f"allow {code} (bonds to {last:%Y-%m-%d})")
    return ("; " + " or ".join(out)) if out else ""


def relaxations(mp: MatchProblem, s: MatchSettings) -> list[Relaxation]:
    """For each limit group, alone: the smallest change that makes the match feasible
    (bisection to 0.1 point), cheapest first; empty when no single group helps."""
    out: list[Relaxation] = []
    trials: list[tuple[str, float, float, Any]] = []
    if "US" in s.markets and s.us_cap < 1.0:
        trials.append(("us_cap", s.us_cap, 1.0, lambda v: replace(s, us_cap=v)))
    if s.max_weight < 1.0:
        trials.append(("max_weight", s.max_weight, 1.0, lambda v: replace(s, max_weight=v)))
    for code, lo in s.market_min.items():
        if lo > 0:
            trials.append((f"market_min:{code}", lo, 0.0,
                           lambda v, c=code: replace(s, market_min={**s.market_min, c: v})))
    for code, hi in s.market_max.items():
        if hi < 1:
            trials.append((f"market_max:{code}", hi, 1.0,
                           lambda v, c=code: replace(s, market_max={**s.market_max, c: v})))
    words = {"us_cap": "raise the US share of duration cap", "max_weight": "raise the per-bond maximum",
             "market_min": "lower {c}'s minimum weight", "market_max": "raise {c}'s maximum weight"}
    for option, (name, now, end, make) in enumerate(trials):
        if mp.solve_lp(make(end), with_gains=False) is None:
            continue
        lo, hi = now, end  # lo infeasible, hi feasible
        for _ in range(12):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if mp.solve_lp(make(mid), with_gains=False) is not None else (mid, hi)
        need = float(np.ceil(hi * 1000) / 1000) if end > now else float(np.floor(hi * 1000) / 1000)
        kind, _, code = name.partition(":")
        text = f"{words[kind].format(c=code)} from {now:.1%} to {need:.1%}"
        out.append(Relaxation(name, now, need, "fraction", True, text, option))
    return sorted(out, key=lambda r: abs(r.required - r.current))


def tail_warnings(mp: MatchProblem) -> Sequence[str]:
    """One warning per need after the last flow of the allowed bonds (funded by carried cash)."""
    last = mp.flow_date.max()
    for d in mp.dates[mp.dates > last]:
        yrs = (d - last).astype(float) / 365.0
        yield (f"the {d} need falls after the last flow of the allowed bonds ({last}): it is funded by cash "
               f"carried {yrs:.1f} years at {mp.settings.reinvest_rate_pct:.2f} %{_longer_markets_text(mp, last)}"
               " or move the need")
