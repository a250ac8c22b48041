"""The cash-flow matching LP: the arrays of one match (bonds × needs) and the linear programme over
them, solved with HiGHS through cvxpy (Clarabel as fallback).

Model:

* Variables: ``y_i ≥ 0`` the base-currency cost of bond ``i`` (face = y_i / (dirty_i/100 · S_i)),
  ``c_k ≥ 0`` the cash carried forward after need ``k`` (the surplus).
* Cost today: Σ y_i, the universe's ``dirty_price`` (what the app prices a bond at, per 100 face,
  local) converted at spot ``S`` (base per unit of the bond's currency, the snapshot's FX).
* Flows: :func:`desktop.analytics.cash_flows` per 100 face, received by a buyer settling on the
  universe's ``settle_date``, on the schedule the pricing uses (a bond in its first coupon period
  pays its real first coupon: :func:`desktop.schedule.schedule_inputs`); a flow on its (unadjusted) pay date ``t`` is converted to base at the
  forward rate of covered interest parity ``F(t) = S · DF_foreign(τ) / DF_base(τ)``, ``DF`` from
  :meth:`desktop.curves.Curve.discount` of each currency's market curve (USD → US Treasury par
  curve, JPY → MoF JGB, AUD → RBA F2, GBP → BoE zero), ``τ`` = ACT/365F years from the bond's
  settlement date (the flow's ``t_years``). Each foreign flow is thus sold forward (the HEDGES list).
* Needs ``L_k`` on dates ``d_1 < … < d_K`` (base ccy). A flow paid on or before ``d_k`` and after
  ``d_{k−1}`` funds need ``k``, grown to ``d_k`` at the reinvestment rate ``r`` (annual, ACT/365F:
  ``(1+r)^(days/365)``); a surplus is carried to the next need the same way:
  ``A_k·y + g_k·c_{k−1} − c_k = L_k`` (no shortfall, since ``c_k ≥ 0``). Flows after the last
  need fund nothing (reported as ``after_last_need_base``).
* Limits (:class:`desktop.optim.settings.OptimSettings` names, fractions of total cost ``V``):
  ``us_cap`` US share of duration (Σ_US D·y ≤ cap · Σ D·y, D = ``mod_duration``), ``market_min`` /
  ``market_max`` weight of each market, ``max_weight`` per bond.
* With a current book (rebalance) the objective is the turnover (base-ccy value bought + sold)
  subject to full funding, ties broken toward the cheaper book.

Binding limits: the bp of total cost saved by relaxing the limit 1 point (0.01), from a re-solve
with that limit moved (the LP is piecewise linear, so the dual alone can overstate a whole point);
the dual's marginal rate (bp per point) is quoted beside it. Each need's ``marginal_cost`` (the
need's dual) = base cost today of one more unit of base currency needed on that date.

The LP's faces are unrounded: :mod:`desktop.optim.match_rounding` rounds them to denominations;
an infeasible LP is explained by :mod:`desktop.optim.match_diagnosis`; the whole match (the
result tables) is :func:`desktop.optim.matching.match_liabilities`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import cash_flows
from desktop.finance import fx_to_base
from desktop.markets import CURVE_OF_CURRENCY, MARKETS
from desktop.optim.errors import BadSettings, SolverFailed
from desktop.optim.match_settings import MatchSettings
from desktop.optim.solution import Binding
from desktop.schedule import schedule_inputs

SOLVERS: tuple[str, ...] = ("HIGHS", "CLARABEL")
# rebalance: a held book within 0.01 point of a limit (rounding to denominations) is not traded for it
REBALANCE_SLACK = 1e-4
_HIGHS_QUIET: list[bool] = []


def _quiet_highs() -> None:
    """HiGHS prints a licence banner on stdout the first time a solver is made in a process (it
    would corrupt ``--json`` output): make that first one with stdout pointed at /dev/null."""
    if _HIGHS_QUIET:
        return
    _HIGHS_QUIET.append(True)
    import os
    import sys

    try:
        import highspy
    except ImportError:  # pragma: no cover - HiGHS missing: cvxpy falls back to Clarabel
        return
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def forward_fx(currency: str, base_ccy: str, t_years: np.ndarray, curves: Mapping[str, Any],
               fx_usd_per_unit: Mapping[str, float]) -> np.ndarray:
    """Forward FX, base per unit of ``currency``, for value dates ``t_years`` (ACT/365F) ahead:
    ``S · DF_currency(t) / DF_base(t)`` (covered interest parity, module docstring)."""
    spot = fx_to_base(fx_usd_per_unit, base_ccy)[currency]
    t = np.asarray(t_years, float)
    if currency == base_ccy:
        return np.full(t.shape, spot)
    df_f = curves[CURVE_OF_CURRENCY[currency]].discount(t)
    df_b = curves[CURVE_OF_CURRENCY[base_ccy]].discount(t)
    return spot * df_f / df_b


class MatchProblem:
    """The arrays of one match (bonds × needs) and the LP over them: :meth:`lp_problem` builds the
    cvxpy problem under given settings, :meth:`solve_lp` solves it (None when infeasible).

    Units of the arrays (one entry per candidate bond, in ``rows`` order, or per need): ``dirty``
    per 100 face, local; ``spot`` base ccy per unit of the bond's currency; ``cost_per_face`` base ccy
    per 1 local face; ``A[k, i]`` base ccy at need date ``k`` per 1 local face of bond ``i`` (hedged,
    grown at the reinvestment rate); ``need`` base ccy; ``carry`` growth factor between needs;
    ``den`` minimum denomination, local face."""

    def __init__(self, universe: pd.DataFrame, curves: Mapping[str, Any], fx_usd_per_unit: Mapping[str, float],
                 needs: pd.DataFrame, settings: MatchSettings, current_face: np.ndarray | None = None) -> None:
        self.settings = s = settings.validate()
        self.universe = universe
        dates = pd.to_datetime(needs["date"]).to_numpy("datetime64[D]")
        if len(dates) == 0:
            raise BadSettings("no needs to fund (the needs table is empty)")
        order = np.argsort(dates, kind="stable")
        self.dates, self.need = dates[order], needs["amount"].to_numpy(float)[order]
        if (np.diff(self.dates) == np.timedelta64(0)).any():
            raise BadSettings("two needs share a date (add them up into one)")
        sel = universe["market"].isin(s.markets).to_numpy()
        if not s.allow_generic:
            sel &= ~universe["is_generic"].to_numpy(bool)
        self.rows = np.flatnonzero(sel)  # universe positions of the candidate bonds
        sub = universe.iloc[self.rows]
        self.market = sub["market"].to_numpy()
        self.currency = sub["currency"].to_numpy()
        self.dirty = sub["dirty_price"].to_numpy(float)
        self.duration = sub["mod_duration"].to_numpy(float)
        to_base = fx_to_base(fx_usd_per_unit, s.base_ccy)
        self.spot = np.array([to_base[c] for c in self.currency])
        self.den = np.array([MARKETS[m].min_denomination for m in self.market])
        self.cost_per_face = self.dirty / 100.0 * self.spot  # base ccy per 1 local face
        # the pricing's schedule (issue dates give first coupon periods): schedule_inputs, not a subset
        fl = cash_flows(schedule_inputs(sub), sub["settle_date"].reset_index(drop=True))
        self.flow_bond = fl["bond"].to_numpy(int)  # position in self.rows
        self.flow_date = fl["pay_date"].to_numpy("datetime64[D]")
        self.flow_amount = fl["amount"].to_numpy(float)  # per 100 face, local
        fwd = np.empty(len(fl))
        for ccy in np.unique(self.currency):
            m = self.currency[self.flow_bond] == ccy
            fwd[m] = forward_fx(ccy, s.base_ccy, fl["t_years"].to_numpy(float)[m], curves, fx_usd_per_unit)
        self.flow_fx = fwd
        base_per_face = self.flow_amount / 100.0 * fwd  # base ccy per 1 local face
        k = np.searchsorted(self.dates, self.flow_date, side="left")  # first need on/after the flow
        self.flow_need = k
        r = s.reinvest_rate_pct / 100.0
        live = k < len(self.dates)
        grow = np.ones(len(fl))
        grow[live] = (1.0 + r) ** ((self.dates[k[live]] - self.flow_date[live]).astype(float) / 365.0)
        self.after_last = np.bincount(self.flow_bond[~live], base_per_face[~live], minlength=len(self.rows))
        n, kk = len(self.rows), len(self.dates)
        self.A = np.zeros((kk, n))  # base ccy at d_k per 1 local face of bond i
        np.add.at(self.A, (k[live], self.flow_bond[live]), base_per_face[live] * grow[live])
        gaps = np.diff(self.dates).astype(float) / 365.0
        self.carry = (1.0 + r) ** gaps  # g_k for k = 2..K
        # rebalance mode: the current book (local face per candidate); held bonds outside the
        # candidates (markets left out, generics) are not in the LP and are sold
        self.current = None if current_face is None else np.asarray(current_face, float)[self.rows]

    # -- the LP ------------------------------------------------------------------------------
    @property
    def unit(self) -> float:
        """The LP's scale, base ccy: variables and needs are in units of the largest need (≈ 1)."""
        return max(float(np.abs(self.need).max()), 1.0)

    def lp_problem(self, s: MatchSettings) -> tuple[Any, Any, dict[str, Any]] | None:
        """The cvxpy LP under ``s``, not solved: (problem, y, constraints by name), or None when
        there is no candidate bond. ``y``: the cost of each candidate, base ccy in units of
        :attr:`unit`, as is the objective (the cost, or in a rebalance the turnover + 10⁻⁴ × the
        cost). :meth:`solve_lp` solves it; the bench times its compile alone."""
        import cvxpy as cp

        n, kk = len(self.rows), len(self.dates)
        if n == 0:
            return None
        unit = self.unit
        # A per unit of cost (base): y_i = cost; A_cost = A / cost_per_face
        a_cost = self.A / self.cost_per_face[None, :]
        c = cp.Variable(kk, nonneg=True)
        extra: list[Any] = []
        if self.current is None:
            y = cp.Variable(n, nonneg=True)
            total = cp.Variable(nonneg=True)  # V = Σ y as its own variable: the limits stay sparse
            objective = total
        else:  # minimum turnover (buys + sells, base ccy) subject to full funding; ties → cheaper
            y0 = self.current * self.cost_per_face / unit
            buy, sell = cp.Variable(n, nonneg=True), cp.Variable(n, nonneg=True)
            y = y0 + buy - sell
            total = cp.Variable(nonneg=True)
            objective = cp.sum(buy) + cp.sum(sell) + 1e-4 * total
            extra.append(y >= 0)
        extra.append(total == cp.sum(y))
        carried = cp.hstack([cp.Constant(np.zeros(1)), cp.multiply(self.carry, c[:-1])]) if kk > 1 else 0
        cons: dict[str, Any] = {"needs": a_cost @ y + carried - c == self.need / unit}
        is_us = self.market == "US"
        slack = 0.0 if self.current is None else REBALANCE_SLACK
        if "US" in s.markets and s.us_cap < 1.0:
            dur = self.duration
            cons["us_cap"] = (dur * is_us) @ y <= (s.us_cap + slack) * (dur @ y)
        for code, lo in s.market_min.items():
            if lo > 0:
                cons[f"market_min:{code}"] = (self.market == code).astype(float) @ y >= (lo - slack) * total
        for code, hi in s.market_max.items():
            if hi < 1:
                cons[f"market_max:{code}"] = (self.market == code).astype(float) @ y <= (hi + slack) * total
        if s.max_weight < 1.0:
            cons["max_weight"] = y <= (s.max_weight + slack) * total
        return cp.Problem(cp.Minimize(objective), list(cons.values()) + extra), y, cons

    def solve_lp(self, s: MatchSettings, with_gains: bool = True) -> tuple[np.ndarray, dict[str, Any]] | None:
        """Solve the LP under ``s`` (HiGHS, Clarabel as fallback); None when infeasible.

        Returns (face, details). ``face``: local face per candidate bond (``rows`` order; units of
        the bond's currency, unrounded). ``details``: ``status``, ``solver``; ``solve_time_s``
        seconds (cvxpy's compile and the solver); ``lp_cost`` the faces' cost today, base ccy;
        ``objective`` base ccy (the cost, or in a rebalance the turnover + 10⁻⁴ × the cost);
        ``marginal_cost`` per need, base ccy today per 1 base ccy more needed on its date;
        ``binding`` the limits that bind, each with its gain in bp of cost (of turnover in a
        rebalance) for a 1-point relaxation — from a re-solve when ``with_gains``, else the dual's rate.
        """
        import cvxpy as cp

        _quiet_highs()
        built = self.lp_problem(s)
        if built is None:
            return None
        prob, y, cons = built
        unit = self.unit
        t0 = time.perf_counter()
        status, solver = None, None
        for solver in SOLVERS:
            try:
                prob.solve(solver=solver)
            except cp.error.SolverError:
                continue
            status = prob.status
            if status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE, cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
                break
        elapsed = time.perf_counter() - t0
        if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            return None
        if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
            raise SolverFailed(f"the matching LP did not solve (status {status}; solvers {', '.join(SOLVERS)})")
        cost = np.maximum(np.asarray(y.value, float), 0.0) * unit
        of = "of cost" if self.current is None else "of cost in turnover"
        v = float(cost.sum())
        objective_value = float(prob.value) * unit
        binding = []
        for name, con in cons.items():
            if name == "needs":
                continue
            lam = np.abs(np.atleast_1d(np.asarray(con.dual_value, float)))
            if not (lam > 1e-9).any():
                continue
            kind, _, code = name.partition(":")
            if name == "us_cap":
                rate = float(lam.sum()) * float(self.duration @ cost) / v * 100.0
                txt = f"US share of duration ≤ {s.us_cap:.0%}"
            else:
                rate = float(lam.sum()) * 100.0
                txt = {"market_min": f"{code} weight ≥ {s.market_min.get(code, 0):.0%}",
                       "market_max": f"{code} weight ≤ {s.market_max.get(code, 1):.0%}",
                       "max_weight": f"each bond ≤ {s.max_weight:.0%} of cost "
                                     f"({int((lam > 1e-9).sum())} bonds at the limit)"}[kind]
            gain = rate
            if with_gains:  # the stated gain is a re-solve with the limit moved one point, not the dual
                looser = self.solve_lp(_moved(s, kind, code, 0.01), with_gains=False)
                if looser is not None:
                    gain = (objective_value - looser[1]["objective"]) / v * 1e4
            binding.append(Binding(name, gain, "1 pt", f"{txt}: relaxing it by 1 point saves {gain:.2f} bp {of} "
                                                      f"(marginal rate {rate:.2f} bp per point)"))
        marginal = np.abs(np.asarray(cons["needs"].dual_value, float))
        face = cost / self.cost_per_face
        return face, {"status": status, "solver": solver, "solve_time_s": elapsed, "binding": tuple(binding),
                      "marginal_cost": marginal, "lp_cost": v, "objective": objective_value}


def _moved(s: MatchSettings, kind: str, code: str, step: float) -> MatchSettings:
    """``s`` with one limit relaxed by ``step`` (a fraction: 0.01 = 1 point)."""
    if kind == "us_cap":
        return replace(s, us_cap=min(s.us_cap + step, 1.0))
    if kind == "max_weight":
        return replace(s, max_weight=min(s.max_weight + step, 1.0))
    if kind == "market_min":
        return replace(s, market_min={**s.market_min, code: max(s.market_min[code] - step, 0.0)})
    return replace(s, market_max={**s.market_max, code: min(s.market_max[code] + step, 1.0)})
