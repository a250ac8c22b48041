"""Statistics of the monthly backtest returns (% per month, base currency, net of cost).

* annualised return: geometric, ``(Π(1 + r))^(12 / n) − 1``, in %;
* annualised volatility: sample standard deviation of the monthly returns × √12, in %;
* worst month (and which); max drawdown: the largest fall of cumulative wealth from its running
  peak (starting from 1 before the first month), in % (negative);
* return per unit of risk: annualised return / annualised volatility (no risk-free rate deducted);
* per-year table: compounded return of each calendar year's months (a partial year says how many);
* event rows: the month of 2025-04 (tariff shock), 2025-05 (downgrade), the year 2025, and "since
  2025-12-31" (the months after the end-2025 snapshot, compounded).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def wealth(returns_pct: pd.Series) -> pd.Series:
    """Cumulative wealth (starting at 1) after each month."""
    return (1.0 + returns_pct.astype(float) / 100.0).cumprod()


def drawdown_pct(returns_pct: pd.Series) -> pd.Series:
    """Drawdown from the running peak after each month, % (≤ 0)."""
    w = wealth(returns_pct)
    peak = np.maximum.accumulate(np.concatenate([[1.0], w.to_numpy()]))[1:]
    return pd.Series((w.to_numpy() / peak - 1.0) * 100.0, index=returns_pct.index)


def summary(returns_pct: pd.Series) -> dict[str, float | str | int]:
    """Statistics of one strategy's monthly returns (module doc); index = month labels."""
    r = returns_pct.astype(float) / 100.0
    n = len(r)
    if n == 0:
        return {"months": 0}
    total = float(np.prod(1.0 + r))
    ann = total ** (12.0 / n) - 1.0
    vol = float(r.std(ddof=1) * np.sqrt(12.0)) if n > 1 else float("nan")
    dd = drawdown_pct(returns_pct)
    return {
        "months": n,
        "first": str(returns_pct.index[0]),
        "last": str(returns_pct.index[-1]),
        "total_return_pct": (total - 1.0) * 100.0,
        "ann_return_pct": ann * 100.0,
        "ann_vol_pct": vol * 100.0,
        "return_per_risk": ann / vol if vol and np.isfinite(vol) and vol > 0 else float("nan"),
        "worst_month_pct": float(r.min() * 100.0),
        "worst_month": str(r.idxmin()),
        "max_drawdown_pct": float(dd.min()),
    }


def _compound(r_pct: pd.Series) -> float:
    return float((np.prod(1.0 + r_pct.astype(float) / 100.0) - 1.0) * 100.0) if len(r_pct) else float("nan")


def stats_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """One row per strategy: :func:`summary` plus the event rows (2025-04, 2025-05, 2025, since
    2025-12-31). ``monthly``: date (YYYY-MM), strategy, return_pct."""
    rows = []
    for name, g in monthly.groupby("strategy", sort=False):
        r = g.set_index("date")["return_pct"]
        row = {"strategy": name, **summary(r)}
        row["2025-04_pct"] = float(r.get("2025-04", np.nan))
        row["2025-05_pct"] = float(r.get("2025-05", np.nan))
        y25 = r[r.index.str.startswith("2025")]
        row["2025_pct"] = _compound(y25) if len(y25) == 12 else float("nan")
        since = r[r.index > "2025-12"]
        row["since_2025-12-31_pct"] = _compound(since)
        row["since_2025-12-31_months"] = len(since)
        rows.append(row)
    return pd.DataFrame(rows)


def per_year(monthly: pd.DataFrame) -> pd.DataFrame:
    """Compounded return (%) per calendar year (rows) and strategy (columns); a ``months`` column
    counts the months in each year (a partial first or last year has fewer than 12)."""
    m = monthly.assign(year=monthly["date"].str[:4])
    table = m.groupby(["year", "strategy"], sort=False)["return_pct"].apply(_compound).unstack("strategy")
    table = table[list(dict.fromkeys(monthly["strategy"]))]
    table["months"] = m.groupby("year")["date"].nunique()
    return table


def window_summary(monthly: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """:func:`summary` per strategy over months ``start``..``end`` (YYYY-MM, inclusive)."""
    sel = monthly[(monthly["date"] >= start) & (monthly["date"] <= end)]
    return pd.DataFrame([{"strategy": n, **summary(g.set_index("date")["return_pct"])}
                         for n, g in sel.groupby("strategy", sort=False)])
