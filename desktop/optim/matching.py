"""Cash-flow matching: the cheapest portfolio of real bonds whose hedged flows fund dated needs.

:func:`match_liabilities` is the whole match: the LP (:mod:`desktop.optim.match_lp`, the model and
its binding limits), its faces rounded to denominations with top-ups
(:mod:`desktop.optim.match_rounding`), an infeasible request explained
(:mod:`desktop.optim.match_diagnosis`), and the result tables of :class:`MatchResult`. What a match
is asked for: :class:`desktop.optim.match_settings.MatchSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from desktop.optim.errors import Infeasible, Relaxation
from desktop.optim.match_diagnosis import coverage_gaps, relaxations, tail_warnings
from desktop.optim.match_lp import MatchProblem
from desktop.optim.match_rounding import coverage, round_and_top_up
from desktop.optim.match_settings import MatchSettings
from desktop.optim.solution import Binding

HEDGE_COLUMNS = ["currency", "value_date", "amount_local", "spot", "forward_rate", "amount_base"]


@dataclass(frozen=True, eq=False)
class MatchResult:
    """A funded schedule. Tables (all amounts base ccy unless ``_local``):

    ``alloc``: market, id, name, currency, coupon_pct, maturity, face (local, rounded), lp_face,
    clean_price, accrued, dirty_price (per 100 local), spot_fx, cost_base, cost_weight, mod_duration,
    is_generic — one row per bond held. ``flows``: date, need, funded, surplus, carried_in, one
    column per market (cash received in the period, hedged, grown to the date), marginal_cost.
    ``hedges``: currency, value_date, amount_local (foreign received and sold forward: positive = sell),
    spot, forward_rate (base per unit), amount_base.
    ``rounding``: date, need, funded_lp, funded_rounded, change, topped_up. ``top_ups``: market, id,
    extra_face, extra_cost_base.
    """

    alloc: pd.DataFrame
    flows: pd.DataFrame
    hedges: pd.DataFrame
    rounding: pd.DataFrame
    top_ups: pd.DataFrame
    face: np.ndarray  # rounded face per universe row (local ccy; 0 = not held)
    cost_base: float  # today's cost of the rounded faces
    lp_cost_base: float  # the LP's optimum (before rounding)
    after_last_need_base: float  # hedged flows paid after the last need (fund nothing)
    binding: tuple[Binding, ...]
    warnings: tuple[str, ...]
    status: str
    solver: str
    solve_time_s: float
    settings: MatchSettings


def _solve(mp: MatchProblem, settings: MatchSettings | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Optimal face per candidate bond (local ccy, unrounded) and solve details; raises
    :class:`Infeasible` (with the smallest relaxation) or :class:`SolverFailed`."""
    s = settings or mp.settings
    gaps = coverage_gaps(mp)
    if gaps:
        raise Infeasible("; ".join(gaps), tuple(
            Relaxation("need_date", 0.0, 0.0, "date", True, text) for text in gaps))
    out = mp.solve_lp(s)
    if out is None:
        relax = relaxations(mp, s)
        text = relax[0].text if relax else "no combination of the allowed bonds meets the limits"
        raise Infeasible(f"the needs cannot be funded within the limits: {text}", tuple(relax))
    return out


def _hedges(mp: MatchProblem, face: np.ndarray) -> pd.DataFrame:
    held = face[mp.flow_bond] > 0
    foreign = mp.currency[mp.flow_bond] != mp.settings.base_ccy
    m = held & foreign
    local = mp.flow_amount[m] / 100.0 * face[mp.flow_bond][m]
    spot = mp.spot[mp.flow_bond][m]
    t = pd.DataFrame({"currency": mp.currency[mp.flow_bond][m], "value_date": mp.flow_date[m].astype(str),
                      "amount_local": local, "spot": spot, "forward_rate": mp.flow_fx[m],
                      "amount_base": local * mp.flow_fx[m]})
    if t.empty:
        return pd.DataFrame(columns=HEDGE_COLUMNS)
    g = t.groupby(["currency", "value_date"], as_index=False).agg(
        amount_local=("amount_local", "sum"), spot=("spot", "first"), forward_rate=("forward_rate", "first"),
        amount_base=("amount_base", "sum"))
    return g.sort_values(["value_date", "currency"]).reset_index(drop=True)[HEDGE_COLUMNS]


