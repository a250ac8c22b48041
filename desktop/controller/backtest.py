"""The backtest in the application layer (Qt-free): one job for the app's worker thread — an
immutable request in, an immutable outcome out; progress and Cancel through callables the GUI
supplies — and the engine's names the window and ``ladderdesk backtest`` use.

    job = BacktestJob(tables, BacktestSettings(start="2014-01"), progress=cb, cancel=event)
    outcome = run_job(job)           # on the worker; raises engine.Cancelled if cancelled

``progress(done, total, label)`` is called from the worker thread after each strategy-month (the
GUI passes a function that emits a queued Qt signal); ``cancel`` is a ``threading.Event``-like
object whose ``is_set()`` stops the run at the next strategy-month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from desktop.backtest.engine import BacktestSettings, Cancelled, Strategy, default_strategies, run_backtest
from desktop.backtest.report import drawdown_pct, per_year, stats_table, wealth
from desktop.backtest.universe import MarketData
from desktop.snapshot import SnapshotTables, read_bundled_tables

__all__ = ["BacktestJob", "BacktestOutcome", "BacktestSettings", "Cancelled", "MarketData", "SnapshotTables",
           "Strategy", "default_strategies", "per_year", "read_bundled_tables", "run_backtest", "run_job",
           "stats_table"]


@dataclass(frozen=True, eq=False)
class BacktestJob:
    tables: SnapshotTables
    settings: BacktestSettings = BacktestSettings()
    strategies: tuple[Strategy, ...] = field(default_factory=lambda: tuple(default_strategies()))
    progress: Callable[[int, int, str], Any] | None = None
    cancel: Any = None  # has is_set()


@dataclass(frozen=True, eq=False)
class BacktestOutcome:
    """``monthly`` as the engine's; ``cumulative_pct`` / ``drawdown_pct``: month × strategy (%);
    ``stats`` one row per strategy (report.stats_table); ``per_year`` year × strategy (%)."""

    monthly: pd.DataFrame
    cumulative_pct: pd.DataFrame
    drawdown_pct: pd.DataFrame
    stats: pd.DataFrame
    per_year: pd.DataFrame
    notes: tuple[str, ...]


def run_job(job: BacktestJob) -> BacktestOutcome:
    """Run the backtest of ``job`` (module doc)."""
    def progress(done: int, total: int, label: str) -> bool:
        if job.progress is not None:
            job.progress(done, total, label)
        return not (job.cancel is not None and job.cancel.is_set())

    result = run_backtest(MarketData.from_tables(job.tables), job.strategies, job.settings, progress)
    m = result.monthly
    wide = m.pivot(index="date", columns="strategy", values="return_pct")[list(dict.fromkeys(m["strategy"]))]
    cum = wide.apply(lambda r: (wealth(r) - 1.0) * 100.0)
    dd = wide.apply(drawdown_pct)
    return BacktestOutcome(m, cum, dd, stats_table(m), per_year(m), tuple(result.notes))
