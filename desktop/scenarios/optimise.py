"""Scenario inputs for the optimiser: a worst-case-loss constraint that stays DPP.

The optimiser (``desktop.optim``, not edited here) works in portfolio weights ``w`` (fractions of
market value, sum 1). Under scenario ``s`` a position worth 1 unit of base currency in bond ``i``
makes ``R[i, s]`` (a fraction: P&L in base ccy per unit of base-ccy market value — see
:mod:`desktop.scenarios.grid` for hedged/unhedged). The portfolio's scenario return is therefore
linear, ``R[:, s] @ w``, and "worst-case loss across the selected scenarios ≤ limit" is

    R.T @ w >= -limit          (one linear inequality per scenario)

With ``R`` a constant (or a ``cp.Parameter``) and ``limit`` a ``cp.Parameter`` the problem stays
DPP, so the optimiser compiles once and a slider only sets ``limit.value``.

Usage from the optimiser::

    R = scenario_return_matrix(engine, scenarios, hedged=True)      # DataFrame (bonds × scenarios)
    limit = cp.Parameter(nonneg=True, value=0.05)                    # 5 % of market value
    constraints += worst_case_constraints(w, R.to_numpy(), limit)
    ...
    worst_case_loss(w.value, R)                                      # reporting, binding scenario
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from desktop.scenarios.grid import position_pnl
from desktop.scenarios.model import Scenario
from desktop.scenarios.revalue import ScenarioEngine


def scenario_return_matrix(engine: ScenarioEngine, scenarios: Sequence[Scenario], *, hedged: bool = True
                           ) -> pd.DataFrame:
    """R (bonds × scenarios): P&L per unit of base-ccy market value, hedged or unhedged.

    Rows follow ``engine.universe`` (index 0..n-1), columns are scenario names. Fractions, not %.
    """
    scenarios = tuple(scenarios)
    fx0 = np.array([engine.state.fx_to_base(c) for c in engine.universe["currency"]])
    value_per_face = engine.price0 / 100.0 * fx0  # base ccy per 1 unit of face
    face = 1.0 / value_per_face  # face worth 1 unit of base ccy
    pnl = position_pnl(engine, scenarios, face)["hedged" if hedged else "unhedged"]
    return pd.DataFrame(pnl, index=engine.universe.index, columns=[s.name for s in scenarios])


def worst_case_constraints(weights: Any, returns: np.ndarray | Any, limit: Any) -> list[Any]:
    """cvxpy constraints ``returns.T @ weights >= -limit`` (one per scenario).

    ``weights``: ``cp.Variable(n)``; ``returns``: (n × k) array or ``cp.Parameter((n, k))``;
    ``limit``: a non-negative ``cp.Parameter`` (fraction of market value) or float. DPP-safe.
    """
    return [returns.T @ weights >= -limit]


def worst_case_loss(weights: np.ndarray | pd.Series, returns: pd.DataFrame) -> tuple[float, str]:
    """(loss as a positive fraction of market value, name of the worst scenario) for ``weights``."""
    w = weights.reindex(returns.index, fill_value=0.0).to_numpy(float) if isinstance(
        weights, pd.Series) else np.asarray(weights, dtype=float)
    by_scenario = returns.to_numpy().T @ w
    worst = int(np.argmin(by_scenario))
    return float(max(-by_scenario[worst], 0.0)), str(returns.columns[worst])
