"""Bond quotes in the workspace: the ``quotes`` table (schema migration 3) and the price import.

``quotes``: one row per (market, id, price_date): ``clean_price`` (per 100 face) or ``yield_pct``
(%, the market's convention), ``source`` (the file's publisher and name), ``imported`` (UTC time).
``id`` is the app's id (the importer resolves ISIN / CUSIP / line code to it against the
workspace's bonds). Every date is kept; the universe uses the latest on or before the valuation
date (:func:`desktop.universe.build_universe`).

A price import (:func:`apply_price_import`) writes, in one transaction: the quotes, the static data
of bonds the file brings that the workspace does not know (inserted, never replacing a known bond's
fields), and an ``import_log`` row. It never touches a portfolio.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import numpy as np
import pandas as pd

QUOTE_TABLE = "quotes"
QUOTE_COLS = ["market", "id", "price_date", "clean_price", "yield_pct", "source", "imported"]


def migration_3(db: Any) -> None:
    """The ``quotes`` table (module docstring)."""
    s, f = str, float
    db.conn.execute(db.create_table_sql(
        QUOTE_TABLE,
        {"market": s, "id": s, "price_date": s, "clean_price": f, "yield_pct": f, "source": s, "imported": s},
        pk=("market", "id", "price_date"),
    ))


def has_quotes_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (QUOTE_TABLE,)).fetchone()
    return row is not None


def read_quotes(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every stored quote (:data:`QUOTE_COLS`; empty, with the columns, before migration 3)."""
    if not has_quotes_table(conn):
        return pd.DataFrame(columns=QUOTE_COLS)
    return pd.read_sql_query(f"SELECT {', '.join(QUOTE_COLS)} FROM {QUOTE_TABLE} ORDER BY market, id, price_date",
                             conn)


def write_quotes(conn: sqlite3.Connection, quotes: pd.DataFrame, imported: str) -> int:
    """Upsert ``quotes`` (market, id, price_date ISO, clean_price, yield_pct, source); inside a transaction."""
    from desktop.store.imports import _rows

    q = quotes.assign(imported=imported, price_date=pd.to_datetime(quotes["price_date"]).dt.strftime("%Y-%m-%d"))
    rows = _rows(q, QUOTE_COLS)
    conn.executemany(f"INSERT OR REPLACE INTO {QUOTE_TABLE} ({', '.join(QUOTE_COLS)}) "
                     f"VALUES ({', '.join('?' * len(QUOTE_COLS))})", rows)
    return len(rows)


def insert_new_bonds(conn: sqlite3.Connection, bonds: pd.DataFrame) -> list[str]:
    """Insert bonds (BOND_COLS) the workspace does not hold; a known (market, id) is left exactly as it
    is. Returns the ids inserted."""
    from desktop.store.imports import BOND_COLS, _rows

    if bonds is None or bonds.empty:
        return []
    known = {(m, i) for m, i in conn.execute("SELECT market, id FROM bonds")}
    new = bonds[[(m, i) not in known for m, i in zip(bonds["market"], bonds["id"], strict=True)]]
    if new.empty:
        return []
    rows = _rows(new, BOND_COLS)
    conn.executemany(f"INSERT INTO bonds ({', '.join(BOND_COLS)}) VALUES ({', '.join('?' * len(BOND_COLS))})", rows)
    return [str(i) for i in new["id"]]


