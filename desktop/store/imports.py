"""Market-data tables of the workspace: seed, import, read back, summarise.

All writers here expect to run inside :func:`desktop.store.schema.transaction`; they never commit.
Dates are stored as ISO ``YYYY-MM-DD`` text; yields/rates in percent; FX as USD per unit.

ECB reference rates (``ladderdesk import ecb-fx``, :mod:`desktop.importers.ecb_fx`): the daily
``ECB_<CCY>`` series (units per EUR) are stored like any series, and their month-end fixings become
the workspace's ``fx_history`` rows — USD per unit of JPY, GBP and AUD crossed through EUR on the
same fixing (USDJPY = EURJPY / EURUSD, GBPUSD = EURUSD / EURGBP …), one row per currency and month,
with the file as source. :func:`merge_fx_history` lays them over the bundled history
(``resources/fx_history.csv``): an imported month replaces the bundled one, so the snapshot's FX as
of the valuation date, the backtest's FX and every risk model built on the workspace's tables use
them. A month whose stored or bundled rate differs needs ``--replace``; the FX bounds
(:mod:`desktop.store.bounds`) apply to every daily cross.
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.snapshot import SnapshotTables

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

CURVE_COLS = ["market", "date", "tenor_years", "yield_pct", "curve_type", "source"]
BOND_COLS = [
    "market", "id", "name", "coupon_pct", "maturity", "issue_date", "is_generic", "source", "note",
    "clean_price", "yield_pct",
]
SHORT_COLS = ["currency", "as_of", "rate_pct", "rate_name", "source"]
FX_COLS = ["currency", "as_of", "usd_per_unit", "source"]
HISTORY_COLS = ["market", "date", "tenor_years", "yield_pct", "source"]
PROV_COLS = ["item", "source", "note", "label"]
SERIES_COLS = ["series_id", "date", "value", "source"]
#: FRED series that feed the snapshot: series id → (currency, rate name) for short rates (% p.a.).
SERIES_SHORT_RATES = {"DGS3MO": ("USD", "US Treasury 3-month CMT (DGS3MO)")}
#: FRED series id → (currency, invert): FX quoted as units per USD (invert) or USD per unit.
SERIES_FX = {"DEXJPUS": ("JPY", True), "DEXUSUK": ("GBP", False), "DEXUSAL": ("AUD", False)}
POLICY_COLS = ["market", "currency", "rate_name", "effective_from", "rate_pct", "range_pct", "source", "note"]
#: the workspace's imported month-end FX (schema 5): one row per currency and month ('YYYY-MM')
FX_HISTORY_COLS = ["currency", "month", "date", "per_eur", "usd_per_unit", "source"]
#: fx_history columns as the snapshot reads them (desktop.snapshot.FX_HISTORY_COLUMNS + source)
FX_HISTORY_READ = ["date", "currency", "per_eur", "usd_per_unit", "source"]
BUNDLED_FX_SOURCE = "bundled resources/fx_history.csv (ECB; provenance item fx_history)"
#: provenance item describing the imported FX months (written by each ecb-fx import, undone with it)
FX_IMPORT_ITEM = "fx_history:imported"
#: an imported rate is 'the same' as the stored / bundled one within this relative difference
#: (the bundled CSV round-trips the crosses to the last binary digit or so)
SAME_FX_REL = 1e-9


def _rows(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    """DataFrame → list of tuples of plain Python values (NaN/NaT → None)."""
    out = df.reindex(columns=cols)
    records = []
    for rec in out.itertuples(index=False, name=None):
        clean = []
        for v in rec:
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                clean.append(None)
            elif isinstance(v, np.generic):
                clean.append(v.item())
            elif isinstance(v, pd.Timestamp):
                clean.append(v.date().isoformat())
            else:
                clean.append(v)
        records.append(tuple(clean))
    return records


def _upsert(conn: sqlite3.Connection, table: str, df: pd.DataFrame, cols: list[str]) -> int:
    sql = f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    rows = _rows(df, cols)
    conn.executemany(sql, rows)
    return len(rows)


def _iso(col: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(col, errors="coerce")
    return parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)


def set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    """Upsert meta key/values."""
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))


def write_tables(conn: sqlite3.Connection, t: SnapshotTables) -> None:
    """Seed every market-data table from ``t`` (the bundled snapshot)."""
    bonds = t.bonds.copy()
    bonds["is_generic"] = bonds["is_generic"].map(lambda v: int(str(v).strip().lower() in {"true", "1"}))
    _upsert(conn, "curves", t.curves.assign(date=_iso(t.curves["date"])), CURVE_COLS)
    _upsert(conn, "bonds", bonds, BOND_COLS)
    _upsert(conn, "short_rates", t.short_rates, SHORT_COLS)
    _upsert(conn, "fx", t.fx, FX_COLS)
    _upsert(conn, "history", t.history.assign(date=_iso(t.history["date"])), HISTORY_COLS)
    _upsert(conn, "provenance", t.provenance, PROV_COLS)
    if not t.policy_rates.empty:
        _upsert(conn, "policy_rates", t.policy_rates, POLICY_COLS)


def read_tables(conn: sqlite3.Connection) -> SnapshotTables:
    """Read the market-data tables back in the shape of ``resources/*.csv`` (+ the quotes)."""
    from desktop.store.prices import read_quotes

    def q(sql: str) -> pd.DataFrame:
        return pd.read_sql_query(sql, conn)

    bonds = q("SELECT * FROM bonds ORDER BY market, maturity, id")
    bonds["is_generic"] = bonds["is_generic"].fillna(0).astype(bool)
    return SnapshotTables(
        curves=q("SELECT * FROM curves ORDER BY market, date, tenor_years"),
        bonds=bonds,
        short_rates=q("SELECT * FROM short_rates ORDER BY currency, as_of"),
        fx=q("SELECT * FROM fx ORDER BY currency, as_of"),
        history=q("SELECT * FROM history ORDER BY market, tenor_years, date"),
        provenance=q("SELECT * FROM provenance ORDER BY rowid"),
        policy_rates=q("SELECT * FROM policy_rates ORDER BY market, effective_from"),
        fx_history=stored_fx_history(conn),
        quotes=read_quotes(conn),
    )


def stored_fx_history(conn: sqlite3.Connection) -> pd.DataFrame:
    """The workspace's imported month-end FX (:data:`FX_HISTORY_READ` columns; empty before any
    ``ecb-fx`` import)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fx_history'").fetchone() is None:
        return pd.DataFrame(columns=FX_HISTORY_READ)
    return pd.read_sql_query(f"SELECT {', '.join(FX_HISTORY_READ)} FROM fx_history ORDER BY currency, date", conn)


def _month_key(df: pd.DataFrame) -> pd.Series:
    return df["currency"].astype(str) + " " + pd.to_datetime(df["date"]).dt.strftime("%Y-%m")


def merge_fx_history(bundled: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The month-end FX the app uses: the bundled ECB history with each (currency, month) the
    workspace imported replaced by the imported row (:data:`FX_HISTORY_READ` columns, ordered by
    currency and date; bundled rows carry :data:`BUNDLED_FX_SOURCE`)."""
    b = bundled.reindex(columns=FX_HISTORY_READ).copy()
    b["source"] = b["source"].fillna(BUNDLED_FX_SOURCE)
    if stored is None or stored.empty:
        return b.reset_index(drop=True)
    st = stored.reindex(columns=FX_HISTORY_READ)
    keep = ~_month_key(b).isin(set(_month_key(st))) if len(b) else pd.Series(dtype=bool)
    out = pd.concat([df for df in (b[keep], st) if len(df)], ignore_index=True)
    return out.sort_values(["currency", "date"], kind="stable").reset_index(drop=True)


def _effective_fx_history(conn: sqlite3.Connection) -> pd.DataFrame:
    """:func:`merge_fx_history` of the bundled and the stored rows, with ``month`` and ``origin``
    ("stored" | "bundled"): what the app uses now, for the bounds and the replace check."""
    from desktop.errors import LadderDeskError
    from desktop.snapshot import read_bundled_tables

    try:
        bundled = read_bundled_tables().fx_history
    except LadderDeskError:  # no bundled resources: the stored rows only
        bundled = pd.DataFrame(columns=FX_HISTORY_READ)
    stored = stored_fx_history(conn)
    out = merge_fx_history(bundled, stored)
    out["origin"] = np.where(out["source"] == BUNDLED_FX_SOURCE, "bundled", "stored")
    out["month"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m")
    return out


def _require(df: pd.DataFrame | None, cols: list[str], what: str, file: str) -> pd.DataFrame:
    if df is None or df.empty:
        raise DataError(f"import has no {what} rows", file=file)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{what} table lacks columns {missing}", file=file)
    return df.copy()


def normalise(result: Any) -> dict[str, pd.DataFrame]:
    """Validate an ``ImportResult`` and return the frames to write (ISO dates, floats)."""
    file = str(getattr(result, "source_file", "?"))
    kind = getattr(result, "kind", None)
    src = str(getattr(result, "source_name", "") or file)
    if kind == "curves":
        c = _require(result.curves, ["market", "date", "tenor_years", "yield_pct", "curve_type"], "curve", file)
        c["date"] = _iso(c["date"])
        c["tenor_years"] = pd.to_numeric(c["tenor_years"], errors="coerce")
        c["yield_pct"] = pd.to_numeric(c["yield_pct"], errors="coerce")
        c["source"] = c["source"].fillna(src) if "source" in c else src
        bad = c["date"].isna() | ~np.isfinite(c["tenor_years"]) | ~np.isfinite(c["yield_pct"])
        bad |= ~c["curve_type"].isin(["par", "zero"])
        if bad.any():
            raise DataError(f"{int(bad.sum())} curve rows with a bad date, tenor, yield or curve_type", file=file)
        return {"curves": c}
    if kind == "bonds":
        b = _require(result.bonds, ["market", "id", "coupon_pct", "maturity"], "bond", file)
        b["maturity"] = _iso(b["maturity"])
        b["issue_date"] = _iso(b["issue_date"]) if "issue_date" in b else None
        b["coupon_pct"] = pd.to_numeric(b["coupon_pct"], errors="coerce")
        if b["maturity"].isna().any() or not np.isfinite(b["coupon_pct"]).all():
            raise DataError("bond rows with a bad maturity or coupon", file=file)
        if "name" not in b:
            b["name"] = b["id"]
        b["is_generic"] = 0
        b["source"] = src
        b["note"] = f"imported from {file}"
        return {"bonds": b}
    if kind == "series":
        s = _require(result.series, ["series_id", "date", "value"], "series", file)
        s["date"] = _iso(s["date"])
        s["value"] = pd.to_numeric(s["value"], errors="coerce")
        s = s[s["value"].notna()]
        if s["date"].isna().any():
            raise DataError("series rows with a bad date", file=file)
        s["source"] = src
        if _is_ecb(result):
            return {"series": s, **_ecb_frames(s, src, file)}
        return {"series": s}
    raise DataError(f"unknown import kind {kind!r} (expected bonds, curves or series)", file=file)


def _is_ecb(result: Any) -> bool:
    """An ECB reference-rate import (desktop.importers.ecb_fx): its series feed ``fx_history``."""
    from desktop.importers import ecb_fx

    return getattr(result, "source_name", None) == ecb_fx.SOURCE_NAME


def _ecb_frames(s: pd.DataFrame, src: str, file: str) -> dict[str, pd.DataFrame]:
    """``ecb_daily`` (ISO date index; per-EUR USD, JPY, GBP, AUD and the file ``line``) and the
    ``fx_history`` rows (the month-ends, :data:`FX_HISTORY_COLS` + ``line``) of normalised ECB series."""
    from desktop.importers import ecb_fx

    ids = {sid: c for c, sid in ecb_fx.SERIES_IDS.items()}
    e = s[s["series_id"].isin(list(ids))]
    if "line" not in e:
        e = e.assign(line=np.nan)
    daily = e.pivot(index="date", columns="series_id", values="value").rename(columns=ids)
    daily = daily.reindex(columns=list(ecb_fx.CURRENCIES)).sort_index()
    line_of = e.groupby("date")["line"].min()
    daily["line"] = line_of.reindex(daily.index)
    month = ecb_fx.month_end_rows(e[["series_id", "date", "value"]])
    if month.empty:
        raise DataError("no complete month with a USD rate in the file", file=file, field="Date",
                        expected=f"the ECB history with at least one month's last fixing (within "
                                 f"{ecb_fx.MONTH_END_DAYS} days of the month end); LadderDesk uses month-end FX")
    month["month"] = month["date"].str[:7]
    month["source"] = f"{src} ({file})"
    month["line"] = month["date"].map(line_of)
    return {"ecb_daily": daily, "fx_history": month}


def _line(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def _first(hits: list[tuple[float, int, Any]]) -> Any:
    """The payload of the hit with the smallest (line, column order): the first bad cell in file order."""
    return min(hits, key=lambda h: (math.inf if h[0] is None or math.isnan(h[0]) else h[0], h[1]))[2]


def _check_ecb(conn: sqlite3.Connection, frames: dict[str, pd.DataFrame], file: str, force: bool,
               replace: bool) -> list[str]:
    """The FX bounds of :mod:`desktop.store.bounds` on every daily ECB cross (USD per EUR and USD
    per JPY/GBP/AUD): the absolute range always; unless ``force`` a move beyond ×/÷ FX_BAND between
    fixings or from the workspace's rate nearest in date (curated FX and the month-end history,
    within FX_NEAR_DAYS). Then month-ends (and stored ECB fixings) that differ from what the
    workspace holds are refused unless ``replace``. DataError names the file's line and column;
    returns 'JPY 2024-01' labels of the months replaced (and stores each month's status)."""
    from desktop.store import bounds

    daily = frames["ecb_daily"]
    dates = daily.index.to_numpy(str)
    lines = daily["line"].to_numpy(float)
    usd = daily["USD"].to_numpy(float)
    lo, hi = bounds.FX_USD_PER_UNIT
    band = math.log(bounds.FX_BAND)
    crosses: dict[str, np.ndarray] = {"USD": usd}
    with np.errstate(divide="ignore", invalid="ignore"):
        for c in ("JPY", "GBP", "AUD"):
            crosses[c] = usd / daily[c].to_numpy(float)

    def per_eur(c: str, k: int) -> str:
        return _plain_rate(daily[c].iloc[k])

    def what(c: str, k: int) -> str:
        if c == "USD":
            return f"USD = {per_eur('USD', k)} per EUR on {dates[k]}"
        return (f"{c} = {per_eur(c, k)} per EUR on {dates[k]} ({crosses[c][k]:.6g} USD per {c} with USD = "
                f"{per_eur('USD', k)} per EUR)")

    unit = {c: "USD per EUR" if c == "USD" else f"USD per {c}" for c in crosses}
    hits = []
    for j, (c, x) in enumerate(crosses.items()):
        bad = np.isfinite(x) & ((x < lo) | (x > hi))
        for k in np.flatnonzero(bad)[:1]:
            hits.append((lines[k], j, (c, int(k))))
    if hits:
        c, k = _first(hits)
        raise DataError(f"{what(c, k)} is not a plausible exchange rate", file=file, line=_line(lines[k]), field=c,
                        expected=f"{unit[c]} between {lo:g} and {hi:g}")
    if not force:
        hits = []
        for j, (c, x) in enumerate(crosses.items()):
            ok = np.flatnonzero(np.isfinite(x))
            steps = np.diff(np.log(x[ok]))
            jump = np.abs(steps) > band
            consumed = -1
            for i in np.flatnonzero(jump):
                if i == consumed:
                    continue
                # one bad fixing jumps away and back: name it, not its neighbour; else the fixing after the jump
                back = i + 1 < len(steps) and jump[i + 1] and np.sign(steps[i + 1]) != np.sign(steps[i])
                after = int(ok[i + 2]) if back else None
                consumed = i + 1 if back else -1
                hits.append((lines[ok[i + 1]], j, (c, int(ok[i]), int(ok[i + 1]), after)))
        if hits:
            c, k0, k, after = _first(hits)
            back = f" and back to {per_eur(c, after)} on {dates[after]}" if after is not None else ""
            raise DataError(f"{c} jumps from {per_eur(c, k0)} per EUR on {dates[k0]} to {per_eur(c, k)} on {dates[k]}"
                            f"{back} ({crosses[c][k0]:.6g} to {crosses[c][k]:.6g} {unit[c]})", file=file,
                            line=_line(lines[k]), field=c,
                            expected=f"moves within ×/÷{bounds.FX_BAND:g} between fixings (or --force)")
    effective = _effective_fx_history(conn)
    if not force:
        curated = pd.read_sql_query("SELECT currency, as_of AS date, usd_per_unit FROM fx", conn)
        hits = []
        day = pd.to_datetime(pd.Series(dates)).to_numpy("datetime64[D]")
        for j, c in enumerate(("JPY", "GBP", "AUD"), start=1):
            known = pd.concat([curated[curated["currency"] == c], effective.loc[effective["currency"] == c,
                                                                                 ["date", "usd_per_unit"]]])
            known = known.assign(d=pd.to_datetime(known["date"], errors="coerce")).dropna(subset=["d", "usd_per_unit"])
            known = known[known["usd_per_unit"] > 0].sort_values("d")
            x = crosses[c]
            have = np.flatnonzero(np.isfinite(x))
            if known.empty or not len(have):
                continue
            kd = known["d"].to_numpy("datetime64[D]")
            ref_v = known["usd_per_unit"].to_numpy(float)
            d = day[have]
            idx = np.clip(np.searchsorted(kd, d), 0, len(kd) - 1)
            prev = np.clip(idx - 1, 0, len(kd) - 1)
            gap_n, gap_p = np.abs((kd[idx] - d).astype(int)), np.abs((kd[prev] - d).astype(int))
            near = np.where(gap_p <= gap_n, prev, idx)
            off = (np.minimum(gap_p, gap_n) <= bounds.FX_NEAR_DAYS) & (np.abs(np.log(x[have] / ref_v[near])) > band)
            for i in np.flatnonzero(off)[:1]:
                hits.append((lines[have[i]], j, (c, int(have[i]), float(ref_v[near[i]]), str(kd[near[i]]))))
        if hits:
            c, k, ref, ref_day = _first(hits)
            raise DataError(f"{what(c, k)} is {crosses[c][k] / ref:.3g}× the workspace's {c} rate of {ref_day} "
                            f"({ref:.6g} USD per {c})", file=file, line=_line(lines[k]), field=c,
                            expected=f"within ×/÷{bounds.FX_BAND:g} of the known rate; pass --force if the move is real")
    return _check_replaced_fx(conn, frames, effective, file, replace)


def _rel_differs(new: pd.Series, old: pd.Series) -> np.ndarray:
    n, o = new.to_numpy(float), old.to_numpy(float)
    with np.errstate(invalid="ignore"):
        return ~(np.abs(n - o) <= SAME_FX_REL * np.maximum(np.abs(o), np.abs(n)))


def _check_replaced_fx(conn: sqlite3.Connection, frames: dict[str, pd.DataFrame], effective: pd.DataFrame, file: str,
                       replace: bool) -> list[str]:
    """Month-ends (and stored daily ECB fixings) the import would change: refused unless ``replace``."""
    m = frames["fx_history"]
    both = m.merge(effective, on=["currency", "month"], how="left", suffixes=("", "_old"), indicator=True)
    had = (both["_merge"] == "both").to_numpy()
    differs = had & ((both["date"] != both["date_old"]).to_numpy() | _rel_differs(both["per_eur"], both["per_eur_old"])
                     | _rel_differs(both["usd_per_unit"], both["usd_per_unit_old"]))
    frames["fx_status"] = pd.DataFrame({"month": both["month"],
                                        "status": np.where(differs, "replaced", np.where(had, "same", "new"))})
    ids = list(frames["ecb_daily"].columns.drop("line"))
    stored = pd.read_sql_query("SELECT series_id, date, value AS old FROM series WHERE series_id IN "
                               f"({', '.join('?' * len(ids))})", conn, params=tuple(f"ECB_{c}" for c in ids))
    s = frames["series"]
    s = s[s["series_id"].isin(stored["series_id"].unique())].merge(stored, on=["series_id", "date"])
    changed_days = s[_rel_differs(s["value"], s["old"])] if len(s) else s
    if replace or (not differs.any() and changed_days.empty):
        return both.loc[differs, "currency"].add(" " + both.loc[differs, "month"]).tolist()
    expected = "new months or the same rates, or --replace to replace them (undo: ladderdesk import --undo)"
    if differs.any():
        rows = both[differs]
        order = {c: i for i, c in enumerate(("USD", "JPY", "GBP", "AUD"))}  # the file's column order
        r = rows.assign(col=rows["currency"].map(order)).sort_values(["line", "col"], kind="stable").iloc[0]
        more = f" (and {len(rows) - 1} more currency-months)" if len(rows) > 1 else ""
        where = "bundled" if r["origin"] == "bundled" else "stored"
        raise DataError(f"would replace the {where} {r['currency']} month-end rate of {r['month']} ({r['date_old']}: "
                        f"{_plain_rate(r['per_eur_old'])} per EUR, {r['usd_per_unit_old']:.6g} USD per unit) with a "
                        f"different one ({r['date']}: {_plain_rate(r['per_eur'])} per EUR, {r['usd_per_unit']:.6g} "
                        f"USD per unit){more}", file=file, line=_line(r["line"]), field=str(r["currency"]),
                        expected=expected)
    r = changed_days.sort_values("line", kind="stable").iloc[0]
    more = f" (and {len(changed_days) - 1} more fixings)" if len(changed_days) > 1 else ""
    raise DataError(f"would replace the stored {r['series_id']} fixing of {r['date']} ({_plain_rate(r['old'])} per EUR) "
                    f"with {_plain_rate(r['value'])}{more}", file=file, line=_line(r.get("line")),
                    field=str(r["series_id"]).removeprefix("ECB_"), expected=expected)


def _plain_rate(x: float) -> str:
    """A rate as written in a file (no exponent for ordinary values)."""
    return f"{float(x):,.10g}"


#: table → key columns of the rows an import writes (what ``import --undo`` deletes and restores)
UNDO_KEYS = {
    "curves": ["market", "date"], "bonds": ["market", "id"], "series": ["series_id", "date"],
    "short_rates": ["currency", "as_of"], "fx": ["currency", "as_of"],
    "fx_history": ["currency", "month"], "provenance": ["item"],
}


def _capture(conn: sqlite3.Connection, table: str, keys: pd.DataFrame) -> dict[str, Any]:
    """The stored rows of ``table`` under ``keys`` (before an import writes them) and the keys."""
    cols = UNDO_KEYS[table]
    keys = keys[cols].drop_duplicates()
    key_rows = _rows(keys, cols)
    old: list[list[Any]] = []
    names: list[str] = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    width = len(cols)
    for i in range(0, len(key_rows), 400):
        chunk = key_rows[i:i + 400]
        values = ", ".join([f"({', '.join('?' * width)})"] * len(chunk))
        cur = conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE ({', '.join(cols)}) IN (VALUES {values})",
                           [v for k in chunk for v in k])
        old += [list(r) for r in cur.fetchall()]
    return {"table": table, "keys": [list(k) for k in key_rows], "columns": names, "old": old}


def _undo_record(conn: sqlite3.Connection, frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    record = []
    if "curves" in frames:
        record.append(_capture(conn, "curves", frames["curves"]))
    if "bonds" in frames:
        record.append(_capture(conn, "bonds", frames["bonds"]))
    if "series" in frames:
        s = frames["series"]
        record.append(_capture(conn, "series", s))
        for sid, (ccy, _name) in SERIES_SHORT_RATES.items():
            rows = s[s["series_id"] == sid]
            if not rows.empty:
                record.append(_capture(conn, "short_rates", pd.DataFrame({"currency": ccy, "as_of": rows["date"]})))
        for sid, (ccy, _invert) in SERIES_FX.items():
            rows = s[(s["series_id"] == sid) & (s["value"] > 0)]
            if not rows.empty:
                record.append(_capture(conn, "fx", pd.DataFrame({"currency": ccy, "as_of": rows["date"]})))
    if "fx_history" in frames:
        record.append(_capture(conn, "fx_history", frames["fx_history"]))
        record.append(_capture(conn, "provenance", pd.DataFrame({"item": [FX_IMPORT_ITEM]})))
    return record


def undo_last(conn: sqlite3.Connection, at: str) -> dict[str, Any]:
    """Restore the data the latest not-yet-undone import replaced (inside a transaction); returns
    what was undone. DataError when there is nothing to undo."""
    undone = {json.loads(d or "{}").get("undone_seq") for (d,) in
              conn.execute("SELECT detail FROM import_log WHERE kind = 'undo'")}
    latest = None
    for seq_, kind_, file_, at_ in conn.execute(
            "SELECT seq, kind, source_file, at FROM import_log WHERE kind != 'undo' ORDER BY seq DESC"):
        if seq_ not in undone:
            latest = (seq_, kind_, file_, at_)
            break
    if latest is None:
        raise DataError("no import to undo in this workspace", field="--undo",
                        expected="an import made with this version of LadderDesk")
    row = conn.execute("SELECT payload FROM import_undo WHERE seq = ?", (latest[0],)).fetchone()
    if row is None:  # e.g. a prices import, or one made before schema 4: never skip it silently
        raise DataError(f"the latest import ({latest[1]} of {latest[2]}, {latest[3]}) has no undo record; "
                        "nothing was undone", field="--undo",
                        expected="bonds, curve and FRED imports made with this version of LadderDesk")
    seq, kind, source_file, when = latest
    payload = row[0]
    for part in reversed(json.loads(payload)):
        table, cols = part["table"], UNDO_KEYS[part["table"]]
        where = " AND ".join(f"{c} = ?" for c in cols)
        conn.executemany(f"DELETE FROM {table} WHERE {where}", [tuple(k) for k in part["keys"]])
        if part["old"]:
            names = part["columns"]
            conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             [tuple(r) for r in part["old"]])
    conn.execute("DELETE FROM import_undo WHERE seq = ?", (seq,))
    info = {"undone_seq": seq, "kind": kind, "source_file": source_file, "imported_at": when}
    conn.execute(
        "INSERT INTO import_log (at, kind, source_name, source_file, rows, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (at, "undo", f"undo of import {seq}", source_file, 0, json.dumps(info)))
    return info


def check_bounds(conn: sqlite3.Connection, result: Any, frames: dict[str, pd.DataFrame], *, as_of: Any,
                 force: bool = False, replace: bool = False) -> list[str]:
    """The sanity bounds of :mod:`desktop.store.bounds` on normalised frames (DataError on the first
    violation; curve dates without a usable curve are dropped from ``frames`` and listed in
    ``frames["left_out"]``); returns the labels of stored curves the import replaces (``replace=True``)."""
    from desktop.store import bounds

    file = str(getattr(result, "source_file", "?"))
    replaced: list[str] = []
    if "curves" in frames:
        frames["curves"], left_out = bounds.check_curves(frames["curves"], file)
        frames["left_out"] = pd.DataFrame({"curve": left_out})
        replaced = bounds.check_replaced_curves(conn, frames["curves"], file, replace)
    if "series" in frames:
        bounds.check_series(conn, frames["series"], file, force, SERIES_FX, SERIES_SHORT_RATES)
    if "fx_history" in frames:
        frames["fx_replaced"] = pd.DataFrame({"label": _check_ecb(conn, frames, file, force, replace)})
    if "bonds" in frames:
        bounds.check_bonds(frames["bonds"], file, as_of)
    return replaced


def write_import(conn: sqlite3.Connection, result: Any, frames: dict[str, pd.DataFrame], at: str) -> dict[str, Any]:
    """Write normalised frames + an import_log row (and its undo record); returns a JSON-able description."""
    undo = _undo_record(conn, frames)
    detail: dict[str, Any] = {"kind": result.kind, "source_name": result.source_name, "source_file": str(result.source_file)}
    if "left_out" in frames and len(frames["left_out"]):
        detail["curves_left_out"] = frames["left_out"]["curve"].tolist()
    if "curves" in frames:
        c = frames["curves"]
        keys = c[["market", "date"]].drop_duplicates()
        conn.executemany("DELETE FROM curves WHERE market = ? AND date = ?", _rows(keys, ["market", "date"]))
        detail["rows"] = _upsert(conn, "curves", c, CURVE_COLS)
        g = c.groupby("market")["date"]
        detail["curve_dates"] = {m: [str(lo), str(hi)] for m, lo, hi in zip(g.min().index, g.min(), g.max(), strict=True)}
        detail["curves"] = int(len(keys))
    if "bonds" in frames:
        from desktop.store.prices import keep_known_fields

        merged, held_changes = keep_known_fields(conn, frames["bonds"])  # never blank a stored field
        detail["rows"] = _upsert(conn, "bonds", merged, BOND_COLS)
        detail["held_changed"] = held_changes
        detail["markets"] = frames["bonds"]["market"].value_counts().sort_index().to_dict()
    if "series" in frames:
        s = frames["series"]
        detail["rows"] = _upsert(conn, "series", s, SERIES_COLS)
        g = s.groupby("series_id")["date"]
        detail["series"] = {k: [str(lo), str(hi)] for k, lo, hi in zip(g.min().index, g.min(), g.max(), strict=True)}
        detail["feeds"] = _feed_snapshot(conn, s, str(result.source_file))
    if "fx_history" in frames:
        detail["fx_history"] = _write_fx_history(conn, frames, at)
    cur = conn.execute(
        "INSERT INTO import_log (at, kind, source_name, source_file, rows, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (at, result.kind, result.source_name, str(result.source_file), detail.get("rows", 0), json.dumps(detail)),
    )
    conn.execute("INSERT INTO import_undo (seq, payload) VALUES (?, ?)", (cur.lastrowid, json.dumps(undo)))
    return detail


def _write_fx_history(conn: sqlite3.Connection, frames: dict[str, pd.DataFrame], at: str) -> dict[str, Any]:
    """Upsert the import's month-end FX, describe the workspace's imported months in provenance
    (:data:`FX_IMPORT_ITEM`); returns what was written."""
    m = frames["fx_history"]
    _upsert(conn, "fx_history", m, FX_HISTORY_COLS)
    spans = conn.execute("SELECT source, MIN(date), MAX(date), COUNT(DISTINCT month) FROM fx_history "
                         "GROUP BY source ORDER BY MIN(date)").fetchall()
    note = ("month-end (last ECB fixing of each month); USD per unit = (USD per EUR) / (currency per EUR), "
            "cross through EUR on the same fixing (14:15 CET); these months replace the bundled ones: "
            + "; ".join(f"{src}: {lo}..{hi} ({n} months)" for src, lo, hi, n in spans) + f"; last import {at}")
    _upsert(conn, "provenance", pd.DataFrame([{
        "item": FX_IMPORT_ITEM, "source": "ECB euro foreign exchange reference rates imported with ladderdesk import "
        "ecb-fx", "note": note, "label": "DERIVED"}]), PROV_COLS)
    st = frames.get("fx_status", pd.DataFrame({"month": [], "status": []}))
    # a month is 'replaced' if any currency's rate changed, 'new' if none was known, else 'same'
    rank = st.assign(r=st["status"].map({"same": 0, "new": 1, "replaced": 2})).groupby("month")["r"].max()
    status = rank.map({0: "same", 1: "new", 2: "replaced"})
    return {"first": str(m["date"].min()), "last": str(m["date"].max()), "months": int(m["month"].nunique()),
            "currencies": [c for c in ("USD", "JPY", "GBP", "AUD") if c in set(m["currency"])],
            "new": int((status == "new").sum()), "same": int((status == "same").sum()),
            "replaced": int((status == "replaced").sum())}


def _feed_snapshot(conn: sqlite3.Connection, s: pd.DataFrame, file: str) -> list[str]:
    """Copy FRED series the snapshot uses into short_rates / fx (dated rows; the as-of rule picks)."""
    fed = []
    for sid, (ccy, name) in SERIES_SHORT_RATES.items():
        rows = s[s["series_id"] == sid]
        if not rows.empty:
            df = pd.DataFrame({"currency": ccy, "as_of": rows["date"], "rate_pct": rows["value"],
                               "rate_name": name, "source": f"FRED {sid} ({file})"})
            _upsert(conn, "short_rates", df, SHORT_COLS)
            fed.append(f"short rate {ccy} <- {sid}")
    for sid, (ccy, invert) in SERIES_FX.items():
        rows = s[(s["series_id"] == sid) & (s["value"] > 0)]
        if not rows.empty:
            value = 1.0 / rows["value"] if invert else rows["value"]
            df = pd.DataFrame({"currency": ccy, "as_of": rows["date"], "usd_per_unit": value,
                               "source": f"FRED {sid} ({file})"})
            _upsert(conn, "fx", df, FX_COLS)
            fed.append(f"fx {ccy} <- {sid}")
    return fed


def summary(ws: Workspace) -> dict[str, Any]:
    """JSON-able overview for ``ladderdesk data``."""
    conn = ws.conn
    snap = ws.load_snapshot()
    curves: dict[str, Any] = {}
    for market, n_dates, first, last in conn.execute(
        "SELECT market, COUNT(DISTINCT date), MIN(date), MAX(date) FROM curves GROUP BY market ORDER BY market"
    ):
        used = snap.curves.get(market)
        curves[market] = {
            "date_used": snap.curve_dates[market].isoformat() if market in snap.curve_dates else None,
            "latest_date": last,
            "first_date": first,
            "dates": n_dates,
            "tenors": int(len(used.tenors)) if used else 0,
            "curve_type": used.curve_type if used else None,
            "source": used.source if used else None,
        }

    def count(table: str) -> int:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    bonds = dict(conn.execute("SELECT market, COUNT(*) FROM bonds GROUP BY market ORDER BY market").fetchall())
    series = {
        sid: {"rows": n, "first": lo, "last": hi}
        for sid, n, lo, hi in conn.execute(
            "SELECT series_id, COUNT(*), MIN(date), MAX(date) FROM series GROUP BY series_id ORDER BY series_id"
        )
    }
    imports = [
        {"at": at, "kind": k, "source_name": n, "source_file": f, "rows": r}
        for at, k, n, f, r in conn.execute(
            "SELECT at, kind, source_name, source_file, rows FROM import_log ORDER BY seq DESC LIMIT 5"
        )
    ]
    return {
        "workspace": str(ws.path),
        "schema_version": ws.schema_version,
        "as_of": ws.as_of.isoformat(),
        "curves": curves,
        "bonds": bonds,
        "short_rates_pct": {k: {"rate_pct": v, "source": snap.short_rate_sources.get(k, "")}
                            for k, v in snap.short_rates_pct.items()},
        "fx_usd_per_unit": snap.fx_usd_per_unit,
        "fx_dates": {k: d.isoformat() for k, d in sorted(snap.fx_dates.items())},
        "fx_history": _fx_history_summary(ws),
        "history_rows": count("history"),
        "series": series,
        "provenance_items": count("provenance"),
        "portfolios": count("portfolios"),
        "scenarios": count("scenarios"),
        "presets": count("presets"),
        "recent_imports": imports,
    }


def _fx_history_summary(ws: Workspace) -> dict[str, Any]:
    """Per currency: the month-end FX history the app uses (first, last, months) and how many of
    those months the workspace imported (with their sources)."""
    fxh = ws.tables().fx_history
    out: dict[str, Any] = {}
    for ccy, g in fxh.groupby("currency", sort=True):
        imported = g[g["source"] != BUNDLED_FX_SOURCE]
        out[str(ccy)] = {"first": str(g["date"].min()), "last": str(g["date"].max()), "months": int(len(g)),
                         "imported_months": int(len(imported)),
                         "imported_sources": sorted(map(str, imported["source"].unique()))}
    return out
