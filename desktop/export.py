"""Safe exports: CSV and XLSX written atomically and neutralised against formula injection.

* **Atomic**: data goes to a temp file in the target's folder, is flushed and fsynced, then
  ``os.replace``d over the target. A failure at any point leaves the old file intact and no temp
  file behind.
* **Formula-injection safe** (OWASP "CSV injection"): a *text* cell (and a column header) that
  starts with ``= + - @``, TAB, CR or a full-width look-alike (``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``) gets a
  leading apostrophe so a spreadsheet shows it as text; a cell already starting with an apostrophe
  gets one more, so the readers (:func:`desktop.importers.base.read_table`) undo it exactly and an
  exported ALLOC.csv reads back as ``--current``. Bidi controls (U+202E …) are stripped.
  Numbers are never touched: a negative ``dv01`` of ``-0.05`` in a numeric column stays a number.
* CSV is UTF-8 without BOM, ``\\n`` line ends, no index. A CR inside a text cell becomes LF
  (the csv module would not quote a lone CR when the line end is LF, breaking readers). XLSX via openpyxl; NaN/inf become empty
  cells; characters XML cannot hold (ASCII control characters other than TAB/LF/CR) are dropped.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from desktop.errors import LadderDeskError
from desktop.importers.base import ESCAPE, FORMULA_PREFIXES  # one rule for the exports and the readers
from desktop.importers.base import unescape_cell as unneutralise_text

__all__ = ["FORMULA_PREFIXES", "neutralise_frame", "neutralise_text", "unneutralise_text", "write_csv", "write_xlsx"]

#: bidirectional-text controls (LRE…RLO, LRI…PDI, LRM/RLM/ALM): stripped from exported text,
#: they make a cell display as something else than it is (U+202E reverses what follows)
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                      "\u200e\u200f\u061c"))
_XLSX_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise_text(value: str) -> str:
    """``value`` without bidi controls, with a leading apostrophe if a spreadsheet could read it as
    a formula (ASCII or full-width look-alike prefix) or if it already starts with an apostrophe
    (so the escape is reversible: :func:`unneutralise_text`)."""
    value = value.translate(BIDI_CONTROLS)
    return ESCAPE + value if value.startswith(FORMULA_PREFIXES + (ESCAPE,)) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and headers are neutralised; numeric columns untouched."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        out[col] = s.map(lambda v: neutralise_text(v) if isinstance(v, str) else v)
    out.columns = [neutralise_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


_DB_MAGICS = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")  # database, WAL (BE/LE)


def refuse_database(target: str | os.PathLike[str]) -> None:
    """LadderDeskError if ``target`` is an existing SQLite database, WAL file, or the ``-shm`` /
    ``-journal`` of one: an export never replaces a workspace, whatever it is called (the last line
    of defence behind :func:`desktop.store.paths.check_outputs`, for the window's save dialogs too)."""
    t = Path(target)
    if t.exists() and not t.is_file():
        raise LadderDeskError(f"refusing to write {target}: it is not a regular file (a folder, device, pipe or "
                              "socket); choose a file name (nothing was written)")
    candidates = [t]
    for suffix in ("-wal", "-shm", "-journal"):
        if t.name.endswith(suffix):
            candidates.append(t.with_name(t.name[: -len(suffix)]))
    for c in candidates:
        try:
            if not c.is_file():
                continue
            with open(c, "rb") as fh:
                head = fh.read(16)
        except OSError:
            continue
        if head.startswith(_DB_MAGICS):
            raise LadderDeskError(f"refusing to write {target}: it is a database file (a LadderDesk workspace?); "
                                  "choose another file name (nothing was written)")


def _remove_stale_temps(target: Path) -> None:
    """Remove ``.NAME.*.tmp`` / ``.NAME.*.part`` files a killed earlier export left beside ``target``
    (older than 10 minutes, so a concurrent writer's fresh temp file is never touched)."""
    from desktop.store.paths import stale_parts

    for stale in stale_parts(target):
        try:
            stale.unlink()
        except OSError:
            continue


@contextmanager
def atomic_target(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; on clean exit fsync and ``os.replace`` it onto ``path``.

    On any exception the temp file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    refuse_database(target)
    _remove_stale_temps(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _guard(path: str | os.PathLike[str], write: Callable[[], None]) -> None:
    try:
        write()
    except OSError as exc:
        raise LadderDeskError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _no_cr(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write ``df`` to ``path`` as CSV (atomic, injection-safe, UTF-8, ``\\n``)."""
    safe = neutralise_frame(df)
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]) and not pd.api.types.is_datetime64_any_dtype(safe[col]):
            safe[col] = safe[col].map(_no_cr)
    safe.columns = [_no_cr(c) for c in safe.columns]

    def write() -> None:
        with atomic_target(path) as fh:
            safe.to_csv(fh, index=index, lineterminator="\n")

    _guard(path, write)


def _sheet_title(name: str, used: set[str]) -> str:
    base = (str(name).translate(_XLSX_SHEET_FORBIDDEN).strip("'") or "Sheet")[:31]
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    used.add(title.lower())
    return title


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, bool | int | float | datetime | date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return neutralise_text(text)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write one worksheet per DataFrame to ``path`` (atomic, injection-safe; numbers stay numbers)."""
    from openpyxl import Workbook

    refuse_database(path)
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        frame = df.reset_index() if index else df
        ws.append([_xlsx_value(c) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            ws.append([_xlsx_value(v) for v in row])
    if not used:
        wb.create_sheet("Sheet")

    def write() -> None:
        with atomic_target(path, "wb") as fh:
            wb.save(fh)

    _guard(path, write)
