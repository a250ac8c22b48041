"""What every ``ladderdesk`` command shares: the parser class, argument types, the workspace
context (one rule for ``--workspace`` everywhere) and all-or-nothing output writing.

``--workspace PATH`` means the same in every command: PATH is opened; a missing file is created
from the bundled snapshot (as the window does); without the flag the user's default workspace is
used (created the same way). If a command fails on a workspace it had to create, the new file
(and any folders made for it) is removed again, so a failed command leaves nothing behind.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from desktop.errors import DataError, LadderDeskError

MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)  # bond calendars' range (QuantLib: 1901–2199)
WORKSPACE_HELP = "workspace file (created from the bundled data if missing; default: the user's workspace)"


class UsageError(LadderDeskError):
    """Bad command line (reported in one line, exit 2)."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def iso_date(text: str) -> date:
    """argparse type: a YYYY-MM-DD date within the bond calendars' range."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise argparse.ArgumentTypeError(f"date {text!r} is outside {MIN_DATE}..{MAX_DATE}")
    return value


def workspace_path(path: str | None) -> Path:
    """The workspace file a command uses: ``--workspace`` or the user's default workspace."""
    from desktop.store.workspace import default_workspace_path

    return Path(path) if path else default_workspace_path()


def check_outputs(outputs: dict[str, str | None], *, workspace: str | None = None,
                  inputs: dict[str, Any] | None = None) -> None:
    """Refuse (DataError, exit 2, naming the flag) before anything is computed or written when an
    output is the workspace (``--workspace`` or the default one), its -wal/-shm/-journal sidecars,
    an input file of the command, a folder or another output. Also checks that every input is a
    regular file (:func:`check_inputs`). ``inputs`` maps a flag to a path or a list of paths."""
    from desktop.store.paths import check_outputs as _check

    flat: dict[str, str | None] = {}
    for flag, value in (inputs or {}).items():
        for i, path in enumerate(value if isinstance(value, list | tuple) else [value]):
            flat[f"{flag}" if i == 0 else f"{flag} #{i + 1}"] = path
    check_inputs(flat)
    _check(outputs, workspace=workspace_path(workspace), inputs=flat)


def check_inputs(inputs: dict[str, str | None]) -> None:
    """Every given input is an existing regular file within the size cap (no FIFO, device, socket
    or folder: those would block or never end); DataError naming the flag otherwise."""
    from desktop.importers.base import check_regular

    for flag, path in inputs.items():
        if path is not None:
            check_regular(path, field=flag)


def add_workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DB", help=WORKSPACE_HELP)


@contextlib.contextmanager
def open_workspace(path: str | None, *, readonly: bool = False) -> Iterator[Any]:
    """``Workspace.open(path)`` (created from the bundled snapshot when missing); if the command
    fails on a workspace this call had to create, the new file is removed again. ``readonly``
    (read commands): SQLite ``mode=ro``, so a read-only file, folder or mount still works. SQLite
    faults inside the block (locked, disk full, read-only) become WorkspaceErrors saying what to do."""
    import sqlite3

    from desktop.store import Workspace, faults
    from desktop.store.workspace import default_workspace_path

    target = Path(path) if path else default_workspace_path()
    existed = os.path.lexists(target)
    new_dirs = []  # folders Workspace.open will create for the new file, deepest first
    parent = target.absolute().parent
    while not os.path.lexists(parent) and parent != parent.parent:
        new_dirs.append(parent)
        parent = parent.parent
    try:
        try:
            with Workspace.open(path, readonly=readonly) as ws:
                yield ws
        except sqlite3.Error as exc:
            translated = faults.translate(exc, target)
            if translated is None:
                raise
            raise translated from None
    except BaseException:
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{target}{suffix}")
            for folder in new_dirs:
                with contextlib.suppress(OSError):
                    os.rmdir(folder)  # only if still empty
        raise


def write_all(files: list[tuple[pd.DataFrame, str]], before_publish: Any = None) -> None:
    """Write every (table, path) or none: each table is first written (atomically) to a temp file
    beside its target, and only when all are written are they moved into place. A target that is
    a folder or in a missing folder fails before anything is moved. ``before_publish()`` (e.g. the
    preset save) runs after every table is staged and before any is moved: if it fails, no output
    appears. Stale ``.part`` files a killed earlier run left beside a target are removed first."""
    from desktop.export import write_csv
    from desktop.store.paths import stale_parts

    for _, path in files:
        for stale in stale_parts(path):
            with contextlib.suppress(OSError):
                stale.unlink()
    staged: list[tuple[str, str]] = []
    try:
        for df, path in files:
            if os.path.isdir(path):
                raise DataError("is a folder", file=path, expected="a file name for the CSV")
            folder = os.path.dirname(path) or "."
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
            except OSError as exc:
                raise DataError(f"cannot write here: {exc.strerror or exc}", file=path) from None
            os.close(fd)
            staged.append((tmp, path))
            write_csv(df, tmp)
        if before_publish is not None:
            before_publish()
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise DataError(f"cannot write: {exc.strerror or exc}", file=path) from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
