"""What the optimiser reads about the market: one frozen bundle built from a ``MarketSnapshot``.

The optimiser never imports the store; the GUI/CLI hand it a snapshot (or these fields directly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd


@dataclass(frozen=True, eq=False)
class OptimInputs:
    """Universe (``desktop.universe`` columns), curves by market, 3-month short rates by currency
    (% p.a.), FX as USD per unit of each currency, month-end yield history, trade date."""

    universe: pd.DataFrame
    curves: Mapping[str, Any]
    short_rates_pct: Mapping[str, float]
    fx_usd_per_unit: Mapping[str, float]
    history: pd.DataFrame
    as_of: date

    @classmethod
    def from_snapshot(cls, snapshot: Any, universe: pd.DataFrame | None = None) -> OptimInputs:
        """Bundle a ``MarketSnapshot``; the universe defaults to ``build_universe(snapshot)``."""
        if universe is None:
            from desktop.universe import build_universe

            universe = build_universe(snapshot)
        return cls(
            universe=universe.reset_index(drop=True),
            curves=dict(snapshot.curves),
            short_rates_pct=dict(snapshot.short_rates_pct),
            fx_usd_per_unit=dict(snapshot.fx_usd_per_unit),
            history=snapshot.history,
            as_of=snapshot.as_of,
        )

    def fx_to_base(self, base_ccy: str) -> dict[str, float]:
        """Units of ``base_ccy`` per unit of each currency."""
        base = self.fx_usd_per_unit[base_ccy]
        return {c: v / base for c, v in self.fx_usd_per_unit.items()}
