"""Qt-free exposure aggregation of a portfolio over a universe (weights or face amounts).

Units: face in local currency; market values and DV01 in the base currency (DV01 = value change
for a 1 bp fall in yields, positive); weights are fractions of portfolio market value; durations
in years (``duration_contribution`` = w·D, so they sum to the portfolio's modified duration);
yields in %; ``hedged_yield_pct`` = yield + base short rate − local short rate (FX-hedged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.markets import MARKET_CODES


def fx_vector(universe: pd.DataFrame, fx_to_base: Mapping[str, float]) -> np.ndarray:
    """Units of base currency per unit of each bond's currency."""
    ccy = universe["currency"].to_numpy()
    out = np.empty(len(ccy))
    for c in np.unique(ccy):
        out[ccy == c] = fx_to_base[str(c)]
    return out


def market_values_base(universe: pd.DataFrame, face: np.ndarray, fx_to_base: Mapping[str, float]) -> np.ndarray:
    """Dirty market value in base currency of ``face`` (local currency) per bond."""
    return np.asarray(face, float) * universe["dirty_price"].to_numpy(float) / 100.0 * fx_vector(universe, fx_to_base)


def weights_from_face(universe: pd.DataFrame, face: np.ndarray, fx_to_base: Mapping[str, float]
                      ) -> tuple[np.ndarray, float]:
    """(weights, total market value in base ccy); weights are 0 for an empty portfolio."""
    mv = market_values_base(universe, face, fx_to_base)
    total = float(mv.sum())
    return (mv / total if total > 0 else np.zeros_like(mv)), total


@dataclass(frozen=True, eq=False)
class Exposure:
    """A portfolio's figures (module docstring for units)."""

    market_value_base: float
    weights: pd.Series
    weight_by_market: pd.Series
    weight_by_rung: pd.DataFrame  # rung × market
    mod_duration: float
    duration_contribution: pd.Series
    duration_by_market: pd.Series
    us_share: float  # US share of portfolio duration (fraction)
    yield_pct: float
    hedged_yield_pct: float
    dv01_base: float
    key_rate_profile: pd.DataFrame  # market × key tenor, Σ w·krd (years)


def exposures(universe: pd.DataFrame, *, fx_to_base: Mapping[str, float], short_rates_pct: Mapping[str, float],
              base_ccy: str, weights: np.ndarray | None = None, face: np.ndarray | None = None,
              market_value_base: float = 1.0) -> Exposure:
    """Aggregate ``face`` (local ccy) or ``weights`` (+ ``market_value_base``) over ``universe``."""
    if (weights is None) == (face is None):
        raise ValueError("give exactly one of weights or face")
    if face is not None:
        w, mv = weights_from_face(universe, face, fx_to_base)
    else:
        w, mv = np.asarray(weights, float), float(market_value_base)
    codes = universe["market"].to_numpy()
    D = universe["mod_duration"].to_numpy(float)
    contrib = w * D
    dur = float(contrib.sum())
    ws = pd.Series(w, index=universe.index, name="weight")
    by_market = ws.groupby(codes).sum().reindex(MARKET_CODES, fill_value=0.0)
    dur_market = pd.Series(contrib, index=universe.index).groupby(codes).sum().reindex(MARKET_CODES, fill_value=0.0)
    by_rung = (pd.DataFrame({"rung": universe["rung"].to_numpy(), "market": codes, "w": w})
               .pivot_table(index="rung", columns="market", values="w", aggfunc="sum", fill_value=0.0)
               .reindex(columns=list(MARKET_CODES), fill_value=0.0))
    krd = universe[list(KEY_RATE_COLUMNS)].to_numpy(float) * w[:, None]
    profile = (pd.DataFrame(krd, columns=list(KEY_RATE_COLUMNS)).groupby(codes).sum()
               .reindex(list(MARKET_CODES), fill_value=0.0))
    local = universe["currency"].map(dict(short_rates_pct)).to_numpy(float)
    y = universe["yield_pct"].to_numpy(float)
    hedged = y + float(short_rates_pct[base_ccy]) - local
    # dv01 per 100 face → per unit of base-ccy value: dv01 / dirty_price; times the position's value
    dv01 = float((universe["dv01"].to_numpy(float) / universe["dirty_price"].to_numpy(float) * w).sum() * mv)
    return Exposure(
        market_value_base=mv, weights=ws, weight_by_market=by_market, weight_by_rung=by_rung, mod_duration=dur,
        duration_contribution=pd.Series(contrib, index=universe.index, name="duration_contribution"),
        duration_by_market=dur_market, us_share=float(dur_market["US"] / dur) if dur > 0 else 0.0,
        yield_pct=float(y @ w), hedged_yield_pct=float(hedged @ w), dv01_base=dv01, key_rate_profile=profile,
    )
