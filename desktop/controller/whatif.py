"""The PM's what-if: :class:`WhatIf` (curve shifts in bp and the optimiser's sliders) and its
conversions to and from presets (:func:`whatif_from_preset`, :func:`preset_payload_of`), the
optimiser's ``OptimSettings`` (:func:`optim_settings`) and scenarios (:func:`scenario_of_whatif`).

A market's shift is given at the key tenors 2/5/10/30 y: parallel + 2s10s steepener (as
:func:`desktop.curves.shift_profile`) + the preset's key-rate views (:meth:`WhatIf.key_shift`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from desktop.analytics import KEY_TENORS
from desktop.markets import MARKET_CODES

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
    allow_generic: bool = False  # "Include curve-implied bonds": generics / unquoted extrapolated bonds allowed

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


def horizon_months(whatif: WhatIf, saved: Mapping[str, Mapping[str, Any]] | None = None) -> int:
    """The return horizon (months) of the what-if's preset: the curve views are bp by then
    (the optimiser's default, 12, for a preset that is not known)."""
    from desktop.errors import LadderDeskError
    from desktop.optim.presets import get_preset

    try:
        return int(get_preset(whatif.preset, saved).horizon_months)
    except (LadderDeskError, KeyError, ValueError):  # BadSettings: an unknown preset name
        return 12


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
