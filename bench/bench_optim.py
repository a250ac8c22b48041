"""Bench: what users solve — the window's problem and the CLI's — compile, re-solve and memory vs N.

For N = 200, 1,000, 5,000 and 20,000 bonds (``desktop.universe.synthetic_universe``, shaped like the real
universe; ``LADDERDESK_BENCH_QUICK=1`` skips 20,000), each N in its own subprocess (so its peak
memory is its own):

* **window**: the GUI's settings (``optim_settings(WhatIf())``, the Neutral preset with the sliders)
  *with current holdings* (a seeded book over ~20 % of the bonds) and a 1 bp turnover cost — the
  rebalance problem the window always solves;
* **cli**: ``ladderdesk optimize`` without ``--current``: default settings, starting from cash;
* **backtest**: one month of ``ladderdesk backtest`` (backtest/engine.py): the "Shift from US rates"
  preset with views off and a 2 bp cost, from last month's optimum. The backtest builds a new
  Optimiser every month (new holdings are a new context), so its monthly cost is ``first``
  (compile + solve); the liability match is ``bench_match``'s.

Figures per problem:

* ``compile`` — building the cvxpy problem for the universe and context plus cvxpy's first
  canonicalisation (``get_problem_data``), s; ``first`` — the first ``Optimiser.solve`` end to end
  (compile + solve + explanations), s;
* ``re-solve`` — median over slider moves (US cap, duration target, a US view, λ) of what
  ``Optimiser.solve`` runs after assigning the parameter values: ``solve_compiled`` (the direct
  re-solve, direct.py), ms; ``cvxpy`` — cvxpy's own ``problem.solve`` on the same values (the path
  before direct.py), ms;
* ``raw`` — Clarabel itself on the *same* matrices (cvxpy's own P, q, A, b and cones for each move),
  ``update`` + ``solve`` on one solver object exactly as cvxpy re-uses it, started from the same first
  data as the window's solver (so both take the same iterations: ``iters ours/raw``), ms; in brackets
  Clarabel's own ``solve_time``; ``ratio`` = re-solve / raw. Re-solve and raw are each the best of
  ``REPEATS`` interleaved runs of a move (each repeat resends all data), the median over moves;
* ``full`` — median ``Optimiser.solve`` of a move (returns, solve, Solution and binding constraints);
* ``compile MB`` — peak Python allocation during the compile (tracemalloc); ``peak RSS MB`` — the
  subprocess's peak resident memory (VmHWM, reset once the universe is built) above its RSS then.

Growth: the log-log slope of compile time and compile memory against N over N ≥ 1,000.
Targets (issue 15): compile ≤ 1 s and ≤ 0.5 GB at N = 20,000, exponent ≤ 1.2, re-solve ≤ 1.3× raw.
The machine is shared (2 cores, several engineers): the load average is printed first.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

SIZES = (200, 1000, 5000, 20000)
# slider moves timed per N (fewer where one solve takes seconds) and how many of them also run the
# full Optimiser.solve (its binding-constraint explanations re-solve once per binding limit)
MOVES = {200: 24, 1000: 12, 5000: 4, 20000: 3}
FULL = {200: 3, 1000: 3, 5000: 2, 20000: 1}
KINDS = ("window", "cli", "backtest")
REPEATS = {200: 5, 1000: 3, 5000: 2, 20000: 2}  # runs of each move for the re-solve and raw figures (best of)


def _median_ms(times: list[float]) -> float:
    return float(np.median(times)) * 1e3


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0: ``5`` to /proc/self/clear_refs), so the peak read
    later is the optimiser's, not the universe build's; False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    """Peak resident memory since the last reset (VmHWM), else since the start (ru_maxrss)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6  # kB (KiB) → MB, as _rss_mb
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _clarabel_data(problem):
    """cvxpy's own Clarabel matrices for the current parameter values (as its interface passes them)."""
    import cvxpy as cp
    import scipy.sparse as sp
    from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import dims_to_solver_cones

    data, _, _ = problem.get_problem_data(cp.CLARABEL)
    n = data["c"].size
    P = sp.triu(data["P"] if "P" in data else sp.csc_array((n, n))).tocsc()
    return P, data["c"], data["A"].tocsc(), data["b"], dims_to_solver_cones(data["dims"]), data.get("offset", 0.0)


