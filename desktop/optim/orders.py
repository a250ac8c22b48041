"""From weights to orders: face amounts per bond and a trade list against current holdings.

``face = w · notional / (dirty_price/100 · fx_to_base)`` (local currency), rounded to the nearest
multiple of the market's minimum denomination (``desktop.markets``: US $100 (31 CFR 356.5),
JGB ¥50,000 (MoF), ACGB A$1,000 (assumption: no official wholesale parcel size in our sources),
gilts £0.01 (DMO)). Trades settle on each market's standard date for the trade date
(``desktop.markets.settlement_date``: US/JP/UK T+1, AU T+2, in each market's calendar).
Trades whose base-currency value is below ``min_trade_base`` are dropped (and the holding kept),
so rounding noise never turns into tickets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.markets import market, settlement_date
from desktop.portfolio import fx_vector, market_values_base

TRADE_COLUMNS = ["market", "id", "name", "side", "face", "market_value_base", "trade_date", "settle_date",
                 "current_face", "target_face"]


def min_denominations(universe: pd.DataFrame) -> np.ndarray:
    codes = universe["market"].to_numpy()
    out = np.empty(len(codes))
    for c in np.unique(codes):
        out[codes == c] = market(str(c)).min_denomination
    return out


def round_face(universe: pd.DataFrame, face: np.ndarray) -> np.ndarray:
    """Round face amounts to each market's minimum denomination (nearest multiple)."""
    den = min_denominations(universe)
    return np.round(np.asarray(face, float) / den) * den


def face_amounts(universe: pd.DataFrame, weights: np.ndarray, notional_base: float,
                 fx_to_base: Mapping[str, float]) -> np.ndarray:
    """Face (local ccy) that puts ``weights`` of ``notional_base`` (base ccy) into each bond, rounded."""
    value_per_face = universe["dirty_price"].to_numpy(float) / 100.0 * fx_vector(universe, fx_to_base)
    return round_face(universe, np.clip(np.asarray(weights, float), 0.0, None) * notional_base / value_per_face)


def holdings_face(universe: pd.DataFrame, holdings: pd.DataFrame, source: str = "holdings") -> np.ndarray:
    """Face per universe bond from a holdings table with ``market, id, face`` (ALLOC.csv works).

    Raises ``DataError`` naming the line of a bond that is not in the universe or a bad face.
    """
    holdings = holdings.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").lower())
    for col in ("market", "id", "face"):
        if col not in holdings.columns:
            raise DataError(f"missing column {col!r}", file=source, field=col, expected="market,id,face")
    face_col = pd.to_numeric(holdings["face"], errors="coerce")
    key = pd.MultiIndex.from_arrays([universe["market"].astype(str), universe["id"].astype(str)])
    codes = holdings["market"].astype(str).str.strip().str.upper().replace({"GB": "UK"})
    pos = key.get_indexer(pd.MultiIndex.from_arrays([codes, holdings["id"].astype(str).str.strip()]))
    for i in range(len(holdings)):
        line = i + 2  # header is line 1
        if pos[i] < 0:
            raise DataError(f"bond {holdings['market'].iloc[i]} {holdings['id'].iloc[i]} is not in the universe",
                            file=source, line=line, field="id", expected="a bond of the workspace's universe")
        if not np.isfinite(face_col.iloc[i]) or face_col.iloc[i] < 0:
            raise DataError(f"face {holdings['face'].iloc[i]!r} is not a non-negative number", file=source,
                            line=line, field="face", expected="face amount in local currency, ≥ 0")
    face = np.zeros(len(universe))
    np.add.at(face, pos, face_col.to_numpy(float))
    return face


def trade_list(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray,
               fx_to_base: Mapping[str, float], trade_date: date, min_trade_base: float = 0.0) -> pd.DataFrame:
    """Orders moving ``current_face`` to ``target_face``: BUY/SELL face (local), value (base ccy),
    settlement date per market; trades worth less than ``min_trade_base`` are dropped."""
    delta = np.asarray(target_face, float) - np.asarray(current_face, float)
    value = np.abs(market_values_base(universe, delta, fx_to_base))
    moved = (np.abs(delta) > 1e-9) & (value >= max(min_trade_base, 1e-9))
    sub = universe[moved]
    settle = {c: settlement_date(str(c), trade_date) for c in sub["market"].unique()}
    return pd.DataFrame({
        "market": sub["market"].to_numpy(),
        "id": sub["id"].to_numpy(),
        "name": sub["name"].to_numpy(),
        "side": np.where(delta[moved] > 0, "BUY", "SELL"),
        "face": np.abs(delta[moved]),
        "market_value_base": value[moved],
        "trade_date": trade_date.isoformat(),
        "settle_date": [settle[c].isoformat() for c in sub["market"]],
        "current_face": np.asarray(current_face, float)[moved],
        "target_face": np.asarray(target_face, float)[moved],
    }, columns=TRADE_COLUMNS)


ALLOC_COLUMNS = ["market", "id", "name", "coupon_pct", "maturity", "rung", "weight", "face", "market_value_base",
                 "yield_pct", "hedged_yield_pct", "expected_return_pct", "mod_duration", "duration_contribution",
                 "dv01_base"]


def allocation_table(universe: pd.DataFrame, weights: np.ndarray, face: np.ndarray, expected_return_pct: np.ndarray,
                     hedged_yield_pct: np.ndarray, fx_to_base: Mapping[str, float],
                     include_zero: bool = False) -> pd.DataFrame:
    """ALLOC.csv rows (:data:`ALLOC_COLUMNS`): one per bond held, i.e. face > 0 after rounding (every
    bond of the universe with ``include_zero``).

    ``weight`` is the optimiser's weight; ``face`` the rounded order size; ``market_value_base`` and
    ``dv01_base`` (base ccy per bp) follow the rounded face; ``duration_contribution`` = weight · D;
    ``expected_return_pct`` is the bond's coefficient in the objective (% over the horizon).
    """
    w = np.asarray(weights, float)
    fx = fx_vector(universe, fx_to_base)
    out = pd.DataFrame({
        "market": universe["market"].to_numpy(),
        "id": universe["id"].to_numpy(),
        "name": universe["name"].to_numpy(),
        "coupon_pct": universe["coupon_pct"].to_numpy(float),
        "maturity": pd.to_datetime(universe["maturity"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "rung": universe["rung"].to_numpy(int),
        "weight": w,
        "face": np.asarray(face, float),
        "market_value_base": market_values_base(universe, face, fx_to_base),
        "yield_pct": universe["yield_pct"].to_numpy(float),
        "hedged_yield_pct": np.asarray(hedged_yield_pct, float),
        "expected_return_pct": np.asarray(expected_return_pct, float),
        "mod_duration": universe["mod_duration"].to_numpy(float),
        "duration_contribution": w * universe["mod_duration"].to_numpy(float),
        "dv01_base": universe["dv01"].to_numpy(float) * np.asarray(face, float) / 100.0 * fx,
    }, columns=ALLOC_COLUMNS)
    return out if include_zero else out[out["face"] > 0].reset_index(drop=True)
