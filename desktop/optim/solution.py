"""What a solve returns: the allocation, its figures and the binding constraints (no cvxpy here)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from desktop.optim.settings import OptimSettings


@dataclass(frozen=True)
class Binding:
    """A binding constraint and its shadow price: bp of objective per ``step`` of the setting."""

    constraint: str
    shadow_bp: float
    step: str
    text: str


@dataclass(frozen=True, eq=False)
class Figures:
    """A portfolio's figures under the model: % over the horizon, % a year for risk/TE, years."""

    expected_return_pct: float
    variance: float  # annual, decimal²
    tracking_error_pct: float
    duration: float
    us_share: float
    hedged_yield_pct: float
    yield_pct: float
    market_weights: pd.Series

    @property
    def risk_pct(self) -> float:
        return 100.0 * float(np.sqrt(max(self.variance, 0.0)))


@dataclass(frozen=True, eq=False)
class Solution:
    """One optimal allocation. Weights are fractions of market value (universe index); returns
    and objective terms in % over the horizon (base ccy); risk / TE annualised % vol."""

    weights: pd.Series
    status: str
    solver: str
    solve_time_s: float
    objective_pct: float
    expected_return_pct: float
    risk_pct: float
    risk_penalty_pct: float
    turnover: float
    turnover_cost_pct: float
    tracking_error_pct: float
    duration: float
    us_share: float
    hedged_yield_pct: float
    yield_pct: float
    binding: tuple[Binding, ...]
    returns: pd.DataFrame
    settings: OptimSettings
    warnings: tuple[str, ...] = field(default_factory=tuple)
    market_weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
