"""Qt-free controller behind the desktop window: what-if settings, shifted analytics, ladders.

Everything the GUI shows is computed here (or in the core modules this calls); the Qt side only
holds the current objects and draws them. All outputs are new immutable objects / DataFrames.

What-if repricing (instant, numpy): a :class:`ShiftEngine` keeps every remaining cash flow of the
universe (per 100 face), its time ``t`` (ACT/365F) and the base zero rate ``z(t)`` of its market.
A what-if gives each market a bp move at the key tenors 2/5/10/30 y (parallel + 2s10s steepener
as :func:`desktop.curves.shift_profile` + any key-rate views of the preset), linear between them
and flat beyond; the zero rates move by that amount and every bond is repriced exactly:
``Σ CF·exp(−(z+Δz)·t)``.

The same moves go to the optimiser as its curve views (:class:`desktop.optim.settings.CurveView`,
bp by the horizon), so "what if JGB 10s sell off 30 bp" both reprices today's portfolio at once
and re-optimises with that view.
The new yield comes from inverting the duration/convexity expansion
``ΔP/P = −D·Δy + ½·C·Δy²`` (yield error < 0.25 bp for moves up to ±50 bp; prices are exact), duration is moved by
``ΔD = (D² − C)·Δy``, and dv01 = D·P/10⁴.

Ladder builder rule (:func:`build_ladder`): rungs are the universe's (``rung = ceil(years to
maturity)``, so rung ``r`` holds bonds maturing in ``(r−1, r]`` years). For every market and every
rung of the range, the builder takes the bond of that rung maturing nearest ``r`` (the rung's end);
a real bond is preferred to a curve-implied generic one whenever the rung has one. If the market has
no bond at all on a rung, the rung stays empty for that market and the builder reports it
(``LadderResult.gaps``). The notional is split equally across the chosen markets (base-currency
market value), then equally across that market's filled rungs; face amounts are rounded to each
market's minimum denomination.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS, KEY_TENORS, cash_flows, key_rate_weights
from desktop.markets import MARKET_CODES, MARKETS

SLOPE_KNOTS = ([2.0, 10.0], [0.0, 1.0])


@dataclass(frozen=True)
class WhatIf:
    """The PM's what-if and optimiser settings (shifts in bp; caps and turnover as fractions)."""

    parallel_bp: Mapping[str, float] = field(default_factory=dict)
    slope_bp: Mapping[str, float] = field(default_factory=dict)
    key_bp: Mapping[str, Mapping[float, float]] = field(default_factory=dict)  # from the preset's views
    target_duration: float = 6.0
    us_cap: float = 1.0
    risk_aversion: float = 1.0
    turnover_limit: float = 2.0  # fraction of market value; 2.0 = no limit (a full switch)
    hedged: bool = True
    base_ccy: str = "USD"
    preset: str = "Neutral"
    rungs: tuple[int, int] | None = None  # ladder builder: the optimiser's rung range (None = preset's)
    markets: tuple[str, ...] | None = None  # ladder builder: split across these markets only

    def with_value(self, name: str, value: Any) -> WhatIf:
        """A copy with one setting changed; ``parallel:US`` / ``slope:JP`` address shift maps."""
        if ":" in name:
            kind, code = name.split(":", 1)
            key = f"{kind}_bp"
            shifts = dict(getattr(self, key))
            shifts[code] = float(value)
            return replace(self, **{key: shifts})
        return replace(self, **{name: value})

    @property
    def has_shift(self) -> bool:
        return bool(np.any(self.key_table()))

    def key_shift(self, code: str) -> np.ndarray:
        """bp at the key tenors 2/5/10/30 y for one market: parallel + 2s10s + the preset's key views."""
        t = np.asarray(KEY_TENORS)
        bp = self.parallel_bp.get(code, 0.0) + self.slope_bp.get(code, 0.0) * (np.interp(t, *SLOPE_KNOTS) - 0.5)
        keys = self.key_bp.get(code, {})
        return bp + np.array([float(keys.get(k, 0.0)) for k in KEY_TENORS])

    def key_table(self) -> np.ndarray:
        """Markets (MARKET_CODES order) × key tenors, bp."""
        return np.array([self.key_shift(c) for c in MARKET_CODES])


