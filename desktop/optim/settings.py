"""The PM's optimiser settings: one frozen, JSON-serialisable dataclass (every slider lives here).

Units: durations and bands in years; ``us_cap`` a fraction of portfolio duration (0.35 = 35 %);
market minima/maxima, ``max_weight``, ``rung_tolerance`` and ``turnover_max`` fractions of
portfolio market value; views in bp of yield change over the horizon; ``fx_view_pct`` the % move
of a currency against the base over the horizon (unhedged only); ``te_max_pct`` annualised
tracking error in %; ``turnover_cost_bp`` bp of market value per unit of turnover (one-way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.optim.errors import BadSettings

KEY_TENORS: tuple[float, ...] = (2.0, 5.0, 10.0, 30.0)
MAX_VIEW_BP = 1000.0  # a curve view beyond ±10 % of yield is a typo
MAX_FX_VIEW_PCT = 50.0
# Assumption (documented in the README): approximate FTSE WGBI market-value weights of the four
# markets in late 2025 (US ≈ 42 %, Japan ≈ 9.5 %, UK ≈ 5 %, Australia ≈ 1.5 % of the index),
# normalised to these four markets.
_WGBI = {"US": 42.0, "JP": 9.5, "AU": 1.5, "UK": 5.0}
BENCHMARK_MIX: dict[str, float] = {k: v / sum(_WGBI.values()) for k, v in _WGBI.items()}


@dataclass(frozen=True)
class CurveView:
    """A market's curve view, bp of yield change by the horizon (positive = yields up = prices down).

    ``parallel_bp`` moves every tenor; ``slope_bp`` steepens 2s10s (−½ at ≤ 2 y, +½ at ≥ 10 y,
    linear between — as :func:`desktop.curves.shift_profile`); ``key_bp`` adds bp at the named key
    tenors only (a key tenor not named moves 0 bp — unlike ``shift_profile``'s flat extrapolation,
    so ``US:30=25`` moves the 30 y point alone); bonds between key tenors are linearly interpolated.
    """

    parallel_bp: float = 0.0
    slope_bp: float = 0.0
    key_bp: Mapping[float, float] = field(default_factory=dict)

    def at_key_tenors(self) -> np.ndarray:
        """bp at the key tenors 2/5/10/30 y."""
        t = np.asarray(KEY_TENORS)
        bp = self.parallel_bp + self.slope_bp * (np.interp(t, [2.0, 10.0], [0.0, 1.0]) - 0.5)
        extra = np.array([float(self.key_bp.get(k, 0.0)) for k in KEY_TENORS])
        return bp + extra

    def to_dict(self) -> dict[str, Any]:
        return {"parallel_bp": self.parallel_bp, "slope_bp": self.slope_bp,
                "key_bp": {str(k): v for k, v in self.key_bp.items()}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CurveView:
        return cls(float(d.get("parallel_bp", 0.0)), float(d.get("slope_bp", 0.0)),
                   {float(k): float(v) for k, v in dict(d.get("key_bp", {})).items()})


@dataclass(frozen=True)
class OptimSettings:
    """Everything one solve needs besides the universe and market data (see module docstring)."""

    base_ccy: str = "USD"
    hedged: bool = True
    horizon_months: int = 12
    target_duration: float = 6.0
    duration_band: float = 0.5
    us_cap: float = 0.35
    market_min: Mapping[str, float] = field(default_factory=dict)
    market_max: Mapping[str, float] = field(default_factory=dict)
    max_weight: float = 0.10
    rungs: tuple[int, int] = (1, 10)
    rung_tolerance: float | None = 0.05  # None = ladder shape off
    views: Mapping[str, CurveView] = field(default_factory=dict)
    fx_view_pct: Mapping[str, float] = field(default_factory=dict)
    risk_aversion: float = 1.0
    turnover_max: float | None = None  # None = no limit
    turnover_cost_bp: float = 0.0
    te_max_pct: float | None = None  # None = no tracking-error limit

    @property
    def ladder_on(self) -> bool:
        return self.rung_tolerance is not None

    @property
    def horizon_years(self) -> float:
        return self.horizon_months / 12.0

    def view(self, code: str) -> CurveView:
        return self.views.get(code, CurveView())

    def with_view(self, code: str, view: CurveView) -> OptimSettings:
        return replace(self, views={**self.views, code: view})

    def at_horizon(self, months: int) -> OptimSettings:
        """These settings over ``months`` instead: the curve views (bp by the horizon) and the FX
        views (% by the horizon) scale linearly with time, so a 12-month view of +24 bp is +12 bp over
        6 months — the same view, not twice as strong."""
        if months == self.horizon_months:
            return self
        k = months / self.horizon_months
        views = {c: CurveView(v.parallel_bp * k, v.slope_bp * k, {t: b * k for t, b in v.key_bp.items()})
                 for c, v in self.views.items()}
        return replace(self, horizon_months=int(months), views=views,
                       fx_view_pct={c: p * k for c, p in self.fx_view_pct.items()})

    def validate(self) -> OptimSettings:
        """Raise :class:`BadSettings` naming the first out-of-range setting; return self."""
        def bad(name: str, value: Any, allowed: str) -> BadSettings:
            return BadSettings(f"{name} = {value!r} is out of range (allowed: {allowed})")

        if self.base_ccy not in CURRENCIES:
            raise bad("base_ccy", self.base_ccy, ", ".join(CURRENCIES))
        if not 1 <= self.horizon_months <= 120:
            raise bad("horizon_months", self.horizon_months, "1–120")
        if not 0.0 < self.target_duration <= 40.0:
            raise bad("target_duration", self.target_duration, "0–40 years")
        if not 0.0 <= self.duration_band <= 40.0:
            raise bad("duration_band", self.duration_band, "0–40 years")
        for name in ("us_cap", "max_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(name, getattr(self, name), "0–1")
        for name in ("market_min", "market_max"):
            for code, v in getattr(self, name).items():
                if code not in MARKET_CODES:
                    raise bad(f"{name} market", code, ", ".join(MARKET_CODES))
                if not 0.0 <= v <= 1.0:
                    raise bad(f"{name}[{code}]", v, "0–1")
        for code, view in self.views.items():
            if code not in MARKET_CODES:
                raise bad("view market", code, ", ".join(MARKET_CODES))
            for part, bp in (("parallel_bp", view.parallel_bp), ("slope_bp", view.slope_bp), *(
                    (f"key_bp[{t:g}]", v) for t, v in view.key_bp.items())):
                if not -MAX_VIEW_BP <= bp <= MAX_VIEW_BP:
                    raise bad(f"views[{code}].{part}", bp, f"±{MAX_VIEW_BP:g} bp")
            for t in view.key_bp:
                if t not in KEY_TENORS:
                    raise bad(f"views[{code}].key_bp tenor", t, ", ".join(f"{k:g}" for k in KEY_TENORS))
        for ccy, pct in self.fx_view_pct.items():
            if ccy not in CURRENCIES:
                raise bad("fx_view_pct currency", ccy, ", ".join(CURRENCIES))
            if not -MAX_FX_VIEW_PCT <= pct <= MAX_FX_VIEW_PCT:
                raise bad(f"fx_view_pct[{ccy}]", pct, f"±{MAX_FX_VIEW_PCT:g} %")
        lo, hi = self.rungs
        if not 1 <= lo <= hi <= 50:
            raise bad("rungs", self.rungs, "1 ≤ first ≤ last ≤ 50")
        if self.rung_tolerance is not None and not 0.0 <= self.rung_tolerance <= 1.0:
            raise bad("rung_tolerance", self.rung_tolerance, "0–1 or None")
        if not 0.0 <= self.risk_aversion <= 1e4:
            raise bad("risk_aversion", self.risk_aversion, "0–10000")
        if self.turnover_max is not None and not 0.0 <= self.turnover_max <= 2.0:
            raise bad("turnover_max", self.turnover_max, "0–2 or None")
        if not 0.0 <= self.turnover_cost_bp <= 1000.0:
            raise bad("turnover_cost_bp", self.turnover_cost_bp, "0–1000")
        if self.te_max_pct is not None and not 0.0 <= self.te_max_pct <= 100.0:
            raise bad("te_max_pct", self.te_max_pct, "0–100 or None")
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the store persists user presets this way)."""
        d = asdict(self)
        d["rungs"] = list(self.rungs)
        d["market_min"] = dict(self.market_min)
        d["market_max"] = dict(self.market_max)
        d["fx_view_pct"] = dict(self.fx_view_pct)
        d["views"] = {k: v.to_dict() for k, v in self.views.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OptimSettings:
        """Inverse of :meth:`to_dict`; unknown keys are an error (a typo must not pass silently)."""
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise BadSettings(f"unknown optimiser setting(s): {', '.join(sorted(unknown))}")
        kw = dict(d)
        for name in list(kw):
            try:
                kw[name] = _COERCE[name](kw[name])
            except (TypeError, ValueError, AttributeError, OverflowError):
                raise BadSettings(f"setting {name} = {kw[name]!r} has the wrong type "
                                  f"(expected {_EXPECTED[name]})") from None
        return cls(**kw)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or float(value) != int(value):
        raise ValueError(value)
    return int(value)


def _number(value: Any) -> float:
    if isinstance(value, bool | str):  # "0.3" or true in a preset file is a mistake, not a number
        raise TypeError(value)
    return float(value)


def _optional(convert: Any) -> Any:
    return lambda value: None if value is None else convert(value)


def _numbers_by_code(value: Any) -> dict[str, float]:
    return {str(k): _number(v) for k, v in dict(value).items()}


def _rungs(value: Any) -> tuple[int, int]:
    lo, hi = (_whole(x) for x in value)
    return lo, hi


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


# How each field of a saved payload is read (:meth:`OptimSettings.from_dict`), and what it must be.
_COERCE: dict[str, Any] = {
    "base_ccy": _text, "hedged": _bool, "horizon_months": _whole, "target_duration": _number,
    "duration_band": _number, "us_cap": _number, "market_min": _numbers_by_code, "market_max": _numbers_by_code,
    "max_weight": _number, "rungs": _rungs, "rung_tolerance": _optional(_number),
    "views": lambda v: {str(k): CurveView.from_dict(x) for k, x in dict(v).items()},
    "fx_view_pct": _numbers_by_code, "risk_aversion": _number, "turnover_max": _optional(_number),
    "turnover_cost_bp": _number, "te_max_pct": _optional(_number),
}
_EXPECTED: dict[str, str] = {
    "base_ccy": "a currency code", "hedged": "true or false", "horizon_months": "a whole number",
    "market_min": "market → number", "market_max": "market → number", "rungs": "[first, last] whole years",
    "rung_tolerance": "a number or null", "views": "market → {parallel_bp, slope_bp, key_bp}",
    "fx_view_pct": "currency → number", "turnover_max": "a number or null", "te_max_pct": "a number or null",
}
_EXPECTED = {name: _EXPECTED.get(name, "a number") for name in _COERCE}
