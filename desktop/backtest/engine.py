"""The walk-forward loop: rebalance at each month-end, hold a month, revalue, record.

Method (each month-end t → t+1, t = calendar month-ends):

1. Curves, short rates and FX of month t (:mod:`desktop.backtest.universe`; all dated ≤ t).
2. A constant-maturity universe: per market and rung 1–10 y a par bond issued at t.
3. Weights: a **fixed** strategy holds the same weights by (market, rung) every month (US-only
   ladder, equal-weight four-market ladder, a single bond); an **optimised** strategy runs the
   preset through the existing optimiser (``desktop.optim.solve.Optimiser``) on that universe, with
   the risk model estimated on the month-end yield and ECB FX history up to t only
   (``build_risk_model(history ≤ t, fx_history=ECB ≤ t)``; a market with fewer than 25 month-ends
   by t is left out of the estimate and gets the risk model's stated no-history treatment), the
   previous month's weights (mapped by market and rung) as current holdings and the cost per unit
   of turnover as the preset's ``turnover_cost_bp``. **The preset's curve and FX views are off by
   default** (they are 12-month forecasts written in late 2025; ``views=True`` keeps them). If a
   month's problem is infeasible or the solvers fail, the previous weights are held (``status``).
4. Hold one month: each bond's local return = dirty price at t+1 / dirty price at t − 1, both by
   the bond formula at the par yield of that month's curve for the bond's remaining life
   (``universe.yield_value``: carry, roll-down and price change; no coupon falls in the month).
5. To the base currency (USD by default): **hedged** = local return + forward points, the base
   minus the local short rate of month t over the month (``(i_base − i_local) · days / 365``; a
   one-month forward on the value, the small local-return × FX cross term ignored); **unhedged** =
   ``(1 + local) · S(t+1) / S(t) − 1`` with S the ECB month-end base-per-unit rate.
6. Turnover = Σ|w_t − w_{t−1}| over (market, rung) against the previous month's target weights
   (the monthly roll of a constant-maturity bond into its successor is not counted), the first
   month from cash (turnover 1); cost = turnover × cost bp, subtracted from the month's return.

Every figure used at t is dated on or before t: running to an earlier end month gives identical
months up to it (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from desktop.backtest.universe import (
    MARKET_CCY,
    MarketData,
    constant_maturity_universe,
    month_end,
    yield_value,
)
from desktop.errors import LadderDeskError

MARKETS: tuple[str, ...] = ("US", "JP", "AU", "UK")
MIN_RISK_MONTHS = 25


@dataclass(frozen=True)
class Strategy:
    """``fixed``: weights by (market, rung) summing to 1; or ``preset``: a built-in optimiser preset
    name; or ``settings``: any ``OptimSettings`` (e.g. a user's saved preset)."""

    name: str
    fixed: Mapping[tuple[str, int], float] | None = None
    preset: str | None = None
    settings: Any = None  # desktop.optim.settings.OptimSettings


def us_ladder() -> Strategy:
    return Strategy("US-only ladder", fixed={("US", r): 0.1 for r in range(1, 11)})


def equal_weight_ladder() -> Strategy:
    return Strategy("Equal-weight 4-market ladder", fixed={(m, r): 0.025 for m in MARKETS for r in range(1, 11)})


def single_bond(market: str = "US", rung: int = 10) -> Strategy:
    return Strategy(f"{market} {rung}y constant maturity", fixed={(market, rung): 1.0})


def default_strategies() -> list[Strategy]:
    """The comparison of one run: both presets, the US-only ladder, the equal-weight ladder."""
    return [Strategy("Shift from US rates", preset="Shift from US rates"), Strategy("Neutral", preset="Neutral"),
            us_ladder(), equal_weight_ladder()]


@dataclass(frozen=True)
class BacktestSettings:
    """``start``/``end``: first and last month whose return is reported (YYYY-MM; None = all data);
    ``cost_bp``: bp of value per unit of one-way turnover; ``views``: keep the presets' views."""

    start: str | None = None
    end: str | None = None
    hedged: bool = True
    base_ccy: str = "USD"
    cost_bp: float = 0.0
    views: bool = False


@dataclass
class BacktestResult:
    """``monthly``: one row per (month, strategy) — date (YYYY-MM, the month the return is earned),
    strategy, return_pct (net of cost, base ccy), gross_pct, turnover, cost_bp, per-market
    contributions ``<M>_pct`` (weight × base-ccy return, %), ``<M>_weight``, status. ``weights``:
    the weights held over each month (long: date, strategy, market, rung, weight)."""

    monthly: pd.DataFrame
    weights: pd.DataFrame
    settings: BacktestSettings
    notes: list[str] = field(default_factory=list)


class Cancelled(LadderDeskError):
    """The run was cancelled (the progress callback returned False)."""


def _solve_preset(strategy: Strategy, universe: pd.DataFrame, data: MarketData, month: pd.Period,
                  prev: np.ndarray | None, settings: BacktestSettings, curves: dict) -> tuple[np.ndarray, str]:
    from desktop.optim.inputs import OptimInputs
    from desktop.optim.presets import get_preset
    from desktop.optim.risk import build_risk_model
    from desktop.optim.solve import Optimiser

    s = strategy.settings if strategy.settings is not None else get_preset(strategy.preset or strategy.name)
    s = replace(s, hedged=settings.hedged, base_ccy=settings.base_ccy, turnover_cost_bp=float(settings.cost_bp))
    if not settings.views:
        s = replace(s, views={}, fx_view_pct={})
    hist = data.history_upto(month)
    counts = hist.groupby("market")["month"].nunique()
    hist = hist[hist["market"].isin(counts[counts >= MIN_RISK_MONTHS].index)]
    risk = build_risk_model(hist[["market", "date", "tenor_years", "yield_pct"]], fx_history=data.fx_upto(month))
    inputs = OptimInputs(universe=universe, curves=curves, short_rates_pct=data.short_rates_at(month),
                         fx_usd_per_unit=data.fx_at(month), history=hist, as_of=month_end(month))
    opt = Optimiser(inputs, risk=risk)
    try:
        sol = opt.solve(s, current_weights=prev, diagnose=False)
    except LadderDeskError as exc:
        if prev is None:
            raise LadderDeskError(f"{strategy.name}: no allocation at {month} ({exc})") from None
        return prev, f"held: {type(exc).__name__}"
    return sol.weights.to_numpy(float), sol.status


def _fixed_weights(strategy: Strategy, universe: pd.DataFrame) -> np.ndarray:
    key = list(zip(universe["market"], universe["rung"].astype(int), strict=True))
    w = np.array([float(strategy.fixed.get(k, 0.0)) for k in key])  # type: ignore[union-attr]
    missing = set(strategy.fixed) - set(key)  # type: ignore[arg-type]
    if missing:
        raise LadderDeskError(f"{strategy.name}: no bond for {sorted(missing)} in the universe")
    return w


def run_backtest(data: MarketData, strategies: Iterable[Strategy], settings: BacktestSettings = BacktestSettings(),
                 progress: Callable[[int, int, str], bool | None] | None = None) -> BacktestResult:
    """Run every strategy over the months of ``settings`` (module doc). ``progress(done, total, label)``
    is called after each strategy-month; returning False cancels (raises :class:`Cancelled`)."""
    strategies = list(strategies)
    months = data.months()
    if len(months) < 2:
        raise LadderDeskError("the history has fewer than two common month-ends")
    first_ret = pd.Period(settings.start, "M") if settings.start else months[1]
    last_ret = pd.Period(settings.end, "M") if settings.end else months[-1]
    ret_months = [m for m in months[1:] if first_ret <= m <= last_ret]
    if not ret_months:
        raise LadderDeskError(f"no month with data between {first_ret} and {last_ret} "
                              f"(history: {months[0]}..{months[-1]})")
    index = {m: i for i, m in enumerate(months)}
    base = settings.base_ccy
    rows, wrows = [], []
    total, done = len(ret_months) * len(strategies), 0
    prev_w: dict[str, np.ndarray | None] = {s.name: None for s in strategies}
    for m1 in ret_months:
        m0 = months[index[m1] - 1]
        if m1.ordinal - m0.ordinal != 1:
            raise LadderDeskError(f"a month is missing from the history between {m0} and {m1}")
        curves0, curves1 = data.curves_at(m0), data.curves_at(m1)
        d0, d1 = month_end(m0), month_end(m1)
        universe = constant_maturity_universe(curves0, d0)
        p0 = yield_value(universe, curves0, d0)
        local = yield_value(universe, curves1, d1) / p0 - 1.0
        ccy = universe["market"].map(MARKET_CCY).to_numpy()
        fx0, fx1 = data.fx_at(m0), data.fx_at(m1)
        rates = data.short_rates_at(m0)
        tau = (d1 - d0).days / 365.0
        if settings.hedged:
            points = np.array([(rates[base] - rates[c]) / 100.0 * tau for c in ccy])
            base_ret = local + points
        else:
            move = np.array([(fx1[c] / fx1[base]) / (fx0[c] / fx0[base]) for c in ccy])
            base_ret = (1.0 + local) * move - 1.0
        for strat in strategies:
            prev = prev_w[strat.name]
            if strat.fixed is not None:
                w, status = _fixed_weights(strat, universe), "fixed"
            else:
                w, status = _solve_preset(strat, universe, data, m0, prev, settings, curves0)
            w = np.where(np.abs(w) < 1e-9, 0.0, w)
            turnover = float(np.abs(w - (prev if prev is not None else 0.0)).sum())
            cost_pct = turnover * settings.cost_bp / 100.0
            contrib = w * base_ret * 100.0
            row = {"date": str(m1), "strategy": strat.name, "return_pct": float(contrib.sum()) - cost_pct,
                   "gross_pct": float(contrib.sum()), "turnover": turnover, "cost_bp": cost_pct * 100.0}
            mk = universe["market"].to_numpy()
            for code in MARKETS:
                sel = mk == code
                row[f"{code}_pct"] = float(contrib[sel].sum())
                row[f"{code}_weight"] = float(w[sel].sum())
            row["status"] = status
            rows.append(row)
            for i in np.flatnonzero(w):
                wrows.append((str(m1), strat.name, mk[i], int(universe["rung"].iat[i]), float(w[i]),
                              float(local[i] * 100.0), float(base_ret[i] * 100.0)))
            prev_w[strat.name] = w
            done += 1
            if progress is not None and progress(done, total, f"{strat.name} {m1}") is False:
                raise Cancelled(f"backtest cancelled at {m1}")
    monthly = pd.DataFrame(rows)
    weights = pd.DataFrame(wrows, columns=["date", "strategy", "market", "rung", "weight", "local_pct", "base_pct"])
    notes = [f"months {ret_months[0]}..{ret_months[-1]} ({len(ret_months)}), "
             f"{'hedged' if settings.hedged else 'unhedged'} into {base}, cost {settings.cost_bp:g} bp per unit "
             f"turnover, preset views {'ON' if settings.views else 'off'}"]
    return BacktestResult(monthly, weights, settings, notes)
