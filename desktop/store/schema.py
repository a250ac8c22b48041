"""Workspace schema: ordered migrations keyed by ``PRAGMA user_version``.

Each migration runs inside one ``BEGIN IMMEDIATE`` transaction together with the bump of
``user_version``, so a workspace is always at exactly one schema version, even if the process is
killed mid-migration. Migrations are append-only: never edit a released one, add the next.

Version history:

1. core tables — meta, bonds, curves, short_rates, fx, history, series, provenance, import_log,
   portfolios (+ portfolio_holdings child table), scenarios, presets.
2. policy_rates table (central-bank rates, % p.a.), filled from the bundled snapshot.
3. quotes table (bond prices by date: :mod:`desktop.store.prices`).
4. import_undo table: per import (``import_log.seq``) the rows it replaced and the keys it wrote,
   so ``ladderdesk import --undo`` restores the previous data exactly.
5. fx_history table: month-end FX imported with ``ladderdesk import ecb-fx`` (one row per currency
   and month, USD per unit crossed through EUR, with its source); the snapshot reads these months
   in place of the bundled ``resources/fx_history.csv`` ones (:func:`desktop.store.imports.merge_fx_history`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from desktop.store import faults

APP_ID = "LadderDesk"


def _db_path(conn: sqlite3.Connection) -> Path | None:
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def _begin_immediate(conn: sqlite3.Connection, path: Path | None) -> None:
    """``BEGIN IMMEDIATE``, waiting up to :data:`faults.LOCK_WAIT_S` for another writer with a
    countdown naming it (via :func:`faults.report_wait`), then :class:`faults.WorkspaceLockedError`."""
    busy = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    wait_s = faults.LOCK_WAIT_S
    start = time.monotonic()
    shown = -1
    conn.execute("PRAGMA busy_timeout = 250")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not faults.is_locked(exc):
                    raise
            left = wait_s - (time.monotonic() - start)
            if left <= 0:
                raise faults.locked_error(path or Path("?"), wait_s) from None
            if path is not None and int(left) != shown:
                shown = int(left)
                faults.report_wait(f"ladderdesk: workspace {path.name} is in use by {faults.describe_holder(path)};"
                                   f" waiting {left:.0f} s…")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` on any error).

    The connection must be in autocommit mode (``isolation_level=None``) so that nothing else
    opens or commits transactions behind our back. Waiting for another writer is bounded (see
    :func:`_begin_immediate`); while the lock is held, ``W-holder`` names this process. A full disk
    or a read-only file becomes :class:`faults.DiskFullError` / :class:`faults.WorkspaceReadOnlyError`
    (the transaction rolled back: nothing written).
    """
    path = _db_path(conn)
    try:
        _begin_immediate(conn, path)
    except sqlite3.Error as exc:
        raise (faults.translate(exc, path) if path else None) or exc from None
    holder = faults.write_holder(path) if path is not None else None
    try:
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (e.g. after SQLITE_FULL)
            if isinstance(exc, sqlite3.Error) and path is not None:
                translated = faults.translate(exc, path)
                if translated is not None:
                    raise translated from None
            raise
    finally:
        faults.clear_holder(holder)


def _table(db: sqlite_utils.Database, name: str, columns: dict, pk: str | tuple[str, ...]) -> str:
    return db.create_table_sql(name, columns, pk=pk)


