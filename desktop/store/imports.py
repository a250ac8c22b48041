"""Market-data tables of the workspace: seed, import, read back, summarise.

All writers here expect to run inside :func:`desktop.store.schema.transaction`; they never commit.
Dates are stored as ISO ``YYYY-MM-DD`` text; yields/rates in percent; FX as USD per unit.
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
        quotes=read_quotes(conn),
    )


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
        return {"series": s}
    raise DataError(f"unknown import kind {kind!r} (expected bonds, curves or series)", file=file)


#: table → key columns of the rows an import writes (what ``import --undo`` deletes and restores)
UNDO_KEYS = {
    "curves": ["market", "date"], "bonds": ["market", "id"], "series": ["series_id", "date"],
    "short_rates": ["currency", "as_of"], "fx": ["currency", "as_of"],
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
    cur = conn.execute(
        "INSERT INTO import_log (at, kind, source_name, source_file, rows, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (at, result.kind, result.source_name, str(result.source_file), detail.get("rows", 0), json.dumps(detail)),
    )
    conn.execute("INSERT INTO import_undo (seq, payload) VALUES (?, ?)", (cur.lastrowid, json.dumps(undo)))
    return detail


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
        "history_rows": count("history"),
        "series": series,
        "provenance_items": count("provenance"),
        "portfolios": count("portfolios"),
        "scenarios": count("scenarios"),
        "presets": count("presets"),
        "recent_imports": imports,
    }
