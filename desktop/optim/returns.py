"""Expected return per bond over the horizon, in % of market value, in the base currency.

For bond *i* of market *m* with yield ``y`` (%), modified duration ``D``, convexity ``C``, key-rate
durations ``krd_k`` (years), years to maturity ``T`` and horizon ``h`` (years):

* **carry** — hedged: ``(y + r_base − r_local) · h`` (the FX forward earns the short-rate gap;
  3-month rates from the snapshot); unhedged: ``y · h + fx_view`` (the PM's % view on the bond's
  currency against the base over the horizon, 0 for the base currency). Cash from bonds maturing
  inside the horizon is assumed reinvested at the bond's own yield.
* **roll-down** — ``D · (par(T) − par(T − h))`` on the market's par curve (0 when ``T ≤ h``): the
  yield falls (rises) as the bond ages down an upward- (downward-) sloping curve.
* **curve view** — ``− Σ_k krd_k · view_k / 100`` where ``view_k`` is the market's view in bp at key
  tenor *k* (parallel + 2s10s slope + per-tenor; :class:`~desktop.optim.settings.CurveView`).
* **convexity** — ``½ · C · Δy² · 100`` with ``Δy`` (decimal) the view interpolated at ``T``
  (linear between key tenors, flat beyond 2 y and 30 y).

``expected_return_pct`` is exactly the bond's coefficient in the linear part of the objective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.optim.inputs import OptimInputs
from desktop.optim.settings import KEY_TENORS, OptimSettings

COMPONENTS = ("carry_pct", "rolldown_pct", "view_pct", "convexity_pct", "expected_return_pct")


def hedged_yield_pct(universe: pd.DataFrame, short_rates_pct: dict[str, float] | object,
                     base_ccy: str) -> np.ndarray:
    """Yield (%) + base short rate − the bond's local short rate: the FX-hedged yield in base ccy."""
    rates = dict(short_rates_pct)  # type: ignore[call-overload]
    ccy = universe["currency"].to_numpy()
    local = np.zeros(len(ccy))
    for c in np.unique(ccy):
        local[ccy == c] = rates[str(c)]
    return universe["yield_pct"].to_numpy(float) + rates[base_ccy] - local


def view_bp_by_bond(universe: pd.DataFrame, settings: OptimSettings) -> tuple[np.ndarray, np.ndarray]:
    """(N × 4 bp at the key tenors of each bond's market, N bp at each bond's maturity)."""
    n = len(universe)
    key = np.zeros((n, len(KEY_TENORS)))
    at_t = np.zeros(n)
    codes = universe["market"].to_numpy()
    years = universe["years_to_maturity"].to_numpy(float)
    for code in np.unique(codes):
        sel = codes == code
        bp = settings.view(str(code)).at_key_tenors()
        key[sel] = bp
        at_t[sel] = np.interp(years[sel], KEY_TENORS, bp)
    return key, at_t


def rolldown_pct(inputs: OptimInputs, horizon_years: float) -> np.ndarray:
    """Roll-down return (%) per bond over the horizon, on each market's par curve."""
    u = inputs.universe
    years = u["years_to_maturity"].to_numpy(float)
    out = np.zeros(len(u))
    codes = u["market"].to_numpy()
    for code in np.unique(codes):
        sel = (codes == code) & (years > horizon_years)
        if not sel.any():
            continue
        curve = inputs.curves[str(code)]
        drop = curve.par_yield_pct(years[sel]) - curve.par_yield_pct(years[sel] - horizon_years)
        out[sel] = u["mod_duration"].to_numpy(float)[sel] * np.asarray(drop, float)
    return out


def expected_returns(inputs: OptimInputs, settings: OptimSettings, rolldown: np.ndarray | None = None,
                     hedged: np.ndarray | None = None) -> pd.DataFrame:
    """DataFrame (universe index) with :data:`COMPONENTS`, all in % over the horizon (base ccy).

    Pass ``rolldown`` (from :func:`rolldown_pct`) and ``hedged`` (from :func:`hedged_yield_pct`)
    to skip recomputing them on every slider move.
    """
    u = inputs.universe
    h = settings.horizon_years
    y = u["yield_pct"].to_numpy(float)
    if settings.hedged:
        carry = (hedged if hedged is not None else hedged_yield_pct(u, inputs.short_rates_pct, settings.base_ccy)) * h
    else:
        ccy = u["currency"].to_numpy()
        fx_view = np.zeros(len(u))
        for c, pct in settings.fx_view_pct.items():
            if c != settings.base_ccy:
                fx_view[ccy == c] = float(pct)
        carry = y * h + fx_view
    roll = rolldown_pct(inputs, h) if rolldown is None else rolldown
    key_bp, bp_at_t = view_bp_by_bond(u, settings)
    krd = u[list(KEY_RATE_COLUMNS)].to_numpy(float)
    view = -(krd * key_bp).sum(axis=1) / 100.0
    convexity = 0.5 * u["convexity"].to_numpy(float) * (bp_at_t / 1e4) ** 2 * 100.0
    total = carry + roll + view + convexity
    return pd.DataFrame(dict(zip(COMPONENTS, (carry, roll, view, convexity, total), strict=True)),
                        index=u.index)