def _migration_1(db: sqlite_utils.Database) -> None:
    """Core tables."""
    s, f, i = str, float, int
    ddl = [
        _table(db, "meta", {"key": s, "value": s}, "key"),
        _table(
            db,
            "bonds",
            {
                "market": s, "id": s, "name": s, "coupon_pct": f, "maturity": s, "issue_date": s,
                "is_generic": i, "source": s, "note": s, "clean_price": f, "yield_pct": f,
            },
            ("market", "id"),
        ),
        _table(
            db,
            "curves",
            {"market": s, "date": s, "tenor_years": f, "yield_pct": f, "curve_type": s, "source": s},
            ("market", "date", "tenor_years"),
        ),
        _table(
            db,
            "short_rates",
            {"currency": s, "as_of": s, "rate_pct": f, "rate_name": s, "source": s},
            ("currency", "as_of"),
        ),
        _table(db, "fx", {"currency": s, "as_of": s, "usd_per_unit": f, "source": s}, ("currency", "as_of")),
        _table(
            db,
            "history",
            {"market": s, "date": s, "tenor_years": f, "yield_pct": f, "source": s},
            ("market", "date", "tenor_years"),
        ),
        _table(db, "series", {"series_id": s, "date": s, "value": f, "source": s}, ("series_id", "date")),
        _table(db, "provenance", {"item": s, "source": s, "note": s, "label": s}, "item"),
        _table(
            db,
            "import_log",
            {"seq": i, "at": s, "kind": s, "source_name": s, "source_file": s, "rows": i, "detail": s},
            "seq",
        ),
        _table(
            db,
            "portfolios",
            {"name": s, "created": s, "updated": s, "run_card": s},
            "name",
        ),
        _table(
            db,
            "portfolio_holdings",
            {"portfolio": s, "position": i, "id": s, "market": s, "face": f},
            ("portfolio", "position"),
        ),
        _table(db, "scenarios", {"name": s, "created": s, "updated": s, "payload": s}, "name"),
        _table(db, "presets", {"name": s, "created": s, "updated": s, "payload": s}, "name"),
    ]
    for sql in ddl:
        db.conn.execute(sql)


def _migration_2(db: sqlite_utils.Database) -> None:
    """policy_rates table, filled from the bundled snapshot (INSERT OR IGNORE keeps user edits)."""
    s, f = str, float
    db.conn.execute(
        _table(
            db,
            "policy_rates",
            {
                "market": s, "currency": s, "rate_name": s, "effective_from": s, "rate_pct": f,
                "range_pct": s, "source": s, "note": s,
            },
            ("market", "effective_from"),
        )
    )
    from desktop.errors import LadderDeskError
    from desktop.snapshot import read_bundled_tables

    try:
        pr = read_bundled_tables().policy_rates
    except LadderDeskError:  # bundled resources missing: leave the table empty rather than fail
        return
    if not pr.empty:
        cols = ["market", "currency", "rate_name", "effective_from", "rate_pct", "range_pct", "source", "note"]
        rows = pr.reindex(columns=cols).astype(object).where(pr.reindex(columns=cols).notna(), None)
        db.conn.executemany(
            f"INSERT OR IGNORE INTO policy_rates ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            rows.itertuples(index=False, name=None),
        )


def _migration_3(db: sqlite_utils.Database) -> None:
    """quotes table (desktop.store.prices)."""
    from desktop.store.prices import migration_3

    migration_3(db)


def _migration_4(db: sqlite_utils.Database) -> None:
    """import_undo: what each import replaced (old rows and the keys it wrote), for ``import --undo``."""
    db.conn.execute(_table(db, "import_undo", {"seq": int, "payload": str}, "seq"))


def _migration_5(db: sqlite_utils.Database) -> None:
    """fx_history: imported ECB month-end FX by (currency, month 'YYYY-MM'); empty until an import."""
    s, f = str, float
    db.conn.execute(_table(db, "fx_history", {"currency": s, "month": s, "date": s, "per_eur": f, "usd_per_unit": f,
                                              "source": s}, ("currency", "month")))


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_migration_1, _migration_2, _migration_3,
                                                                   _migration_4, _migration_5)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file header (0 for a brand-new database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, target: int = SCHEMA_VERSION) -> list[int]:
    """Run the migrations above the file's version up to ``target``; returns those applied.

    Each migration and its ``user_version`` bump commit together or not at all.
    """
    applied = []
    for version in range(user_version(db.conn) + 1, target + 1):
        with transaction(db.conn):
            MIGRATIONS[version - 1](db)
            db.conn.execute(f"PRAGMA user_version = {version}")
        applied.append(version)
    return applied
