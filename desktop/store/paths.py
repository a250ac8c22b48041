"""Which files a command may write: never the workspace, its sidecars, or one of its own inputs.

Qt-free, so the CLI (:func:`desktop.cli.common.check_outputs`) and the window's save dialogs use
the same rule. Two names are the same file when their resolved paths are equal (symlinks
followed, ``..`` removed) or, when both exist, when they share ``(st_dev, st_ino)`` (a hard link,
a bind mount, a case-insensitive file system spelling).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from desktop.errors import DataError

#: Files SQLite keeps beside a workspace ``W``: ``W-wal``, ``W-shm``, ``W-journal``.
SIDECARS = ("-wal", "-shm", "-journal")
PathLike = str | os.PathLike[str]


def _resolved(path: PathLike) -> Path:
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path)))).resolve(strict=False)


def _identity(path: PathLike) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def same_file(a: PathLike, b: PathLike) -> bool:
    """True if ``a`` and ``b`` name the same file (same resolved path, or same device and inode)."""
    if _resolved(a) == _resolved(b):
        return True
    ia, ib = _identity(a), _identity(b)
    return ia is not None and ia == ib


def workspace_files(workspace: PathLike) -> list[Path]:
    """The workspace file and its SQLite sidecars (``-wal``, ``-shm``, ``-journal``)."""
    w = Path(workspace)
    return [w] + [w.with_name(w.name + s) for s in SIDECARS]


def output_conflict(output: PathLike, *, workspace: PathLike | None = None,
                    inputs: Mapping[str, PathLike | None] | None = None) -> str | None:
    """Why ``output`` must not be written (it is the workspace, a sidecar, or an input), else None.

    ``inputs`` maps a label (``--bonds``) to a path; None paths are ignored.
    """
    if workspace is not None:
        for f in workspace_files(workspace):
            if same_file(output, f):
                what = "the workspace" if f == Path(workspace) else f"the workspace's SQLite file {f.name}"
                return f"is {what} ({workspace}); writing there would destroy it"
    for label, path in (inputs or {}).items():
        if path is not None and same_file(output, path):
            return f"is the input file of {label} ({path})"
    return None


def check_outputs(outputs: Mapping[str, PathLike | None], *, workspace: PathLike | None = None,
                  inputs: Mapping[str, PathLike | None] | None = None) -> None:
    """DataError naming the flag if any output is the workspace, a sidecar, an input, a folder or
    another output. ``outputs`` maps a flag (``--out``) to a path (None = not given)."""
    seen: dict[str, str] = {}
    for flag, out in outputs.items():
        if out is None:
            continue
        why = output_conflict(out, workspace=workspace, inputs=inputs)
        if why:
            raise DataError(f"refusing to write: {why}", file=str(out), field=flag,
                            expected="a new file name for the output (nothing was written)")
        try:
            mode = os.stat(out).st_mode
        except (OSError, ValueError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise DataError("is a folder", file=str(out), field=flag, expected="a file name for the output")
        if mode is not None and not stat.S_ISREG(mode):  # a device, FIFO or socket: never replaced by a file
            raise DataError("is not a regular file (a device, pipe or socket)", file=str(out), field=flag,
                            expected="a file name for the output (leave the flag out to print to the terminal)")
        for other_flag, other in seen.items():
            if same_file(out, other):
                raise DataError(f"{other_flag} and {flag} name the same file", file=str(out), field=flag,
                                expected="two different files")
        seen[flag] = os.fspath(out)


def stale_parts(target: PathLike, older_than_s: float = 600.0) -> Iterable[Path]:
    """Temp files (``.NAME.*.part`` / ``.NAME.*.tmp``) a killed export left beside ``target``."""
    import time

    t = Path(target)
    folder = t.parent if str(t.parent) else Path(".")
    cutoff = time.time() - older_than_s
    for pattern in (f".{t.name}.*.part", f".{t.name}.*.tmp"):
        for p in folder.glob(pattern):
            try:
                if p.is_file() and p.stat().st_mtime < cutoff:
                    yield p
            except OSError:
                continue
