"""The workspace: one SQLite file (sqlite-utils, WAL) holding market data and the user's work.

Opening (:meth:`Workspace.open`):

* ``path`` defaults to ``$LADDERDESK_DATA_DIR/workspace.sqlite``, else
  ``platformdirs.user_data_dir("LadderDesk")/workspace.sqlite``.
* A missing file is created (``create=True``) from the bundled snapshot: it is built in a temp
  file beside the target and published with ``os.link`` (``os.replace`` where links are not
  supported) — a half-made workspace never appears under the real name, and two first starts
  racing share one file instead of one silently replacing the other.
* An existing file is checked **read-only first**: not SQLite, corrupt, SQLite without our
  ``meta`` table, or a newer schema → :class:`WorkspaceError` and the file is left byte-for-byte
  untouched. Only then is WAL enabled and any pending migration run.

Writes: every write is one ``BEGIN IMMEDIATE`` transaction (all-or-nothing).

As-of rule: ``meta.as_of`` is the valuation date (2025-12-31 when seeded). Imports add data but
never move it; :meth:`Workspace.set_as_of` moves it explicitly. The snapshot then uses, per
market, the latest curve dated ≤ as_of (see :mod:`desktop.snapshot`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import sqlite_utils

from desktop.errors import LadderDeskError, WorkspaceError
from desktop.snapshot import (
    BUNDLED_AS_OF,
    MarketSnapshot,
    SnapshotTables,
    read_bundled_tables,
    snapshot_from_tables,
)
from desktop.store import faults, imports
from desktop.store.named import NamedItemsMixin
from desktop.store.schema import APP_ID, SCHEMA_VERSION, migrate, transaction, user_version

FILE_NAME = "workspace.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"
CREATE_BYTES = 3_000_000  # a new workspace (~0.7 MB) + its temp copy and write-ahead log while built
FRESH_HINT = "start a fresh workspace with --workspace NEW.sqlite (the file was not modified)"


def default_workspace_path() -> Path:
    """``$LADDERDESK_DATA_DIR/workspace.sqlite`` or the platform's user data dir for LadderDesk."""
    env = os.environ.get("LADDERDESK_DATA_DIR")
    base = Path(env) if env else Path(platformdirs.user_data_dir("LadderDesk", appauthor=False))
    return base / FILE_NAME


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _check_existing(path: Path) -> None:
    """Raise WorkspaceError unless ``path`` is a LadderDesk workspace we can open; never writes it.

    A read-only SQLite connection to a WAL-mode file may create empty ``-wal``/``-shm`` sidecars;
    on refusal those we created are removed again, so the folder looks as it did (never attempted
    where the folder cannot be written).
    """
    sidecars = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    existed = {p: p.exists() for p in sidecars}
    try:
        _validate(path)
    except WorkspaceError:
        if not faults.why_read_only(path):
            for p, was in existed.items():
                if not was:
                    with contextlib.suppress(OSError):
                        p.unlink(missing_ok=True)
        raise


