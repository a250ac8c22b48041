"""Total return to a horizon split by component, and the ladder rolled forward year by year.

Total return to horizon ``H`` (years), per bond, per 100 face, local currency, using the engine's
exact remaining flows (``t`` = ACT/365F years from settlement):

* ``coupons`` C = Σ amount for flows with t ≤ H (held as cash, not reinvested);
* ``carry`` = P_H(y0) + C − P0: the bond ages at its own (semi-annual) yield y0;
* ``roll_down`` = P_H(curve) − P_H(y0): it ages along today's unchanged zero curve instead;
* ``price_change`` = P_H(shocked curve) − P_H(curve): the scenario's curve shock, realised at H;

where P_H(·) = Σ_{t > H} amount · DF(t − H). In base currency (``fx0`` today, ``fx1`` shocked):
local components × fx0; ``fx`` = (P_H(shocked) + C) · fx0 · (fx1/fx0 − 1) for an *unhedged*
position (0 when hedged); ``hedge_cost`` = the hedge carry of :mod:`desktop.scenarios.grid`
(value0 · (r_base − r_local, shocked) · H; positive = pick-up) for a *hedged* position (0 when
unhedged). ``total`` is their sum; ``return_pct`` = total / value0 · 100.

Roll-forward (:func:`roll_forward`): the scenario is applied at once and the shocked curves and FX
are then held for every year. Each year every position ages one year and pays its semi-annual
coupons (coupon dates T, T − ½, … counted in the year); a position reaching maturity returns its
face, which is reinvested at the year end in a new par bond of the same market at the ladder's far
rung (its longest rung today), couponed at the shocked par yield there. Coupons are paid out, not
reinvested. Year-end prices and durations use a regular semi-annual schedule off the shocked
curve (duration = effective duration, ±1 bp on the zero curve), so the ladder keeps its rungs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop.scenarios.grid import TOTAL, _fx0
from desktop.scenarios.model import Scenario
from desktop.scenarios.revalue import ScenarioEngine

COMPONENTS = ("carry", "roll_down", "price_change", "fx", "hedge_cost")


def _shift_at(engine: ScenarioEngine, scenario: Scenario, market: str, tau: np.ndarray) -> np.ndarray:
    nodes = engine.node_tenors[market]
    return np.interp(tau, nodes, scenario.shift_bp(market, nodes)) / 1e4


def horizon_return(engine: ScenarioEngine, face: np.ndarray, scenario: Scenario, *, hedged: bool = True,
                   horizon_months: int | None = None) -> pd.DataFrame:
    """Total return to the horizon by market and total (rows), components in base ccy (columns).

    ``horizon_months`` overrides ``scenario.horizon_months``. Columns: :data:`COMPONENTS`, ``total``,
    ``value0`` (base ccy today) and ``return_pct`` (% of value0 over the horizon, not annualised).
    """
    h = (scenario.horizon_months if horizon_months is None else horizon_months) / 12.0
    uni = engine.universe
    n = len(uni)
    bond = np.repeat(np.arange(n), engine.counts)
    t, amount = engine.t, engine.amount
    tau = t - h
    live = tau > 0
    mkt = uni["market"].to_numpy()
    flow_mkt = mkt[bond]
    df_curve = np.zeros_like(t)
    df_shock = np.zeros_like(t)
    for m in engine.markets:
        sel = (flow_mkt == m) & live
        curve = engine.state.curves[m]
        df_curve[sel] = curve.discount(tau[sel])
        df_shock[sel] = df_curve[sel] * np.exp(-_shift_at(engine, scenario, m, tau[sel]) * tau[sel])
    y0 = np.repeat(engine.y0, engine.counts)
    df_y0 = np.where(live, (1.0 + y0 / 2.0) ** (-2.0 * np.where(live, tau, 0.0)), 0.0)

    def per_bond(x: np.ndarray) -> np.ndarray:
        return np.bincount(bond, weights=x, minlength=n)

    coupons = per_bond(np.where(live, 0.0, amount))
    p_y0, p_curve, p_shock = per_bond(amount * df_y0), per_bond(amount * df_curve), per_bond(amount * df_shock)
    units = np.asarray(face, dtype=float) / 100.0
    fx0 = _fx0(engine)
    ccy = uni["currency"].to_numpy()
    fx_move = np.array([scenario.fx_factor(c, engine.state.base) for c in ccy]) - 1.0
    to_base = units * fx0
    value0 = to_base * engine.price0
    rates = engine.state.short_rates_pct
    base = engine.state.base

    def rate(c: str) -> float:
        return rates.get(c, 0.0) + scenario.short_rate_bp.get(c, 0.0) / 100.0

    spread = np.array([0.0 if c == base else rate(base) - rate(c) for c in ccy])
    parts = {
        "carry": to_base * (p_y0 + coupons - engine.price0),
        "roll_down": to_base * (p_curve - p_y0),
        "price_change": to_base * (p_shock - p_curve),
        "fx": np.zeros(n) if hedged else to_base * (p_shock + coupons) * fx_move,
        "hedge_cost": value0 * spread / 100.0 * h if hedged else np.zeros(n),
    }
    frame = pd.DataFrame(parts)
    frame["total"] = frame[list(COMPONENTS)].sum(axis=1)
    frame["value0"] = value0
    frame["market"] = mkt
    out = frame.groupby("market").sum()
    out.loc[TOTAL] = out.sum()
    out["return_pct"] = np.divide(out["total"] * 100.0, out["value0"], out=np.zeros(len(out)),
                                  where=out["value0"].to_numpy() != 0)
    return out


def _price_and_duration(curves: dict, mkt: np.ndarray, coupon: np.ndarray, years: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Dirty price per 100 and effective duration of regular semi-annual bonds on ``curves``."""
    k = np.arange(int(np.ceil(max(years.max(initial=0.5), 0.5) * 2)) + 1)[None, :]
    times = years[:, None] - 0.5 * k
    alive = times > 1e-9
    cf = np.where(alive, coupon[:, None] / 2.0, 0.0)
    cf[:, 0] += 100.0
    price, up, down = (np.zeros(len(years)) for _ in range(3))
    for m in set(mkt):
        rows = mkt == m
        tm = np.where(alive[rows], times[rows], 0.0)
        z = curves[m].zero_rate(tm)
        for out, bump in ((price, 0.0), (up, 1e-4), (down, -1e-4)):
            out[rows] = (cf[rows] * np.where(alive[rows], np.exp(-(z + bump) * tm), 0.0)).sum(axis=1)
    duration = np.divide(down - up, 2.0 * price * 1e-4, out=np.zeros_like(price), where=price > 0)
    return price, duration


