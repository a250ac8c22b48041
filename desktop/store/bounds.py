"""Sanity bounds on every imported number, applied by the store before an import is written.

The importers check each format (finite numbers, dates, layout); these bounds are the one gate
every kind passes, and the ones that need the workspace (the last known FX rate, the curve an
import would replace, the valuation date). A violation is a :class:`DataError` naming the file,
the line where known, the field and the bound; ``--force`` lets a deliberate FX jump through and
``--replace`` a changed curve. The table is documented in the README ("Sanity bounds").

===========================  =====================================================================
what                         bound
===========================  =====================================================================
curve yields                 :data:`YIELD_PCT` −5 % … 30 %
short rates / FRED yields    :data:`YIELD_PCT` (DGS*, DTB*, DGS3MO → short rate)
tenors                       :data:`TENOR_YEARS` 1 month … 50 years
each curve (market, date)    at least :data:`CURVE_MIN_POINTS` points, one at ≤ 2 y and one at ≥ 10 y;
                             other dates are left out (listed), a file with none is refused
a curve already stored       refused unless the same (±0.001 bp) or ``--replace``
FX (USD per unit)            :data:`FX_USD_PER_UNIT` absolute; within ×/÷ :data:`FX_BAND` of the
                             known rate nearest in date (and of the previous observation), else
                             ``--force``; FRED DEX* series and every ECB daily fixing (``ecb-fx``,
                             USD per EUR and per JPY/GBP/AUD crossed through EUR)
an ECB month-end stored      refused unless the same or ``--replace``
bonds                        maturity after the workspace's valuation date
===========================  =====================================================================
"""

from __future__ import annotations

import math
import re
import sqlite3

import numpy as np
import pandas as pd

from desktop.errors import DataError

YIELD_PCT = (-5.0, 30.0)
TENOR_YEARS = (1.0 / 12.0, 50.0)
CURVE_MIN_POINTS = 4
CURVE_SPAN_YEARS = (2.0, 10.0)
FX_BAND = 1.5
FX_USD_PER_UNIT = (1e-4, 1e4)
FX_NEAR_DAYS = 366
#: a stored curve is 'the same' when every tenor matches and yields agree to 0.001 bp (CSV rounding)
SAME_CURVE_PCT = 1e-5
_YIELD_SERIES = re.compile(r"^(DGS\d+(MO)?|DTB\d+(MO|WK)?|DTB\d+|DFII\d+)$")
_EPS = 1e-9
TENOR_TOL = 1e-4  # years: stored tenors are rounded to 6 decimals (1 month = 0.083333)


def _lines_of(file: str, ids: pd.Series) -> list[int | None]:
    """File line of each bond id (re-read from the source file; None where unknown)."""
    try:
        from desktop.importers import base

        table = base.read_table(file)
        header = [c.strip().casefold() for c in table.rows[0]]
        col = header.index("id")
        where = {row[col]: line for row, line in zip(table.rows[1:], table.lines[1:], strict=True) if len(row) > col}
    except Exception:  # noqa: BLE001 - only for the message: the import itself was already parsed
        return [None] * len(ids)
    return [where.get(str(i)) for i in ids]