def read_only_uri(path: Path) -> str:
    """SQLite URI opening ``path`` read-only: ``mode=ro``, plus ``immutable=1`` where the file,
    folder or file system cannot be written and no write-ahead log is pending (nobody can be
    writing it, and SQLite then needs no ``-shm`` file: none is created beside it)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    folder_ro = (faults.read_only_mount(path) or not os.access(path.parent, os.W_OK | os.X_OK)
                 or not os.access(path, os.W_OK))
    try:
        wal_pending = wal.stat().st_size > 0
    except OSError:
        wal_pending = False
    if folder_ro and not wal_pending and not shm.exists():
        uri += "&immutable=1"
    return uri


def _validate(path: Path) -> None:
    """Header check, then our meta table / schema version / quick_check through a read-only connection.

    If SQLite needs write access just to read (a hot rollback journal or a WAL to recover after a
    crash: ``SQLITE_READONLY_*``), the same read-only queries are repeated on a normal connection
    so SQLite can finish its own crash recovery first. Where the file cannot be written, a failure
    to open is reported as read-only (with what to do), never as damage.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        if faults.is_read_only(exc):
            raise WorkspaceError(f"cannot read workspace {path}: {exc.strerror} (check the file's "
                                 "permissions; the file was not modified)") from None
        raise WorkspaceError(f"cannot read workspace {path}: {exc.strerror}; {FRESH_HINT}") from None
    if head != SQLITE_MAGIC:
        raise WorkspaceError(f"{path} is not a LadderDesk workspace (not an SQLite file); {FRESH_HINT}")
    read_only = faults.why_read_only(path)
    try:
        _inspect(path, sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None))
    except sqlite3.OperationalError as exc:
        if read_only and not str(exc).startswith("file is not a database"):
            raise WorkspaceError(
                f"workspace {path} cannot be opened where it is ({read_only}; {exc}). Copy it to a writable "
                f"folder and use --workspace COPY.sqlite (the file was not modified)") from None
        fault = faults.translate(exc, path, "reading the workspace")
        if isinstance(fault, faults.DiskFullError | faults.WorkspaceLockedError):
            raise fault from None
        if not str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY"):
            raise WorkspaceError(f"{path} is damaged or not a workspace ({exc}); {FRESH_HINT}") from None
        try:
            _inspect(path, sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None))
        except sqlite3.Error as exc2:
            raise WorkspaceError(f"{path} is damaged or not a workspace ({exc2}); {FRESH_HINT}") from None
    except sqlite3.Error as exc:
        raise WorkspaceError(f"{path} is damaged or not a workspace ({exc}); {FRESH_HINT}") from None


def _inspect(path: Path, conn: sqlite3.Connection) -> None:
    """Read-only checks on an open connection (closed afterwards); WorkspaceError when not ours."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        app = conn.execute("SELECT value FROM meta WHERE key='app'").fetchone() if "meta" in tables else None
        if not app or app[0] != APP_ID:
            raise WorkspaceError(f"{path} is an SQLite file but not a LadderDesk workspace; {FRESH_HINT}")
        version = user_version(conn)
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{path} was written by a newer LadderDesk (schema {version}, this version reads up to "
                f"{SCHEMA_VERSION}); upgrade LadderDesk or {FRESH_HINT}"
            )
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise WorkspaceError(f"{path} is damaged ({check}); {FRESH_HINT}")
    finally:
        conn.close()


STALE_TEMP_S = 600.0  # a first start's temp file older than this was left by a killed process


def _remove_stale_temps(path: Path) -> None:
    """Delete the half-built ``.<name>.*.tmp`` files (and their -wal/-shm) a killed first start left
    beside ``path``; recent ones may belong to another process starting right now and are kept."""
    cutoff = time.time() - STALE_TEMP_S
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                for part in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                    part.unlink(missing_ok=True)
        except OSError:
            continue  # gone already, or not ours to delete: never fatal


def _create(path: Path) -> None:
    """Build a new workspace seeded from the bundled snapshot and move it to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = _connect(tmp)
        try:
            db = sqlite_utils.Database(conn)
            db.enable_wal()  # persistent in the header: opening the published file never has to write
            migrate(db)
            with transaction(conn):
                imports.write_tables(conn, read_bundled_tables())
                imports.set_meta(conn, {"app": APP_ID, "as_of": BUNDLED_AS_OF.isoformat(), "created": now_iso(),
                                        "seeded_from": "bundled resources (as of 2025-12-31)"})
        finally:
            conn.close()
        _publish(tmp, path)
    finally:
        for part in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}{faults.HOLDER_SUFFIX}")):
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)