MOVED_COLUMNS = ("dirty_price", "clean_price", "yield_pct", "mod_duration", "dv01", *KEY_RATE_COLUMNS)
_FLOAT_COLUMNS = frozenset({*MOVED_COLUMNS, "accrued", "convexity", "years_to_maturity", "coupon_pct"})


class ShiftEngine:
    """Exact what-if repricing of a universe on parallel/2s10s-shifted zero curves (see module doc)."""

    def __init__(self, universe: pd.DataFrame, curves: Mapping[str, Any]) -> None:
        self.universe = universe
        n = len(universe)
        settle = universe["settle_date"]
        flows = cash_flows(universe[["market", "coupon_pct", "maturity"]], settle)
        pos = pd.Index(universe.index).get_indexer(flows["bond"])
        self._rows = pos.astype(np.intp)
        self._t = np.maximum(flows["t_years"].to_numpy(float), 0.0)
        self._amount = flows["amount"].to_numpy(float)
        codes = universe["market"].to_numpy()
        code_pos = {c: i for i, c in enumerate(MARKET_CODES)}
        self.market_index = np.array([code_pos[c] for c in codes], dtype=np.intp)  # per bond
        self._mkt = self.market_index[self._rows]
        z = np.zeros_like(self._t)
        for code, curve in curves.items():
            m = codes[self._rows] == code
            z[m] = curve.zero_rate(self._t[m])
        self._z = z
        self._tent = key_rate_weights(self._t)  # flows × key tenors, linear interpolation weights
        self._n = n
        self.base_dirty = np.bincount(self._rows, weights=self._amount * np.exp(-z * self._t), minlength=n)
        # static per-bond arrays, read once (a slider move never goes through pandas)
        self._columns: dict[str, np.ndarray] = {}
        self._ccy: tuple[np.ndarray, np.ndarray] | None = None  # distinct currencies, row → position
        self._rates: dict[tuple[Any, ...], np.ndarray] = {}
        self.base = Shifted(self, {})

    def column(self, key: str) -> np.ndarray:
        """A column of the base universe as a numpy array (cached; floats for numeric columns)."""
        out = self._columns.get(key)
        if out is None:
            out = _FrameColumns(self.universe).column(key)
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
        dz = np.einsum("fk,fk->f", self._tent, table[self._mkt]) / 1e4
        disc = self._amount * np.exp(-(self._z + dz) * self._t)
        dirty_new = np.bincount(self._rows, weights=disc, minlength=self._n)
        ratio = np.where(self.base_dirty > 0, dirty_new / np.maximum(self.base_dirty, 1e-12), 1.0)
        r = ratio - 1.0
        d = self.column("mod_duration")
        c = self.column("convexity")
        disc_q = d * d + 2.0 * c * r
        with np.errstate(invalid="ignore", divide="ignore"):
            dy = np.where((c > 1e-9) & (disc_q >= 0), (d - np.sqrt(np.maximum(disc_q, 0))) / c, -r / np.maximum(d, 1e-9))
        dirty = self.column("dirty_price") * ratio
        d_new = np.maximum(d + (d * d - c) * dy, 0.0)
        scale = np.where(d > 1e-9, d_new / np.maximum(d, 1e-9), 1.0)
        moved = {
            "dirty_price": dirty,
            "clean_price": dirty - self.column("accrued"),
            "yield_pct": self.column("yield_pct") + dy * 100.0,
            "mod_duration": d_new,
            "dv01": d_new * dirty * 1e-4,
        }
        for k in KEY_RATE_COLUMNS:
            moved[k] = self.column(k) * scale
        return Shifted(self, moved)


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


