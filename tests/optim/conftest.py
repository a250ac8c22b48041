"""Fixtures for the optimiser tests: the bundled snapshot and its universe, an optimiser over it
(compiled once per session), and a small hand-made universe with the ``desktop.universe`` columns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop.optim.inputs import OptimInputs
from desktop.optim.solve import Optimiser


@pytest.fixture(scope="session")
def snapshot():
    from desktop.snapshot import load_bundled_snapshot

    return load_bundled_snapshot()


@pytest.fixture(scope="session")
def universe(snapshot) -> pd.DataFrame:
    """The bundled universe (``desktop.universe.build_universe``), built once for the session."""
    from desktop.universe import build_universe

    return build_universe(snapshot)


@pytest.fixture(scope="session")
def inputs(snapshot) -> OptimInputs:
    return OptimInputs.from_snapshot(snapshot)


@pytest.fixture(scope="session")
def optimiser(inputs) -> Optimiser:
    """One compiled optimiser over the bundled universe, shared (tests only set parameter values)."""
    return Optimiser(inputs)


def small_universe() -> pd.DataFrame:
    """Twelve bonds, three per market, maturities 2/5/9 y; figures hand-set, KRDs on the nearest keys."""
    rows = []
    yields = {"US": (3.5, 3.7, 4.1), "JP": (1.0, 1.4, 2.0), "AU": (3.9, 4.2, 4.6), "UK": (3.7, 3.9, 4.5)}
    ccy = {"US": "USD", "JP": "JPY", "AU": "AUD", "UK": "GBP"}
    for code, ys in yields.items():
        for y, years, dur in zip(ys, (2.0, 5.0, 9.0), (1.9, 4.5, 7.6), strict=True):
            krd = {2.0: (dur, 0, 0, 0), 5.0: (0, dur, 0, 0), 9.0: (0, 0.1 * dur, 0.9 * dur, 0)}[years]
            rows.append({
                "market": code, "id": f"{code}{int(years)}", "name": f"{code} {years:.0f}y",
                "coupon_pct": y, "maturity": pd.Timestamp(2026 + int(years), 1, 2),
                "issue_date": pd.NaT, "currency": ccy[code], "is_generic": False, "price_source": "test",
                "settle_date": pd.Timestamp(2026, 1, 2), "years_to_maturity": years, "clean_price": 100.0,
                "accrued": 0.0, "dirty_price": 100.0, "yield_pct": y, "simple_yield_pct": np.nan,
                "mac_duration": dur * 1.02, "mod_duration": dur, "convexity": dur * dur,
                "dv01": dur / 100.0, "krd_2y": krd[0], "krd_5y": krd[1], "krd_10y": krd[2], "krd_30y": krd[3],
                "rung": int(np.ceil(years)),
            })
    return pd.DataFrame(rows)


@pytest.fixture()
def small_inputs(snapshot) -> OptimInputs:
    u = small_universe()
    return OptimInputs(universe=u, curves=snapshot.curves, short_rates_pct=snapshot.short_rates_pct,
                       fx_usd_per_unit=snapshot.fx_usd_per_unit, history=snapshot.history,
                       as_of=date(2025, 12, 31))
