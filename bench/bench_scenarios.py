"""Bench: the scenario grid (all presets, current + optimised portfolios) per scenario, in ms.

Budget: one frame (16 ms) per scenario. The engine lays out the universe's cash flows once
(``ScenarioEngine.build``); each grid run is then gathers, one ``exp`` per flow and segmented sums.
Reference measured in the same run (shared, noisy machine): the naive path — for each scenario
and market, ``curve.shifted(...)`` and ``curve_dirty_price`` (rebuilding schedules every time).
Median of repeated runs.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

FRAME_MS = 16.0


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def _naive(universe: pd.DataFrame, curves: dict, scenarios) -> None:
    from desktop.analytics import curve_dirty_price

    settle = pd.to_datetime(universe["settle_date"])
    for sc in scenarios:
        for m, curve in curves.items():
            mask = (universe["market"] == m).to_numpy()
            shocked = curve.shifted(sc.shift_bp(m, curve.zero_tenors))
            curve_dirty_price(universe[mask], settle[mask], shocked.discount)


def run() -> list[str]:
    from desktop.scenarios.grid import scenario_grid
    from desktop.scenarios.presets import PRESETS
    from desktop.scenarios.revalue import MarketState, ScenarioEngine
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import build_universe, synthetic_universe

    snap = load_bundled_snapshot()
    lines = []
    for label, universe in (("bundled", build_universe(snap)), ("synthetic 2,000", synthetic_universe(2000, snapshot=snap))):
        t0 = time.perf_counter()
        engine = ScenarioEngine.build(universe, MarketState.from_snapshot(snap))
        build_ms = (time.perf_counter() - t0) * 1e3
        rng = np.random.default_rng(0)
        current = np.where(engine.universe["rung"] <= 10, 1e6, 0.0)
        optimised = current * rng.uniform(0.0, 2.0, len(current))
        portfolios = {"current": current, "optimised": optimised}
        n = len(PRESETS)
        grid_ms = _median_ms(lambda e=engine, p=portfolios: scenario_grid(e, PRESETS, p), 15) / n
        reval_ms = _median_ms(lambda e=engine: e.revalue(PRESETS), 15) / n
        naive_ms = _median_ms(lambda u=engine.universe: _naive(u, snap.curves, PRESETS[:4]), 3) / 4
        verdict = "within" if grid_ms <= FRAME_MS else "OVER"
        lines.append(
            f"{label} ({len(universe)} bonds, {engine.t.size} flows, {n} presets × 2 portfolios): "
            f"grid {grid_ms:.2f} ms/scenario ({verdict} the {FRAME_MS:.0f} ms frame), "
            f"revaluation alone {reval_ms:.2f} ms/scenario, engine build {build_ms:.0f} ms once; "
            f"naive shifted-curve repricing {naive_ms:.1f} ms/scenario (×{naive_ms / reval_ms:.0f})"
        )
    return lines