def check_curves(c: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[str]]:
    """Yields and tenors of a normalised curves frame (ISO dates): DataError on the first out of
    bounds. Curve shape: dates whose curve has fewer than :data:`CURVE_MIN_POINTS` points or does
    not span :data:`CURVE_SPAN_YEARS` (early history: RBA 1990s dates with a 10 y point only, JGBs of
    1974 without 10 y) are left out and listed; if no date has a usable curve the file is refused.
    Returns (the curves kept, 'AU 2013-05-20' labels of the dates left out)."""
    lo, hi = YIELD_PCT
    y = c["yield_pct"].to_numpy(float)
    bad = (y < lo) | (y > hi)
    if bad.any():
        r = c.iloc[int(np.flatnonzero(bad)[0])]
        raise DataError(f"yield {r['yield_pct']:g} % on {r['date']} at {r['tenor_years']:g} y is outside the bounds",
                        file=file, field="yield_pct", expected=f"a yield from {lo:g} % to {hi:g} %")
    t = c["tenor_years"].to_numpy(float)
    tlo, thi = TENOR_YEARS
    bad = (t < tlo - TENOR_TOL) | (t > thi + TENOR_TOL)
    if bad.any():
        r = c.iloc[int(np.flatnonzero(bad)[0])]
        raise DataError(f"tenor {r['tenor_years']:g} y ({r['market']} {r['date']}) is outside the bounds",
                        file=file, field="tenor_years", expected="a tenor from 1 month to 50 years")
    g = c.groupby(["market", "date"])["tenor_years"]
    shape = pd.DataFrame({"n": g.size(), "lo": g.min(), "hi": g.max()})
    short_lo, long_hi = CURVE_SPAN_YEARS
    bad_shape = shape[(shape["n"] < CURVE_MIN_POINTS) | (shape["lo"] > short_lo + _EPS) | (shape["hi"] < long_hi - _EPS)]
    if len(bad_shape) == len(shape):
        (market, day), r = next(iter(bad_shape.iterrows()))
        more = f" (and {len(bad_shape) - 1} more dates)" if len(bad_shape) > 1 else ""
        raise DataError(f"the {market} curve of {day} has {int(r['n'])} points from {r['lo']:g} y to {r['hi']:g} y"
                        + more + ": no usable curve in the file", file=file, field="tenor_years",
                        expected=f"at least {CURVE_MIN_POINTS} points per date, one at {short_lo:g} y or shorter "
                                 f"and one at {long_hi:g} y or longer")
    if len(bad_shape):
        drop = pd.MultiIndex.from_frame(c[["market", "date"]]).isin(bad_shape.index)
        return c[~drop], [f"{m} {d}" for m, d in bad_shape.index]
    return c, []


def check_replaced_curves(conn: sqlite3.Connection, c: pd.DataFrame, file: str, replace: bool) -> list[str]:
    """Curves of the import that would replace a *different* stored curve of the same market and
    date: refused unless ``replace``; returns 'US 2025-12-31' labels of those replaced."""
    keys = c[["market", "date"]].drop_duplicates()
    if keys.empty:
        return []
    dates = sorted(keys["date"].astype(str).unique())
    parts = [pd.read_sql_query(
        f"SELECT market, date, tenor_years, yield_pct FROM curves WHERE date IN ({','.join('?' * len(chunk))})",
        conn, params=tuple(chunk)) for chunk in (dates[i:i + 500] for i in range(0, len(dates), 500))]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return []
    stored = pd.concat(parts, ignore_index=True).merge(keys, on=["market", "date"])
    if stored.empty:
        return []
    mine = c.merge(stored[["market", "date"]].drop_duplicates(), on=["market", "date"])
    stored, mine = (df.assign(tenor_years=df["tenor_years"].round(4)) for df in (stored, mine))  # 0.083333 = 1/12
    cols = ["market", "date", "tenor_years"]
    both = stored[cols + ["yield_pct"]].merge(mine[cols + ["yield_pct"]], on=cols, how="outer",
                                              suffixes=("_old", "_new"), indicator=True)
    differs = (both["_merge"] != "both") | ~(np.abs(both["yield_pct_old"] - both["yield_pct_new"]) <= SAME_CURVE_PCT)
    per_key = both.assign(differs=differs).groupby(["market", "date"]).agg(
        differs=("differs", "any"), n_old=("yield_pct_old", "count"), n_new=("yield_pct_new", "count"))
    changed = [(m, d, int(r.n_old), int(r.n_new)) for (m, d), r in per_key[per_key["differs"]].iterrows()]
    if changed and not replace:
        market, day, n_old, n_new = changed[0]
        more = f" (and {len(changed) - 1} more curves)" if len(changed) > 1 else ""
        raise DataError(f"would replace the stored {market} curve of {day} ({n_old} points) with a different one "
                        f"({n_new} points){more}", file=file, field="date",
                        expected="new dates only, or --replace to replace stored curves (undo: ladderdesk import --undo)")
    return [f"{m} {d}" for m, d, _, _ in changed]


