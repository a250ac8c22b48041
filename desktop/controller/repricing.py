"""Instant what-if repricing (numpy): :class:`ShiftEngine` reprices every bond of the universe
exactly on the shifted zero curves (method in the :mod:`desktop.controller` docstring) and returns
:class:`Shifted` arrays; the per-bond figures shared with the DataFrame path (FX rates, hedged
yield, base-currency market values: :mod:`desktop.finance`) read either form through one column
interface (:class:`desktop.finance.BondColumns`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS, KEY_TENORS, cash_flows, key_rate_weights
from desktop.controller.whatif import WhatIf
from desktop.finance import FrameColumns, fx_to_base, hedged_yield_pct, market_values_base
from desktop.markets import MARKET_CODES

MOVED_COLUMNS = ("dirty_price", "clean_price", "yield_pct", "mod_duration", "dv01", *KEY_RATE_COLUMNS)
__all__ = ["MOVED_COLUMNS", "ShiftEngine", "Shifted", "shifted_curves",
           "fx_to_base", "hedged_yield_pct", "market_values_base"]  # the last three: desktop.finance


class ShiftEngine:
    """Exact what-if repricing of a universe on parallel/2s10s-shifted zero curves (see the
    :mod:`desktop.controller` docstring)."""

    def __init__(self, universe: pd.DataFrame, curves: Mapping[str, Any]) -> None:
        self.universe = universe
        n = len(universe)
        settle = universe["settle_date"]
        flows = cash_flows(universe, settle)  # the full rows: issue dates give first coupon periods
        pos = pd.Index(universe.index).get_indexer(flows["bond"]).astype(np.intp)
        codes = universe["market"].to_numpy()
        code_pos = {c: i for i, c in enumerate(MARKET_CODES)}
        self.market_index = np.array([code_pos[c] for c in codes], dtype=np.intp)  # per bond
        order = np.argsort(self.market_index[pos], kind="stable")  # flows grouped by market
        self._rows = pos[order]
        self._t = np.maximum(flows["t_years"].to_numpy(float)[order], 0.0)
        self._amount = flows["amount"].to_numpy(float)[order]
        self._mkt = self.market_index[self._rows]
        z = np.zeros_like(self._t)
        for code, curve in curves.items():
            m = codes[self._rows] == code
            z[m] = curve.zero_rate(self._t[m])
        self._z = z
        self._tent = key_rate_weights(self._t)  # flows × key tenors, linear interpolation weights
        self._n = n
        bounds = np.searchsorted(self._mkt, np.arange(len(MARKET_CODES) + 1))
        self._slices = [slice(int(bounds[m]), int(bounds[m + 1])) for m in range(len(MARKET_CODES))]
        self._bond_masks = [self.market_index == m for m in range(len(MARKET_CODES))]
        # per-bond dirty price and key-rate sums on the last what-if, per market: a slider move
        # reprices only the markets whose shift changed (the others are reused as they are)
        self._last_table = np.zeros((len(MARKET_CODES), len(KEY_RATE_COLUMNS)))
        self._dirty = np.zeros(n)
        self._krd_sums = np.zeros((n, len(KEY_RATE_COLUMNS)))
        for m in range(len(MARKET_CODES)):
            self._reprice_market(m, self._last_table[m])
        self.base_dirty = self._dirty.copy()
        # static per-bond arrays, read once (a slider move never goes through pandas)
        self._columns: dict[str, np.ndarray] = {}
        self._ccy: tuple[np.ndarray, np.ndarray] | None = None  # distinct currencies, row → position
        self._rates: dict[tuple[Any, ...], np.ndarray] = {}
        self.base = Shifted(self, {})

    def column(self, key: str) -> np.ndarray:
        """A column of the base universe as a numpy array (cached; floats for numeric columns)."""
        out = self._columns.get(key)
        if out is None:
            out = FrameColumns(self.universe).column(key)
            self._columns[key] = out
        return out

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray:
        """``table[currency]`` for every bond (NaN for a currency not in ``table``), cached."""
        key = tuple(sorted(table.items()))
        out = self._rates.get(key)
        if out is None:
            if len(self._rates) > 32:
                self._rates.clear()
            if self._ccy is None:
                self._ccy = np.unique(self.universe["currency"].to_numpy().astype(str), return_inverse=True)
            codes, inverse = self._ccy
            values = np.array([float(table[c]) if c in table else np.nan for c in codes], dtype=float)
            out = values[inverse] if len(inverse) else np.zeros(0)
            self._rates[key] = out
        return out

    def reprice(self, whatif: WhatIf) -> pd.DataFrame:
        """The universe with dirty/clean price, yield, duration and dv01 moved by the what-if."""
        return self.reprice_arrays(whatif).frame

    def reprice_arrays(self, whatif: WhatIf) -> Shifted:
        """:meth:`reprice` as numpy arrays (:class:`Shifted`); the DataFrame is built only if asked for."""
        if not whatif.has_shift:
            return self.base
        table = whatif.key_table()
        for m in range(len(MARKET_CODES)):
            if not np.array_equal(table[m], self._last_table[m]):
                self._reprice_market(m, table[m])
        dirty_new = self._dirty.copy()
        ratio = np.where(self.base_dirty > 0, dirty_new / np.maximum(self.base_dirty, 1e-12), 1.0)
        r = ratio - 1.0
        d = self.column("mod_duration")
        c = self.column("convexity")
        disc_q = d * d + 2.0 * c * r
        with np.errstate(invalid="ignore", divide="ignore"):
            dy = np.where((c > 1e-9) & (disc_q >= 0), (d - np.sqrt(np.maximum(disc_q, 0))) / c, -r / np.maximum(d, 1e-9))
        dirty = self.column("dirty_price") * ratio
        d_new = np.maximum(d + (d * d - c) * dy, 0.0)
        moved = {
            "dirty_price": dirty,
            "clean_price": dirty - self.column("accrued"),
            "yield_pct": self.column("yield_pct") + dy * 100.0,
            "mod_duration": d_new,
            "dv01": d_new * dirty * 1e-4,
        }
        # exact zero-curve key-rate durations on the shifted curve (model prices, spread 0):
        # KRD_k = Σ t·CF·DF(t)·tent_k(t) / P, the same definition as desktop.keyrates
        inv = 1.0 / np.maximum(dirty_new, 1e-12)
        for i, k in enumerate(KEY_RATE_COLUMNS):
            moved[k] = self._krd_sums[:, i] * inv
        return Shifted(self, moved)

    def _reprice_market(self, m: int, key_bp: np.ndarray) -> None:
        """Reprice market ``m``'s flows on its zero curve moved by ``key_bp`` at the key tenors (bp):
        its bonds' dirty prices and Σ t·CF·DF·tent_k, stored per bond for :meth:`reprice_arrays`."""
        sl = self._slices[m]
        if sl.stop > sl.start:
            dz = self._tent[sl] @ (np.asarray(key_bp, float) / 1e4)
            disc = self._amount[sl] * np.exp(-(self._z[sl] + dz) * self._t[sl])
            rows, mask = self._rows[sl], self._bond_masks[m]
            self._dirty[mask] = np.bincount(rows, weights=disc, minlength=self._n)[mask]
            disc_t = disc * self._t[sl]
            for i in range(len(KEY_RATE_COLUMNS)):
                self._krd_sums[mask, i] = np.bincount(rows, weights=disc_t * self._tent[sl, i],
                                                      minlength=self._n)[mask]
        self._last_table[m] = key_bp


