"""Scenario model: per-market curve shocks, FX shocks, short-rate changes and a horizon (no Qt).

Units
-----
* Curve shocks are in **bp** on the market's zero rates (see :func:`desktop.curves.shift_profile`):
  ``parallel_bp`` moves every tenor; ``slope_bp`` widens 2s10s (−slope/2 at ≤ 2 y, +slope/2 at
  ≥ 10 y); ``curvature_bp`` lifts the 5 y belly; ``key_bp`` = {tenor years: bp}, linear between the
  given tenors and flat beyond them. The four parts add up.
* FX shocks are in **%**: the change in the value of a currency **against the US dollar** (the
  snapshot's numeraire, ``fx_usd_per_unit``). With a USD base this is exactly "% vs base"
  (``{"JPY": +4.5}`` = the yen buys 4.5 % more dollars). For another base currency the base's own
  shock applies too: the move of ``ccy`` vs base is ``(1 + s_ccy)/(1 + s_base) − 1``.
* Short-rate changes are in **bp** by currency; they change the FX-hedge carry only.
* ``horizon_months``: how long hedges are carried (hedge carry) and the horizon of the
  total-return split.

Scenarios are plain frozen values; ``to_dict``/``from_dict`` round-trip them through JSON so users
can save their own (``Workspace.save_scenario(name, scenario.to_dict())``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from desktop.curves import shift_profile
from desktop.errors import DataError
from desktop.markets import CURRENCIES, MARKET_CODES

SCHEMA = "ladderdesk.scenario/1"
MAX_HORIZON_MONTHS = 120  # ten years: the roll-forward and horizon maths are not meant beyond


def _frozen_map(values: Mapping[Any, Any] | None, key: type, val: Any) -> Mapping[Any, Any]:
    items = {key(k): val(v) for k, v in (values or {}).items()}
    return MappingProxyType(dict(sorted(items.items())))


@dataclass(frozen=True)
class CurveShock:
    """A shock to one market's zero curve, in bp (parallel + slope + curvature + key tenors)."""

    parallel_bp: float = 0.0
    slope_bp: float = 0.0
    curvature_bp: float = 0.0
    key_bp: Mapping[float, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_bp", _frozen_map(self.key_bp, float, float))

    def __hash__(self) -> int:
        return hash((self.parallel_bp, self.slope_bp, self.curvature_bp, tuple(self.key_bp.items())))

    def profile(self, tenors: np.ndarray | float) -> np.ndarray:
        """Shift in bp at ``tenors`` (years)."""
        return shift_profile(
            tenors,
            parallel_bp=self.parallel_bp,
            slope_bp=self.slope_bp,
            curvature_bp=self.curvature_bp,
            key_bp=dict(self.key_bp) or None,
        )

    @property
    def is_zero(self) -> bool:
        return not (self.parallel_bp or self.slope_bp or self.curvature_bp or any(self.key_bp.values()))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("parallel_bp", "slope_bp", "curvature_bp"):
            if getattr(self, name):
                out[name] = float(getattr(self, name))
        if self.key_bp:
            out["key_bp"] = {_tenor_key(t): bp for t, bp in self.key_bp.items()}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CurveShock:
        data = _mapping(data, "curves", "a shock object {parallel_bp, slope_bp, curvature_bp, key_bp}")
        unknown = set(data) - {"parallel_bp", "slope_bp", "curvature_bp", "key_bp"}
        if unknown:
            raise DataError(f"unknown curve-shock field(s) {sorted(unknown)}", field=sorted(unknown)[0])
        return cls(
            parallel_bp=_num(data.get("parallel_bp", 0.0), "parallel_bp"),
            slope_bp=_num(data.get("slope_bp", 0.0), "slope_bp"),
            curvature_bp=_num(data.get("curvature_bp", 0.0), "curvature_bp"),
            key_bp={_num(k, "key_bp tenor"): _num(v, "key_bp")
                    for k, v in _mapping(data.get("key_bp", {}) or {}, "key_bp", "tenor (years) → bp").items()},
        )


def _mapping(value: Any, name: str, expected: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else a DataError naming ``name``."""
    if not isinstance(value, Mapping):
        raise DataError(f"{name} must be an object, got {type(value).__name__} {value!r:.40}", field=name,
                        expected=expected)
    return value


def _tenor_key(t: float) -> str:
    return f"{t:g}"


def _num(value: Any, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        raise DataError(f"{name} must be a number, got {value!r}", field=name, expected="a number") from None
    if not np.isfinite(out):
        raise DataError(f"{name} must be finite, got {value!r}", field=name, expected="a finite number")
    return out


@dataclass(frozen=True)
class Scenario:
    """A what-if: curve shocks by market, FX shocks (% vs USD), short-rate changes (bp), horizon.

    ``curves`` maps market code (US, JP, AU, UK) → :class:`CurveShock`; ``fx_pct`` maps currency →
    % change of its USD value; ``short_rate_bp`` maps currency → change of its 3-month rate in bp.
    Markets/currencies not named are unshocked.
    """

    name: str
    description: str = ""
    source: str = ""
    curves: Mapping[str, CurveShock] = field(default_factory=dict)
    fx_pct: Mapping[str, float] = field(default_factory=dict)
    short_rate_bp: Mapping[str, float] = field(default_factory=dict)
    horizon_months: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "curves", _frozen_map(self.curves, str, _as_shock))
        object.__setattr__(self, "fx_pct", _frozen_map(self.fx_pct, str, float))
        object.__setattr__(self, "short_rate_bp", _frozen_map(self.short_rate_bp, str, float))
        if self.horizon_months < 0:
            raise DataError("horizon_months must be ≥ 0", field="horizon_months", expected="months ≥ 0")
        for ccy, pct in self.fx_pct.items():
            if pct <= -100.0:
                raise DataError(f"FX shock for {ccy} must be above −100 %", field="fx_pct")

    def __hash__(self) -> int:
        return hash((self.name, tuple(self.curves.items()), tuple(self.fx_pct.items()),
                     tuple(self.short_rate_bp.items()), self.horizon_months))

    @property
    def horizon_years(self) -> float:
        return self.horizon_months / 12.0

    def curve_shock(self, market: str) -> CurveShock:
        """The shock for ``market`` (a zero shock when the scenario does not name it)."""
        return self.curves.get(market, CurveShock())

    def shift_bp(self, market: str, tenors: np.ndarray | float) -> np.ndarray:
        """Shift of ``market``'s zero curve in bp at ``tenors`` (years)."""
        return self.curve_shock(market).profile(tenors)

    def fx_factor(self, ccy: str, base: str = "USD") -> float:
        """Shocked / unshocked rate of ``ccy`` in ``base`` units (1.0 = no move)."""
        s_ccy = self.fx_pct.get(ccy, 0.0) / 100.0
        s_base = self.fx_pct.get(base, 0.0) / 100.0 if base != "USD" else 0.0
        if ccy == "USD":
            s_ccy = 0.0
        return (1.0 + s_ccy) / (1.0 + s_base)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe payload (``schema`` tagged) for the workspace or a file."""
        return {
            "schema": SCHEMA,
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "curves": {m: s.to_dict() for m, s in self.curves.items()},
            "fx_pct": dict(self.fx_pct),
            "short_rate_bp": dict(self.short_rate_bp),
            "horizon_months": self.horizon_months,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Inverse of :meth:`to_dict`; raises :class:`DataError` naming the bad field."""
        if not isinstance(data, Mapping):
            raise DataError("a scenario must be a JSON object", expected="an object with a 'name'")
        if data.get("schema", SCHEMA) != SCHEMA:
            raise DataError(f"unsupported scenario schema {data.get('schema')!r}", field="schema", expected=SCHEMA)
        name = str(data.get("name", "")).strip()
        if not name:
            raise DataError("a scenario needs a name", field="name", expected="a non-empty string")
        curves = data.get("curves", {}) or {}
        if not isinstance(curves, Mapping):
            raise DataError("curves must map market → shock", field="curves")
        unknown = sorted({str(m).upper() for m in curves} - set(MARKET_CODES))
        if unknown:
            raise DataError(f"unknown market {unknown[0]!r} in curves", field="curves",
                            expected=", ".join(MARKET_CODES))
        fx = _mapping(data.get("fx_pct", {}) or {}, "fx_pct", "currency → % move against USD")
        short = _mapping(data.get("short_rate_bp", {}) or {}, "short_rate_bp", "currency → bp")
        for key, table in (("fx_pct", fx), ("short_rate_bp", short)):
            bad = sorted({str(c).upper() for c in table} - set(CURRENCIES))
            if bad:
                raise DataError(f"unknown currency {bad[0]!r} in {key}", field=key, expected=", ".join(CURRENCIES))
        horizon = data.get("horizon_months", 3)
        if (isinstance(horizon, bool) or not isinstance(horizon, int | float)
                or not 0 <= horizon <= MAX_HORIZON_MONTHS or int(horizon) != horizon):  # NaN fails the range
            raise DataError(f"horizon_months must be a whole number of months, got {horizon!r}",
                            field="horizon_months", expected=f"0–{MAX_HORIZON_MONTHS}")
        return cls(
            name=name,
            description=str(data.get("description", "")),
            source=str(data.get("source", "")),
            curves={str(m).upper(): CurveShock.from_dict(s) for m, s in curves.items()},
            fx_pct={str(c).upper(): _num(v, "fx_pct") for c, v in fx.items()},
            short_rate_bp={str(c).upper(): _num(v, "short_rate_bp") for c, v in short.items()},
            horizon_months=int(horizon),
        )


def _as_shock(value: CurveShock | Mapping[str, Any]) -> CurveShock:
    return value if isinstance(value, CurveShock) else CurveShock.from_dict(value)


def zero_scenario(horizon_months: int = 0) -> Scenario:
    """No shock anywhere (the reference row of a grid)."""
    return Scenario(name="No change", description="Curves, FX and short rates unchanged",
                    source="reference", horizon_months=horizon_months)