def _publish(tmp: Path, path: Path) -> None:
    """Move the finished workspace into place without clobbering one another process just made.

    ``os.link`` fails if ``path`` exists, so two first starts racing end up sharing one file; where
    hard links are unsupported, fall back to ``os.replace`` (atomic, last one wins).
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    except OSError:
        if not path.exists():
            os.replace(tmp, path)


class Workspace(NamedItemsMixin):
    """An open workspace file. Use :meth:`open`; close with :meth:`close` or a ``with`` block."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, create: bool = True,
             readonly: bool = False) -> Workspace:
        """Open (or create from the bundled snapshot) the workspace at ``path`` (see module doc).

        ``readonly``: open with SQLite's ``mode=ro`` (read commands): works on a read-only file,
        folder or mount and never writes the file. Otherwise a workspace that cannot be written is
        refused up front with :class:`~desktop.store.faults.WorkspaceReadOnlyError`. A full disk at
        creation is :class:`~desktop.store.faults.DiskFullError` (nothing left behind).
        """
        target = Path(path) if path is not None else default_workspace_path()
        if target.is_dir():
            raise WorkspaceError(f"{target} is a folder; give a workspace file, e.g. {target / FILE_NAME}")
        if not target.exists():
            if not create:
                raise WorkspaceError(f"no workspace at {target}")
            why = faults.why_read_only(target)
            if why:
                raise faults.read_only_error(target, why, "a new workspace cannot be created there")
            try:
                _create(target)
            except (OSError, sqlite3.Error, faults.DiskFullError) as exc:
                err = faults.translate(exc, target, "creating the workspace")
                if isinstance(err, faults.DiskFullError):
                    raise faults.disk_full_error(target, CREATE_BYTES, "creating the workspace") from None
                if err is not None:
                    raise err from None
                raise WorkspaceError(f"cannot create workspace {target}: {getattr(exc, 'strerror', None) or exc}") from None
        else:
            _check_existing(target)
        if readonly:
            return cls._open_read_only(target)
        why = faults.why_read_only(target)
        if why:
            raise faults.read_only_error(target, why)
        conn = _connect(target)
        try:
            db = sqlite_utils.Database(conn)
            if db.journal_mode != "wal":
                db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(db)
        except (sqlite3.Error, WorkspaceError) as exc:
            conn.close()
            if isinstance(exc, WorkspaceError):
                raise
            raise faults.translate(exc, target, "opening the workspace") or WorkspaceError(
                f"cannot open workspace {target}: {exc}") from None
        return cls(target, conn)

    @classmethod
    def _open_read_only(cls, target: Path) -> Workspace:
        """A connection that cannot write: SQLite ``mode=ro`` where the workspace cannot be written
        (read-only file, folder or mount; sidecars are never created or removed there); elsewhere a
        normal connection with ``PRAGMA query_only`` (SQLite refuses every write statement), so
        SQLite can still tidy its -wal/-shm files when it closes. A pending schema migration is
        run first where the file is writable."""
        location_ro = faults.why_read_only(target) is not None
        if location_ro:
            conn = sqlite3.connect(read_only_uri(target), uri=True, isolation_level=None, timeout=10.0)
        else:
            conn = _connect(target)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA query_only = ON")
            version = user_version(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise faults.translate(exc, target, "reading the workspace") or WorkspaceError(
                f"cannot open workspace {target}: {exc}") from None
        if version < SCHEMA_VERSION:
            conn.close()
            why = faults.why_read_only(target)
            if why:
                raise faults.read_only_error(target, why, f"it must be upgraded to schema {SCHEMA_VERSION} "
                                             "before this version can read it, which writes the file")
            cls.open(target).close()  # migrate once with write access
            return cls._open_read_only(target)
        return cls(target, conn)

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL into the main file)."""
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta / as-of ----------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """``PRAGMA user_version`` of the file."""
        return user_version(self.conn)

    def meta(self) -> dict[str, str]:
        """All meta key/values."""
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    @property
    def as_of(self) -> date:
        """Valuation date of the workspace (never moved by an import)."""
        value = self.meta().get("as_of")
        if not value:
            return BUNDLED_AS_OF
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            parsed = None
        if parsed is None or not date(1950, 1, 1) <= parsed <= date(2199, 12, 31):
            raise WorkspaceError(f"workspace {self.path}: its valuation date (meta as_of) is damaged ({str(value)[:40]!r});"
                                 " set it again with: ladderdesk data --set-as-of YYYY-MM-DD (nothing was written)")
        return parsed

    def set_as_of(self, as_of: date) -> None:
        """Move the valuation date; at least one market must have a curve on or before it."""
        row = self.conn.execute("SELECT MIN(date) FROM curves").fetchone()
        if row[0] is None or date.fromisoformat(row[0]) > as_of:
            raise WorkspaceError(f"no curve on or before {as_of:%Y-%m-%d} in {self.path}")
        with transaction(self.conn):
            imports.set_meta(self.conn, {"as_of": as_of.isoformat()})

    # -- market data -----------------------------------------------------------------------
    def tables(self) -> SnapshotTables:
        """The stored market data as raw tables (the shape of ``resources/*.csv``).

        The month-end FX (ECB) and short-rate histories are reference tables from the bundled
        ``resources/``, so the as-of rule can pick the figures dated on or before any valuation date;
        months imported with ``ladderdesk import ecb-fx`` replace the bundled FX of those months
        (:func:`desktop.store.imports.merge_fx_history`).
        """
        t = imports.read_tables(self.conn)
        try:
            bundled = read_bundled_tables()
        except LadderDeskError:  # bundled resources missing: no histories, curated and imported rows only
            return t
        return dataclasses.replace(t, fx_history=imports.merge_fx_history(bundled.fx_history, t.fx_history),
                                   short_rate_history=bundled.short_rate_history)

    def load_snapshot(self, as_of: date | None = None) -> MarketSnapshot:
        """The market snapshot on the workspace as-of date (or ``as_of``)."""
        return snapshot_from_tables(self.tables(), as_of or self.as_of)

    def apply_import(self, result: Any, *, force: bool = False, replace: bool = False) -> dict[str, Any]:
        """Write an ``ImportResult`` in one transaction (all-or-nothing) and log it.

        The sanity bounds of :mod:`desktop.store.bounds` are checked first (``force``: accept an FX
        jump beyond the band; ``replace``: replace stored curves that differ).

        Curves replace whole (market, date) curves; bonds upsert by (market, id); FRED series
        upsert by (series_id, date), and DGS3MO / DEXJPUS / DEXUSUK / DEXUSAL also become dated
        short-rate / FX rows (the snapshot takes the latest dated ≤ as-of); ECB reference rates
        (``ecb-fx``) also become month-end FX history rows by (currency, month). Returns what was
        written (for the CLI to print).
        """
        frames = imports.normalise(result)
        as_of = self.as_of  # a damaged meta row is refused before anything is written
        with transaction(self.conn):
            replaced = imports.check_bounds(self.conn, result, frames, as_of=as_of, force=force, replace=replace)
            detail = imports.write_import(self.conn, result, frames, now_iso())
        detail["replaced"] = replaced
        detail["as_of"] = self.as_of.isoformat()
        newer = [d for d in detail.get("curve_dates", {}).values() if d[-1] > detail["as_of"]]
        detail["newer_than_as_of"] = bool(newer)
        return detail

    def undo_import(self) -> dict[str, Any]:
        """Undo the latest import (one transaction): the rows it replaced come back exactly and the
        rows it added are removed; logged as an 'undo' entry. DataError if there is none."""
        with transaction(self.conn):
            return imports.undo_last(self.conn, now_iso())

    def summary(self) -> dict[str, Any]:
        """As-of, per-market curve dates, counts and sources — JSON-serialisable (``ladderdesk data``)."""
        return imports.summary(self)

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result ('ok' when healthy)."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def read_sql(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        """Run a read-only query into a DataFrame."""
        return pd.read_sql_query(sql, self.conn, params=params)
