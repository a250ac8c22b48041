"""The per-bond money formulas, each written once: FX to base, market value in base currency,
FX-hedged yield, value → face amounts rounded to the market's denomination.

Every caller — the optimiser, the controller's what-if path, the scenario engine, the CLIs and
the window — goes through these functions, so a figure means the same thing everywhere.

Conventions
-----------
* FX: the snapshot stores **USD per unit** of each currency; ``fx_to_base`` turns that into
  **units of the base currency per unit** of each currency (cross rates through USD).
* Market value (base ccy) = face (local) / 100 × dirty price (per 100 face, local) × FX to base.
* FX-hedged yield (%) = local yield + base short rate − local short rate: covered interest parity
  with rolling 3-month forwards, the hedge earns the short-rate differential (rates in % a year).
* Face for a base-currency value = value / FX / (dirty / 100), rounded to the nearest multiple of
  the market's minimum denomination (:data:`desktop.markets.MARKETS`).

The functions read a universe through the small :class:`BondColumns` interface (``column(key)``
and ``per_currency(table)``): a plain DataFrame is wrapped by :func:`columns_of`; the controller's
what-if arrays and the optimiser's arrays implement it directly, so the hot paths never go through
pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from desktop.markets import MARKET_CODES, MARKETS

# columns always read as floats (the rest keep their dtype; ``rung`` as int)
FLOAT_COLUMNS = frozenset({
    "dirty_price", "clean_price", "yield_pct", "mod_duration", "dv01", "krd_2y", "krd_5y", "krd_10y", "krd_30y",
    "accrued", "convexity", "years_to_maturity", "coupon_pct",
})


class BondColumns(Protocol):
    """What the formulas need of a universe: columns as numpy arrays and per-currency lookups."""

    def __len__(self) -> int: ...

    def column(self, key: str) -> np.ndarray: ...

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray: ...


def fx_to_base(fx_usd_per_unit: Mapping[str, float], base_ccy: str) -> dict[str, float]:
    """Units of ``base_ccy`` per unit of each currency (from USD per unit)."""
    base = float(fx_usd_per_unit[base_ccy])
    return {ccy: float(v) / base for ccy, v in fx_usd_per_unit.items()}


def market_values_base(universe: pd.DataFrame | BondColumns, face: np.ndarray,
                       fx: Mapping[str, float]) -> np.ndarray:
    """Market value (dirty) of each holding in base currency; ``face`` in local currency,
    ``fx`` = units of base per unit of each currency (:func:`fx_to_base`)."""
    cols = columns_of(universe)
    return np.asarray(face, float) / 100.0 * cols.column("dirty_price") * cols.per_currency(fx)


def hedged_yield_pct(universe: pd.DataFrame | BondColumns, short_rates_pct: Mapping[str, float],
                     base_ccy: str) -> np.ndarray:
    """FX-hedged yield in base currency, % a year: local yield + base short rate − local short rate."""
    cols = columns_of(universe)
    return cols.column("yield_pct") + float(short_rates_pct[base_ccy]) - cols.per_currency(short_rates_pct)


def min_denominations(markets: np.ndarray | pd.Series) -> np.ndarray:
    """Each row's minimum face denomination (local currency) from its market code."""
    codes = np.asarray(markets)
    out = np.empty(len(codes))
    for c in np.unique(codes):
        out[codes == c] = MARKETS[str(c)].min_denomination
    return out


def round_face(markets: np.ndarray | pd.Series, face: np.ndarray) -> np.ndarray:
    """Face amounts rounded to the nearest multiple of each market's minimum denomination."""
    den = min_denominations(markets)
    return np.round(np.asarray(face, float) / den) * den


def face_from_values(universe: pd.DataFrame, value_base: np.ndarray, fx: Mapping[str, float]) -> np.ndarray:
    """Face (local ccy) buying ``value_base`` (base ccy) of each bond at its dirty price, rounded to
    the market's denomination; negative values count as 0."""
    value_per_face = market_values_base(universe, np.full(len(universe), 100.0), fx) / 100.0
    face = np.clip(np.asarray(value_base, float), 0.0, None) / value_per_face
    return round_face(universe["market"].to_numpy(), face)


# -- reading a DataFrame through the BondColumns interface ------------------------------------------
class FrameColumns:
    """:class:`BondColumns` over a plain DataFrame (per-currency lookups cached per universe)."""

    def __init__(self, universe: pd.DataFrame) -> None:
        self.universe = universe

    def __len__(self) -> int:
        return len(self.universe)

    def column(self, key: str) -> np.ndarray:
        if key == "rung":
            return self.universe[key].to_numpy(int)
        col = self.universe[key]
        return col.to_numpy(float) if key in FLOAT_COLUMNS or col.dtype.kind in "fiu" else col.to_numpy()

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray:
        return per_currency(self.universe["currency"].to_numpy(), table)

    @property
    def market_index(self) -> np.ndarray:
        return market_index(self.universe["market"].to_numpy())


def columns_of(universe: pd.DataFrame | BondColumns) -> BondColumns:
    """``universe`` itself if it already reads as :class:`BondColumns`, else a DataFrame wrapper."""
    return FrameColumns(universe) if isinstance(universe, pd.DataFrame) else universe


_BY_CURRENCY: dict[int, tuple[np.ndarray, dict[Any, np.ndarray]]] = {}


def per_currency(currency: np.ndarray, table: Mapping[str, float]) -> np.ndarray:
    """``table[currency]`` for every row (NaN where missing), cached per currency column (what-if
    copies share the currency column with their base universe, so a slider move never re-maps strings)."""
    entry = _BY_CURRENCY.get(id(currency))
    if entry is None or entry[0] is not currency:
        if len(_BY_CURRENCY) > 16:
            _BY_CURRENCY.clear()
        entry = (currency, {})
        _BY_CURRENCY[id(currency)] = entry
    key = tuple(sorted(table.items()))
    out = entry[1].get(key)
    if out is None:
        out = pd.Series(currency).map(dict(table)).to_numpy(float)
        entry[1][key] = out
    return out


_MARKET_INDEX: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def market_index(codes: np.ndarray) -> np.ndarray:
    """Position of each row's market in MARKET_CODES (cached per market column, as per_currency)."""
    hit = _MARKET_INDEX.get(id(codes))
    if hit is not None and hit[0] is codes:
        return hit[1]
    pos = {c: i for i, c in enumerate(MARKET_CODES)}
    out = np.fromiter((pos[c] for c in codes), dtype=np.intp, count=len(codes))
    if len(_MARKET_INDEX) > 16:
        _MARKET_INDEX.clear()
    _MARKET_INDEX[id(codes)] = (codes, out)
    return out