def apply_price_import(conn: sqlite3.Connection, quotes: pd.DataFrame, new_bonds: pd.DataFrame | None,
                       source_name: str, source_file: str, at: str, extra: dict[str, Any] | None = None
                       ) -> dict[str, Any]:
    """Write a price import in one transaction (module docstring); returns what was written."""
    from desktop.store.schema import transaction

    with transaction(conn):
        added = insert_new_bonds(conn, new_bonds)
        n = write_quotes(conn, quotes, at)
        dates = pd.to_datetime(quotes["price_date"])
        detail: dict[str, Any] = {
            "kind": "prices", "source_name": source_name, "source_file": source_file, "rows": n,
            "bonds_added": added, "price_dates": [f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"] if n else [],
            "markets": quotes["market"].value_counts().sort_index().to_dict(), **(extra or {}),
        }
        conn.execute("INSERT INTO import_log (at, kind, source_name, source_file, rows, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     (at, "prices", source_name, source_file, n, json.dumps(detail, default=str)))
    return detail


def import_prices(ws: Any, parsed: Any) -> dict[str, Any]:
    """Resolve a parsed price file (:class:`desktop.importers.prices.PriceFile`) against the
    workspace ``ws`` (:class:`desktop.store.Workspace`) and write it (:func:`apply_price_import`).
    Bonds the file brings are added only if quoted and unknown; known bonds are never modified."""
    from desktop.importers.prices import resolve
    from desktop.store.workspace import now_iso

    ws = getattr(ws, "store", ws)  # a WorkspaceService (the window's) or the store itself (the CLI's)
    bonds = pd.read_sql_query("SELECT market, id, name FROM bonds", ws.conn)
    quotes, skipped = resolve(parsed, bonds, ws.as_of)
    new = None
    if parsed.bonds is not None:
        known = set(zip(bonds["market"], bonds["id"], strict=True))
        quoted = set(zip(quotes["market"], quotes["id"], strict=True))
        keep = [(m, i) in quoted and (m, i) not in known for m, i in zip(parsed.bonds["market"], parsed.bonds["id"],
                                                                          strict=True)]
        new = parsed.bonds[keep]
    detail = apply_price_import(ws.conn, quotes, new, parsed.source_name, str(parsed.source_file), now_iso(),
                                {"skipped": skipped, "layout": parsed.layout})
    as_of = ws.as_of
    dates = pd.to_datetime(quotes["price_date"])
    detail["as_of"] = as_of.isoformat()
    detail["after_as_of"] = int((dates > pd.Timestamp(as_of)).sum())
    return detail


STATIC_FIELDS = ("name", "coupon_pct", "maturity", "issue_date")


def keep_known_fields(conn: sqlite3.Connection, bonds: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A bonds import merged with what the workspace holds: a field the file leaves blank keeps its
    stored value (a file never blanks a field it lacks; an id without a name keeps the official
    name). Returns the merged rows and, for bonds held in a saved portfolio whose static data the
    file changes, one line each: "UK GB00… in 'Book': maturity 2030-01-31 → 2030-02-28"."""
    if bonds.empty:
        return bonds, []
    stored = pd.read_sql_query("SELECT * FROM bonds", conn).set_index(["market", "id"])
    out = bonds.copy()
    key = list(zip(out["market"], out["id"], strict=True))
    known = np.array([k in stored.index for k in key], bool)
    changes: list[str] = []
    held = pd.read_sql_query("SELECT DISTINCT portfolio, market, id FROM portfolio_holdings", conn)
    where = held.groupby(["market", "id"])["portfolio"].agg(lambda p: ", ".join(repr(x) for x in sorted(p)))
    for col in [c for c in stored.columns if c in out.columns and c not in ("source", "note", "is_generic")]:
        old = pd.Series([stored.at[k, col] if ok else None for k, ok in zip(key, known, strict=True)], index=out.index)
        new = out[col]
        blank = new.isna() | (new.astype(str).str.strip() == "")
        if col == "name":  # an importer names an unnamed bond by its id: keep the stored name
            blank |= known & (new.astype(str) == out["id"].astype(str))
        out[col] = new.where(~(blank & old.notna()), old)
        if col in STATIC_FIELDS:
            for i, k in enumerate(key):
                a, b = old.iat[i], out[col].iat[i]
                if known[i] and k in where.index and pd.notna(a) and str(a) != str(b) and not _same_number(a, b):
                    changes.append(f"{k[0]} {k[1]} in {where[k]}: {col} {a} → {b}")
    return out, changes


def _same_number(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-12
    except (TypeError, ValueError):
        return False


TYPED_SOURCE = "typed by the PM"


def put_quote(ws: Any, market: str, bond_id: str, *, price_date: Any, clean_price: float | None = None,
              yield_pct: float | None = None) -> dict[str, Any]:
    """One quote typed by the PM (holdings table): exactly one of ``clean_price`` (0 < p < 1000) or
    ``yield_pct`` (−5 < y < 50) for a bond the workspace holds, dated ``price_date`` (the valuation date
    as a rule); ``clean_price=yield_pct=None`` deletes that date's typed quote (undo). Returns the
    import detail. DataError naming the field for a bad value or an unknown bond."""
    from desktop.errors import DataError
    from desktop.store.schema import transaction
    from desktop.store.workspace import now_iso

    ws = getattr(ws, "store", ws)
    day = pd.Timestamp(price_date).strftime("%Y-%m-%d")
    if ws.conn.execute("SELECT 1 FROM bonds WHERE market = ? AND id = ?", (market, bond_id)).fetchone() is None:
        raise DataError(f"bond {market} {bond_id} is not in the workspace", field="id", expected="a bond of the universe")
    if clean_price is None and yield_pct is None:
        with transaction(ws.conn):
            ws.conn.execute(f"DELETE FROM {QUOTE_TABLE} WHERE market = ? AND id = ? AND price_date = ? AND source = ?",
                            (market, bond_id, day, TYPED_SOURCE))
        return {"kind": "prices", "rows": 0, "deleted": 1}
    if (clean_price is None) == (yield_pct is None):
        raise DataError("give a clean price or a yield, not both", field="clean_price", expected="one of the two")
    if clean_price is not None and not (0 < float(clean_price) < 1000):
        raise DataError(f"clean price {clean_price:g} is out of range", field="clean_price", expected="0 < price < 1000")
    if yield_pct is not None and not (-5 < float(yield_pct) < 50):
        raise DataError(f"yield {yield_pct:g} % is out of range", field="yield_pct", expected="-5 < yield < 50 %")
    q = pd.DataFrame({"market": [market], "id": [bond_id], "price_date": [day], "clean_price": [clean_price],
                      "yield_pct": [yield_pct], "source": [TYPED_SOURCE]})
    return apply_price_import(ws.conn, q, None, TYPED_SOURCE, "holdings table", now_iso())
