"""Walk-forward backtest time: months × strategies (``ladderdesk backtest``'s default comparison).

Runs 2024-01..2025-12 (24 months) by default; ``LADDERDESK_BENCH_BACKTEST_FULL=1`` runs the whole
2014-01..2026-04 history (148 months, ~1–2 min here). Reported: wall time, ms per strategy-month for
the fixed ladders and the optimised presets, and the optimised strategy-month against one compile
+ solve of the optimiser on a month's 40-bond universe measured in the same run (the reference).
"""

from __future__ import annotations

import os
import time


def run() -> list[str]:
    import pandas as pd

    from desktop.backtest.engine import (
        BacktestSettings,
        Strategy,
        default_strategies,
        run_backtest,
        us_ladder,
    )
    from desktop.backtest.universe import MarketData, constant_maturity_universe, month_end
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.presets import get_preset
    from desktop.optim.risk import build_risk_model
    from desktop.optim.solve import Optimiser
    from desktop.snapshot import read_bundled_tables

    full = os.environ.get("LADDERDESK_BENCH_BACKTEST_FULL") == "1"
    start, end = ("2014-01", "2026-04") if full else ("2024-01", "2025-12")
    data = MarketData.from_tables(read_bundled_tables())
    lines = []

    t0 = time.perf_counter()
    res = run_backtest(data, default_strategies(), BacktestSettings(start=start, end=end, cost_bp=2.0))
    wall = time.perf_counter() - t0
    months = res.monthly["date"].nunique()
    n_strat = res.monthly["strategy"].nunique()
    lines.append(f"backtest {start}..{end}: {months} months x {n_strat} strategies = {months * n_strat} "
                 f"strategy-months in {wall:.1f} s ({1000 * wall / (months * n_strat):.0f} ms each)")

    data2 = MarketData.from_tables(read_bundled_tables())
    t0 = time.perf_counter()
    run_backtest(data2, [us_ladder()], BacktestSettings(start=start, end=end))
    fixed = (time.perf_counter() - t0) / months
    data3 = MarketData.from_tables(read_bundled_tables())
    t0 = time.perf_counter()
    run_backtest(data3, [Strategy("Neutral", preset="Neutral")], BacktestSettings(start=start, end=end))
    optimised = (time.perf_counter() - t0) / months - fixed
    m = pd.Period(end, "M")
    curves = data.curves_at(m)
    universe = constant_maturity_universe(curves, month_end(m))
    hist = data.history_upto(m)
    t0 = time.perf_counter()
    risk = build_risk_model(hist[["market", "date", "tenor_years", "yield_pct"]], fx_history=data.fx_upto(m))
    inputs = OptimInputs(universe=universe, curves=curves, short_rates_pct=data.short_rates_at(m),
                         fx_usd_per_unit=data.fx_at(m), history=hist, as_of=month_end(m))
    Optimiser(inputs, risk=risk).solve(get_preset("Neutral"))
    ref = time.perf_counter() - t0
    lines.append(f"per month: universe + revaluation {1000 * fixed:.0f} ms; optimised preset +{1000 * optimised:.0f} ms "
                 f"= {optimised / ref:.2f}x one risk model + compile + solve ({1000 * ref:.0f} ms, reference)")
    return lines
