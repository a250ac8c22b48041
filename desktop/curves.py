"""Yield curves: par yields → zero curve (bootstrap), BoE zero curves, what-if shifts.

Conventions (stated in the README):

* A curve is a spot curve starting at the bond's settlement date; time is ACT/365F years.
* Zero rates are **continuously compounded decimals**; the discount factor is ``exp(-z(t)·t)``.
* Zero rates are interpolated linearly between nodes and held flat beyond the first/last node.
* Par curves (US CMT, MoF JGB, RBA F2) are semi-annual par yields. They are interpolated linearly
  (flat beyond the quoted range) onto a half-year grid and bootstrapped exactly: every grid point is
  a semi-annual par bond priced at 100. Quotes at ≤ 0.5 y are bill yields (bond-equivalent,
  simple): ``DF = 1 / (1 + y·t)``.
* The BoE GLC curve is already a zero curve (continuously compounded): used as is.
* Shifts are in **bp** on the zero rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

GRID_STEP = 0.5  # years between bootstrap nodes (semi-annual coupons)
KEY_TENORS: tuple[float, ...] = (2.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True, eq=False)
class Curve:
    """A market's zero curve with the quotes it came from.

    ``tenors`` / ``input_yields_pct`` are the published points (years, %); ``zero_tenors`` /
    ``zero_rates`` are the bootstrapped nodes (years, continuously compounded decimal).
    ``shift_bp`` records the what-if shift already applied (bp at ``zero_tenors``).
    """

    market: str
    as_of: date
    curve_type: str  # "par" or "zero"
    source: str
    tenors: np.ndarray
    input_yields_pct: np.ndarray
    zero_tenors: np.ndarray
    zero_rates: np.ndarray
    shift_bp: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def zero_rate(self, t: np.ndarray | float) -> np.ndarray:
        """Continuously compounded zero rate (decimal) at ``t`` years, linear, flat beyond the ends."""
        t_arr = np.asarray(t, dtype=float)
        return np.interp(t_arr, self.zero_tenors, self.zero_rates)

    def discount(self, t: np.ndarray | float) -> np.ndarray:
        """Discount factor for a flow ``t`` years (ACT/365F) after settlement; 1 for t ≤ 0."""
        t_arr = np.maximum(np.asarray(t, dtype=float), 0.0)
        return np.exp(-self.zero_rate(t_arr) * t_arr)

    def par_yield_pct(self, t: np.ndarray | float) -> np.ndarray:
        """Semi-annual par yield (%) of a bond maturing in ``t`` years, from this zero curve.

        For t ≤ 0.5 y the bill yield ``(1/DF − 1)/t`` (bond-equivalent, simple) is returned.
        """
        t_arr = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.empty_like(t_arr)
        short = t_arr <= GRID_STEP + 1e-12
        ts = np.maximum(t_arr[short], 1e-6)
        out[short] = (1.0 / self.discount(ts) - 1.0) / ts
        if (~short).any():
            tl = t_arr[~short]
            n_max = int(np.ceil(tl.max() / GRID_STEP)) + 1
            # coupon times back from maturity: t, t-0.5, ... > 0 (first period may be short)
            k = np.arange(n_max)[None, :]
            times = tl[:, None] - GRID_STEP * k
            live = times > 1e-9
            dfs = np.where(live, self.discount(np.where(live, times, 0.0)), 0.0)
            first = np.where(live, times, np.inf).min(axis=1)
            # accrued fraction of the current period, so the par bond's dirty price is 100 + AI
            accrued_frac = (GRID_STEP - first) / GRID_STEP
            annuity = dfs.sum(axis=1) / 2.0
            df_t = self.discount(tl)
            out[~short] = (1.0 - df_t) / (annuity - accrued_frac / 2.0)
        result = out * 100.0
        return result if np.ndim(t) else result[0]

    def shifted(self, shift_bp: float | Mapping[float, float] | np.ndarray) -> Curve:
        """A new curve with zero rates moved by ``shift_bp``.

        ``shift_bp`` is a float (parallel, bp), a mapping {tenor_years: bp} interpolated linearly and
        flat beyond its ends, or an array of bp at ``self.zero_tenors``.
        """
        bp = shift_at(self.zero_tenors, shift_bp)
        base_shift = self.shift_bp if self.shift_bp.size else np.zeros_like(self.zero_rates)
        return replace(self, zero_rates=self.zero_rates + bp / 1e4, shift_bp=base_shift + bp)


def shift_at(tenors: np.ndarray, shift_bp: float | Mapping[float, float] | np.ndarray) -> np.ndarray:
    """Evaluate a shift specification (see :meth:`Curve.shifted`) at ``tenors``; bp."""
    tenors = np.asarray(tenors, dtype=float)
    if isinstance(shift_bp, Mapping):
        if not shift_bp:
            return np.zeros_like(tenors)
        keys = np.array(sorted(shift_bp), dtype=float)
        vals = np.array([float(shift_bp[k]) for k in sorted(shift_bp)], dtype=float)
        return np.interp(tenors, keys, vals)
    arr = np.asarray(shift_bp, dtype=float)
    if arr.ndim == 0:
        return np.full_like(tenors, float(arr))
    if arr.shape != tenors.shape:
        raise ValueError(f"shift array has {arr.size} points, curve has {tenors.size} nodes")
    return arr


def shift_profile(
    tenors: np.ndarray | float,
    *,
    parallel_bp: float = 0.0,
    slope_bp: float = 0.0,
    curvature_bp: float = 0.0,
    key_bp: Mapping[float, float] | None = None,
) -> np.ndarray:
    """Shift in bp at ``tenors`` (years) from PM-style views.

    * ``parallel_bp``: every tenor moves by this amount.
    * ``slope_bp``: 2s10s steepening — the 10y−2y spread widens by ``slope_bp``: −slope/2 at ≤ 2 y,
      +slope/2 at ≥ 10 y, linear in between.
    * ``curvature_bp``: a 2s5s10s belly move — +curvature at 5 y, 0 at ≤ 2 y and ≥ 10 y, linear.
    * ``key_bp``: {key tenor: bp}, linear between the given tenors and flat beyond them.
    """
    t = np.asarray(tenors, dtype=float)
    bp = np.full_like(t, float(parallel_bp))
    if slope_bp:
        bp = bp + float(slope_bp) * (np.interp(t, [2.0, 10.0], [0.0, 1.0]) - 0.5)
    if curvature_bp:
        bp = bp + float(curvature_bp) * np.interp(t, [2.0, 5.0, 10.0], [0.0, 1.0, 0.0])
    if key_bp:
        bp = bp + shift_at(t, key_bp)
    return bp


def _bootstrap_par(tenors: np.ndarray, par_pct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact bootstrap of semi-annual par yields; returns (node tenors, cc zero rates)."""
    par = par_pct / 100.0
    short_mask = tenors <= GRID_STEP + 1e-12
    short_t = tenors[short_mask]
    short_df = 1.0 / (1.0 + par[short_mask] * short_t)
    n_nodes = int(np.ceil(tenors.max() / GRID_STEP + 1e-9))
    grid = GRID_STEP * np.arange(1, max(n_nodes, 1) + 1)
    grid_par = np.interp(grid, tenors, par)
    grid_df = np.empty_like(grid)
    annuity = 0.0
    for i, (t, c) in enumerate(zip(grid, grid_par, strict=True)):
        if t <= GRID_STEP + 1e-12:
            if short_t.size and np.isclose(short_t, t).any():
                grid_df[i] = short_df[np.isclose(short_t, t)][0]
            else:
                grid_df[i] = 1.0 / (1.0 + c * t)
        else:
            grid_df[i] = (1.0 - c / 2.0 * annuity) / (1.0 + c / 2.0)
        annuity += grid_df[i]
    extra = short_t[~np.isin(np.round(short_t, 9), np.round(grid, 9))]
    extra_df = short_df[~np.isin(np.round(short_t, 9), np.round(grid, 9))]
    node_t = np.concatenate([extra, grid])
    node_df = np.concatenate([extra_df, grid_df])
    order = np.argsort(node_t)
    node_t, node_df = node_t[order], node_df[order]
    return node_t, -np.log(node_df) / node_t


