"""What one cash-flow match is asked for: :class:`MatchSettings`. Light (no cvxpy), so the window's
Liabilities panel can build settings without loading the solver.

Units: ``base_ccy`` the currency every amount is in; ``markets`` the market codes whose bonds may be
bought; ``us_cap``, ``market_min``, ``market_max``, ``max_weight`` fractions 0–1 with the
:class:`desktop.optim.settings.OptimSettings` names and defaults (US share of duration, weight of
cost per market, weight of cost per bond); ``reinvest_rate_pct`` % a year (annual, ACT/365F);
``allow_generic`` whether curve-implied bonds may be used. The model they enter:
:mod:`desktop.optim.match_lp`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.optim.errors import BadSettings
from desktop.optim.settings import OptimSettings

_DEFAULTS = OptimSettings()


@dataclass(frozen=True)
class MatchSettings:
    """What one match needs besides bonds, curves and needs (units as OptimSettings; rate in %)."""

    base_ccy: str = "USD"
    markets: tuple[str, ...] = MARKET_CODES
    us_cap: float = _DEFAULTS.us_cap
    market_min: Mapping[str, float] = field(default_factory=dict)
    market_max: Mapping[str, float] = field(default_factory=dict)
    max_weight: float = _DEFAULTS.max_weight
    reinvest_rate_pct: float = 0.0
    allow_generic: bool = False

    def validate(self) -> MatchSettings:
        def bad(name: str, value: Any, allowed: str) -> BadSettings:
            return BadSettings(f"{name} = {value!r} is out of range (allowed: {allowed})")

        if self.base_ccy not in CURRENCIES:
            raise bad("base_ccy", self.base_ccy, ", ".join(CURRENCIES))
        if not self.markets or any(m not in MARKET_CODES for m in self.markets):
            raise bad("markets", self.markets, "one or more of " + ", ".join(MARKET_CODES))
        for name in ("us_cap", "max_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(name, getattr(self, name), "0–1")
        for name in ("market_min", "market_max"):
            for code, v in getattr(self, name).items():
                if code not in MARKET_CODES or not 0.0 <= v <= 1.0:
                    raise bad(f"{name}[{code}]", v, "a market code and a fraction 0–1")
        if not -10.0 <= self.reinvest_rate_pct <= 50.0:
            raise bad("reinvest_rate_pct", self.reinvest_rate_pct, "−10 … 50 %")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"base_ccy": self.base_ccy, "markets": list(self.markets), "us_cap": self.us_cap,
                "market_min": dict(self.market_min), "market_max": dict(self.market_max),
                "max_weight": self.max_weight, "reinvest_rate_pct": self.reinvest_rate_pct,
                "allow_generic": self.allow_generic}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MatchSettings:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise BadSettings(f"unknown match setting(s): {', '.join(sorted(unknown))}")
        kw = dict(d)
        if "markets" in kw:
            kw["markets"] = tuple(kw["markets"])
        return cls(**kw).validate()
