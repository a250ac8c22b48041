"""Shared pieces of every importer: the result type and strict CSV / number / date helpers.

Every helper raises :class:`desktop.errors.DataError` naming the file, the 1-based physical line,
the field and what was expected — never another exception type. Parsing is vectorised with pandas
where it matters (numbers, dates); line numbers travel alongside each data row so the first bad
cell can be reported exactly.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from desktop.errors import DataError

MAX_FILE_BYTES = 200 * 1024 * 1024
#: Text a spreadsheet may run as a formula (ASCII and full-width / small look-alikes, which some
#: spreadsheets fold to ASCII). Exports escape such cells with :data:`ESCAPE`; the readers undo it.
FORMULA_PREFIXES = (
    "=", "+", "-", "@", "\t", "\r",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # full-width ＝ ＋ － ＠
    "\ufe66", "\ufe62", "\ufe63", "\ufe6b",  # small ﹦ ﹢ ﹣ ﹫
)
ESCAPE = "'"
#: Curve/series observation dates must fall in this window (fixed, so results never depend on the clock).
DATE_MIN = pd.Timestamp("1950-01-01")
DATE_MAX = pd.Timestamp("2099-12-31")
#: Yields in percent must lie strictly inside this interval.
YIELD_MIN_PCT = -5.0
YIELD_MAX_PCT = 50.0
#: "No observation" is a blank cell unless a format says otherwise (MoF '-', FRED '.').
MISSING_TOKENS: tuple[str, ...] = ("",)
CURVE_COLUMNS = ["market", "date", "tenor_years", "yield_pct", "curve_type", "source"]


@dataclass(frozen=True)
class ImportResult:
    """What an importer hands to the store (see docs/CONTRACTS.md)."""

    kind: str  # "bonds" | "curves" | "series"
    source_file: str  # path as given
    source_name: str  # e.g. "US Treasury daily par yield curve"
    rows: int  # data rows accepted
    bonds: pd.DataFrame | None  # market,id,name,coupon_pct,maturity,issue_date,clean_price,yield_pct
    curves: pd.DataFrame | None  # market,date,tenor_years,yield_pct,curve_type("par"|"zero"),source
    series: pd.DataFrame | None  # series_id,date,value  (FRED)


@dataclass(frozen=True)
class Table:
    """Rows of a CSV file as text, each with the physical line on which it starts."""

    file: str
    rows: list[list[str]]
    lines: list[int]


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in the user's words (None for a regular file)."""
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular(path: str | os.PathLike[str], *, field: str | None = None,
                  limit: int | None = None) -> os.stat_result:
    """``os.stat`` of ``path`` (symlinks followed) if it is a regular file within ``limit`` bytes
    (default :data:`MAX_FILE_BYTES`); DataError otherwise. FIFOs, devices (``/dev/zero``), sockets
    and folders are refused here, before anything opens them (opening a FIFO blocks)."""
    name = str(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise DataError(f"cannot read the file ({reason})", file=name, field=field) from None
    what = _kind(st.st_mode)
    if what:
        raise DataError(f"is {what}, not a regular file", file=name, field=field,
                        expected="a regular file (pipes, devices, sockets and folders are not read)")
    if st.st_size > limit:
        raise DataError(f"file is {st.st_size:,} bytes", file=name, field=field, expected=f"at most {limit:,} bytes")
    return st


def read_bytes(path: str | os.PathLike[str], *, field: str | None = None, limit: int | None = None,
               allow_empty: bool = False) -> bytes:
    """The bytes of a regular file, at most ``limit`` (default :data:`MAX_FILE_BYTES`) bytes
    *actually read* (a file growing while read cannot pass the cap). The one reader of every input
    file: importers and the CLI's ``--current`` / ``--alloc`` / ``--scenario-file``.

    The file is opened non-blocking (a FIFO swapped in after the check cannot block), checked again
    on the open descriptor (``fstat``), then read in chunks. Missing, unreadable, special, empty or
    too-large files are a DataError naming the file (and ``field``, the flag, when given).
    """
    name = str(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    check_regular(path, field=field, limit=limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})", file=name, field=field) from None
    chunks: list[bytes] = []
    total = 0
    try:
        what = _kind(os.fstat(fd).st_mode)
        if what:
            raise DataError(f"is {what}, not a regular file", file=name, field=field,
                            expected="a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise DataError(f"file holds more than {limit:,} bytes", file=name, field=field,
                                expected=f"at most {limit:,} bytes")
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})", file=name, field=field) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if not allow_empty and not data.strip():
        raise DataError("the file is empty", file=name, line=1, field=field, expected="a header row and data rows")
    return data


