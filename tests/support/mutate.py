"""Seeded mutations of real import files, and the importer property — for tests and ``bench_fuzz``.

Test/bench harness only (not shipped in the ``desktop`` package). ``mutate_csv`` / ``mutate_xlsx_rows`` damage a known-good file the
way users and mirrors do (truncation, re-encoding, lost or extra header lines, shuffled or duplicated
columns, bad numbers, NaN/inf, huge values, swapped date formats, duplicate rows, BOMs, CRLF,
formulas in text fields). ``outcome`` runs an importer and checks the contract: a clean
ImportResult (validated) or a DataError that names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from desktop.errors import DataError
from desktop.importers.base import CURVE_COLUMNS, YIELD_MAX_PCT, YIELD_MIN_PCT, ImportResult

TOKENS: tuple[str, ...] = (
    "abc", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-400", "", ".", "-", "99", "-99", "50",
    "-5", "4.18.1", '=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)", "\x07bell", '"', "Ｒ７", "1,5",
    " 4.2 ", "0x1A", "1_000", "4.18e0", "2099-12-31", "1900-01-01", "13/31/2025", "R99.1.1", "H0.1.1",
    "S64.1.8", "31-Feb-2025", "2025-02-30", "NULL", "#N/A", "™", "\ufeff", "GB", "XX", "0", "25", "1000",
)  # fmt: skip
ENCODINGS = ("utf-8", "cp932", "latin-1", "utf-16", "utf-8-sig")
#: DataError reasons about the file as a whole, where no single line/field is to blame.
WHOLE_FILE = ("the file is empty", "not a readable Excel workbook", "no usable observations", "no observations",
              "no rows in the file", "malformed CSV", "no sheet", "cannot read",
              "file is ", "the workbook unpacks to", "workbook part ", "sheet dimension ",
              "more than ")  # fmt: skip


def _rows(text: str) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None


def _write(rows: list[list[str]], eol: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows(rows)
    return buf.getvalue()


def _pick_row(rng: random.Random, n: int) -> int:
    return rng.randrange(min(n, 4)) if rng.random() < 0.4 else rng.randrange(n)


def _table_op(text: str, rng: random.Random) -> str:
    """One column/cell-level mutation through the csv module."""
    rows = _rows(text)
    if not rows:
        return text
    eol = "\r\n" if "\r\n" in text[:2000] else "\n"
    width = max(len(r) for r in rows)
    if width == 0:
        return text
    op = rng.randrange(6)
    c = rng.randrange(width)
    if op == 0:  # shuffle columns consistently
        perm = list(range(width))
        rng.shuffle(perm)
        rows = [[r[p] for p in perm if p < len(r)] if len(r) == width else r for r in rows]
    elif op == 1:  # duplicate a column
        rows = [r[: c + 1] + [r[c]] + r[c + 1 :] if len(r) > c else r for r in rows]
    elif op == 2:  # delete a column
        rows = [r[:c] + r[c + 1 :] if len(r) > c else r for r in rows]
    elif op == 3:  # replace one cell with a nasty token
        i = _pick_row(rng, len(rows))
        if rows[i]:
            rows[i][rng.randrange(len(rows[i]))] = rng.choice(TOKENS)
    elif op == 4:  # swap a date's format: reorder its digit groups
        i = rng.randrange(len(rows))
        if rows[i]:
            groups = [g for g in "".join(ch if ch.isdigit() else " " for ch in rows[i][0]).split()]
            rows[i][0] = rng.choice("-/.").join(reversed(groups))
    else:  # blank every value but the first of a row
        i = rng.randrange(len(rows))
        rows[i] = rows[i][:1] + [""] * (len(rows[i]) - 1)
    return _write(rows, eol)


def _line_op(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = _pick_row(rng, len(lines))
    op = rng.randrange(6)
    if op == 0:  # drop a line (header, title or data)
        del lines[i]
    elif op == 1:  # duplicate a line (duplicate date / id / header)
        lines.insert(i, lines[i] if lines[i].endswith("\n") else lines[i] + "\n")
    elif op == 2:  # extra junk header line
        lines.insert(i, rng.choice(["Title,Something\n", "\n", ",,,\n", "# comment\n", "x\n"]))
    elif op == 3:  # swap two lines
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 4:  # change a character
        if lines[i]:
            k = rng.randrange(len(lines[i]))
            lines[i] = (
                lines[i][:k]
                + rng.choice(["9", "a", ",", '"', "\t", "\r", "-", "ー", "\x00"])
                + lines[i][k + 1 :]
            )
    else:  # append a token to a line
        lines[i] = lines[i].rstrip("\r\n") + "," + rng.choice(TOKENS) + "\n"
    return "".join(lines)


def mutate_csv(data: bytes, encoding: str, rng: random.Random, n_ops: int | None = None) -> bytes:
    """Apply 1–3 random mutations to a CSV file's bytes (``encoding`` is the file's own)."""
    for _ in range(n_ops or rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.12:  # truncate anywhere (mid-line, mid-character)
            data = data[: rng.randrange(len(data) + 1)]
        elif kind < 0.20:  # re-encode
            text = data.decode(encoding, errors="replace")
            data = text.encode(rng.choice(ENCODINGS), errors="replace")
        elif kind < 0.26:  # BOM on/off, CRLF <-> LF
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            elif rng.random() < 0.5:
                data = b"\xef\xbb\xbf" + data
            else:
                data = data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")
        elif kind < 0.30:  # random bytes
            k = rng.randrange(len(data) + 1)
            data = data[:k] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[k:]
        else:
            text = data.decode(encoding, errors="replace")
            text = _table_op(text, rng) if kind < 0.70 else _line_op(text, rng)
            data = text.encode(encoding, errors="replace")
    return data


XLSX_TOKENS: tuple[Any, ...] = (
    "abc", float("nan"), float("inf"), -float("inf"), 1e308, -1e308, True, None, "", "=SUM(A1)", "4.2",
    "#N/A", 99.0, -99.0, 50.0, datetime(2200, 1, 1), datetime(1900, 1, 2), -5.0, 0, 3e6, "years:",
)  # fmt: skip


def mutate_xlsx_rows(rows: list[list[Any]], rng: random.Random) -> list[list[Any]]:
    """Mutate a sheet's cell grid (rows of values) the ways a workbook gets damaged or edited."""
    rows = [list(r) for r in rows]
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(7)
        i = _pick_row(rng, len(rows)) if rows else 0
        if not rows:
            break
        if op == 0:  # a nasty cell value (maybe in column A, maybe in the years row)
            if rows[i]:
                rows[i][rng.randrange(len(rows[i]))] = rng.choice(XLSX_TOKENS)
        elif op == 1:
            del rows[i]
        elif op == 2:
            rows.insert(i, list(rows[i]))
        elif op == 3:  # date as an Excel serial (valid) or as text (invalid)
            a = rows[i][0] if rows[i] else None
            if isinstance(a, datetime):
                serial = (a - datetime(1899, 12, 30)).days
                rows[i][0] = serial if rng.random() < 0.6 else a.strftime("%d/%m/%Y")
        elif op == 4:  # swap two columns everywhere (maturities move with their data)
            w = max(len(r) for r in rows) or 1
            a, b = rng.randrange(w), rng.randrange(w)
            for r in rows:
                if len(r) > max(a, b):
                    r[a], r[b] = r[b], r[a]
        elif op == 5:  # junk row on top
            rows.insert(0, ["Bank of England", None, "x"])
        else:  # truncate the sheet
            rows = rows[: rng.randrange(len(rows) + 1)]
    return rows


