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


def add_workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DB", help=WORKSPACE_HELP)


@contextlib.contextmanager
def open_workspace(path: str | None) -> Iterator[Any]:
    """``Workspace.open(path)`` (created from the bundled snapshot when missing); if the command
    fails on a workspace this call had to create, the new file is removed again."""
    from desktop.store import Workspace
    from desktop.store.workspace import default_workspace_path

    target = Path(path) if path else default_workspace_path()
    existed = os.path.lexists(target)
    new_dirs = []  # folders Workspace.open will create for the new file, deepest first
    parent = target.absolute().parent
    while not os.path.lexists(parent) and parent != parent.parent:
        new_dirs.append(parent)
        parent = parent.parent
    try:
        with Workspace.open(path) as ws:
            yield ws
    except BaseException:
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{target}{suffix}")
            for folder in new_dirs:
                with contextlib.suppress(OSError):
                    os.rmdir(folder)  # only if still empty
        raise


def write_all(files: list[tuple[pd.DataFrame, str]]) -> None:
    """Write every (table, path) or none: each table is first written (atomically) to a temp file
    beside its target, and only when all are written are they moved into place. A target that is
    a folder or in a missing folder fails before anything is moved."""
    from desktop.export import write_csv

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
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise DataError(f"cannot write: {exc.strerror or exc}", file=path) from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