class _FrameColumns:
    """:class:`Shifted`'s read interface over a plain DataFrame (the non-hot callers)."""

    def __init__(self, universe: pd.DataFrame) -> None:
        self.universe = universe

    def __len__(self) -> int:
        return len(self.universe)

    def column(self, key: str) -> np.ndarray:
        if key == "rung":
            return self.universe[key].to_numpy(int)
        col = self.universe[key]
        return col.to_numpy(float) if key in _FLOAT_COLUMNS or col.dtype.kind in "fiu" else col.to_numpy()

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray:
        return _per_currency(self.universe, table)

    @property
    def market_index(self) -> np.ndarray:
        return _market_index(self.universe["market"].to_numpy())


def _columns(universe: pd.DataFrame | Shifted) -> Shifted | _FrameColumns:
    return universe if isinstance(universe, Shifted) else _FrameColumns(universe)


def shifted_curves(curves: Mapping[str, Any], whatif: WhatIf) -> dict[str, Any]:
    """Each market's curve with its what-if shift applied at the zero nodes."""
    out = {}
    for code, curve in curves.items():
        bp = whatif.key_shift(code)
        out[code] = curve.shifted(dict(zip(KEY_TENORS, bp, strict=True))) if np.any(bp) else curve
    return out


def fx_to_base(fx_usd_per_unit: Mapping[str, float], base_ccy: str) -> dict[str, float]:
    """Units of ``base_ccy`` per unit of each currency."""
    base = float(fx_usd_per_unit[base_ccy])
    return {ccy: float(v) / base for ccy, v in fx_usd_per_unit.items()}


def hedged_yield_pct(universe: pd.DataFrame | Shifted, short_rates_pct: Mapping[str, float], base_ccy: str) -> np.ndarray:
    """FX-hedged yield in base currency: local yield + (base short rate − local short rate), %.

    Covered interest parity with 3-month rolling hedges: the hedge earns the short-rate differential.
    """
    cols = _columns(universe)
    local = cols.per_currency(short_rates_pct)
    return cols.column("yield_pct") + float(short_rates_pct[base_ccy]) - local


_STATIC: dict[int, tuple[np.ndarray, dict[Any, np.ndarray]]] = {}


def _per_currency(universe: pd.DataFrame, table: Mapping[str, float]) -> np.ndarray:
    """``table[currency]`` for every row, cached per universe (what-if copies share the currency
    column with their base universe, so a slider move never re-maps strings)."""
    ccy = universe["currency"].to_numpy()
    entry = _STATIC.get(id(ccy))
    if entry is None or entry[0] is not ccy:
        if len(_STATIC) > 16:
            _STATIC.clear()
        entry = (ccy, {})
        _STATIC[id(ccy)] = entry
    key = tuple(sorted(table.items()))
    out = entry[1].get(key)
    if out is None:
        out = pd.Series(ccy).map(dict(table)).to_numpy(float)
        entry[1][key] = out
    return out


def market_values_base(universe: pd.DataFrame | Shifted, face: np.ndarray, fx: Mapping[str, float]) -> np.ndarray:
    """Market value (dirty) of each holding in base currency; ``face`` in local currency."""
    cols = _columns(universe)
    rate = cols.per_currency(fx)
    return np.asarray(face, float) / 100.0 * cols.column("dirty_price") * rate


def face_from_values(universe: pd.DataFrame, value_base: np.ndarray, fx: Mapping[str, float]) -> np.ndarray:
    """Face amounts (local ccy) buying ``value_base`` of each bond, rounded to the market's minimum."""
    rate = universe["currency"].map(fx).to_numpy(float)
    face = np.asarray(value_base, float) / rate / (universe["dirty_price"].to_numpy(float) / 100.0)
    step = universe["market"].map(lambda m: MARKETS[m].min_denomination).to_numpy(float)
    return np.round(face / step) * step


