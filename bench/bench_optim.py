"""Bench: the optimiser's first solve and parametric re-solve vs Clarabel on pre-built matrices.

For N = 200, 1,000 and 5,000 bonds (``desktop.universe.synthetic_universe``, shaped like the real
universe): build + first solve (compile), then re-solves that only assign parameter values
(alternating the US cap, duration target and a US view — what a slider does). Lower bound in the
same run: the identical conic problem (cvxpy's own P, q, A, b and cones for the last settings)
handed to ``clarabel.DefaultSolver`` directly, same default tolerances; objectives compared.

Figures: medians in ms; ``ratio`` = cvxpy re-solve / raw Clarabel set-up + solve (target ≤ 2;
in brackets Clarabel's own solve time without set-up, the absolute floor); ``solve`` = the
``problem.solve`` call alone, ``full`` = ``Optimiser.solve`` (expected returns, solve, Solution with
shadow prices). Targets: N=200 re-solve ≤ 10 ms, N=5,000 ≤ 300 ms. The machine is shared.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np


def _median_ms(times: list[float]) -> float:
    return float(np.median(times)) * 1e3


def _raw_clarabel(problem, repeats: int) -> tuple[float, float, float]:
    """(median ms of setup+solve, median ms of Clarabel's own solve_time, objective) on cvxpy's data."""
    import clarabel
    import cvxpy as cp
    import scipy.sparse as sp
    from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import dims_to_solver_cones

    data, _, _ = problem.get_problem_data(cp.CLARABEL)
    P = sp.triu(data["P"]).tocsc()
    q, A, b = data["c"], data["A"], data["b"]
    cones = dims_to_solver_cones(data["dims"])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.presolve_enable = False  # as the optimiser's solves
    wall, inner, obj = [], [], 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        sol = clarabel.DefaultSolver(P, q, A, b, cones, settings).solve()
        wall.append(time.perf_counter() - t0)
        inner.append(sol.solve_time)
        obj = sol.obj_val + float(data.get("offset", 0.0))
    return _median_ms(wall), _median_ms(inner), obj


def run() -> list[str]:
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.settings import CurveView, OptimSettings
    from desktop.optim.solve import SOLVER_OPTS, Optimiser, assign
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import synthetic_universe

    snap = load_bundled_snapshot()
    import os

    lines = [f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
             "N      build+first  re-solve(solve)  re-solve(full)  raw Clarabel (iterations only)  ratio  iters  |Δobj|"]
    base = OptimSettings(rung_tolerance=0.05, max_weight=0.05, duration_band=0.25)
    variants = [replace(base, us_cap=c, target_duration=d, views={"US": CurveView(parallel_bp=v)})
                for c, d, v in ((0.30, 5.5, 10.0), (0.35, 5.3, -10.0), (0.40, 5.6, 0.0), (0.25, 5.4, 20.0))]
    for n, repeats in ((200, 24), (1000, 12), (5000, 8)):
        universe = synthetic_universe(n, seed=7, snapshot=snap)
        inputs = OptimInputs.from_snapshot(snap, universe)
        t0 = time.perf_counter()
        opt = Optimiser(inputs)
        opt.solve(variants[0])
        first = time.perf_counter() - t0
        solve_t, full_t = [], []
        for i in range(repeats):
            s = variants[(i + 1) % len(variants)]
            t1 = time.perf_counter()
            opt.solve(s)
            full_t.append(time.perf_counter() - t1)
            values, _ = opt.parameter_values(s, None, None)
            assign(opt.problem, values)
            t2 = time.perf_counter()
            opt.problem.problem.solve(solver="CLARABEL", warm_start=True, **SOLVER_OPTS["CLARABEL"])
            solve_t.append(time.perf_counter() - t2)
        iters = opt.problem.problem.solver_stats.num_iters
        ours = float(opt.problem.problem.value)
        raw_wall, raw_inner, raw_obj = _raw_clarabel(opt.problem.problem, repeats)
        # cvxpy maximises: its objective is −(Clarabel's minimised objective)
        lines.append(f"{n:<6} {first * 1e3:9.0f} ms  {_median_ms(solve_t):11.1f} ms  {_median_ms(full_t):11.1f} ms"
                     f"  {raw_wall:9.1f} ms ({raw_inner:6.1f} ms)  {_median_ms(solve_t) / raw_wall:17.2f}  {iters:5d}  "
                     f"{abs(ours + raw_obj):.1e}")
    lines.append("targets: re-solve ≤ 2× raw Clarabel; N=200 ≤ 10 ms; N=5,000 ≤ 300 ms (shared 2-core machine)")
    return lines


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(run()))
