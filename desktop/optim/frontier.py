"""Trade-off curves on the same compiled problem: sweep the US cap (or risk aversion) and re-solve.

Each point only assigns parameter values (no recompilation). Points where the request is
infeasible are kept with ``status = "infeasible"`` and NaN figures so a chart can show the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from desktop.optim.errors import Infeasible, SolverFailed
from desktop.optim.settings import OptimSettings

if TYPE_CHECKING:
    from desktop.optim.solve import Optimiser

COLUMNS = ["us_cap", "risk_aversion", "us_share", "expected_return_pct", "risk_pct", "objective_pct",
           "duration", "hedged_yield_pct", "status"]
DEFAULT_CAPS = tuple(np.round(np.linspace(0.0, 1.0, 21), 2))
DEFAULT_RISK_AVERSIONS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)


def _sweep(opt: Optimiser, points: Sequence[OptimSettings], **kw) -> pd.DataFrame:
    rows = []
    for s in points:
        row: dict[str, object] = {"us_cap": s.us_cap, "risk_aversion": s.risk_aversion}
        try:
            sol = opt.solve(s, diagnose=False, **kw)
        except (Infeasible, SolverFailed) as exc:
            row.update({c: np.nan for c in COLUMNS[2:-1]})
            row["status"] = "infeasible" if isinstance(exc, Infeasible) else "solver_failed"
        else:
            row.update(us_share=sol.us_share, expected_return_pct=sol.expected_return_pct, risk_pct=sol.risk_pct,
                       objective_pct=sol.objective_pct, duration=sol.duration,
                       hedged_yield_pct=sol.hedged_yield_pct, status=sol.status)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def us_cap_frontier(opt: Optimiser, settings: OptimSettings, caps: Sequence[float] | None = None,
                    **kw) -> pd.DataFrame:
    """Expected return (%), risk (% vol) and US share of duration for each US cap (fraction)."""
    caps = DEFAULT_CAPS if caps is None else caps
    return _sweep(opt, [replace(settings, us_cap=float(c)) for c in caps], **kw)


def risk_frontier(opt: Optimiser, settings: OptimSettings, risk_aversions: Sequence[float] | None = None,
                  **kw) -> pd.DataFrame:
    """Expected return vs risk as the risk aversion λ moves (the efficient frontier of the settings)."""
    lams = DEFAULT_RISK_AVERSIONS if risk_aversions is None else risk_aversions
    return _sweep(opt, [replace(settings, risk_aversion=float(x)) for x in lams], **kw)