def build_curve(
    market: str,
    as_of: date,
    tenors: np.ndarray | list[float],
    yields_pct: np.ndarray | list[float],
    curve_type: str,
    source: str,
) -> Curve:
    """Build a :class:`Curve` from published points.

    ``curve_type="par"``: semi-annual par yields (%), bootstrapped exactly.
    ``curve_type="zero"``: continuously compounded zero rates (%), e.g. the BoE GLC spot curve.
    """
    t = np.asarray(tenors, dtype=float)
    y = np.asarray(yields_pct, dtype=float)
    if t.size == 0 or t.shape != y.shape:
        raise ValueError(f"{market} curve needs matching, non-empty tenors and yields")
    if not (np.isfinite(t).all() and np.isfinite(y).all()) or (t <= 0).any():
        raise ValueError(f"{market} curve has non-finite yields or non-positive tenors")
    order = np.argsort(t)
    t, y = t[order], y[order]
    if curve_type == "par":
        zt, zr = _bootstrap_par(t, y)
    elif curve_type == "zero":
        zt, zr = t.copy(), y / 100.0
    else:
        raise ValueError(f"unknown curve type {curve_type!r} (expected 'par' or 'zero')")
    return Curve(market, as_of, curve_type, source, t, y, zt, zr)


def fit_report(curve: Curve) -> pd.DataFrame:
    """How well the zero curve reprices its inputs: tenor, quoted %, model %, error in bp.

    For par curves the model figure is the par yield off the bootstrapped curve; for zero curves
    it is the interpolated zero rate itself.
    """
    if curve.curve_type == "par":
        model = np.atleast_1d(curve.par_yield_pct(curve.tenors))
    else:
        model = curve.zero_rate(curve.tenors) * 100.0
    return pd.DataFrame(
        {
            "market": curve.market,
            "tenor_years": curve.tenors,
            "quoted_pct": curve.input_yields_pct,
            "model_pct": model,
            "error_bp": (model - curve.input_yields_pct) * 100.0,
        }
    )
