"""Worst-case-loss constraint: linear in weights, DPP, binding where expected."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.scenarios.grid import face_from_weights, scenario_grid
from desktop.scenarios.optimise import scenario_return_matrix, worst_case_constraints, worst_case_loss
from desktop.scenarios.presets import PRESETS

cp = pytest.importorskip("cvxpy")


@pytest.fixture(scope="module")
def returns(engine):
    return scenario_return_matrix(engine, PRESETS, hedged=True)


def test_matrix_matches_grid(engine, returns):
    rng = np.random.default_rng(1)
    w = rng.dirichlet(np.ones(len(engine.universe)))
    grid = scenario_grid(engine, PRESETS, {"p": face_from_weights(engine, w, 1e6)})
    total = grid.table("p", "hedged", kinds=("total",))["Total"].to_numpy()
    np.testing.assert_allclose(returns.to_numpy().T @ w * 1e6, total, rtol=1e-9)


def test_worst_case_constraint_is_dpp_and_binds(engine, universe, returns):
    n = len(universe)
    w = cp.Variable(n, nonneg=True)
    limit = cp.Parameter(nonneg=True)
    expected = universe["yield_pct"].to_numpy() / 100.0  # a stand-in expected return
    problem = cp.Problem(cp.Maximize(expected @ w),
                         [cp.sum(w) == 1, w <= 0.1, *worst_case_constraints(w, returns.to_numpy(), limit)])
    assert problem.is_dpp()
    losses = []
    for value in (0.10, 0.03, 0.01):
        limit.value = value
        problem.solve(solver=cp.CLARABEL)
        assert problem.status == cp.OPTIMAL
        loss, name = worst_case_loss(w.value, returns)
        assert loss <= value + 1e-6
        losses.append((loss, name, float(expected @ w.value)))
    # a tighter limit costs expected return and binds at the limit
    assert losses[0][2] >= losses[1][2] >= losses[2][2]
    assert losses[2][0] == pytest.approx(0.01, abs=1e-5)