@dataclass(frozen=True)
class LadderResult:
    face: np.ndarray  # local-currency face per universe row (0 = not held)
    chosen: pd.DataFrame  # market, rung, id, years_to_maturity, value_base
    gaps: list[str]  # "JP 35y" = no JP bond on the 35-year rung

    @property
    def message(self) -> str:
        n = len(self.chosen)
        text = f"Ladder: {n} bonds"
        if self.gaps:
            text += f"; {len(self.gaps)} empty rung(s): " + ", ".join(self.gaps)
        return text


def build_ladder(
    universe: pd.DataFrame,
    markets: Iterable[str],
    rungs: Iterable[int],
    notional_base: float,
    fx: Mapping[str, float],
) -> LadderResult:
    """One bond per rung per market (rule in the module docstring), equal split of ``notional_base``."""
    markets = [m for m in markets if m in set(universe["market"])]
    rungs = sorted({int(r) for r in rungs})
    years = universe["years_to_maturity"].to_numpy(float)
    rung_of = universe["rung"].to_numpy(int)
    generic = universe["is_generic"].to_numpy(bool)
    mkt = universe["market"].to_numpy()
    picks: list[tuple[str, int, int]] = []
    gaps: list[str] = []
    for code in markets:
        for r in rungs:
            dist = np.abs(years - r)
            ok = (mkt == code) & (rung_of == r)
            if not ok.any():
                gaps.append(f"{code} {r}y")
                continue
            key = np.where(ok, dist + generic * 10.0, np.inf)
            picks.append((code, r, int(np.argmin(key))))
    value = np.zeros(len(universe))
    filled = {code: sum(1 for p in picks if p[0] == code) for code in markets}
    per_market = notional_base / max(sum(1 for c in markets if filled[c]), 1)
    for code, _r, pos in picks:
        value[pos] += per_market / filled[code]
    face = face_from_values(universe, value, fx)
    chosen = pd.DataFrame(
        [
            {
                "market": code,
                "rung": r,
                "id": universe["id"].iat[pos],
                "years_to_maturity": years[pos],
                "value_base": value[pos],
            }
            for code, r, pos in picks
        ]
    )
    return LadderResult(face=face, chosen=chosen, gaps=gaps)


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
    cols = _columns(universe)
    face = np.asarray(face, float)
    rate = cols.per_currency(fx)
    values = face / 100.0 * cols.column("dirty_price") * rate
    total = float(values.sum())
    w = values / total if total > 0 else np.zeros_like(values)
    dur = cols.column("mod_duration")
    y = cols.column("yield_pct")
    hy = y + float(short_rates_pct[base_ccy]) - cols.per_currency(short_rates_pct)
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
    dv01_base = float((face / 100.0 * cols.column("dv01") * rate).sum())
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

_MARKET_INDEX: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _market_index(codes: np.ndarray) -> np.ndarray:
    """Position of each row's market in MARKET_CODES (cached per market column, as _per_currency)."""
    hit = _MARKET_INDEX.get(id(codes))
    if hit is not None and hit[0] is codes:
        return hit[1]
    pos = {c: i for i, c in enumerate(MARKET_CODES)}
    out = np.fromiter((pos[c] for c in codes), dtype=np.intp, count=len(codes))
    if len(_MARKET_INDEX) > 16:
        _MARKET_INDEX.clear()
    _MARKET_INDEX[id(codes)] = (codes, out)
    return out


