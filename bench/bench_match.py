"""Bench: cash-flow matching (``desktop.optim.matching``) vs the raw solver on the same matrices.

Universes: the bundled one (real bonds, four markets) and 2,000 synthetic bonds
(``desktop.universe.synthetic_universe``; all flagged generic, so ``allow_generic``), each against
30 yearly needs of 10 m USD (2026–2055) with the default limits (US cap 35 %, 10 % per bond).
Phases (median ms of 5 after a warm-up): ``build`` = cash flows, CIP forwards and the need matrix;
``lp`` = cvxpy canonicalisation + HiGHS (one solve); ``full`` = ``match_liabilities`` (build + LP +
one re-solve per binding limit for its stated gain + rounding, top-ups, tables). Lower bound in the same run: cvxpy's own matrices for that LP (c, A, b, cone sizes
and variable bounds from ``get_problem_data``) handed to HiGHS through ``scipy.optimize.linprog(method="highs")``;
objectives compared. ``ratio`` = lp / raw.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


def _median_ms(fn, repeats: int = 5) -> tuple[float, object]:
    fn()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3, out


def _raw_highs(problem) -> tuple[float, float]:
    """(median ms, objective) of HiGHS on cvxpy's matrices for ``problem`` (scipy's HiGHS wrapper)."""
    import cvxpy as cp
    from scipy.optimize import linprog

    data, _, _ = problem.get_problem_data(cp.HIGHS)
    c, a, b, zero = data["c"], data["A"].tocsr(), data["b"], int(data["dims"].zero)
    lower, upper = data.get("lower_bounds"), data.get("upper_bounds")
    n = len(c)
    lo = np.full(n, -np.inf) if lower is None else np.asarray(lower, float)
    hi = np.full(n, np.inf) if upper is None else np.asarray(upper, float)
    bounds = np.column_stack([lo, hi])  # cvxpy passes x ≥ 0 as variable bounds, not rows
    offset = float(data.get("offset", 0.0) or 0.0)

    def solve():
        return linprog(c, A_ub=a[zero:], b_ub=b[zero:], A_eq=a[:zero], b_eq=b[:zero], bounds=bounds,
                       method="highs")

    ms, res = _median_ms(solve)
    assert res.status == 0, res.message
    return ms, float(res.fun) + offset


def run() -> list[str]:
    from desktop.optim.match_lp import MatchProblem
    from desktop.optim.match_settings import MatchSettings
    from desktop.optim.matching import match_liabilities
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import build_universe, synthetic_universe

    snap = load_bundled_snapshot()
    needs = pd.DataFrame({"date": [f"{y}-12-31" for y in range(2026, 2056)], "amount": 10e6})
    lines = []
    for label, universe, settings in (
            ("bundled", build_universe(snap), MatchSettings()),
            ("N=2,000", synthetic_universe(2000, snapshot=snap), MatchSettings(allow_generic=True))):
        args = (universe, snap.curves, snap.fx_usd_per_unit, needs, settings)
        build_ms, mp = _median_ms(lambda a=args: MatchProblem(*a))
        lp_ms, (_, info) = _median_ms(lambda m=mp, s=settings: m._lp(s, with_gains=False))
        raw_ms, raw_obj = _raw_highs(mp.last_problem)
        full_ms, res = _median_ms(lambda a=args: match_liabilities(*a))
        unit = max(float(needs["amount"].max()), 1.0)
        gap = abs(info["lp_cost"] / unit - raw_obj) / max(abs(raw_obj), 1e-12)
        lines.append(f"{label:8} bonds {len(mp.rows):5d} · build {build_ms:7.1f} ms · lp {lp_ms:7.1f} ms · "
                     f"raw HiGHS {raw_ms:6.1f} ms (ratio {lp_ms / raw_ms:4.1f}) · full {full_ms:7.1f} ms · "
                     f"cost {res.cost_base:,.0f} USD, {len(res.alloc)} bonds · objective gap {gap:.1e}")
    return lines