def check_series(conn: sqlite3.Connection, s: pd.DataFrame, file: str, force: bool,
                 fx_series: dict[str, tuple[str, bool]], short_series: dict[str, tuple[str, str]]) -> None:
    """Yield-like FRED series within :data:`YIELD_PCT`; FX series within the band (unless ``force``)."""
    lo, hi = YIELD_PCT
    for sid, rows in s.groupby("series_id"):
        v = rows["value"].to_numpy(float)
        if sid in short_series or _YIELD_SERIES.match(str(sid)):
            bad = (v < lo) | (v > hi)
            if bad.any():
                r = rows.iloc[int(np.flatnonzero(bad)[0])]
                raise DataError(f"{sid} = {_plain(r['value'])} on {r['date']} is outside the bounds", file=file,
                                field=str(sid), expected=f"a rate in percent from {lo:g} to {hi:g}")
        if sid in fx_series:
            ccy, invert = fx_series[sid]
            _check_fx(conn, sid, ccy, invert, rows, file, force)


def _plain(x: float) -> str:
    return f"{float(x):,.10g}"


def _check_fx(conn: sqlite3.Connection, sid: str, ccy: str, invert: bool, rows: pd.DataFrame, file: str,
              force: bool) -> None:
    rows = rows.sort_values("date")
    v = rows["value"].to_numpy(float)
    with np.errstate(divide="ignore"):
        usd = np.where(v > 0, 1.0 / v, np.nan) if invert else v
    lo, hi = FX_USD_PER_UNIT
    bad = ~(np.isfinite(usd) & (usd >= lo) & (usd <= hi))
    if bad.any():
        r = rows.iloc[int(np.flatnonzero(bad)[0])]
        raise DataError(f"{sid} = {_plain(r['value'])} on {r['date']} is not a plausible exchange rate", file=file,
                        field=sid, expected=f"{ccy} between {lo:g} and {hi:g} USD per unit")
    if force:
        return
    band = math.log(FX_BAND)
    steps = np.abs(np.diff(np.log(usd)))
    if (steps > band).any():
        k = int(np.flatnonzero(steps > band)[0]) + 1
        r, prev = rows.iloc[k], rows.iloc[k - 1]
        raise DataError(f"{sid} jumps from {_plain(prev['value'])} on {prev['date']} to {_plain(r['value'])} on "
                        f"{r['date']}", file=file, field=sid,
                        expected=f"moves within ×/÷{FX_BAND:g} between observations (or --force)")
    known = pd.read_sql_query("SELECT as_of AS date, usd_per_unit FROM fx WHERE currency = ? ORDER BY as_of",
                              conn, params=(ccy,))
    if known.empty:
        return
    kd = pd.to_datetime(known["date"]).to_numpy("datetime64[D]")
    d = pd.to_datetime(rows["date"]).to_numpy("datetime64[D]")
    idx = np.clip(np.searchsorted(kd, d), 0, len(kd) - 1)
    prev_idx = np.clip(idx - 1, 0, len(kd) - 1)
    gap_next, gap_prev = np.abs((kd[idx] - d).astype(int)), np.abs((kd[prev_idx] - d).astype(int))
    near = np.where(gap_prev <= gap_next, prev_idx, idx)
    gap = np.minimum(gap_prev, gap_next)
    ref = known["usd_per_unit"].to_numpy(float)[near]
    off = (gap <= FX_NEAR_DAYS) & (np.abs(np.log(usd / ref)) > band)
    if off.any():
        k = int(np.flatnonzero(off)[0])
        r = rows.iloc[k]
        raise DataError(
            f"{sid} = {_plain(r['value'])} on {r['date']} is {usd[k] / ref[k]:.3g}× the workspace's {ccy} rate of "
            f"{known['date'].iloc[near[k]]} ({ref[k]:.6g} USD per {ccy})", file=file, field=sid,
            expected=f"within ×/÷{FX_BAND:g} of the known rate; pass --force if the move is real")


def check_bonds(b: pd.DataFrame, file: str, as_of: object) -> None:
    """No bond matured on or before the workspace's valuation date (named by its file line)."""
    matured = (b["maturity"].astype(str) <= str(as_of)).to_numpy()
    if matured.any():
        k = int(np.flatnonzero(matured)[0])
        line = _lines_of(file, b["id"].iloc[[k]])[0]
        raise DataError(f"bond {b['id'].iloc[k]} matured on {b['maturity'].iloc[k]}, before the workspace's "
                        f"valuation date {as_of}", file=file, line=line, field="maturity",
                        expected="bonds maturing after the valuation date (see ladderdesk data)")
