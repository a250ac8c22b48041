"""Typed optimiser errors (no Qt, no store): every message says what clashed and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.errors import LadderDeskError


class OptimError(LadderDeskError):
    """Base of the optimiser's errors."""


class BadInputs(OptimError):
    """A bond figure, short rate or FX rate is NaN/inf/out of range (the message names bond and field)."""


class BadSettings(OptimError):
    """A setting is out of range (the message names the setting and the allowed range)."""


@dataclass(frozen=True)
class Relaxation:
    """One way to restore feasibility, found by the elastic re-solve.

    ``constraint``: settings name (``duration``, ``us_cap``, ``market_min:JP``, ``market_max:AU``,
    ``rung_tolerance``, ``turnover_max``, ``max_weight``, ``te_max``); ``current`` / ``required``
    in the setting's own units (years, fraction of duration, fraction of market value, % TE);
    ``option``: relaxations with the same option number restore feasibility together (one
    setting group, e.g. two market minima); different options are alternatives; ``alone``: True
    when the option touches a single setting group; ``text`` the PM's words.
    """

    constraint: str
    current: float
    required: float
    unit: str
    alone: bool
    text: str
    option: int = 0


class Infeasible(OptimError):
    """No allocation meets every constraint; ``relaxations`` lists the smallest ones that help."""

    def __init__(self, message: str, relaxations: tuple[Relaxation, ...] = ()) -> None:
        super().__init__(message)
        self.relaxations = tuple(relaxations)


class SolverFailed(OptimError):
    """Every solver (primary and fallbacks) failed on a problem that is not known to be infeasible."""
