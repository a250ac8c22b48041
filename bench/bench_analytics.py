"""Bench: full bond figure set for 10,000 random bonds, vectorised vs a QuantLib per-bond loop.

Figure set per bond (per 100 face): clean/dirty price from a yield, the yield back from the clean
price, Macaulay and modified duration, convexity, dv01 and the four key-rate durations.
The QuantLib loop (bond construction + ``BondFunctions`` + a tent-weighted pass over the cash
flows for the KRDs) runs on a 2,000-bond subset and is scaled ×5 to 10,000; both are timed in the
same run because the machine is shared.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from desktop.analytics import KEY_TENORS, bond_analytics, price_from_yield

N_BONDS = 10_000
N_QUANTLIB = 2_000
SETTLE = date(2025, 12, 31)


def random_bonds(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` bonds across the four markets (coupon 0–8 %, a week to 40 years) and yields in %."""
    rng = np.random.default_rng(seed)
    days = rng.integers(7, 365 * 40, n)
    bonds = pd.DataFrame(
        {
            "market": rng.choice(["US", "JP", "UK", "AU"], n),
            "coupon_pct": np.round(rng.uniform(0.0, 8.0, n), 3),
            "maturity": np.datetime64(SETTLE, "D") + days.astype("timedelta64[D]"),
        }
    )
    return bonds, np.round(rng.uniform(0.0, 6.0, n), 4)


def _best_of(fn: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _vectorised(bonds: pd.DataFrame, yields: np.ndarray) -> pd.DataFrame:
    prices = price_from_yield(bonds, SETTLE, yields)
    return bond_analytics(bonds, SETTLE, clean_price=prices["clean_price"])  # yield back + risk


def _quantlib_one(ql, oracle_bond, row, y_pct: float) -> tuple[float, ...]:
    o = oracle_bond(row.market, row.coupon_pct, row.maturity.date(), SETTLE)
    clean = o.clean_price(y_pct)
    y_back = o.yield_from_clean(clean)
    mod = o.duration(y_back)
    mac = o.duration(y_back, ql.Duration.Macaulay)
    conv = o.convexity(y_back)
    dirty = clean + o.accrued()
    growth = 1 + y_back / 200
    keys = np.asarray(KEY_TENORS)
    krd = np.zeros(len(keys))
    for (_, amount), t in zip(o.received_flows(), o.flow_times(), strict=True):
        pv_t = amount * growth ** (-2 * t) * t
        krd += pv_t * _tent(t, keys)
    krd /= dirty * growth
    return clean, y_back, mod, mac, conv, mod * dirty * 1e-4, *krd


def _tent(t: float, keys: np.ndarray) -> np.ndarray:
    return np.array([np.interp(t, keys, row) for row in np.eye(len(keys))])


def run() -> list[str]:
    import QuantLib as ql

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from analytics_oracle import oracle_bond

    bonds, yields = random_bonds(N_BONDS)
    _vectorised(bonds.iloc[:100], yields[:100])  # warm-up (imports, holiday calendars)
    t_vec = _best_of(lambda: _vectorised(bonds, yields), repeat=3)
    sub = bonds.iloc[:N_QUANTLIB]

    def ql_loop() -> None:
        for row, y in zip(sub.itertuples(), yields[:N_QUANTLIB], strict=True):
            _quantlib_one(ql, oracle_bond, row, float(y))

    t_ql = _best_of(ql_loop, repeat=1) * (N_BONDS / N_QUANTLIB)
    ours = _vectorised(bonds.iloc[:200], yields[:200])
    ref = np.array(
        [
            _quantlib_one(ql, oracle_bond, r, float(y))
            for r, y in zip(bonds.iloc[:200].itertuples(), yields[:200], strict=True)
        ]
    )
    gap = np.abs(ours["mod_duration"].to_numpy() - ref[:, 2]).max()
    return [
        f"vectorised full figure set, {N_BONDS:,} bonds: {t_vec * 1e3:.0f} ms (best of 3)",
        f"QuantLib per-bond loop: {t_ql:.2f} s for {N_BONDS:,} (timed on {N_QUANTLIB:,}, scaled x{N_BONDS // N_QUANTLIB})",
        f"speed-up: {t_ql / t_vec:.0f}x (target >= 100x)",
        f"check: max |mod_duration - QuantLib| on 200 bonds = {gap:.1e} years",
    ]
