"""Built-in optimiser presets and user presets (JSON dicts the store persists).

* **Neutral** — benchmark-like: no curve views, no US cap, each market's weight within ±5 pts of
  the benchmark mix (:data:`desktop.optim.settings.BENCHMARK_MIX`, approximate FTSE WGBI market-value
  weights normalised to the four markets: US ≈ 72 %, JP ≈ 16 %, UK ≈ 9 %, AU ≈ 3 %), a 1–10 y
  ladder at ±7 % per rung (real bonds leave gaps on the US rungs), duration 6.0 ± 0.5 y, FX-hedged
  into USD, λ = 1.
* **Shift from US rates** — the late-2025 rotation (rationale in :data:`RATIONALE`): US share of
  duration ≤ 30 %; views over 12 months: US curve bear-steepens (0 / +5 / +15 / +25 bp at
  2 / 5 / 10 / 30 y), JGBs +10 bp parallel (yields keep drifting up — the case for JGBs is the
  hedged carry and diversification, not a rally), UK gilts rally at the front (−20 / −15 / −10 / 0 bp
  as the BoE keeps cutting), Australia no view; market weights US ≥ 15 %, JP 10–30 %, AU 10–30 %,
  UK 15–40 % (diversified, no single market dominates); ladder 1–10 y ±5 %, duration 6.0 ± 0.5 y, hedged into USD, λ = 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.optim.errors import BadSettings
from desktop.optim.settings import BENCHMARK_MIX, CurveView, OptimSettings

RATIONALE: dict[str, str] = {
    "Neutral": (
        "Benchmark-like: the four markets near their index market-value weights (US-heavy), no curve "
        "views, a 1–10 year ladder. The starting point to compare a rotation against."
    ),
    "Shift from US rates": (
        "The late-2025 rotation away from US rates. After the April 2025 tariff shock and Moody's May "
        "2025 downgrade of the US, the US term premium rebuilt and the 10-year traded above 4.5–4.6% "
        "for stretches of the year; large deficits and heavy issuance argue for a steeper US curve, so "
        "the preset caps the US at 30% of portfolio duration and assumes the US long end cheapens "
        "(+15 bp at 10 y, +25 bp at 30 y). The money moves to Japan, Australia and the UK for relative "
        "value and diversification, not because those markets are expected to rally: JGB yields rose "
        "through 2025 as the BoJ normalised (the preset assumes +10 bp more), but FX-hedged into USD "
        "they carry the wide US–Japan short-rate gap; gilts offer high real yields with the BoE still "
        "cutting (front end −20 bp); Australian bonds add a high-yield, lower-correlation market with "
        "no directional view. Views are assumptions for illustration, not forecasts."
    ),
}


def neutral() -> OptimSettings:
    return OptimSettings(
        us_cap=1.0,
        market_min={k: round(max(v - 0.05, 0.0), 3) for k, v in BENCHMARK_MIX.items()},
        market_max={k: round(min(v + 0.05, 1.0), 3) for k, v in BENCHMARK_MIX.items()},
        # ±7 % per rung, not the default ±5 %: on real bonds only, the bundled US universe has no
        # note on rungs 1, 4, 6, 8 and 9, and a US weight ≥ 67 % cannot then sit within ±5 % of 1/n on
        # every rung (the optimiser's own advice on that request: "widen the rung tolerance to ±7 %")
        rung_tolerance=0.07,
    )


def shift_from_us() -> OptimSettings:
    return OptimSettings(
        us_cap=0.30,
        views={
            "US": CurveView(key_bp={2.0: 0.0, 5.0: 5.0, 10.0: 15.0, 30.0: 25.0}),
            "JP": CurveView(parallel_bp=10.0),
            "UK": CurveView(key_bp={2.0: -20.0, 5.0: -15.0, 10.0: -10.0, 30.0: 0.0}),
        },
        market_min={"US": 0.15, "JP": 0.10, "AU": 0.10, "UK": 0.15},
        market_max={"JP": 0.30, "AU": 0.30, "UK": 0.40},
    )


BUILT_IN = {"Neutral": neutral, "Shift from US rates": shift_from_us}


def preset_names(saved: Mapping[str, Any] | None = None) -> list[str]:
    """Built-in names first, then the user's saved ones."""
    return list(BUILT_IN) + sorted(k for k in (saved or {}) if k not in BUILT_IN)


def get_preset(name: str, saved: Mapping[str, Mapping[str, Any]] | None = None) -> OptimSettings:
    """A built-in preset (case-insensitive) or a saved one (``saved``: name → ``to_dict()`` payload)."""
    for key, make in BUILT_IN.items():
        if key.casefold() == name.strip().casefold():
            return make()
    if saved and name in saved:
        return OptimSettings.from_dict(saved[name]).validate()
    raise BadSettings(f"unknown preset {name!r} (known: {', '.join(preset_names(saved))})")


def preset_payload(settings: OptimSettings) -> dict[str, Any]:
    """The JSON-able dict to persist a user preset (``Workspace.save_preset(name, payload)``)."""
    return settings.validate().to_dict()