def roll_forward(engine: ScenarioEngine, face: np.ndarray, scenario: Scenario, years: int = 10) -> pd.DataFrame:
    """Roll the ladder forward ``years`` years under ``scenario`` (see the module docstring).

    One row per year-end (0 = today): ``income_base`` (coupons paid in the year, at the shocked FX),
    ``reinvested_base`` (maturing face rolled to the far end), ``market_value_base``,
    ``mod_duration`` (MV-weighted effective duration, years), ``n_rungs`` (distinct
    market × rung pairs held) and ``n_positions``.
    """
    uni = engine.universe
    held = np.asarray(face, dtype=float) > 0
    mkt = uni["market"].to_numpy()[held]
    ccy = uni["currency"].to_numpy()[held]
    coupon = uni["coupon_pct"].to_numpy(dtype=float)[held]
    mat = uni["years_to_maturity"].to_numpy(dtype=float)[held]
    fc = np.asarray(face, dtype=float)[held]
    curves = {m: engine.state.curves[m].shifted(scenario.shift_bp(m, engine.state.curves[m].zero_tenors))
              for m in set(mkt)}
    fx1 = {c: engine.state.fx_to_base(c) * scenario.fx_factor(c, engine.state.base) for c in set(ccy)}
    ccy_of = dict(zip(mkt, ccy, strict=True))
    far = {m: int(np.ceil(mat[mkt == m].max() - 1e-9)) for m in set(mkt)}
    par = {m: float(curves[m].par_yield_pct(far[m])) for m in far}
    rows = []

    def snapshot_row(year: int, income: float, reinvested: float) -> dict:
        price, dur = _price_and_duration(curves, mkt, coupon, mat)
        fxv = np.array([fx1[c] for c in ccy])
        mv = fc / 100.0 * price * fxv
        rungs = {(m, int(np.ceil(y - 1e-9))) for m, y in zip(mkt, mat, strict=True)}
        return {
            "year": year, "income_base": income, "reinvested_base": reinvested,
            "market_value_base": mv.sum(), "mod_duration": float((mv * dur).sum() / mv.sum()) if mv.sum() else 0.0,
            "n_rungs": len(rungs), "n_positions": int(len(mat)),
        }

    rows.append(snapshot_row(0, 0.0, 0.0))
    for year in range(1, years + 1):
        i = np.arange(int(np.ceil(mat.max() * 2)) + 2)[None, :]
        pay = mat[:, None] - 0.5 * i
        n_coupons = ((pay > 1e-9) & (pay <= 1.0 + 1e-9)).sum(axis=1)
        fxv = np.array([fx1[c] for c in ccy])
        income = float((fc * coupon / 100.0 / 2.0 * n_coupons * fxv).sum())
        mat = mat - 1.0
        done = mat <= 1e-9
        reinvested = float((fc[done] * fxv[done]).sum())
        new_m = [m for m in far if done[mkt == m].any()]
        proceeds = [fc[done & (mkt == m)].sum() for m in new_m]
        keep = ~done
        mkt = np.concatenate([mkt[keep], np.array(new_m, dtype=mkt.dtype)])
        ccy = np.concatenate([ccy[keep], np.array([ccy_of[m] for m in new_m], dtype=ccy.dtype)])
        coupon = np.concatenate([coupon[keep], [par[m] for m in new_m]])
        mat = np.concatenate([mat[keep], [float(far[m]) for m in new_m]])
        fc = np.concatenate([fc[keep], proceeds])
        rows.append(snapshot_row(year, income, reinvested))
    return pd.DataFrame(rows).set_index("year")
