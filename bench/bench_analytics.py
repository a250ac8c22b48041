"""Bench: full bond figure set for 10,000 random bonds, vectorised vs a QuantLib per-bond loop.

Figure set per bond (per 100 face): clean/dirty price from a yield, the yield back from the clean
price, Macaulay and modified duration, convexity, dv01 and the four key-rate durations.
The QuantLib loop (schedule + ``FixedRateBond`` construction, ``BondFunctions`` price, yield,
durations, convexity, and — QuantLib has no key-rate durations — one tent-weighted pass over the
bond's cash flows) runs on a 2,000-bond subset and is scaled ×5 to 10,000. Both are timed in the
same run because the machine is shared.
"""

from __future__ import annotations

import bisect
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS, KEY_TENORS, bond_analytics, price_from_yield

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


def _tent(t: float, keys: tuple[float, ...]) -> list[float]:
    """Tent weights of the key tenors at time t (plain Python, for the QuantLib loop)."""
    w = [0.0] * len(keys)
    if t <= keys[0]:
        w[0] = 1.0
    elif t >= keys[-1]:
        w[-1] = 1.0
    else:
        i = bisect.bisect_right(keys, t) - 1
        lam = (t - keys[i]) / (keys[i + 1] - keys[i])
        w[i], w[i + 1] = 1.0 - lam, lam
    return w


def _quantlib_one(ql, row, y_pct: float, ex_calendars: dict) -> tuple[float, ...]:
    """The figure set for one bond through QuantLib, written as a QuantLib user would (lean)."""
    settle = ql.Settings.instance().evaluationDate
    mat = ql.Date(row.maturity.day, row.maturity.month, row.maturity.year)
    eom = ql.Date.isEndOfMonth(mat)
    effective = ql.NullCalendar().advance(settle, ql.Period(-1, ql.Years))
    sched = ql.Schedule(
        effective,
        mat,
        ql.Period(ql.Semiannual),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        eom,
    )
    dc = ql.ActualActual(ql.ActualActual.ISMA, sched)
    args = [0, 100.0, sched, [row.coupon_pct / 100], dc, ql.Unadjusted, 100.0, effective, ql.NullCalendar()]
    if row.market in ex_calendars:
        args += [ql.Period(7, ql.Days), ex_calendars[row.market], ql.Unadjusted, False]
    bond = ql.FixedRateBond(*args)
    fns = ql.BondFunctions
    clean = fns.cleanPrice(bond, y_pct / 100, dc, ql.Compounded, ql.Semiannual, settle)
    price = ql.BondPrice(clean, ql.BondPrice.Clean)
    y = fns.bondYield(bond, price, dc, ql.Compounded, ql.Semiannual, settle, 1e-12, 100, 0.03)
    mod = fns.duration(bond, y, dc, ql.Compounded, ql.Semiannual, ql.Duration.Modified, settle)
    mac = fns.duration(bond, y, dc, ql.Compounded, ql.Semiannual, ql.Duration.Macaulay, settle)
    conv = fns.convexity(bond, y, dc, ql.Compounded, ql.Semiannual, settle)
    dirty = clean + fns.accruedAmount(bond, settle)
    growth = 1 + y / 2
    krd = [0.0] * len(KEY_TENORS)
    for cf in bond.cashflows():
        cpn = ql.as_coupon(cf)
        if cf.hasOccurred(settle) or (
            cpn is not None and cpn.exCouponDate() != ql.Date() and cpn.exCouponDate() <= settle
        ):
            continue
        if cpn is None:
            t = dc.yearFraction(settle, cf.date())
        else:
            t = dc.yearFraction(settle, cf.date(), cpn.referencePeriodStart(), cpn.referencePeriodEnd())
        pv_t = cf.amount() * growth ** (-2 * t) * t / (dirty * growth)
        for k, w in enumerate(_tent(t, KEY_TENORS)):
            krd[k] += pv_t * w
    return clean, 100 * y, mod, mac, conv, mod * dirty * 1e-4, *krd


def run() -> list[str]:
    import QuantLib as ql

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from analytics_oracle import to_ql, uk_calendar

    bonds, yields = random_bonds(N_BONDS)
    _vectorised(bonds.iloc[:100], yields[:100])  # warm-up (imports, holiday calendars)
    t_vec = _best_of(lambda: _vectorised(bonds, yields), repeat=3)

    ql.Settings.instance().evaluationDate = to_ql(SETTLE)
    ex_calendars = {"UK": uk_calendar(), "AU": ql.NullCalendar()}
    sub = list(zip(bonds.iloc[:N_QUANTLIB].itertuples(), yields[:N_QUANTLIB].tolist(), strict=True))

    def ql_loop() -> list[tuple[float, ...]]:
        return [_quantlib_one(ql, row, y, ex_calendars) for row, y in sub]

    t0 = time.perf_counter()
    ref = np.array(ql_loop())
    t_ql = (time.perf_counter() - t0) * (N_BONDS / N_QUANTLIB)
    ours = _vectorised(bonds.iloc[:N_QUANTLIB], yields[:N_QUANTLIB])
    gaps = {
        "clean_price": np.abs(ours["clean_price"].to_numpy() - ref[:, 0]),
        "mod_duration": np.abs(ours["mod_duration"].to_numpy() - ref[:, 2]),
        "krd": np.abs(ours[list(KEY_RATE_COLUMNS)].to_numpy() - ref[:, 6:]),
    }
    icma = (bonds["market"].iloc[:N_QUANTLIB] != "JP").to_numpy()  # JP clean differs by design (accrued)
    return [
        f"vectorised full figure set, {N_BONDS:,} bonds: {t_vec * 1e3:.0f} ms (best of 3)",
        f"QuantLib per-bond loop: {t_ql:.2f} s for {N_BONDS:,} (timed on {N_QUANTLIB:,}, scaled x{N_BONDS // N_QUANTLIB})",
        f"speed-up: {t_ql / t_vec:.0f}x (target >= 100x)",
        f"agreement on the {N_QUANTLIB:,}: clean (US/UK/AU) {gaps['clean_price'][icma].max():.1e}, "
        f"mod_duration {gaps['mod_duration'].max():.1e}, krd {gaps['krd'].max():.1e}",
    ]
