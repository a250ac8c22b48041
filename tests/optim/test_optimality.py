"""The default solve is optimal: the same problem written out in the test from raw arrays and solved
by another solver (OSQP) reaches the same objective, and the optimiser's weights meet every limit.

The problem as the PM sets it (docs: desktop/optim/problem.py): maximise the expected return over the
horizon minus the risk penalty, ``μᵀw − λ·h·100·eᵀΣe`` with ``e`` the portfolio's key-rate exposures
(market m, key tenor k: ``−Σ_{i∈m} w_i·krd_ik``) and Σ the annualised key-rate covariance (decimal²),
subject to: fully invested, long only, ≤ max weight per bond, only bonds on the ladder's rungs,
duration within target ± band, US share of duration ≤ the US cap, each filled rung within
1/n ± tolerance of the value. Inputs taken as data: μ (the per-bond expected return the solution
reports, tested in tests/optim/test_model.py) and Σ (the risk model's estimate); everything else is
built here from the universe columns.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from desktop.markets import MARKET_CODES
from desktop.optim.settings import OptimSettings

KRD = ("krd_2y", "krd_5y", "krd_10y", "krd_30y")


def _exposure_matrix(universe) -> np.ndarray:
    """E (16 × N): row (market m, key k) holds −krd_k of market m's bonds, 0 elsewhere."""
    codes = universe["market"].to_numpy()
    krd = universe[list(KRD)].to_numpy(float)
    rows = []
    for code in MARKET_CODES:
        mine = (codes == code).astype(float)
        rows += [-krd[:, k] * mine for k in range(len(KRD))]
    return np.array(rows)


class Reference:
    """The default problem built from raw arrays (no desktop.optim model code)."""

    def __init__(self, universe, mu: np.ndarray, cov: np.ndarray, s: OptimSettings) -> None:
        self.universe, self.mu, self.cov, self.s = universe, mu, cov, s
        self.E = _exposure_matrix(universe)
        self.D = universe["mod_duration"].to_numpy(float)
        self.us = universe["market"].to_numpy() == "US"
        self.rung = universe["rung"].to_numpy(int)
        lo, hi = s.rungs
        self.on_ladder = (self.rung >= lo) & (self.rung <= hi)
        self.filled = [r for r in range(lo, hi + 1) if (self.on_ladder & (self.rung == r)).any()]
        self.rho = s.risk_aversion * s.horizon_months / 12.0 * 100.0

    def objective(self, w: np.ndarray) -> float:
        """Expected return minus risk penalty, % over the horizon."""
        e = self.E @ w
        return float(self.mu @ w - self.rho * e @ self.cov @ e)

    def violations(self, w: np.ndarray) -> dict[str, float]:
        """How far ``w`` breaks each limit (0 = met)."""
        s, d = self.s, float(self.D @ w)
        band = [abs(w[self.rung == r].sum() - 1 / len(self.filled)) - s.rung_tolerance for r in self.filled]
        return {
            "budget": abs(w.sum() - 1.0),
            "long only": max(0.0, -w.min()),
            "max weight": max(0.0, w.max() - s.max_weight),
            "off the ladder": float(w[~self.on_ladder].sum()),
            "duration": max(0.0, s.target_duration - s.duration_band - d, d - s.target_duration - s.duration_band),
            "US cap": max(0.0, float((self.D * self.us) @ w) - s.us_cap * d),
            "rung band": max(0.0, max(band)),
        }

    def solve(self) -> np.ndarray:
        s, n = self.s, len(self.mu)
        w = cp.Variable(n)
        root = np.linalg.cholesky(self.cov + 1e-14 * np.eye(len(self.cov)))
        lo, hi = s.target_duration - s.duration_band, s.target_duration + s.duration_band
        cons = [cp.sum(w) == 1, w >= 0, w <= s.max_weight * self.on_ladder,
                self.D @ w >= lo, self.D @ w <= hi, (self.D * self.us) @ w <= s.us_cap * (self.D @ w)]
        for r in self.filled:
            share = cp.sum(w[np.flatnonzero(self.rung == r)])
            cons += [share >= 1 / len(self.filled) - s.rung_tolerance, share <= 1 / len(self.filled) + s.rung_tolerance]
        prob = cp.Problem(cp.Maximize(self.mu @ w - self.rho * cp.sum_squares(root.T @ (self.E @ w))), cons)
        prob.solve(solver="OSQP", eps_abs=1e-10, eps_rel=1e-10, max_iter=400_000, polishing=True)
        assert prob.status == "optimal", prob.status
        return np.asarray(w.value, float)


def test_default_solve_is_optimal(optimiser):
    s = OptimSettings()
    sol = optimiser.solve(s)
    assert sol.status == "optimal"
    u = optimiser.universe
    mu = sol.returns["expected_return_pct"].to_numpy(float)
    ref = Reference(u, mu, optimiser.risk.rate_cov, s)
    w = sol.weights.to_numpy(float)
    assert max(ref.violations(w).values()) < 1e-6, ref.violations(w)
    best = ref.solve()
    assert max(ref.violations(best).values()) < 1e-6, ref.violations(best)
    # the same optimum (OSQP at 1e-10 tolerances; measured gap 1e-10 % of return) and the figures agree
    assert ref.objective(w) == pytest.approx(ref.objective(best), abs=1e-7)
    assert sol.objective_pct == pytest.approx(ref.objective(w), abs=1e-9)
    assert sol.expected_return_pct == pytest.approx(float(mu @ w), abs=1e-12)
    e = ref.E @ w
    assert sol.risk_pct == pytest.approx(100.0 * np.sqrt(e @ ref.cov @ e), rel=1e-9)
    assert sol.duration == pytest.approx(float(ref.D @ w), abs=1e-12)
    # the optimum is unique here (14 bonds held): the same weights, not just the same objective
    assert np.abs(w - best).max() < 1e-5
