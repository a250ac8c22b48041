"""Portfolio figures: :func:`evaluate` aggregates one portfolio (face amounts) on a universe or its
what-if :class:`~desktop.controller.repricing.Shifted` arrays into an :class:`Evaluation` (yield,
hedged yield, duration, DV01, US share of duration, weights, duration and value by rung, key
rates); :data:`SUMMARY_ROWS` are the summary table's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.controller.repricing import Shifted
from desktop.finance import columns_of, hedged_yield_pct, market_values_base
from desktop.markets import MARKET_CODES


@dataclass(frozen=True)
class Evaluation:
    """One portfolio (face amounts) on one (possibly shifted) universe, in base currency.

    ``weights`` are fractions of market value; ``duration_contrib`` is rung × market of w·D
    (years); ``key_rates`` market × key tenor of Σ w·KRD (years); ``value_by_rung`` rung × market of
    base-currency market value.
    """

    face: np.ndarray
    values_base: np.ndarray
    weights: np.ndarray
    market_value_base: float
    yield_pct: float
    hedged_yield_pct: float
    mod_duration: float
    dv01_base: float
    us_duration_share: float
    weights_by_market: dict[str, float]
    duration_contrib: pd.DataFrame
    key_rates: pd.DataFrame
    value_by_rung: pd.DataFrame
    risk_pct: float | None = None

    def figure(self, name: str) -> float:
        if name.startswith("w:"):
            return self.weights_by_market.get(name[2:], 0.0)
        value = getattr(self, name)
        return float("nan") if value is None else float(value)


SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("yield_pct", "Yield (local)", "%"),
    ("hedged_yield_pct", "Yield (FX-hedged)", "%"),
    ("mod_duration", "Modified duration", "y"),
    ("dv01_base", "DV01 (base per bp)", "base"),
    ("us_duration_share", "US share of duration", "%"),
    ("risk_pct", "Risk (vol, annual)", "%"),
    ("market_value_base", "Market value (base)", "base"),
) + tuple((f"w:{c}", f"Weight {c}", "%") for c in MARKET_CODES)


def evaluate(
    universe: pd.DataFrame | Shifted,
    face: np.ndarray,
    fx: Mapping[str, float],
    short_rates_pct: Mapping[str, float],
    base_ccy: str,
    risk_pct: float | None = None,
) -> Evaluation:
    """Aggregate a portfolio's exposures (see :class:`Evaluation`) over ``universe`` (a DataFrame
    or, on the what-if hot path, the :class:`Shifted` arrays: same figures, no pandas lookups)."""
    cols = columns_of(universe)
    face = np.asarray(face, float)
    values = market_values_base(cols, face, fx)
    total = float(values.sum())
    w = values / total if total > 0 else np.zeros_like(values)
    dur = cols.column("mod_duration")
    y = cols.column("yield_pct")
    hy = hedged_yield_pct(cols, short_rates_pct, base_ccy)
    contrib = w * dur
    total_dur = float(contrib.sum())
    m_idx = cols.market_index
    rungs = cols.column("rung")
    dc = _grid(m_idx, rungs, contrib)
    vr = _grid(m_idx, rungs, values)
    n_mkt = len(MARKET_CODES)
    krd_matrix = np.column_stack(
        [np.bincount(m_idx, weights=w * cols.column(k), minlength=n_mkt) for k in KEY_RATE_COLUMNS]
    ) if len(KEY_RATE_COLUMNS) else np.zeros((n_mkt, 0))
    krd = pd.DataFrame(krd_matrix, index=_MARKET_LABELS, columns=_KRD_LABELS, copy=False)
    dv01_base = float((face / 100.0 * cols.column("dv01") * cols.per_currency(fx)).sum())
    by_mkt = dict(zip(MARKET_CODES, np.bincount(m_idx, weights=w, minlength=n_mkt), strict=True))
    us = m_idx == _US
    return Evaluation(
        face=face,
        values_base=values,
        weights=w,
        market_value_base=total,
        yield_pct=float(w @ y),
        hedged_yield_pct=float(w @ hy),
        mod_duration=total_dur,
        dv01_base=dv01_base,
        us_duration_share=float(contrib[us].sum() / total_dur) if total_dur > 0 else 0.0,
        weights_by_market={c: float(by_mkt.get(c, 0.0)) for c in MARKET_CODES},
        duration_contrib=dc,
        key_rates=krd,
        value_by_rung=vr,
        risk_pct=risk_pct,
    )


_MARKET_LABELS = pd.Index(list(MARKET_CODES))
_KRD_LABELS = pd.Index(list(KEY_RATE_COLUMNS))
_US = MARKET_CODES.index("US") if "US" in MARKET_CODES else -1


def _grid(m_idx: np.ndarray, rungs: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """rung × market sums of ``v`` over the rungs where anything is held (rows sorted)."""
    held = v != 0
    if not held.any():
        return pd.DataFrame(0.0, index=pd.Index([], name="rung"), columns=list(MARKET_CODES))
    used, inv = np.unique(rungs[held], return_inverse=True)
    n_mkt = len(MARKET_CODES)
    out = np.bincount(inv * n_mkt + m_idx[held], weights=v[held], minlength=used.size * n_mkt).reshape(used.size, n_mkt)
    return pd.DataFrame(out, index=pd.Index(used, name="rung"), columns=_MARKET_LABELS, copy=False)