def write_xlsx(
    rows: Sequence[Sequence[Any]], path: str | os.PathLike[str], sheet: str = "4. spot curve"
) -> None:
    """Write ``rows`` into a fresh workbook's ``sheet`` (row i → sheet row i + 1)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for r in rows:
        ws.append(list(r))
    wb.save(path)


def check_result(res: ImportResult) -> None:
    """Invariants of a clean import (raises AssertionError if violated)."""
    assert res.rows > 0
    if res.kind == "curves":
        c = res.curves
        assert c is not None and list(c.columns) == CURVE_COLUMNS and len(c) > 0
        y = c["yield_pct"].to_numpy()
        assert np.isfinite(y).all() and (y > YIELD_MIN_PCT).all() and (y < YIELD_MAX_PCT).all()
        assert c["date"].notna().all() and str(c["date"].dtype) == "datetime64[ns]"
        assert not c.duplicated(["market", "date", "tenor_years", "curve_type"]).any()
        assert set(c["curve_type"]) <= {"par", "zero"}
    elif res.kind == "series":
        s = res.series
        assert s is not None and len(s) > 0 and np.isfinite(s["value"].to_numpy()).all()
        assert not s.duplicated(["series_id", "date"]).any()
    else:
        b = res.bonds
        assert b is not None and len(b) == res.rows and b["id"].is_unique
        assert b["maturity"].notna().all() and np.isfinite(b["coupon_pct"].to_numpy()).all()


def check_error(err: DataError, path: str) -> None:
    """A DataError must name the file, and the line and field unless it is about the whole file."""
    text = str(err)
    assert err.file == path and path in text, text
    if not any(err.reason.startswith(w) for w in WHOLE_FILE):
        assert err.line is not None and err.line >= 1 and f"line {err.line}" in text, text
        assert err.field, text


def outcome(parse: Callable[[str], ImportResult], path: str) -> str:
    """``"ok"`` or ``"error"`` after checking the contract; any other exception propagates."""
    try:
        res = parse(path)
    except DataError as err:
        check_error(err, path)
        return "error"
    check_result(res)
    return "ok"