def _grid(m_idx: np.ndarray, rungs: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """rung × market sums of ``v`` over the rungs where anything is held (rows sorted)."""
    held = v != 0
    if not held.any():
        return pd.DataFrame(0.0, index=pd.Index([], name="rung"), columns=list(MARKET_CODES))
    used, inv = np.unique(rungs[held], return_inverse=True)
    n_mkt = len(MARKET_CODES)
    out = np.bincount(inv * n_mkt + m_idx[held], weights=v[held], minlength=used.size * n_mkt).reshape(used.size, n_mkt)
    return pd.DataFrame(out, index=pd.Index(used, name="rung"), columns=_MARKET_LABELS, copy=False)


def cash_flow_ladder(universe: pd.DataFrame, face: np.ndarray, fx: Mapping[str, float] | None) -> pd.DataFrame:
    """Coupons + principal received per calendar year: year × currency (local amounts) or, with
    ``fx``, year × currency converted to base currency (stackable)."""
    face = np.asarray(face, float)
    held = np.flatnonzero(face > 0)
    if held.size == 0:
        return pd.DataFrame(dtype=float)
    sub = universe.iloc[held]
    flows = cash_flows(sub[["market", "coupon_pct", "maturity"]], sub["settle_date"])
    pos = pd.Index(sub.index).get_indexer(flows["bond"])
    amount = flows["amount"].to_numpy(float) * face[held][pos] / 100.0
    ccy = sub["currency"].to_numpy()[pos]
    if fx is not None:
        amount = amount * pd.Series(ccy).map(fx).to_numpy(float)
    table = pd.DataFrame({"year": flows["pay_date"].dt.year.to_numpy(), "ccy": ccy, "v": amount})
    return table.pivot_table(index="year", columns="ccy", values="v", aggfunc="sum", fill_value=0.0)


def cash_flow_schedule(universe: pd.DataFrame, face: np.ndarray, fx: Mapping[str, float]) -> pd.DataFrame:
    """Every coupon and principal payment of the holdings ``face`` (local face per bond): one row per
    bond and pay date, amounts in local currency and in base currency (``fx``: base per unit).
    Ex-dividend coupons a buyer settling today would not receive are left out."""
    columns = ["pay_date", "market", "id", "name", "currency", "face", "coupon", "principal", "amount",
               "amount_base"]
    face = np.asarray(face, float)
    held = np.flatnonzero(face > 0)
    if held.size == 0:
        return pd.DataFrame(columns=columns)
    sub = universe.iloc[held]
    flows = cash_flows(sub[["market", "coupon_pct", "maturity"]], sub["settle_date"])
    pos = pd.Index(sub.index).get_indexer(flows["bond"])
    scale = face[held][pos] / 100.0  # flows are per 100 face
    ccy = sub["currency"].to_numpy()[pos]
    amount = flows["amount"].to_numpy(float) * scale
    out = pd.DataFrame({
        "pay_date": flows["pay_date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "market": sub["market"].to_numpy()[pos],
        "id": sub["id"].to_numpy()[pos],
        "name": sub["name"].to_numpy()[pos],
        "currency": ccy,
        "face": face[held][pos],
        "coupon": flows["coupon"].to_numpy(float) * scale,
        "principal": flows["principal"].to_numpy(float) * scale,
        "amount": amount,
        "amount_base": amount * pd.Series(ccy).map(fx).to_numpy(float),
    })
    return out.sort_values(["pay_date", "market", "id"], kind="stable").reset_index(drop=True)[columns]


@dataclass(frozen=True)
class SolveJob:
    """Everything the worker needs for one optimisation (immutable; built on the GUI thread)."""

    universe: pd.DataFrame  # the base (unshifted) universe the optimiser is compiled for
    current_weights: np.ndarray  # fractions of market value on the base universe
    whatif: WhatIf
    fx: Mapping[str, float]
    market_value_base: float  # notional the optimised weights are turned into face amounts for
    snapshot: Any
    universe_key: int  # identifies the universe the compiled problem belongs to
    sweep: bool = False  # also run the US-cap trade-off sweep (slower: one solve per point)
    allowed: np.ndarray | None = None  # bool mask of bonds the optimiser may buy (ladder builder)
    saved_presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name → OptimSettings dict


@dataclass(frozen=True)
class SolveOutcome:
    status: str
    solve_time_s: float
    face: np.ndarray | None = None  # optimised face amounts (local ccy); None when infeasible
    weights: np.ndarray | None = None
    advice: str = ""  # why there is no solution and the smallest relaxation (infeasible / failed)
    notes: tuple[str, ...] = ()  # solver warnings about the request (e.g. empty rungs)
    binding: tuple[str, ...] = ()
    frontier: pd.DataFrame | None = None  # see tradeoff_sweep
    risk_pct: float | None = None
    current_risk_pct: float | None = None
    expected_return_pct: float | None = None
    current_expected_return_pct: float | None = None


SWEEP_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
RISK_SWEEP = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # risk aversions λ of the return-vs-risk sweep
_OPTIMISERS: dict[int, Any] = {}  # universe_key → compiled Optimiser; touched by the worker thread only


def optim_settings(whatif: WhatIf, saved: Mapping[str, Mapping[str, Any]] | None = None) -> Any:
    """``OptimSettings``: the preset's constraints (built-in, or ``saved`` by the user: name →
    ``OptimSettings.to_dict()``) with the sliders' values and curve views."""
    from desktop.optim.presets import get_preset
    from desktop.optim.settings import CurveView

    base = get_preset(whatif.preset, saved)
    views = {}
    for code in MARKET_CODES:
        par, slope = whatif.parallel_bp.get(code, 0.0), whatif.slope_bp.get(code, 0.0)
        keys = dict(whatif.key_bp.get(code, {}))
        if par or slope or any(keys.values()):
            views[code] = CurveView(float(par), float(slope), keys)
    if whatif.markets is not None:  # a built ladder: split across its markets, no benchmark-relative bounds
        base = replace(base, market_min={}, market_max={m: 0.0 for m in MARKET_CODES if m not in whatif.markets})
    if whatif.rungs is not None:
        base = replace(base, rungs=tuple(whatif.rungs))
    return replace(
        base,
        target_duration=float(whatif.target_duration),
        us_cap=float(whatif.us_cap),
        risk_aversion=float(whatif.risk_aversion),
        turnover_max=None if whatif.turnover_limit >= 2.0 else float(whatif.turnover_limit),
        hedged=bool(whatif.hedged),
        base_ccy=whatif.base_ccy,
        views=views,
    )


def whatif_from_preset(name: str, current: WhatIf, saved: Mapping[str, Mapping[str, Any]] | None = None) -> WhatIf:
    """Slider values of a preset, built-in or ``saved`` (the base currency stays the user's choice)."""
    from desktop.optim.presets import get_preset

    p = get_preset(name, saved)
    return WhatIf(
        parallel_bp={c: v.parallel_bp for c, v in p.views.items() if v.parallel_bp},
        slope_bp={c: v.slope_bp for c, v in p.views.items() if v.slope_bp},
        key_bp={c: dict(v.key_bp) for c, v in p.views.items() if v.key_bp},
        target_duration=p.target_duration,
        us_cap=p.us_cap,
        risk_aversion=p.risk_aversion,
        turnover_limit=2.0 if p.turnover_max is None else p.turnover_max,
        hedged=p.hedged,
        base_ccy=current.base_ccy,
        preset=name,
    )


def preset_payload_of(whatif: WhatIf, saved: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """What "Save settings as preset" stores: the effective ``OptimSettings`` (the preset's limits,
    the sliders and curve views) as a JSON-able dict; the ladder builder's market/rung limits are
    not part of a preset."""
    from desktop.optim.presets import preset_payload

    return preset_payload(optim_settings(replace(whatif, markets=None, rungs=None), saved))


def scenario_of_whatif(name: str, whatif: WhatIf) -> Any:
    """The what-if curve shifts as a scenario (parallel, 2s10s slope and per-tenor bp per market)."""
    from desktop.scenarios.model import CurveShock, Scenario

    curves = {}
    for code in MARKET_CODES:
        par, slope = whatif.parallel_bp.get(code, 0.0), whatif.slope_bp.get(code, 0.0)
        keys = {float(k): float(v) for k, v in whatif.key_bp.get(code, {}).items() if v}
        if par or slope or keys:
            curves[code] = CurveShock(parallel_bp=float(par), slope_bp=float(slope), key_bp=keys)
    return Scenario(name=name, description="saved from the what-if sliders", source="user", curves=curves)


def tradeoff_sweep(opt: Any, settings: Any, w0: np.ndarray, allowed: np.ndarray | None) -> pd.DataFrame:
    """Optimal portfolios across the whole range of US share of duration, on the compiled problem.

    A cap alone only traces the curve *below* the unconstrained optimum's US share (above it the
    cap stops binding), so the sweep also imposes US weight floors: caps 0–100 % then floors
    10–100 % above the settings' own US minimum (each point keeps every other constraint of
    ``settings``, so no point relaxes a limit the PM set). A third sweep moves the risk
    aversion λ over :data:`RISK_SWEEP` (the return-vs-risk frontier of the settings). Infeasible
    points are skipped. Columns: kind ("cap" | "floor" | "risk_aversion"), level, us_share,
    expected_return_pct, risk_pct.
    """
    from desktop.optim.errors import OptimError

    points = [("cap", lv, replace(settings, us_cap=lv)) for lv in SWEEP_LEVELS]
    own_floor = float(settings.market_min.get("US", 0.0))  # a floor below the PM's own US minimum would relax it
    points += [("floor", lv, replace(settings, us_cap=1.0, market_min={**settings.market_min, "US": lv}))
               for lv in SWEEP_LEVELS[1:] if lv > own_floor]
    points += [("risk_aversion", lam, replace(settings, risk_aversion=lam)) for lam in RISK_SWEEP]
    rows = []
    for kind, level, s in points:
        try:
            sol = opt.solve(s, current_weights=w0, allowed=allowed, diagnose=False)
        except OptimError:
            continue
        rows.append({"kind": kind, "level": level, "us_share": sol.us_share,
                     "expected_return_pct": sol.expected_return_pct, "risk_pct": sol.risk_pct})
    frame = pd.DataFrame(rows, columns=["kind", "level", "us_share", "expected_return_pct", "risk_pct"])
    return frame.sort_values("us_share", kind="stable").reset_index(drop=True)


def solve(job: SolveJob) -> SolveOutcome:
    """Optimise in the worker thread: cvxpy is imported here (lazily) and the problem is compiled
    once per universe and cached; infeasible requests come back with the relaxation advice."""
    from desktop.optim.errors import Infeasible, OptimError
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.risk import portfolio_risk_pct
    from desktop.optim.solve import Optimiser

    opt = _OPTIMISERS.get(job.universe_key)
    if opt is None:
        _OPTIMISERS.clear()
        opt = Optimiser(OptimInputs.from_snapshot(job.snapshot, job.universe))
        _OPTIMISERS[job.universe_key] = opt
    settings = optim_settings(job.whatif, job.saved_presets)
    w0 = np.asarray(job.current_weights, float)
    risk0 = portfolio_risk_pct(opt.risk, opt.universe, w0, hedged=settings.hedged, base_ccy=settings.base_ccy)
    er0 = float(opt.expected_returns(settings)["expected_return_pct"].to_numpy(float) @ w0)
    start = time.perf_counter()
    try:
        sol = opt.solve(settings, current_weights=w0, allowed=job.allowed)
    except Infeasible as exc:
        return SolveOutcome("infeasible", time.perf_counter() - start, advice=f"Infeasible: {exc}",
                            current_risk_pct=risk0, current_expected_return_pct=er0)
    except OptimError as exc:
        return SolveOutcome("failed", time.perf_counter() - start, advice=str(exc),
                            current_risk_pct=risk0, current_expected_return_pct=er0)
    w = sol.weights.to_numpy(float)
    frontier = None
    if job.sweep:
        frontier = tradeoff_sweep(opt, settings, w0, job.allowed)
    return SolveOutcome(
        status=sol.status,
        solve_time_s=sol.solve_time_s,
        face=face_from_values(job.universe, w * job.market_value_base, job.fx),
        weights=w,
        notes=tuple(sol.warnings),
        binding=tuple(b.text for b in sol.binding),
        frontier=frontier,
        risk_pct=sol.risk_pct,
        current_risk_pct=risk0,
        expected_return_pct=sol.expected_return_pct,
        current_expected_return_pct=er0,
    )


def holdings_of(universe: pd.DataFrame, face: np.ndarray) -> pd.DataFrame:
    """DataFrame[id, market, face] of the held bonds (the workspace's portfolio shape)."""
    face = np.asarray(face, float)
    held = face > 0
    return pd.DataFrame(
        {"id": universe["id"].to_numpy()[held], "market": universe["market"].to_numpy()[held], "face": face[held]}
    )


def face_from_holdings(universe: pd.DataFrame, holdings: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Face array over ``universe`` from saved holdings; ids no longer in the universe are listed."""
    key = pd.MultiIndex.from_arrays([universe["market"], universe["id"]])
    pos = key.get_indexer(pd.MultiIndex.from_arrays([holdings["market"], holdings["id"]]))
    face = np.zeros(len(universe))
    ok = pos >= 0
    np.add.at(face, pos[ok], holdings["face"].to_numpy(float)[ok])
    missing = [f"{m} {i}" for m, i, good in zip(holdings["market"], holdings["id"], ok, strict=True) if not good]
    return face, missing


def trades_of(universe: pd.DataFrame, current: np.ndarray, target: np.ndarray, fx: Mapping[str, float],
              trade_date: date | None = None) -> pd.DataFrame:
    """Orders to move from ``current`` to ``target`` face: buy/sell, face (local), value (base), and
    each market's settlement date for a trade on ``trade_date`` (the universe's ``settle_date``)."""
    delta = np.asarray(target, float) - np.asarray(current, float)
    moved = np.abs(delta) > 1e-9
    sub = universe[moved]
    value = market_values_base(sub, np.abs(delta[moved]), fx)
    return pd.DataFrame(
        {
            "market": sub["market"].to_numpy(),
            "id": sub["id"].to_numpy(),
            "name": sub["name"].to_numpy(),
            "side": np.where(delta[moved] > 0, "BUY", "SELL"),
            "face_local": np.abs(delta[moved]),
            "currency": sub["currency"].to_numpy(),
            "clean_price": sub["clean_price"].to_numpy(float),
            "value_base": value,
            "trade_date": f"{trade_date:%Y-%m-%d}" if trade_date is not None else "",
            "settle_date": pd.to_datetime(sub["settle_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
        }
    )


def run_card(snapshot: Any, whatif: WhatIf, outcome: SolveOutcome | None) -> dict[str, Any]:
    """What a saved variant was made from: data as-of, settings/constraints, solver status and time."""
    return {
        "data_as_of": f"{snapshot.as_of:%Y-%m-%d}",
        "settings": {
            "parallel_bp": dict(whatif.parallel_bp),
            "slope_bp": dict(whatif.slope_bp),
            "key_bp": {c: {str(k): v for k, v in kb.items()} for c, kb in whatif.key_bp.items()},
            "target_duration": whatif.target_duration,
            "us_cap": whatif.us_cap,
            "risk_aversion": whatif.risk_aversion,
            "turnover_limit": whatif.turnover_limit,
            "hedged": whatif.hedged,
            "base_ccy": whatif.base_ccy,
            "preset": whatif.preset,
            "rungs": list(whatif.rungs) if whatif.rungs else None,
            "markets": list(whatif.markets) if whatif.markets else None,
        },
        "solver_status": outcome.status if outcome else "not solved",
        "solve_time_s": round(outcome.solve_time_s, 4) if outcome else None,
        "binding": list(outcome.binding) if outcome else [],
    }


def whatif_from_card(card: Mapping[str, Any]) -> WhatIf:
    settings = dict(card.get("settings", {}))
    allowed = set(WhatIf.__dataclass_fields__)
    kw = {k: v for k, v in settings.items() if k in allowed}
    for name in ("rungs", "markets"):
        if kw.get(name) is not None:
            kw[name] = tuple(kw[name])
    if "key_bp" in kw:
        kw["key_bp"] = {c: {float(k): float(v) for k, v in kb.items()} for c, kb in kw["key_bp"].items()}
    return WhatIf(**kw)
