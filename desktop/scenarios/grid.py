"""Scenario grid: P&L in base currency by scenario × (market, rung, total), hedged and unhedged.

Definitions (``face`` in local currency, prices per 100 face, ``fx0`` = base per unit of the
bond's currency today, ``fx1 = fx0 · scenario.fx_factor(ccy, base)``, ``h`` = horizon in years):

* ``price_full`` = face/100 · (P1 − P0) · fx0 — full revaluation on the shocked curve, converted
  at today's FX; ``price_dc`` the same with the duration+convexity estimate of P1 − P0.
* ``hedge_carry`` = face/100 · P0 · fx0 · (r_base + Δr_base − r_local − Δr_local)/100 · h — the
  forward points earned (or paid) by rolling a hedge of the position into base currency over the
  horizon at the *shocked* 3-month rates (%, shocks in bp). Zero for base-currency bonds.
* ``hedged`` = ``price_full`` + ``hedge_carry``: the hedge neutralises the FX move on the position,
  so the local-currency P&L is converted at the unshocked FX.
* ``unhedged`` = face/100 · (P1 · fx1 − P0 · fx0): the shocked price at the shocked FX, i.e. the
  local P&L at the new FX plus the FX move on the whole position value.
* ``fx`` = ``unhedged`` − ``price_full`` (the FX effect on an unhedged position).

Bond carry and roll-down are not in the grid (see :mod:`desktop.scenarios.horizon`): the grid is
an instantaneous shock plus the cost of carrying the hedge to the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.scenarios.model import Scenario
from desktop.scenarios.revalue import Revaluation, ScenarioEngine

MEASURES = ("hedged", "unhedged", "price_full", "price_dc", "hedge_carry", "fx")
TOTAL = "Total"


def face_from_weights(engine: ScenarioEngine, weights: pd.Series | np.ndarray, mv_base: float) -> np.ndarray:
    """Face amounts (local ccy) for portfolio weights (fractions of market value, sum 1) and a
    total market value ``mv_base`` in base currency; aligned with ``engine.universe`` rows."""
    w = weights.reindex(engine.universe.index, fill_value=0.0).to_numpy(float) if isinstance(
        weights, pd.Series) else np.asarray(weights, dtype=float)
    fx0 = _fx0(engine)
    return w * mv_base / (engine.price0 / 100.0 * fx0)


def _fx0(engine: ScenarioEngine) -> np.ndarray:
    ccy = engine.universe["currency"].to_numpy()
    return np.array([engine.state.fx_to_base(c) for c in ccy])


def position_pnl(engine: ScenarioEngine, scenarios: Sequence[Scenario], face: np.ndarray,
                 rev: Revaluation | None = None) -> dict[str, np.ndarray]:
    """Per-bond P&L (n_bonds × n_scen, base ccy) for each of :data:`MEASURES`.

    ``rev`` (optional) is ``engine.revalue(scenarios)`` already computed (shared across portfolios).
    """
    scenarios = tuple(scenarios)
    rev = rev if rev is not None else engine.revalue(scenarios)
    state = engine.state
    ccy = engine.universe["currency"].to_numpy()
    fx0 = _fx0(engine)[:, None]
    units = np.asarray(face, dtype=float)[:, None] / 100.0
    currencies = sorted(set(ccy))
    fx_factor = np.ones((len(ccy), len(scenarios)))
    spread_pct = np.zeros_like(fx_factor)
    r_base = state.short_rates_pct.get(state.base, 0.0)
    for c in currencies:
        rows = ccy == c
        r_loc = state.short_rates_pct.get(c, 0.0)
        for j, sc in enumerate(scenarios):
            fx_factor[rows, j] = sc.fx_factor(c, state.base)
            if c != state.base:
                d_base = sc.short_rate_bp.get(state.base, 0.0) / 100.0
                d_loc = sc.short_rate_bp.get(c, 0.0) / 100.0
                spread_pct[rows, j] = (r_base + d_base) - (r_loc + d_loc)
    horizon = np.array([sc.horizon_years for sc in scenarios])[None, :]
    value0 = units * rev.price0[:, None] * fx0
    price_full = units * rev.pnl_full * fx0
    hedge_carry = value0 * spread_pct / 100.0 * horizon
    unhedged = units * rev.price_full * fx0 * fx_factor - value0
    return {
        "hedged": price_full + hedge_carry,
        "unhedged": unhedged,
        "price_full": price_full,
        "price_dc": units * rev.pnl_dc * fx0,
        "hedge_carry": hedge_carry,
        "fx": unhedged - price_full,
    }


@dataclass(frozen=True, eq=False)
class ScenarioGrid:
    """Long table of the grid: one row per scenario × portfolio × group, one column per measure.

    ``group_kind`` is "market", "rung" or "total"; ``group`` the market code, ``"<n>y"`` or
    ``"Total"``. Amounts in ``base`` currency.
    """

    base: str
    scenarios: tuple[Scenario, ...]
    long: pd.DataFrame

    def table(self, portfolio: str, measure: str = "hedged", kinds: Sequence[str] = ("market", "rung", "total")
              ) -> pd.DataFrame:
        """Wide grid: rows = scenarios (preset order), columns = groups in the order of ``kinds``."""
        rows = self.long[(self.long["portfolio"] == portfolio) & self.long["group_kind"].isin(kinds)]
        order = [g for k in kinds for g in dict.fromkeys(rows.loc[rows["group_kind"] == k, "group"])]
        wide = rows.pivot(index="scenario", columns="group", values=measure)
        return wide.reindex(index=[s.name for s in self.scenarios], columns=order)

    def rung_bars(self, portfolio: str, scenario: str, measure: str = "hedged") -> pd.Series:
        """P&L by rung (index "1y", "2y", …) for one scenario."""
        rows = self.long[(self.long["portfolio"] == portfolio) & (self.long["scenario"] == scenario)
                         & (self.long["group_kind"] == "rung")]
        return rows.set_index("group")[measure]

    @property
    def portfolios(self) -> list[str]:
        return list(dict.fromkeys(self.long["portfolio"]))


def group_matrix(engine: ScenarioEngine) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """(n_bonds × n_groups) 0/1 matrix and the (kind, label) of each group: markets, rungs, total."""
    uni = engine.universe
    labels: list[tuple[str, str]] = [("market", m) for m in engine.markets]
    rungs = sorted(int(r) for r in set(uni["rung"]))
    labels += [("rung", f"{r}y") for r in rungs] + [("total", TOTAL)]
    g = np.zeros((len(uni), len(labels)))
    mk = uni["market"].to_numpy()
    rg = uni["rung"].to_numpy()
    for k, (kind, label) in enumerate(labels):
        if kind == "market":
            g[:, k] = mk == label
        elif kind == "rung":
            g[:, k] = rg == int(label[:-1])
        else:
            g[:, k] = 1.0
    return g, labels


def scenario_grid(engine: ScenarioEngine, scenarios: Sequence[Scenario], portfolios: Mapping[str, np.ndarray],
                  *, drop_empty_rungs: bool = True) -> ScenarioGrid:
    """Run every scenario on every portfolio (face arrays aligned with ``engine.universe``)."""
    scenarios = tuple(scenarios)
    g, labels = group_matrix(engine)
    rev = engine.revalue(scenarios)
    frames = []
    for pname, face in portfolios.items():
        face = np.asarray(face, dtype=float)
        keep = np.ones(len(labels), dtype=bool)
        if drop_empty_rungs:
            held = (np.abs(face) > 0) @ g > 0
            keep = np.array([kind != "rung" or h for (kind, _), h in zip(labels, held, strict=True)])
        pnl = position_pnl(engine, scenarios, face, rev)
        agg = {m: g[:, keep].T @ v for m, v in pnl.items()}  # (n_groups, n_scen)
        kept = [lab for lab, k in zip(labels, keep, strict=True) if k]
        n_g, n_s = len(kept), len(scenarios)
        frame = pd.DataFrame(
            {
                "scenario": np.tile([s.name for s in scenarios], n_g),
                "portfolio": pname,
                "group_kind": np.repeat([k for k, _ in kept], n_s),
                "group": np.repeat([lab for _, lab in kept], n_s),
            }
        )
        for m in MEASURES:
            frame[m] = agg[m].reshape(-1)
        frames.append(frame)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["scenario", "portfolio", "group_kind", "group", *MEASURES])
    return ScenarioGrid(engine.state.base, scenarios, long)