def decode(data: bytes, file: str, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """Decode with the first encoding that fits; otherwise name the line of the first bad byte
    under the encoding that got furthest (the most plausible one)."""
    best: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            if best is None or exc.start > best.start:
                best = exc
    assert best is not None
    pos = best.start
    line = data.count(b"\n", 0, pos) + 1
    names = " or ".join("UTF-8" if e.startswith("utf-8") else e for e in encodings)
    raise DataError(
        f"byte 0x{data[pos]:02x} cannot be decoded (wrong encoding?)",
        file=file,
        line=line,
        field=_column_at(data, pos),
        expected=f"{names} text",
    ) from None


def _column_at(data: bytes, pos: int) -> str:
    """'column N' of the byte at ``pos`` on its line (commas counted naively; for messages only)."""
    start = data.rfind(b"\n", 0, pos) + 1
    return f"column {data.count(b',', start, pos) + 1}"


def read_table(path: str | os.PathLike[str], encodings: Sequence[str] = ("utf-8-sig",)) -> Table:
    """Read a whole CSV file strictly; blank lines are dropped, line numbers kept."""
    file = str(path)
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            "this is a zip/Excel workbook, not a CSV file",
            file=file,
            line=1,
            field="column 1",
            expected="a CSV text file (for BoE GLC workbooks use the 'boe' import)",
        )
    text = decode(data, file, encodings)
    if text.startswith("\ufeff"):  # a BOM left by a non-utf-8-sig codec
        text = text[1:]
    if "\x00" in text:
        pos = text.index("\x00")
        line = text.count("\n", 0, pos) + 1
        raise DataError(
            "NUL byte in the file (binary or corrupted?)",
            file=file,
            line=line,
            field=_column_at(text.encode("utf-8", "replace"), len(text[:pos].encode("utf-8", "replace"))),
            expected="CSV text",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows.append([unescape_cell(cell.strip()) for cell in row])
            lines.append(start)
    except csv.Error as exc:
        raise DataError(
            f"malformed CSV ({exc})", file=file, line=prev_end + 1, expected="well-formed CSV"
        ) from None
    if not rows:
        raise DataError("no rows in the file", file=file, line=1, expected="a header row and data rows")
    return Table(file, rows, lines)


def unescape_cell(value: str) -> str:
    """Undo LadderDesk's export escape (:func:`desktop.export.neutralise_text`): one leading
    apostrophe is removed where it escapes a formula prefix or another apostrophe (``'-0`` → ``-0``,
    ``''x`` → ``'x``), so exported files (ALLOC.csv → ``--current``) read back exactly as written.
    Any other text is returned unchanged."""
    if value.startswith(ESCAPE) and value[1:].startswith(FORMULA_PREFIXES + (ESCAPE,)):
        return value[1:]
    return value


def header_index(table: Table, row: int, *, casefold: bool = True) -> dict[str, int]:
    """Map each header name of ``table.rows[row]`` to its column; duplicates and blanks are errors."""
    out: dict[str, int] = {}
    for col, raw in enumerate(table.rows[row]):
        name = raw.strip().lstrip("\ufeff")
        key = name.casefold() if casefold else name
        if not name:
            raise DataError(
                f"header column {col + 1} is blank",
                file=table.file,
                line=table.lines[row],
                field=f"column {col + 1}",
                expected="a column name",
            )
        if key in out:
            raise DataError(
                "duplicated header column",
                file=table.file,
                line=table.lines[row],
                field=name,
                expected="each column once",
            )
        out[key] = col
    return out


def frame(
    table: Table, start: int, header: Sequence[str], *, pad: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """Data rows ``table.rows[start:]`` as a string DataFrame of ``len(header)`` columns plus their lines.

    Rows with a different number of fields are an error (a truncated or shifted row) unless ``pad``,
    which lets short rows (trailing empty cells dropped, as in RBA files) be padded with ''.
    """
    width = len(header)
    rows = table.rows[start:]
    lines = np.asarray(table.lines[start:], dtype=np.int64)
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width and not (pad and len(row) < width):
            short = len(row) < width
            raise DataError(
                f"row stops after {len(row)} of {width} fields (truncated or shifted row?)"
                if short
                else f"row has {len(row)} fields but the header has {width} (an extra comma?)",
                file=table.file,
                line=int(line),
                field=header[len(row)] if short else f"column {width + 1}",
                expected=f"{width} comma-separated fields like the header",
            )
    if pad:
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    df = (
        pd.DataFrame(rows, columns=range(width), dtype=object) if rows else pd.DataFrame(columns=range(width))
    )
    return df, lines


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def refuse_first(bad: np.ndarray, lines: np.ndarray, *, file: str, field: str,
                 reason: Callable[[int], str] | str, expected: str) -> None:
    """Raise a :class:`DataError` for the first row where ``bad`` is True (its physical line from
    ``lines``); ``reason`` is the message, or a function of that row's position giving it."""
    if not bad.any():
        return
    i = _first_bad(bad)
    raise DataError(reason(i) if callable(reason) else reason, file=file, line=int(lines[i]), field=field,
                    expected=expected)


def parse_number_block(
    block: pd.DataFrame,
    lines: np.ndarray,
    *,
    file: str,
    fields: Sequence[str],
    lo: float = YIELD_MIN_PCT,
    hi: float = YIELD_MAX_PCT,
    missing: Iterable[str] = MISSING_TOKENS,
    what: str = "a yield in percent",
    closed: bool = False,
) -> np.ndarray:
    """Vectorised text → float for a block of columns (one ``to_numeric`` for the whole block).

    Missing tokens become NaN; anything else must be a finite number in (lo, hi) — [lo, hi] when
    ``closed``. The first bad cell in file order (line, then column) is reported with its field.
    """
    missing = tuple(missing)
    n_rows, n_cols = block.shape
    text = block.to_numpy(dtype=object).ravel()  # row-major: file order
    flat = pd.Series(text, dtype=object)
    is_missing = flat.isin(missing).to_numpy()
    arr = pd.to_numeric(flat.where(~is_missing, None), errors="coerce").to_numpy(dtype="float64")
    bad = ~is_missing & ~np.isfinite(arr)
    with np.errstate(invalid="ignore"):
        outside = ((arr < lo) | (arr > hi)) if closed else ((arr <= lo) | (arr >= hi))
        bad |= ~is_missing & np.isfinite(arr) & outside
    if bad.any():
        k = _first_bad(bad)
        raise DataError(
            f"bad value {str(text[k])!r}",
            file=file,
            line=int(lines[k // n_cols]),
            field=fields[k % n_cols],
            expected=f"{what}, a finite number in {'[' if closed else '('}{lo:g}, {hi:g}{']' if closed else ')'}"
            + (", or blank" if missing else ""),
        )
    return arr.reshape(n_rows, n_cols)


def parse_numbers(cells: pd.Series, lines: np.ndarray, *, file: str, field: str, **kwargs: Any) -> pd.Series:
    """One column of :func:`parse_number_block` as a float Series (same index)."""
    arr = parse_number_block(cells.to_frame(), lines, file=file, fields=[field], **kwargs)
    return pd.Series(arr[:, 0], index=cells.index, dtype="float64")


def parse_dates(
    cells: pd.Series,
    lines: np.ndarray,
    *,
    file: str,
    field: str,
    formats: Sequence[tuple[str, str]],
    lo: pd.Timestamp = DATE_MIN,
    hi: pd.Timestamp = DATE_MAX,
) -> pd.Series:
    """Vectorised text → datetime64. The first row picks one format of ``formats`` (strptime, label);
    every row must then match that same format and lie in [lo, hi]."""
    text = cells.astype(str).str.strip()
    labels = " or ".join(label for _, label in formats)
    chosen: pd.Series | None = None
    for fmt, _label in formats:
        first = pd.to_datetime(text.iloc[:1], format=fmt, errors="coerce")
        if first.notna().all():
            chosen = pd.to_datetime(text, format=fmt, errors="coerce")
            labels = _label
            break
    if chosen is None:
        raise DataError(
            f"unparseable date {text.iloc[0]!r}", file=file, line=int(lines[0]), field=field, expected=labels
        )
    bad = (chosen.isna() | (chosen < lo) | (chosen > hi)).to_numpy()
    if bad.any():
        i = _first_bad(bad)
        raise DataError(
            f"bad or out-of-range date {text.iloc[i]!r}",
            file=file,
            line=int(lines[i]),
            field=field,
            expected=f"{labels} between {lo.date()} and {hi.date()}, same format as the first row",
        )
    return chosen.astype("datetime64[ns]")


def check_unique_dates(dates: pd.Series, lines: np.ndarray, *, file: str, field: str) -> None:
    """Each observation date appears once."""
    dup = dates.duplicated().to_numpy()
    if dup.any():
        i = _first_bad(dup)
        first = int(lines[int(np.flatnonzero((dates == dates.iloc[i]).to_numpy())[0])])
        raise DataError(
            f"duplicate date {dates.iloc[i].date()} (first on line {first})",
            file=file,
            line=int(lines[i]),
            field=field,
            expected="each date once",
        )


def wide_to_curves(
    dates: pd.Series,
    values: pd.DataFrame | np.ndarray,
    tenors: Sequence[float],
    *,
    market: str,
    curve_type: str,
    source: str,
    file: str,
) -> pd.DataFrame:
    """Long curve table from one date column and one float column per tenor; NaN cells are skipped."""
    arr = np.asarray(values, dtype="float64")
    n_dates, n_tenors = arr.shape
    date_rep = np.repeat(dates.to_numpy(dtype="datetime64[ns]"), n_tenors)
    tenor_rep = np.tile(np.asarray(tenors, dtype="float64"), n_dates)
    flat = arr.reshape(-1)
    keep = ~np.isnan(flat)
    if not keep.any():
        raise DataError("no usable observations in the file", file=file, expected="at least one yield value")
    out = pd.DataFrame(
        {
            "market": market,
            "date": date_rep[keep],
            "tenor_years": tenor_rep[keep],
            "yield_pct": flat[keep],
            "curve_type": curve_type,
            "source": source,
        }
    )
    out["date"] = out["date"].astype("datetime64[ns]")
    return out.sort_values(["date", "tenor_years"], kind="stable").reset_index(drop=True)


def curves_result(file: str, source_name: str, curves: pd.DataFrame) -> ImportResult:
    """ImportResult of kind "curves"; ``rows`` counts the observation dates accepted."""
    return ImportResult(
        kind="curves",
        source_file=file,
        source_name=source_name,
        rows=int(curves["date"].nunique()),
        bonds=None,
        curves=curves[CURVE_COLUMNS],
        series=None,
    )


def source_label(source_name: str, file: str) -> str:
    """The ``source`` column: the publisher's series name plus the file's base name."""
    return f"{source_name} ({os.path.basename(file)})"
