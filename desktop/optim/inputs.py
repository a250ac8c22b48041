"""What the optimiser reads about the market: one frozen bundle built from a ``MarketSnapshot``.

The optimiser never imports the store; the GUI/CLI hand it a snapshot (or these fields directly).

**Universe size bound** (:func:`max_bonds`): the optimiser's compile and memory are linear in the
number of bonds (problem.py), but Clarabel's solve time grows faster (measured ∝ N^1.5–1.6 on the
window's problem, bench/bench_optim.py). On this machine (2 cores, 23 GB) the window's problem takes
≈ 4 s at 20,000 bonds and the CLI's ≈ 1.8 s, peak memory ≈ 10 kB per bond; at 100,000 bonds the
CLI's problem compiles in 2.3 s and solves in 10 s (measured), the window's (with holdings and
turnover) about a minute (extrapolated at N^1.6), each move. A universe larger than :data:`MAX_SOLVABLE_BONDS` (or than half the
machine's memory at :data:`PEAK_BYTES_PER_BOND`) is refused with :class:`UniverseTooLarge` before
anything is built; ``LADDERDESK_MAX_BONDS`` overrides the bound (e.g. a bigger machine).
"""

from __future__ import annotations

import os
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
MAX_SOLVABLE_BONDS = 100_000  # the window's problem ≈ a minute per move here (module doc)
PEAK_BYTES_PER_BOND = 64_000  # measured ≈ 10 kB per bond (compile + Clarabel); ×6 for the elastic
#                               problem, kept contexts and the universe frame itself
MEMORY_SHARE = 0.5  # of physical memory the optimiser may plan on


class UniverseTooLarge(BadInputs):
    """The universe has more bonds than this machine's optimiser can solve (the message gives the bound)."""


def max_bonds() -> int:
    """The largest universe the optimiser accepts here: ``LADDERDESK_MAX_BONDS`` if set, else
    min(:data:`MAX_SOLVABLE_BONDS`, :data:`MEMORY_SHARE` × physical memory / :data:`PEAK_BYTES_PER_BOND`)."""
    env = os.environ.get("LADDERDESK_MAX_BONDS", "").strip()
    if env:
        try:
            return max(int(env), 1)
        except ValueError:
            raise BadInputs(f"LADDERDESK_MAX_BONDS = {env!r} is not a whole number of bonds") from None
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not POSIX: the solve-time bound alone
        return MAX_SOLVABLE_BONDS
    return int(min(MAX_SOLVABLE_BONDS, MEMORY_SHARE * memory // PEAK_BYTES_PER_BOND))


def check_universe_size(n_bonds: int) -> None:
    """Raise :class:`UniverseTooLarge` when ``n_bonds`` exceeds :func:`max_bonds`."""
    bound = max_bonds()
    if n_bonds > bound:
        raise UniverseTooLarge(
            f"the universe has {n_bonds:,} bonds; the optimiser on this machine solves at most {bound:,} "
            f"(its solve time grows faster than the number of bonds: about a minute per move at "
            f"{MAX_SOLVABLE_BONDS:,}, "
            f"≈ {PEAK_BYTES_PER_BOND // 1000} kB of memory per bond planned). Import fewer bonds or restrict the "
            "universe (e.g. to the markets or maturities you trade); LADDERDESK_MAX_BONDS raises the bound on a "
            "bigger machine")


@dataclass(frozen=True, eq=False)
class OptimInputs:
    """Universe (``desktop.universe`` columns), curves by market, 3-month short rates by currency
    (% p.a.), FX as USD per unit of each currency, month-end yield history, trade date, and the
    month-end FX history the risk model's currency block is estimated from (date, currency,
    usd_per_unit: the workspace's, imported ECB months over the bundled ones; None = the bundled series)."""

    universe: pd.DataFrame
    curves: Mapping[str, Any]
    short_rates_pct: Mapping[str, float]
    fx_usd_per_unit: Mapping[str, float]
    history: pd.DataFrame
    as_of: date
    fx_history: pd.DataFrame | None = None

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
            fx_history=fx if isinstance(fx := getattr(snapshot, "fx_history", None), pd.DataFrame) and len(fx) else None,
        )

    def fx_to_base(self, base_ccy: str) -> dict[str, float]:
        """Units of ``base_ccy`` per unit of each currency (:func:`desktop.finance.fx_to_base`)."""
        from desktop.finance import fx_to_base

        return fx_to_base(self.fx_usd_per_unit, base_ccy)


def validate_inputs(universe: pd.DataFrame, short_rates_pct: Mapping[str, float],
                    fx_usd_per_unit: Mapping[str, float]) -> None:
    """Reject a universe too large to solve (:class:`UniverseTooLarge`, checked first and in O(1)) and
    NaN/inf/negative figures before they reach the solver (raises :class:`BadInputs`).

    The message names each offending bond (id and market), the field and what was expected, so a
    bad price never turns into a solver's "problem data contains NaN".
    """
    check_universe_size(len(universe))
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
