"""Ordinary faults of a workspace, as errors that say what to do (CLI exit 2; the window shows the
same text): locked by another writer, disk full, read-only file / folder / file system.

* :class:`WorkspaceLockedError` — another process held the write lock for :data:`LOCK_WAIT_S`
  seconds. Every writer records itself (pid, host, command, time) in ``W-holder`` beside the
  workspace while it holds the lock, so the waiting one can name it; the wait shows a countdown
  through :func:`set_wait_reporter` (stderr by default).
* :class:`DiskFullError` — SQLite (or the OS) reported a full disk; the transaction was rolled
  back, nothing was written; the message gives the free space and how much is needed.
* :class:`WorkspaceReadOnlyError` — a write was asked of a workspace that cannot be written
  (file permissions, read-only folder, read-only mount). Reading still works: read commands open
  the file with SQLite's ``mode=ro`` (``immutable=1`` where the folder cannot hold the ``-shm``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from desktop.errors import WorkspaceError

LOCK_WAIT_S = 10.0
HOLDER_SUFFIX = "-holder"


class WorkspaceLockedError(WorkspaceError):
    """Another writer held the workspace longer than :data:`LOCK_WAIT_S`."""


class DiskFullError(WorkspaceError):
    """No space left for a write; nothing was written."""


class WorkspaceReadOnlyError(WorkspaceError):
    """The workspace (file, folder or file system) cannot be written."""


def _stderr_reporter(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_reporter: Callable[[str], None] = _stderr_reporter


def set_wait_reporter(fn: Callable[[str], None] | None) -> None:
    """Where the lock-wait countdown goes (None: stderr). The window sets its status bar."""
    global _reporter
    _reporter = fn or _stderr_reporter


def report(message: str) -> None:
    """Show a one-line notice (lock-wait countdown, a skipped damaged item) where the reporter says."""
    _reporter(message)


report_wait = report


# -- where a workspace lives ---------------------------------------------------------------------
def read_only_mount(path: Path) -> bool:
    """True if the file system holding ``path`` (or its nearest existing parent) is mounted read-only."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def why_read_only(path: Path) -> str | None:
    """Why the workspace at ``path`` cannot be written (None if it can): read-only mount, file or folder."""
    path = Path(path)
    if read_only_mount(path):
        return "it is on a read-only file system"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    folder = path.parent if str(path.parent) else Path(".")
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return "its folder is read-only (SQLite needs to create its -wal/-shm files there)"
    return None


def read_only_error(path: Path, why: str | None = None, doing: str = "this command writes to it") -> WorkspaceReadOnlyError:
    why = why or why_read_only(path) or "it cannot be written"
    if not Path(path).exists():
        return WorkspaceReadOnlyError(f"cannot create workspace {path}: {why}; give --workspace a path in a "
                                      "writable folder")
    return WorkspaceReadOnlyError(
        f"workspace {path} is read-only ({why}); {doing}. Reading commands still work. To write, "
        f"copy it to a writable folder and use --workspace COPY.sqlite, or make it writable "
        f"(the file was not modified)"
    )


# -- disk space -----------------------------------------------------------------------------------
def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def free_bytes(path: Path) -> int | None:
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return int(shutil.disk_usage(p).free)
    except OSError:
        return None


def disk_full_error(path: Path, needed: int | None = None, doing: str = "the write") -> DiskFullError:
    """DiskFullError for ``path``; ``needed`` bytes (default: the workspace's size, which bounds
    the write-ahead log of one transaction, plus 1 MB)."""
    if needed is None:
        try:
            needed = os.path.getsize(path) + 1_000_000
        except OSError:
            needed = 1_000_000
    free = free_bytes(path)
    have = f"{_mb(free)} free" if free is not None else "free space unknown"
    return DiskFullError(
        f"disk full: {doing} on {path} was not done ({have}, needs about {_mb(needed)}); nothing was "
        f"written. Free at least {_mb(needed)} on that disk and try again"
    )


# -- the lock holder -------------------------------------------------------------------------------
def holder_path(workspace: Path) -> Path:
    w = Path(workspace)
    return w.with_name(w.name + HOLDER_SUFFIX)


def write_holder(workspace: Path) -> Path | None:
    """Record this process as the writer of ``workspace`` (best effort; None if not written)."""
    target = holder_path(workspace)
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))}
    try:
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(info, fh)
    except OSError:
        return None
    return target


def clear_holder(target: Path | None) -> None:
    """Remove this process's record (not one a next writer has written meanwhile)."""
    if target is None:
        return
    try:
        with open(target, encoding="utf-8") as fh:
            mine = int(json.loads(fh.read(4096))["pid"]) == os.getpid()
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError):
        mine = True  # half-written (e.g. on a full disk): ours, as we held the lock when writing it
    if mine:
        with contextlib.suppress(OSError):
            target.unlink()


def describe_holder(workspace: Path) -> str:
    """'pid 123 on host (ladderdesk import …, for 12 s)' or 'another program' when unknown/stale."""
    try:
        with open(holder_path(workspace), encoding="utf-8") as fh:
            info = json.loads(fh.read(4096))
        pid, host = int(info["pid"]), str(info["host"])[:64]
    except (OSError, ValueError, KeyError, TypeError):
        return "another program"
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "another program"  # stale record of a process that is gone
        except PermissionError:
            pass
    since = info.get("since")
    held = f", for {time.time() - float(since):.0f} s" if isinstance(since, int | float) else ""
    command = str(info.get("command", ""))[:80]
    return f"process {pid} on {host}" + (f" ({command}{held})" if command else f" ({held[2:]})" if held else "")


def locked_error(workspace: Path, waited: float) -> WorkspaceLockedError:
    return WorkspaceLockedError(
        f"workspace {workspace} is locked by {describe_holder(workspace)}: it was still writing after "
        f"{waited:.0f} s. Wait for it to finish (or close it) and try again; nothing was written"
    )


# -- classifying SQLite / OS errors ----------------------------------------------------------------
def _name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        _name(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc) or "busy" in str(exc))


def is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.Error) and (_name(exc).startswith("SQLITE_FULL") or "disk is full" in str(exc))


def is_read_only(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    return isinstance(exc, sqlite3.Error) and (_name(exc).startswith("SQLITE_READONLY")
                                               or "readonly database" in str(exc))


def translate(exc: BaseException, workspace: Path, doing: str = "the write") -> WorkspaceError | None:
    """The WorkspaceError subclass for ``exc`` (None if it is not an ordinary fault)."""
    if isinstance(exc, WorkspaceError):
        return exc
    if is_full(exc):
        return disk_full_error(workspace, doing=doing)
    if is_locked(exc):
        return locked_error(workspace, LOCK_WAIT_S)
    if is_read_only(exc):
        return read_only_error(workspace)
    if isinstance(exc, sqlite3.OperationalError) and ("disk I/O error" in str(exc) or _name(exc).startswith("SQLITE_IOERR")):
        free = free_bytes(workspace)
        if free is not None and free < 2_000_000:
            return disk_full_error(workspace, doing=doing)
        if why_read_only(workspace):
            return read_only_error(workspace)
    return None
