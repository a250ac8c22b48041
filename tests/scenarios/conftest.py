"""Fixtures for the scenario tests: a small end-2025 market (no bundled snapshot needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop.curves import build_curve
from desktop.scenarios.revalue import MarketState, ScenarioEngine

AS_OF = date(2025, 12, 31)
# End-2025 points from the team's reference data (US CMT, MoF JGB, RBA F2: par; BoE GLC: zero).
CURVE_POINTS = {
    "US": ("par", [0.25, 0.5, 1, 2, 3, 5, 7, 10, 20, 30],
           [3.67, 3.59, 3.48, 3.47, 3.55, 3.73, 3.94, 4.18, 4.79, 4.84]),
    "JP": ("par", [1, 2, 3, 5, 7, 10, 15, 20, 30, 40],
           [0.906, 1.167, 1.282, 1.567, 1.762, 2.066, 2.606, 2.952, 3.354, 3.475]),
    "AU": ("par", [2, 3, 5, 10], [4.059, 4.145, 4.295, 4.74]),
    "UK": ("zero", [2, 5, 10, 20, 30], [3.633, 3.937, 4.572, 5.242, 5.313]),
}

# A few real bonds (team reference bonds.csv) so the universe mixes real and generic bonds.
REAL_BONDS = pd.DataFrame(
    {
        "market": ["US", "US", "UK", "UK", "AU", "JP"],
        "id": ["91282CNR8", "91282CPJ4", "GB00BVP99673", "GB00B1VWPJ53", "AU0000075681", "JGB 20y #194"],
        "name": ["4.000% UST 2032", "4.000% UST 2035", "4 1/8% Treasury Gilt 2031", "4½% Treasury Gilt 2042",
                 "1.25% 21 May 2032 TB158", "20-year JGB No.194"],
        "coupon_pct": [4.0, 4.0, 4.125, 4.5, 1.25, 2.7],
        "maturity": pd.to_datetime(["2032-07-31", "2035-11-15", "2031-03-07", "2042-12-07", "2032-05-21",
                                    "2045-09-20"]),
        "issue_date": pd.to_datetime(["2025-07-31", "2025-11-17", "2024-01-01", "2008-01-01", "2020-01-01",
                                      "2025-09-01"]),
        "is_generic": False,
    }
)


@dataclass(frozen=True)
class FakeSnapshot:
    """The slice of ``MarketSnapshot`` the scenario code reads."""

    as_of: date
    curves: dict
    short_rates_pct: dict
    fx_usd_per_unit: dict
    bonds: pd.DataFrame = field(default_factory=lambda: REAL_BONDS.copy())


def make_snapshot() -> FakeSnapshot:
    curves = {
        m: build_curve(m, AS_OF, t, y, kind, f"test {m}") for m, (kind, t, y) in CURVE_POINTS.items()
    }
    return FakeSnapshot(
        as_of=AS_OF,
        curves=curves,
        short_rates_pct={"USD": 3.67, "JPY": 0.75, "AUD": 3.60, "GBP": 3.75},
        fx_usd_per_unit={"USD": 1.0, "JPY": 1 / 156.80, "GBP": 1.3436, "AUD": 0.6695},
    )


@pytest.fixture(scope="session")
def snapshot() -> FakeSnapshot:
    return make_snapshot()


@pytest.fixture(scope="session")
def universe(snapshot) -> pd.DataFrame:
    """Generic curve-implied bonds on rungs 1–30 in every market (the universe builder's fill-in)."""
    from desktop.universe import build_universe

    return build_universe(snapshot)


@pytest.fixture(scope="session")
def state(snapshot) -> MarketState:
    return MarketState.from_snapshot(snapshot)


@pytest.fixture(scope="session")
def engine(universe, state) -> ScenarioEngine:
    return ScenarioEngine.build(universe, state)


def ladder_face(universe: pd.DataFrame, markets=("US", "JP", "AU", "UK"), rungs=range(1, 11),
                mv_usd: float = 1e8, fx: dict | None = None) -> np.ndarray:
    """Face amounts (local ccy) of an equal-weight ladder: one bond per (market, rung)."""
    fx = fx or make_snapshot().fx_usd_per_unit
    face = np.zeros(len(universe))
    picks = universe[universe["market"].isin(markets) & universe["rung"].isin(list(rungs))]
    picks = picks.groupby(["market", "rung"]).head(1)
    per = mv_usd / len(picks)
    for i, row in picks.iterrows():
        ccy_usd = fx[row["currency"]]
        face[universe.index.get_loc(i)] = per / ccy_usd / (row["dirty_price"] / 100.0)
    return face
