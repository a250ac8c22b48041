"""What the optimiser reads about the market: one frozen bundle built from a ``MarketSnapshot``.

The optimiser never imports the store; the GUI/CLI hand it a snapshot (or these fields directly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.optim.errors import BadInputs

# Per-bond figures the optimiser uses, with the range each must lie in (units as in desktop.universe).
FINITE_COLUMNS: dict[str, str] = {
    "dirty_price": "a finite price > 0 per 100 face",
    "yield_pct": "a finite yield in %",
    "years_to_maturity": "a finite number of years > 0",
    "mod_duration": "a finite modified duration >= 0 years",
    "convexity": "a finite convexity >= 0",
    "krd_2y": "a finite key-rate duration (years)",
    "krd_5y": "a finite key-rate duration (years)",
    "krd_10y": "a finite key-rate duration (years)",
    "krd_30y": "a finite key-rate duration (years)",
}
MAX_LISTED = 5  # offending bonds named in one message


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

    def __post_init__(self) -> None:
        validate_inputs(self.universe, self.short_rates_pct, self.fx_usd_per_unit)

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


def validate_inputs(universe: pd.DataFrame, short_rates_pct: Mapping[str, float],
                    fx_usd_per_unit: Mapping[str, float]) -> None:
    """Reject NaN/inf/negative figures before they reach the solver (raises :class:`BadInputs`).

    The message names each offending bond (id and market), the field and what was expected, so a
    bad price never turns into a solver's "problem data contains NaN".
    """
    problems: list[str] = []
    missing = [c for c in ("market", "id", "currency", *FINITE_COLUMNS) if c not in universe.columns]
    if missing:
        raise BadInputs("the bond universe lacks column(s) " + ", ".join(missing))
    for column, expected in FINITE_COLUMNS.items():
        values = pd.to_numeric(universe[column], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if column in ("dirty_price", "years_to_maturity"):
            bad |= ~(values > 0)
        elif column in ("mod_duration", "convexity"):
            bad |= values < 0
        for i in np.flatnonzero(bad):
            problems.append(f"bond {universe['id'].iat[i]} ({universe['market'].iat[i]}): {column} = "
                            f"{float(values[i])} — expected {expected}")
    for ccy, rate in short_rates_pct.items():
        if not np.isfinite(rate):
            problems.append(f"short rate {ccy} = {float(rate)} — expected a finite rate in %")
    for ccy, fx in fx_usd_per_unit.items():
        if not (np.isfinite(fx) and fx > 0):
            problems.append(f"FX {ccy} = {float(fx)} — expected a finite USD price > 0 per unit")
    if problems:
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise BadInputs("the optimiser's inputs are not usable: " + "; ".join(problems[:MAX_LISTED]) + more)