def _measure(kind: str, opt, base, current) -> dict:
    diagnose = kind != "backtest"  # the backtest solves with diagnose=False (no binding-limit re-solves)
    import clarabel

    from desktop.optim.problem import LadderProblem
    from desktop.optim.settings import CurveView
    from desktop.optim.solve import SOLVER_OPTS, assign, solve_compiled

    # slider moves around the settings (the window's preset bounds US ≥ 67 %, so the cap moves in proportion)
    steps = ((0.9, -0.2, 10.0, 1.0), (1.0, -0.4, -10.0, 2.0), (1.1, 0.1, 0.0, 1.0),
             (0.95, -0.3, 20.0, 0.5), (1.05, 0.2, -5.0, 1.0), (0.85, -0.5, 15.0, 3.0))
    moves = [replace(base, us_cap=min(1.0, base.us_cap * f), target_duration=base.target_duration + d,
                     risk_aversion=lam, views={**base.views, "US": CurveView(parallel_bp=v + i // len(steps))})
             for i in range(MOVES.get(len(opt.universe), 6)) for f, d, v, lam in (steps[i % len(steps)],)]
    values, _ = opt.parameter_values(base, current, None)
    t0 = time.perf_counter()
    prob = opt.compiled("rebalance" if current is not None else "fresh", values)
    assign(prob, values)
    prob.problem.get_problem_data("CLARABEL")
    compile_s = time.perf_counter() - t0
    # the same compile again under tracemalloc (which slows allocation, so not timed)
    tracemalloc.start()
    twin = LadderProblem(opt.universe, opt.risk, opt.benchmark, turnover=prob.turnover, context=prob.context)
    assign(twin, values)
    twin.problem.get_problem_data("CLARABEL")
    compile_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    del twin
    t0 = time.perf_counter()
    opt.solve(base, current_weights=current, diagnose=diagnose)
    first_s = time.perf_counter() - t0 + compile_s
    ours, via_cvxpy, raw, raw_inner, full, gaps, iters, raw_iters = [], [], [], [], [], [], [], []
    # the raw solver starts from the same data as the window's (the first solve's), so both equilibrate alike
    assign(prob, opt.parameter_values(base, current, None)[0])
    P, q, A, b, cones, offset = _clarabel_data(prob.problem)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.presolve_enable = False
    solver = clarabel.DefaultSolver(P, q, A, b, cones, settings)
    n = len(opt.universe)
    for i, s in enumerate(moves):
        if i < FULL.get(n, 3):
            t1 = time.perf_counter()
            opt.solve(s, current_weights=current, diagnose=diagnose)
            full.append(time.perf_counter() - t1)
        values, _ = opt.parameter_values(s, current, None)
        # each figure is the best of REPEATS runs of the move (the machine is shared: a load spike in
        # one run is not the code's), ours and raw interleaved
        assign(prob, values)
        P, q, A, b, cones, offset = _clarabel_data(prob.problem)
        best_ours, best_raw, best_inner = float("inf"), float("inf"), float("inf")
        for _ in range(REPEATS.get(n, 2)):
            if prob.direct is not None:
                prob.direct.resend_all()  # a repeat sends P, q, A and b again, as the raw update does
            t2 = time.perf_counter()
            assign(prob, values)
            solve_compiled(prob)
            best_ours = min(best_ours, time.perf_counter() - t2)
            t3 = time.perf_counter()
            solver.update(P=P, q=q, A=A, b=b)
            sol = solver.solve()
            best_raw = min(best_raw, time.perf_counter() - t3)
            best_inner = min(best_inner, sol.solve_time)
        ours.append(best_ours)
        raw.append(best_raw)
        raw_inner.append(best_inner)
        if prob.result is None:
            raise RuntimeError(f"the direct re-solve is off for this problem: {prob.direct.why if prob.direct else '?'}")
        iters.append(prob.result.iterations)
        raw_iters.append(sol.iterations)
        gaps.append(abs(-(sol.obj_val + offset) - prob.objective_value()))  # cvxpy maximises
        t4 = time.perf_counter()
        prob.problem.solve(solver="CLARABEL", warm_start=True, **SOLVER_OPTS["CLARABEL"])
        via_cvxpy.append(time.perf_counter() - t4)
    return {"kind": kind, "compile_s": compile_s, "compile_mb": compile_mb, "first_s": first_s,
            "resolve_ms": _median_ms(ours), "cvxpy_ms": _median_ms(via_cvxpy), "raw_ms": _median_ms(raw), "raw_inner_ms": _median_ms(raw_inner),
            "full_ms": _median_ms(full), "iters": int(np.median(iters)), "raw_iters": int(np.median(raw_iters)),
            "max_gap": max(gaps)}


def one(n: int) -> dict:
    """Every figure for one N (run in a subprocess of its own)."""
    from desktop.controller.whatif import WhatIf, optim_settings
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.presets import get_preset
    from desktop.optim.settings import OptimSettings
    from desktop.optim.solve import Optimiser
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import synthetic_universe

    snap = load_bundled_snapshot()
    universe = synthetic_universe(n, seed=7, snapshot=snap)
    inputs = OptimInputs.from_snapshot(snap, universe)
    rng = np.random.default_rng(3)
    book = rng.random(n) * (rng.random(n) < 0.2)
    book /= book.sum()
    window = optim_settings(WhatIf(), {})
    window = replace(window, turnover_cost_bp=window.turnover_cost_bp or 1.0)
    _reset_peak_rss()
    rss0 = _rss_mb()
    out = {"n": n}
    # a backtest month (desktop/backtest/engine.py): a new Optimiser each month on the month's universe,
    # the optimised preset with views off and the backtest's 2 bp cost, from last month's optimum
    month = replace(get_preset("Shift from US rates"), views={}, fx_view_pct={}, turnover_cost_bp=2.0)
    last_month = Optimiser(inputs).solve(replace(month, turnover_cost_bp=0.0), diagnose=False).weights.to_numpy(float)
    for kind, settings, current in (("window", window, book), ("cli", OptimSettings(), None),
                                    ("backtest", month, last_month)):
        opt = Optimiser(inputs)
        out[kind] = _measure(kind, opt, settings, current)
        del opt
    out["peak_rss_mb"] = _peak_rss_mb() - rss0
    return out


def slope(ns: list[int], ys: list[float]) -> float:
    """Least-squares slope of log y on log N."""
    return float(np.polyfit(np.log(ns), np.log(ys), 1)[0])


def run() -> list[str]:
    sizes = [n for n in SIZES if not (os.environ.get("LADDERDESK_BENCH_QUICK") == "1" and n > 5000)]
    lines = [f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; each N in its own process",
             "N       problem  compile   first   re-solve    raw Clarabel (own clock)   ratio  cvxpy (ratio)    full  iters ours/raw"
             "  compile MB  peak RSS MB  |Δobj|"]
    results = []
    for n in sizes:
        proc = subprocess.run([sys.executable, "-m", "bench.bench_optim", str(n)], capture_output=True, text=True,
                              timeout=900, cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if proc.returncode != 0:
            raise RuntimeError(f"N={n}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        for kind in KINDS:
            f = r[kind]
            lines.append(f"{n:<7} {kind:<8} {f['compile_s']:6.2f} s {f['first_s']:6.2f} s {f['resolve_ms']:8.1f} ms"
                         f"  {f['raw_ms']:8.1f} ms ({f['raw_inner_ms']:7.1f} ms)  {f['resolve_ms'] / f['raw_ms']:5.2f}"
                         f"  {f['cvxpy_ms']:7.1f} ms ({f['cvxpy_ms'] / f['raw_ms']:4.2f})"
                         f"  {f['full_ms']:6.0f} ms {f['iters']:3d}/{f['raw_iters']:<3d} {f['compile_mb']:9.1f}  "
                         f"{r['peak_rss_mb'] if kind == 'window' else float('nan'):10.0f}  {f['max_gap']:.0e}")
    fit = [r for r in results if r["n"] >= 1000]
    if len(fit) >= 2:
        ns = [r["n"] for r in fit]
        for kind in KINDS:
            lines.append(f"growth ({kind}, N ≥ 1,000): compile time ∝ N^{slope(ns, [r[kind]['compile_s'] for r in fit]):.2f}, "
                         f"compile memory ∝ N^{slope(ns, [r[kind]['compile_mb'] for r in fit]):.2f}, "
                         f"re-solve ∝ N^{slope(ns, [r[kind]['resolve_ms'] for r in fit]):.2f}")
        lines.append(f"growth (process peak RSS, N ≥ 1,000): ∝ N^{slope(ns, [max(r['peak_rss_mb'], 1.0) for r in fit]):.2f}")
    lines.append("targets: compile ≤ 1 s and ≤ 500 MB at N = 20,000; exponent ≤ 1.2; re-solve ≤ 1.3× raw Clarabel")
    return lines


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) > 1:
        print(json.dumps(one(int(sys.argv[1]))))
    else:
        print("\n".join(run()))