class Shifted:
    """A universe repriced on the what-if curves, as numpy arrays: the moved columns
    (:data:`MOVED_COLUMNS`) and the engine's static ones. :attr:`frame` is the DataFrame
    :meth:`ShiftEngine.reprice` returns, built on first use (a slider move needs only arrays)."""

    def __init__(self, engine: ShiftEngine, moved: Mapping[str, np.ndarray]) -> None:
        self.engine = engine
        self.moved = dict(moved)
        self._frame: pd.DataFrame | None = None

    def __len__(self) -> int:
        return self.engine._n

    def column(self, key: str) -> np.ndarray:
        out = self.moved.get(key)
        return out if out is not None else self.engine.column(key)

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray:
        return self.engine.per_currency(table)

    @property
    def market_index(self) -> np.ndarray:
        return self.engine.market_index

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            u = self.engine.universe
            if not self.moved:
                self._frame = u
            else:
                out = u.copy(deep=False)  # static columns shared with the base universe
                for k in MOVED_COLUMNS:
                    out[k] = self.moved[k]
                self._frame = out
        return self._frame


def shifted_curves(curves: Mapping[str, Any], whatif: WhatIf) -> dict[str, Any]:
    """Each market's curve with its what-if shift applied at the zero nodes."""
    out = {}
    for code, curve in curves.items():
        bp = whatif.key_shift(code)
        out[code] = curve.shifted(dict(zip(KEY_TENORS, bp, strict=True))) if np.any(bp) else curve
    return out
