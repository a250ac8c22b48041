"""Cash-flow matching: the cheapest portfolio of real bonds whose hedged flows fund dated needs.

Model (a linear programme, solved with HiGHS through cvxpy; Clarabel as fallback):

* Variables: ``y_i ≥ 0`` the base-currency cost of bond ``i`` (face = y_i / (dirty_i/100 · S_i)),
  ``c_k ≥ 0`` the cash carried forward after need ``k`` (the surplus).
* Cost today: Σ y_i, the universe's ``dirty_price`` (what the app prices a bond at, per 100 face,
  local) converted at spot ``S`` (base per unit of the bond's currency, the snapshot's FX).
* Flows: :func:`desktop.analytics.cash_flows` per 100 face, received by a buyer settling on the
  universe's ``settle_date``; a flow on its (unadjusted) pay date ``t`` is converted to base at the
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
* After the LP faces are rounded to each market's minimum denomination (nearest multiple); a need
  left short by rounding is topped up by the cheapest extra face (one bond, the smallest multiple of
  its denomination that closes the gap), so no need is ever short.

Binding limits: the bp of total cost saved by relaxing the limit 1 point (0.01), from a re-solve
with that limit moved (the LP is piecewise linear, so the dual alone can overstate a whole point);
the dual's marginal rate (bp per point) is quoted beside it. Each need's ``marginal_cost`` (the
need's dual) = base cost today of one more unit of base currency needed on that date.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import cash_flows
from desktop.markets import CURRENCIES, MARKET_CODES, MARKETS
from desktop.optim.errors import BadSettings, Infeasible, Relaxation, SolverFailed
from desktop.optim.settings import OptimSettings
from desktop.optim.solution import Binding

CURVE_OF_CURRENCY: dict[str, str] = {m.currency: m.code for m in MARKETS.values()}  # USD → US, …
SOLVERS: tuple[str, ...] = ("HIGHS", "CLARABEL")
HEDGE_COLUMNS = ["currency", "value_date", "amount_local", "spot", "forward_rate", "amount_base"]
SHORT_TOL = 1e-6
# rebalance: a held book within 0.01 point of a limit (rounding to denominations) is not traded for it
REBALANCE_SLACK = 1e-4  # base ccy: a need funded to within a millionth of a unit counts as met
_DEFAULTS = OptimSettings()
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


@dataclass(frozen=True)
class MatchSettings:
    """What one match needs besides bonds, curves and needs (units as OptimSettings; rate in %)."""

    base_ccy: str = "USD"
    markets: tuple[str, ...] = MARKET_CODES
    us_cap: float = _DEFAULTS.us_cap
    market_min: Mapping[str, float] = field(default_factory=dict)
    market_max: Mapping[str, float] = field(default_factory=dict)
    max_weight: float = _DEFAULTS.max_weight
    reinvest_rate_pct: float = 0.0
    allow_generic: bool = False

    def validate(self) -> MatchSettings:
        def bad(name: str, value: Any, allowed: str) -> BadSettings:
            return BadSettings(f"{name} = {value!r} is out of range (allowed: {allowed})")

        if self.base_ccy not in CURRENCIES:
            raise bad("base_ccy", self.base_ccy, ", ".join(CURRENCIES))
        if not self.markets or any(m not in MARKET_CODES for m in self.markets):
            raise bad("markets", self.markets, "one or more of " + ", ".join(MARKET_CODES))
        for name in ("us_cap", "max_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(name, getattr(self, name), "0–1")
        for name in ("market_min", "market_max"):
            for code, v in getattr(self, name).items():
                if code not in MARKET_CODES or not 0.0 <= v <= 1.0:
                    raise bad(f"{name}[{code}]", v, "a market code and a fraction 0–1")
        if not -10.0 <= self.reinvest_rate_pct <= 50.0:
            raise bad("reinvest_rate_pct", self.reinvest_rate_pct, "−10 … 50 %")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"base_ccy": self.base_ccy, "markets": list(self.markets), "us_cap": self.us_cap,
                "market_min": dict(self.market_min), "market_max": dict(self.market_max),
                "max_weight": self.max_weight, "reinvest_rate_pct": self.reinvest_rate_pct,
                "allow_generic": self.allow_generic}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MatchSettings:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise BadSettings(f"unknown match setting(s): {', '.join(sorted(unknown))}")
        kw = dict(d)
        if "markets" in kw:
            kw["markets"] = tuple(kw["markets"])
        return cls(**kw).validate()


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


def forward_fx(currency: str, base_ccy: str, t_years: np.ndarray, curves: Mapping[str, Any],
               fx_usd_per_unit: Mapping[str, float]) -> np.ndarray:
    """Forward FX, base per unit of ``currency``, for value dates ``t_years`` (ACT/365F) ahead:
    ``S · DF_currency(t) / DF_base(t)`` (covered interest parity, module docstring)."""
    spot = fx_usd_per_unit[currency] / fx_usd_per_unit[base_ccy]
    t = np.asarray(t_years, float)
    if currency == base_ccy:
        return np.full(t.shape, spot)
    df_f = curves[CURVE_OF_CURRENCY[currency]].discount(t)
    df_b = curves[CURVE_OF_CURRENCY[base_ccy]].discount(t)
    return spot * df_f / df_b


class MatchProblem:
    """The arrays of one match (bonds × needs) and the LP over them; :meth:`solve` runs it."""

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
        self.spot = np.array([fx_usd_per_unit[c] / fx_usd_per_unit[s.base_ccy] for c in self.currency])
        self.den = np.array([MARKETS[m].min_denomination for m in self.market])
        self.cost_per_face = self.dirty / 100.0 * self.spot  # base ccy per 1 local face
        fl = cash_flows(sub[["market", "coupon_pct", "maturity"]].reset_index(drop=True),
                        sub["settle_date"].reset_index(drop=True))
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

    # -- checks and LP ------------------------------------------------------------------------
    def coverage_gaps(self) -> list[str]:
        """Needs no allowed bond can reach (no flow on or before the date); the PM's words."""
        problems = []
        first_flow = self.flow_date.min() if len(self.flow_date) else None
        for d, amount in zip(self.dates, self.need, strict=True):
            if amount <= 0 or (first_flow is not None and first_flow <= d):
                continue
            others = self._other_markets_text(before=d)
            when = f"the first flow of the allowed bonds is on {first_flow}" if first_flow is not None else \
                "no bond is allowed"
            problems.append(f"the {d} need cannot be met: {when}{others}; move the need later")
        return problems

    def _left_out_markets(self) -> list[tuple[str, pd.DataFrame]]:
        """(market, its eligible bonds) for every market the settings leave out."""
        u = self.universe
        eligible = self.settings.allow_generic | ~u["is_generic"].astype(bool)
        return [(code, u[(u["market"] == code) & eligible]) for code in MARKET_CODES
                if code not in self.settings.markets]

    def _other_markets_text(self, before: np.datetime64) -> str:
        """'; allow UK (a bond pays on 2026-01-30)' for markets left out that could reach ``before``."""
        out = []
        for code, mine in self._left_out_markets():
            if len(mine) and (pd.to_datetime(mine["next_coupon"]).min().to_datetime64() <= before):
                out.append(f"allow {code}")
        return ("; " + " or ".join(out)) if out else ""

    def _longer_markets_text(self, after: np.datetime64) -> str:
        """'; allow UK (bonds to 2073-10-22)' for markets left out with bonds maturing after ``after``."""
        out = []
        for code, mine in self._left_out_markets():
            last = pd.to_datetime(mine["maturity"]).max() if len(mine) else None
            if last is not None and last.to_datetime64() > after:
                out.append(f"allow {code} (bonds to {last:%Y-%m-%d})")
        return ("; " + " or ".join(out)) if out else ""

    def solve(self, settings: MatchSettings | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Optimal face per candidate bond (local ccy, unrounded) and solve details; raises
        :class:`Infeasible` (with the smallest relaxation) or :class:`SolverFailed`."""
        s = settings or self.settings
        gaps = self.coverage_gaps()
        if gaps:
            raise Infeasible("; ".join(gaps), tuple(
                Relaxation("need_date", 0.0, 0.0, "date", True, text) for text in gaps))
        out = self._lp(s)
        if out is None:
            relax = self.relaxations(s)
            text = relax[0].text if relax else "no combination of the allowed bonds meets the limits"
            raise Infeasible(f"the needs cannot be funded within the limits: {text}", tuple(relax))
        return out

    def _lp(self, s: MatchSettings, with_gains: bool = True) -> tuple[np.ndarray, dict[str, Any]] | None:
        """Solve the LP under ``s``: (face per candidate, details) or None when infeasible."""
        import cvxpy as cp

        _quiet_highs()
        n, kk = len(self.rows), len(self.dates)
        if n == 0:
            return None
        unit = max(float(np.abs(self.need).max()), 1.0)  # scale: needs ≈ 1
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
        prob = cp.Problem(cp.Minimize(objective), list(cons.values()) + extra)
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
                looser = self._lp(_moved(s, kind, code, 0.01), with_gains=False)
                if looser is not None:
                    gain = (objective_value - looser[1]["objective"]) / v * 1e4
            binding.append(Binding(name, gain, "1 pt", f"{txt}: relaxing it by 1 point saves {gain:.2f} bp {of} "
                                                      f"(marginal rate {rate:.2f} bp per point)"))
        self.last_problem = prob  # (after any re-solve) the bench hands its matrices to the raw solver
        marginal = np.abs(np.asarray(cons["needs"].dual_value, float))
        face = cost / self.cost_per_face
        return face, {"status": status, "solver": solver, "solve_time_s": elapsed, "binding": tuple(binding),
                      "marginal_cost": marginal, "lp_cost": v, "objective": objective_value}

    def relaxations(self, s: MatchSettings) -> list[Relaxation]:
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
            if self._lp(make(end), with_gains=False) is None:
                continue
            lo, hi = now, end  # lo infeasible, hi feasible
            for _ in range(12):
                mid = 0.5 * (lo + hi)
                lo, hi = (lo, mid) if self._lp(make(mid), with_gains=False) is not None else (mid, hi)
            need = float(np.ceil(hi * 1000) / 1000) if end > now else float(np.floor(hi * 1000) / 1000)
            kind, _, code = name.partition(":")
            text = f"{words[kind].format(c=code)} from {now:.1%} to {need:.1%}"
            out.append(Relaxation(name, now, need, "fraction", True, text, option))
        return sorted(out, key=lambda r: abs(r.required - r.current))


def _moved(s: MatchSettings, kind: str, code: str, step: float) -> MatchSettings:
    """``s`` with one limit relaxed by ``step`` (a fraction: 0.01 = 1 point)."""
    if kind == "us_cap":
        return replace(s, us_cap=min(s.us_cap + step, 1.0))
    if kind == "max_weight":
        return replace(s, max_weight=min(s.max_weight + step, 1.0))
    if kind == "market_min":
        return replace(s, market_min={**s.market_min, code: max(s.market_min[code] - step, 0.0)})
    return replace(s, market_max={**s.market_max, code: min(s.market_max[code] + step, 1.0)})


def _coverage(A: np.ndarray, carry: np.ndarray, need: np.ndarray, face: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sequential funding of each need by ``face``: (received, carried_in, funded, surplus) per need."""
    received = A @ face
    kk = len(need)
    carried_in, funded, surplus = np.zeros(kk), np.zeros(kk), np.zeros(kk)
    prev = 0.0
    for k in range(kk):
        carried_in[k] = prev * (carry[k - 1] if k else 0.0)
        funded[k] = carried_in[k] + received[k]
        surplus[k] = funded[k] - need[k]
        prev = max(surplus[k], 0.0)
    return received, carried_in, funded, surplus


def round_and_top_up(mp: MatchProblem, face: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Round candidate faces to the nearest denomination, then close any need left short with the
    cheapest extra face (module docstring). Returns the faces and the top-up lines."""
    start = np.zeros_like(face) if mp.current is None else mp.current  # trades are whole denominations
    rounded = np.maximum(start + np.round((face - start) / mp.den) * mp.den, 0.0)
    rows = []
    growth = np.concatenate([[1.0], mp.carry])
    for _ in range(len(mp.need) * 4):
        *_, surplus = _coverage(mp.A, mp.carry, mp.need, rounded)
        short = np.flatnonzero(surplus < -SHORT_TOL)
        if not short.size:
            break
        k = int(short[0])
        # what 1 face of each bond adds to the surplus at need k (its flows to d_k, carried)
        reach = np.zeros(len(rounded))
        for j in range(k + 1):
            reach += mp.A[j] * np.prod(growth[j + 1:k + 1])
        ok = reach > 0
        extra = np.where(ok, np.ceil(-surplus[k] / np.where(ok, reach, 1.0) / mp.den) * mp.den, np.inf)
        cost = extra * mp.cost_per_face + (rounded == 0) * 1e-9  # a held bond wins a tie
        pick = int(np.argmin(cost))
        rounded[pick] += extra[pick]
        rows.append({"market": mp.market[pick], "id": mp.universe["id"].iat[mp.rows[pick]],
                     "need_date": str(mp.dates[k]), "extra_face": extra[pick],
                     "extra_cost_base": extra[pick] * mp.cost_per_face[pick]})
    rounded = np.round(rounded, 2)  # whole denominations (the smallest is £0.01) without float dust
    return rounded, pd.DataFrame(rows, columns=["market", "id", "need_date", "extra_face", "extra_cost_base"])


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
    lp_face, info = mp.solve()
    face, top_ups = round_and_top_up(mp, lp_face)
    lp_funded = _coverage(mp.A, mp.carry, mp.need, lp_face)[2]
    received, carried_in, funded, surplus = _coverage(mp.A, mp.carry, mp.need, face)
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
    warnings = list(_tail_warnings(mp))
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


def _tail_warnings(mp: MatchProblem) -> Sequence[str]:
    last = mp.flow_date.max()
    for d in mp.dates[mp.dates > last]:
        yrs = (d - last).astype(float) / 365.0
        yield (f"the {d} need falls after the last flow of the allowed bonds ({last}): it is funded by cash "
               f"carried {yrs:.1f} years at {mp.settings.reinvest_rate_pct:.2f} %{mp._longer_markets_text(last)}"
               " or move the need")


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
