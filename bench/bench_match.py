"""Bench: the liability match (``desktop.optim.match_lp``) vs N, against the raw solver on the same matrices.

Universes: ``desktop.universe.synthetic_universe(N, seed=7)`` for N = 200, 1,000, 5,000 and 20,000
bonds (``LADDERDESK_BENCH_QUICK=1`` skips 20,000; all flagged generic, so ``allow_generic``) and the
bundled one (real bonds only), each against 30 yearly needs of 10 m USD (2026–2055) with the default
limits (US cap 35 %, 10 % per bond). Each universe runs in a subprocess of its own, so its peak memory is
its own; one small match is compiled first in each, so cvxpy's lazy imports are not timed.

Figures per universe:

* ``build`` — :class:`~desktop.optim.match_lp.MatchProblem`: cash flows, CIP forwards, the need
  matrix, ms (best of three);
* ``compile`` — the cvxpy LP (:meth:`~desktop.optim.match_lp.MatchProblem.lp_problem`) and cvxpy's
  first canonicalisation of it (``get_problem_data(HIGHS)``), ms (best of three fresh problems);
* ``solve`` — ``problem.solve(solver="HIGHS", warm_start=False)`` on the compiled problem (median of
  cold solves: cvxpy's cached data, HiGHS itself, the results unpacked), ms; ``HiGHS`` — HiGHS's own
  run time inside it (``solver_stats.solve_time``);
* ``raw`` — the same HiGHS (highspy, the library cvxpy calls) on cvxpy's own matrices for that LP
  (c, A, row and column bounds as cvxpy passes them), a new solver each run, ms; ``ratio`` = solve /
  raw; ``scipy`` — ``scipy.optimize.linprog(method="highs")`` on the same matrices (scipy bundles an
  older HiGHS, so its iteration count differs); ``iters`` cvxpy / raw / scipy simplex iterations;
* ``full`` — :func:`~desktop.optim.matching.match_liabilities` end to end (LP, one re-solve per
  binding limit for its stated gain, rounding, top-ups, tables), N ≤ 5,000 and the bundled universe;
* ``MB`` — peak Python allocation of build + compile (tracemalloc, a second untimed run);
  ``RSS`` — the subprocess's peak resident memory during the first build + compile above its
  resident memory once the universe was built (VmHWM reset), MB;
* ``|Δobj|`` — the objectives of cvxpy's and the raw solves (scaled: needs ≈ 1).

Growth: the log-log slope against N over N ≥ 1,000 of build, compile, memory and solve time.
The machine is shared (2 cores, several engineers): the load average is printed first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

SIZES = (200, 1000, 5000, 20000)
REPEATS = {200: 5, 1000: 5, 5000: 3, 20000: 2, "bundled": 5}  # cold solves (and raw runs) per universe
FULL_MAX = 5000  # match_liabilities end to end up to this N (and on the bundled universe)
NEEDS = pd.DataFrame({"date": [f"{y}-12-31" for y in range(2026, 2056)], "amount": 10e6})


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (``VmRSS``, ``VmHWM``), MB; NaN elsewhere."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / 1e6  # kB (KiB) → MB
    except OSError:
        pass
    return float("nan")


def _reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux: ``5`` to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _raw_highs(data: dict) -> tuple[float, float, int]:
    """(seconds, objective, iterations) of highspy on cvxpy's HiGHS data, the model built as cvxpy's
    HiGHS interface builds it (rows ``[b_eq, b_eq]`` then ``[-inf, b_ub]``, cvxpy's column bounds)."""
    import highspy as hp

    h = hp.Highs()
    h.setOptionValue("output_flag", False)
    inf = h.inf
    a = data["A"].tocsc()
    zero = int(data["dims"].zero)
    model = hp.HighsModel()
    lp = model.lp_
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = data["c"]
    lp.row_upper_ = data["b"]
    lp.row_lower_ = np.concatenate([data["b"][:zero], np.full(a.shape[0] - zero, -inf)])
    lp.a_matrix_.format_ = hp.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lower, upper = data.get("lower_bounds"), data.get("upper_bounds")
    lp.col_lower_ = np.full(a.shape[1], -inf) if lower is None else np.asarray(lower, float)
    lp.col_upper_ = np.full(a.shape[1], inf) if upper is None else np.asarray(upper, float)
    t0 = time.perf_counter()
    h.passModel(model)
    h.run()
    elapsed = time.perf_counter() - t0
    assert h.getModelStatus() == hp.HighsModelStatus.kOptimal, h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    return elapsed, float(info.objective_function_value), int(info.simplex_iteration_count)


def _scipy_highs(data: dict) -> tuple[float, float, int]:
    """(seconds, objective, iterations) of scipy's HiGHS (``linprog``) on the same matrices."""
    from scipy.optimize import linprog

    c, a, b, zero = data["c"], data["A"].tocsr(), data["b"], int(data["dims"].zero)
    n = len(c)
    lower, upper = data.get("lower_bounds"), data.get("upper_bounds")
    bounds = np.column_stack([np.full(n, -np.inf) if lower is None else np.asarray(lower, float),
                              np.full(n, np.inf) if upper is None else np.asarray(upper, float)])
    t0 = time.perf_counter()
    res = linprog(c, A_ub=a[zero:], b_ub=b[zero:], A_eq=a[:zero], b_eq=b[:zero], bounds=bounds, method="highs")
    elapsed = time.perf_counter() - t0
    assert res.status == 0, res.message
    return elapsed, float(res.fun), int(res.nit)


def one(which: str) -> dict:
    """Every figure for one universe (``"bundled"`` or a size N), run in a subprocess of its own."""
    import cvxpy as cp

    from desktop.optim.match_lp import MatchProblem, _quiet_highs
    from desktop.optim.match_settings import MatchSettings
    from desktop.optim.matching import match_liabilities
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import build_universe, synthetic_universe

    snap = load_bundled_snapshot()
    _quiet_highs()
    warm = synthetic_universe(60, seed=1, snapshot=snap)  # cvxpy's and the analytics' lazy imports, untimed
    MatchProblem(warm, snap.curves, snap.fx_usd_per_unit, NEEDS, MatchSettings(allow_generic=True)) \
        .solve_lp(MatchSettings(allow_generic=True), with_gains=False)
    if which == "bundled":
        universe, settings = build_universe(snap), MatchSettings()
    else:
        universe, settings = synthetic_universe(int(which), seed=7, snapshot=snap), MatchSettings(allow_generic=True)
    args = (universe, snap.curves, snap.fx_usd_per_unit, NEEDS, settings)
    _reset_peak_rss()
    rss0 = _status_mb("VmRSS")
    build, compile_ = [], []
    for k in range(3):  # best of three fresh builds and compiles (each a first get_problem_data)
        t0 = time.perf_counter()
        mp = MatchProblem(*args)
        t1 = time.perf_counter()
        prob, _, _ = mp.lp_problem(settings)
        data, _, _ = prob.get_problem_data(cp.HIGHS)
        t2 = time.perf_counter()
        build.append(t1 - t0)
        compile_.append(t2 - t1)
        if k == 0:
            rss = _status_mb("VmHWM") - rss0
    tracemalloc.start()
    twin = MatchProblem(*args)
    twin_prob, _, _ = twin.lp_problem(settings)
    twin_prob.get_problem_data(cp.HIGHS)
    mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    del twin, twin_prob
    key = which if which == "bundled" else int(which)
    solve, inner, raw, via_scipy = [], [], [], []
    for _ in range(REPEATS[key]):  # cold solves, ours and the raw solver's interleaved
        t3 = time.perf_counter()
        prob.solve(solver="HIGHS", warm_start=False)
        solve.append(time.perf_counter() - t3)
        inner.append(prob.solver_stats.solve_time)
        raw_s, raw_obj, raw_iters = _raw_highs(data)
        raw.append(raw_s)
        sp_s, sp_obj, sp_iters = _scipy_highs(data)
        via_scipy.append(sp_s)
    assert prob.status == cp.OPTIMAL, prob.status
    offset = float(data.get("offset", 0.0) or 0.0)
    full_ms = float("nan")
    if which == "bundled" or int(which) <= FULL_MAX:
        t4 = time.perf_counter()
        res = match_liabilities(*args)
        full_ms = (time.perf_counter() - t4) * 1e3
        assert res.cost_base > 0
    return {"which": which, "bonds": int(len(mp.rows)), "build_ms": min(build) * 1e3, "compile_ms": min(compile_) * 1e3,
            "solve_ms": float(np.median(solve)) * 1e3, "highs_ms": float(np.median(inner)) * 1e3,
            "raw_ms": float(np.median(raw)) * 1e3, "scipy_ms": float(np.median(via_scipy)) * 1e3,
            "iters": int(prob.solver_stats.num_iters), "raw_iters": raw_iters, "scipy_iters": sp_iters,
            "full_ms": full_ms, "mb": mb, "rss_mb": rss,
            "gap": max(abs(float(prob.value) - raw_obj - offset), abs(float(prob.value) - sp_obj - offset))}


def run() -> list[str]:
    from bench.bench_optim import slope

    quick = os.environ.get("LADDERDESK_BENCH_QUICK") == "1"
    sizes = [n for n in SIZES if not (quick and n > 5000)]
    lines = [f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; each universe in its own process; "
             f"30 yearly needs, default limits",
             "N        bonds   build  compile    solve  (HiGHS)      raw  ratio    scipy  iters ours/raw/scipy"
             "      full     MB    RSS  |Δobj|"]
    results = []
    for which in [*map(str, sizes), "bundled"]:
        proc = subprocess.run([sys.executable, "-m", "bench.bench_match", which], capture_output=True, text=True,
                              timeout=600, cwd=Path(__file__).resolve().parents[1],
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if proc.returncode != 0:
            raise RuntimeError(f"{which}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        label = f"{int(which):,}" if which != "bundled" else "bundled"
        lines.append(f"{label:<8} {r['bonds']:6d} {r['build_ms']:6.1f} ms {r['compile_ms']:6.1f} ms {r['solve_ms']:6.1f} ms"
                     f" ({r['highs_ms']:6.1f}) {r['raw_ms']:6.1f} ms {r['solve_ms'] / r['raw_ms']:5.2f} {r['scipy_ms']:6.1f} ms"
                     f"  {r['iters']:5d}/{r['raw_iters']:5d}/{r['scipy_iters']:5d}  "
                     + (f"{r['full_ms']:7.0f} ms" if np.isfinite(r["full_ms"]) else "      —   ")
                     + f" {r['mb']:6.1f} {r['rss_mb']:6.0f}  {r['gap']:.0e}")
    fit = [r for r in results if r["which"] != "bundled" and int(r["which"]) >= 1000]
    if len(fit) >= 2:
        ns = [int(r["which"]) for r in fit]
        lines.append(f"growth (N ≥ 1,000): build ∝ N^{slope(ns, [r['build_ms'] for r in fit]):.2f}, "
                     f"compile ∝ N^{slope(ns, [r['compile_ms'] for r in fit]):.2f}, "
                     f"build+compile memory ∝ N^{slope(ns, [r['mb'] for r in fit]):.2f}, "
                     f"solve ∝ N^{slope(ns, [r['solve_ms'] for r in fit]):.2f} "
                     f"(raw HiGHS ∝ N^{slope(ns, [r['raw_ms'] for r in fit]):.2f})")
    return lines


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) > 1:
        print(json.dumps(one(sys.argv[1])))
    else:
        print("\n".join(run()))