def match_liabilities(universe: pd.DataFrame, curves: Mapping[str, Any], fx_usd_per_unit: Mapping[str, float],
                      needs: pd.DataFrame, settings: MatchSettings | None = None, *,
                      current_face: np.ndarray | None = None) -> MatchResult:
    """The cheapest rounded portfolio funding ``needs`` (DataFrame[date, amount], base ccy).

    With ``current_face`` (local face per universe row) the book is rebalanced instead: minimum
    turnover (base-ccy value bought + sold) subject to full funding and the limits; bonds held
    outside the allowed markets (or generics, unless allowed) are sold."""
    s = (settings or MatchSettings()).validate()
    mp = MatchProblem(universe, curves, fx_usd_per_unit, needs, s, current_face)
    lp_face, info = _solve(mp)
    face, top_ups = round_and_top_up(mp, lp_face)
    lp_funded = coverage(mp.A, mp.carry, mp.need, lp_face)[2]
    received, carried_in, funded, surplus = coverage(mp.A, mp.carry, mp.need, face)
    flows = pd.DataFrame({"date": mp.dates.astype(str), "need": mp.need, "funded": funded, "surplus": surplus,
                          "carried_in": carried_in})
    for code in s.markets:
        flows[code] = mp.A[:, mp.market == code] @ face[mp.market == code]
    flows["marginal_cost"] = info["marginal_cost"]
    rounding = pd.DataFrame({"date": flows["date"], "need": mp.need, "funded_lp": lp_funded, "funded_rounded": funded,
                             "change": funded - lp_funded,
                             "topped_up": flows["date"].isin(set(top_ups["need_date"])).to_numpy()})
    alloc = _alloc(mp, face, lp_face)
    full = np.zeros(len(universe))
    full[mp.rows] = face
    warnings = list(tail_warnings(mp))
    dear = np.flatnonzero(info["marginal_cost"] > 1.0 + 1e-6)
    if dear.size:
        worst = int(dear[np.argmax(info["marginal_cost"][dear])])
        warnings.append(f"{dear.size} need(s) cost more today than they pay out (no allowed bond matures in time, "
                        f"so coupons and earlier cash fund them): one more {s.base_ccy} on {mp.dates[worst]} costs "
                        f"{info['marginal_cost'][worst]:.2f} {s.base_ccy} today")
    if len(top_ups):
        warnings.append(f"rounding to denominations left {len(top_ups)} need(s) short: topped up by "
                        f"{top_ups['extra_cost_base'].sum():,.2f} {s.base_ccy} of extra face")
    return MatchResult(alloc=alloc, flows=flows, hedges=_hedges(mp, face), rounding=rounding, top_ups=top_ups,
                       face=full, cost_base=float(face @ mp.cost_per_face), lp_cost_base=info["lp_cost"],
                       after_last_need_base=float(mp.after_last @ face), binding=info["binding"],
                       warnings=tuple(warnings), status=info["status"], solver=info["solver"],
                       solve_time_s=info["solve_time_s"], settings=s)


def _alloc(mp: MatchProblem, face: np.ndarray, lp_face: np.ndarray) -> pd.DataFrame:
    held = face > 0
    sub = mp.universe.iloc[mp.rows[held]]
    cost = face[held] * mp.cost_per_face[held]
    return pd.DataFrame({
        "market": sub["market"].to_numpy(), "id": sub["id"].to_numpy(), "name": sub["name"].to_numpy(),
        "currency": sub["currency"].to_numpy(), "coupon_pct": sub["coupon_pct"].to_numpy(float),
        "maturity": pd.to_datetime(sub["maturity"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "face": face[held], "lp_face": lp_face[held], "clean_price": sub["clean_price"].to_numpy(float),
        "accrued": sub["accrued"].to_numpy(float), "dirty_price": sub["dirty_price"].to_numpy(float),
        "spot_fx": mp.spot[held], "cost_base": cost, "cost_weight": cost / cost.sum() if cost.sum() else cost,
        "mod_duration": sub["mod_duration"].to_numpy(float), "is_generic": sub["is_generic"].to_numpy(bool),
    }).sort_values(["maturity", "market"], kind="stable").reset_index(drop=True)
