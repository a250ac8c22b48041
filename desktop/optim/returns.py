"""Expected return per bond over the horizon, in % of market value, in the base currency.

For bond *i* of market *m* with yield ``y`` (%), modified duration ``D``, convexity ``C``, key-rate
durations ``krd_k`` (years), years to maturity ``T`` and horizon ``h`` (years):

* **carry** — hedged: ``(y + r_base − r_local) · h`` (the FX forward earns the short-rate gap;
  3-month rates from the snapshot); unhedged: ``y · h + fx_view`` (the PM's % view on the bond's
  currency against the base over the horizon, 0 for the base currency). Cash from bonds maturing
  inside the horizon is assumed reinvested at the bond's own yield.
* **roll-down** — ``D · (par(T) − par(T − h))`` on the market's par curve (0 when ``T ≤ h``): the
  yield falls (rises) as the bond ages down an upward- (downward-) sloping curve.
* **curve view** — ``− Σ_k krd_k · view_k / 100`` where ``view_k`` is the market's view in bp at key
  tenor *k* (parallel + 2s10s slope + per-tenor; :class:`~desktop.optim.settings.CurveView`).
* **convexity** — ``½ · C · Δy² · 100`` with ``Δy`` (decimal) the view interpolated at ``T``
  (linear between key tenors, flat beyond 2 y and 30 y).

``expected_return_pct`` is exactly the bond's coefficient in the linear part of the objective.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.finance import hedged_yield_pct, per_currency
from desktop.optim.inputs import OptimInputs
from desktop.optim.settings import KEY_TENORS, OptimSettings

COMPONENTS = ("carry_pct", "rolldown_pct", "view_pct", "convexity_pct", "expected_return_pct")


@dataclass(frozen=True, eq=False)
class BondArrays:
    """The universe columns the optimiser reads, as numpy arrays (built once per universe)."""

    market: np.ndarray
    currency: np.ndarray
    years: np.ndarray
    yield_pct: np.ndarray
    mod_duration: np.ndarray
    convexity: np.ndarray
    krd: np.ndarray  # N × 4
    masks: dict[str, np.ndarray]  # market code → bool mask

    @classmethod
    def of(cls, universe: pd.DataFrame) -> BondArrays:
        market = universe["market"].to_numpy().astype(str)
        return cls(market, universe["currency"].to_numpy().astype(str),
                   universe["years_to_maturity"].to_numpy(float), universe["yield_pct"].to_numpy(float),
                   universe["mod_duration"].to_numpy(float), universe["convexity"].to_numpy(float),
                   universe[list(KEY_RATE_COLUMNS)].to_numpy(float),
                   {str(c): market == c for c in np.unique(market)})

    # desktop.finance.BondColumns, so the one hedged-yield formula reads these arrays directly
    def __len__(self) -> int:
        return len(self.market)

    def column(self, key: str) -> np.ndarray:
        return {"yield_pct": self.yield_pct, "mod_duration": self.mod_duration, "convexity": self.convexity,
                "years_to_maturity": self.years}[key]

    def per_currency(self, table: Mapping[str, float]) -> np.ndarray:
        return per_currency(self.currency, table)


def view_bp_by_bond(b: BondArrays, settings: OptimSettings) -> tuple[np.ndarray, np.ndarray]:
    """(N × 4 bp at the key tenors of each bond's market, N bp at each bond's maturity)."""
    key = np.zeros((len(b.years), len(KEY_TENORS)))
    at_t = np.zeros(len(b.years))
    for code in settings.views:
        sel = b.masks.get(code)
        if sel is None:
            continue
        bp = settings.view(code).at_key_tenors()
        key[sel] = bp
        at_t[sel] = np.interp(b.years[sel], KEY_TENORS, bp)
    return key, at_t


def rolldown_pct(inputs: OptimInputs, horizon_years: float) -> np.ndarray:
    """Roll-down return (%) per bond over the horizon, on each market's par curve."""
    b = BondArrays.of(inputs.universe)
    out = np.zeros(len(b.years))
    for code, mask in b.masks.items():
        sel = mask & (b.years > horizon_years)
        if not sel.any():
            continue
        curve = inputs.curves[code]
        drop = curve.par_yield_pct(b.years[sel]) - curve.par_yield_pct(b.years[sel] - horizon_years)
        out[sel] = b.mod_duration[sel] * np.asarray(drop, float)
    return out


def return_components(b: BondArrays, settings: OptimSettings, rolldown: np.ndarray,
                      hedged: np.ndarray | None) -> dict[str, np.ndarray]:
    """:data:`COMPONENTS` as arrays (% over the horizon); ``hedged`` = hedged yields when hedged."""
    h = settings.horizon_years
    if settings.hedged:
        assert hedged is not None
        carry = hedged * h
    else:
        fx_view = np.zeros(len(b.years))
        for c, pct in settings.fx_view_pct.items():
            if c != settings.base_ccy:
                fx_view[b.currency == c] = float(pct)
        carry = b.yield_pct * h + fx_view
    key_bp, bp_at_t = view_bp_by_bond(b, settings)
    view = -(b.krd * key_bp).sum(axis=1) / 100.0
    convexity = 0.5 * b.convexity * (bp_at_t / 1e4) ** 2 * 100.0
    total = carry + rolldown + view + convexity
    return dict(zip(COMPONENTS, (carry, rolldown, view, convexity, total), strict=True))


def expected_returns(inputs: OptimInputs, settings: OptimSettings) -> pd.DataFrame:
    """DataFrame (universe index) with :data:`COMPONENTS`, all in % over the horizon (base ccy)."""
    b = BondArrays.of(inputs.universe)
    hedged = hedged_yield_pct(b, inputs.short_rates_pct, settings.base_ccy) if settings.hedged else None
    parts = return_components(b, settings, rolldown_pct(inputs, settings.horizon_years), hedged)
    return pd.DataFrame(parts, index=inputs.universe.index)
