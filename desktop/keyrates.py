"""Zero-curve key-rate durations: triangular bumps of each market's zero curve at its key tenors.

For a bond with remaining flows ``CF_j`` paid ``t_j`` years after settlement (ACT/365F, the clock of
:class:`desktop.curves.Curve`) the curve price is::

    P(s, b) = Σ_j CF_j · exp(−(z(t_j) + s + Σ_k b_k · W_k(t_j)) · t_j)        (per 100 face)

* ``z`` — the market's zero curve (continuously compounded decimals, linear between nodes, flat
  beyond the ends; :mod:`desktop.curves`);
* ``s`` — the bond's **z-spread**, a constant added to every zero rate (continuously compounded,
  decimal) so that ``P(s, 0)`` equals the bond's dirty price. A model-priced bond (priced off the
  curve itself) has ``s = 0``; a quoted bond gets the spread that reprices its quote;
* ``b_k`` — a bump of the zero curve at key tenor ``k`` (2, 5, 10, 30 y) with the tent weight
  ``W_k`` of :func:`desktop.analytics.key_rate_weights`: 1 at tenor k, linear to 0 at the
  neighbouring key tenors, flat beyond the first/last key (the 2y key takes everything shorter,
  the 30y key everything longer). Σ_k W_k(t) = 1 for every t.

Figures (years)::

    krd_k           = −(1/P) ∂P/∂b_k = Σ_j t_j W_k(t_j) PV_j / P
    spread_duration = −(1/P) ∂P/∂s   = Σ_j t_j PV_j / P          (= Σ_k krd_k)

with ``PV_j = CF_j · exp(−(z(t_j) + s) t_j)``. These are the sensitivities to the zero-curve moves
the optimiser's curve views and the risk model's key-rate factors describe. They differ from the
yield durations of :mod:`desktop.analytics` (``mod_duration``: one semi-annually compounded yield
for all flows), which stay the bonds' quoted duration.

Everything is vectorised over the universe: flows in the long layout of
:func:`desktop.analytics.cash_flows`, per-bond sums by ``np.bincount``, the z-spread by a vectorised
Newton iteration (a loop over iterations, never over bonds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS, cash_flows, key_rate_weights

__all__ = ["KEYRATE_FIGURES", "zero_curve_key_rates", "CurveFlows"]

#: Columns of :func:`zero_curve_key_rates`.
KEYRATE_FIGURES: tuple[str, ...] = ("curve_dirty_price", "z_spread_bp", "spread_duration", *KEY_RATE_COLUMNS)

SPREAD_TOL = 1e-14  # Newton stops when every step is below this (decimal spread)
SPREAD_MAX_ITER = 60


class CurveFlows:
    """Remaining flows of a set of bonds on their markets' zero curves (long layout, one row a flow).

    ``rows`` (F,) bond position, ``t`` (F,) years ACT/365F from settlement, ``amount`` (F,) per 100
    face, ``z`` (F,) the market's zero rate at ``t`` (continuously compounded decimal).
    """

    def __init__(self, bonds: pd.DataFrame, settle: Any, curves: Mapping[str, Any]) -> None:
        self.n = len(bonds)
        flows = cash_flows(bonds, settle)
        pos = pd.Index(bonds.index).get_indexer(flows["bond"])
        if (pos < 0).any() or not pd.Index(bonds.index).is_unique:
            raise ValueError("bonds need a unique index")
        self.rows = pos.astype(np.intp)
        self.t = np.maximum(flows["t_years"].to_numpy(float), 0.0)
        self.amount = flows["amount"].to_numpy(float)
        codes = bonds["market"].to_numpy()[self.rows]
        self.z = np.full(self.t.shape, np.nan)
        for code, curve in curves.items():
            m = codes == code
            if m.any():
                self.z[m] = curve.zero_rate(self.t[m])

    def per_bond(self, values: np.ndarray) -> np.ndarray:
        """Σ over each bond's flows of ``values`` (F,) → (N,)."""
        return np.bincount(self.rows, weights=values, minlength=self.n)

    def present_values(self, spread: np.ndarray) -> np.ndarray:
        """PV of each flow per 100 face at z-spread ``spread`` (N,, decimal, continuously compounded)."""
        return self.amount * np.exp(-(self.z + spread[self.rows]) * self.t)

    def solve_spread(self, dirty: np.ndarray) -> np.ndarray:
        """Z-spread (decimal) per bond such that Σ PV = ``dirty`` (N,, per 100 face); NaN entries of
        ``dirty`` get 0 (model price). Vectorised Newton: P(s) is convex and decreasing, so from
        s = 0 the iterates converge monotonically after at most one overshoot; NaN when no spread
        reproduces the price (non-positive price or no remaining flow)."""
        target = np.asarray(dirty, dtype=float)
        s = np.zeros(self.n)
        quoted = np.isfinite(target)
        if not quoted.any():
            return s
        live = quoted.copy()
        for _ in range(SPREAD_MAX_ITER):
            pv = self.present_values(s)
            price = self.per_bond(pv)
            slope = -self.per_bond(pv * self.t)
            with np.errstate(invalid="ignore", divide="ignore"):
                step = np.where(live, (price - target) / slope, 0.0)
            step = np.where(np.isfinite(step), np.clip(step, -0.5, 0.5), np.nan)
            s = s - np.where(live, step, 0.0)
            live &= ~(np.abs(step) < SPREAD_TOL)
            live &= np.isfinite(s)
            if not live.any():
                break
        bad = quoted & (~np.isfinite(s) | (target <= 0) | (self.per_bond(np.ones_like(self.t)) == 0))
        return np.where(bad, np.nan, s)


def zero_curve_key_rates(
    bonds: pd.DataFrame,
    settle: Any,
    curves: Mapping[str, Any],
    dirty_price: Any = None,
) -> pd.DataFrame:
    """Zero-curve key-rate durations of every bond (module doc), on ``bonds.index``.

    ``bonds``: ``market``, ``coupon_pct``, ``maturity`` (as for :func:`desktop.analytics.cash_flows`);
    ``settle``: a date or one per row; ``curves``: market code → :class:`desktop.curves.Curve`;
    ``dirty_price``: None (every bond model-priced: spread 0) or per-row dirty prices per 100 face
    (quotes; NaN rows are model-priced).

    Columns (:data:`KEYRATE_FIGURES`): ``curve_dirty_price`` (per 100 face, Σ PV at the spread),
    ``z_spread_bp`` (bp, continuously compounded), ``spread_duration`` (years) and ``krd_<k>y``
    (years; they sum to ``spread_duration``).
    """
    fl = CurveFlows(bonds, settle, curves)
    if dirty_price is None:
        target = np.full(fl.n, np.nan)
    else:
        target = np.broadcast_to(np.asarray(dirty_price, dtype=float), (fl.n,))
    spread = fl.solve_spread(target)
    pv = fl.present_values(np.nan_to_num(spread))
    price = fl.per_bond(pv)
    pv_t = pv * fl.t
    weights = key_rate_weights(fl.t)  # (F, n_keys) tent weights
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(np.isfinite(spread) & (price > 0), 1.0 / price, np.nan)
    out = {
        "curve_dirty_price": np.where(np.isfinite(spread), price, np.nan),
        "z_spread_bp": spread * 1e4,
        "spread_duration": fl.per_bond(pv_t) * inv,
    }
    for k, col in enumerate(KEY_RATE_COLUMNS):
        out[col] = fl.per_bond(pv_t * weights[:, k]) * inv
    return pd.DataFrame(out, index=bonds.index)[list(KEYRATE_FIGURES)]
