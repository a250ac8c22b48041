"""Bank of England yield curves (GLC nominal workbooks) — UK zero-coupon curve.

Workbooks ``GLC Nominal daily data_….xlsx`` / ``… month end data_….xlsx`` / ``… current month.xlsx``
as published: sheet ``4. spot curve``; a row whose column A reads ``years:`` gives the maturities
(0.5 … 40; trailing blank cells allowed), a decoration row may follow (``Refresh``, ``#VALUE!`` or
blank), then one row per day: column A a date (datetime or Excel serial number), the spot rates in
percent (continuously compounded, Act/365) in the columns under their maturity. Rows that are blank
apart from the date (holidays) and blank cells (short maturities early on) are skipped. Output
curve_type "zero", market UK. Errors name the sheet row (as Excel numbers it) and the column.

A ``.csv`` path is read as a BoE Interactive Database download by :mod:`desktop.importers.boe_iadb`.
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "Bank of England GLC nominal spot curve"
SHEET = "4. spot curve"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_HEADER_SEARCH = 12
_DECORATION = {"", "refresh", "#value!", "#n/a", "#ref!"}


def _load_rows(path: str | os.PathLike[str], file: str) -> list[tuple[Any, ...]]:
    """All rows of the spot-curve sheet as tuples of cell values (read-only, cached values)."""
    base.read_bytes(path)  # missing / empty / huge file → DataError
    import openpyxl  # heavy; only when a workbook is imported

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip/xml/openpyxl errors of a damaged file
        raise DataError(
            f"not a readable Excel workbook ({type(exc).__name__})",
            file=file,
            expected="an .xlsx GLC workbook",
        ) from None
    rows: list[tuple[Any, ...]] = []
    try:
        if SHEET not in wb.sheetnames:
            raise DataError(
                f"no sheet {SHEET!r} (sheets: {', '.join(wb.sheetnames)})",
                file=file,
                field=SHEET,
                expected="a BoE GLC workbook with the '4. spot curve' sheet",
            )
        for row in wb[SHEET].iter_rows(values_only=True):
            rows.append(row)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - the sheet XML is parsed lazily while iterating
        raise DataError(
            f"damaged sheet data ({type(exc).__name__})",
            file=file,
            line=len(rows) + 1,
            field=SHEET,
            expected="a readable worksheet",
        ) from None
    finally:
        wb.close()
    return rows


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _decoration(v: Any) -> bool:
    """Cells of the row between 'years:' and the data ('Refresh' buttons, '#VALUE!', blanks)."""
    return v is None or (isinstance(v, str) and v.strip().casefold() in _DECORATION)


def _cell_date(value: Any) -> pd.Timestamp | None:
    """A column-A value as a date, or None if it is not one."""
    if isinstance(value, datetime | date):
        return pd.Timestamp(value).normalize()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if 1 <= value < 2958466:  # Excel's valid serial range
            return EXCEL_EPOCH + pd.Timedelta(days=int(value))
    return None


def _tenors(row: tuple[Any, ...], file: str, line: int) -> list[float | None]:
    out: list[float | None] = []
    for col, v in enumerate(row[1:], start=2):
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(None)
        elif isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 100 and v not in out:
            out.append(float(v))
        else:
            raise DataError(
                f"bad maturity {v!r}",
                file=file,
                line=line,
                field=get_column_letter(col),
                expected="maturities in years (0 < t <= 100), each once, on the 'years:' row",
            )
    if not any(t is not None for t in out):
        raise DataError(
            "no maturities on the 'years:' row", file=file, line=line, field="B", expected="0.5, 1, …, 40"
        )
    return out


def _number(v: Any, file: str, line: int, col: int, tenor: float | None) -> float:
    if _blank(v):
        return math.nan
    field = f"{get_column_letter(col)} ({tenor:g}y)" if tenor else get_column_letter(col)
    ok = isinstance(v, int | float) and not isinstance(v, bool)
    if ok and tenor is not None and math.isfinite(v) and base.YIELD_MIN_PCT < v < base.YIELD_MAX_PCT:
        return float(v)
    raise DataError(
        f"bad value {v!r}",
        file=file,
        line=line,
        field=field,
        expected="a spot rate in percent in (-5, 50) under a maturity, or a blank cell",
    )


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse a BoE GLC workbook's spot-curve sheet into a long ``curves`` table (curve_type "zero")."""
    file = str(path)
    if file.lower().endswith(".csv"):
        from desktop.importers import boe_iadb

        return boe_iadb.parse(path)
    rows = _load_rows(path, file)
    h = next(
        (
            i
            for i, r in enumerate(rows[:_HEADER_SEARCH])
            if r and isinstance(r[0], str) and r[0].strip().casefold() == "years:"
        ),
        None,
    )
    if h is None:
        raise DataError(
            "no 'years:' row",
            file=file,
            line=min(len(rows), _HEADER_SEARCH) or 1,
            field=f"{SHEET}!A",
            expected="a row with 'years:' in column A and maturities to its right, in the first rows",
        )
    tenors = _tenors(rows[h], file, h + 1)
    width = len(tenors)
    dates: list[pd.Timestamp] = []
    values: list[list[float]] = []
    lines: list[int] = []
    started = False
    for i in range(h + 1, len(rows)):
        row = rows[i]
        line = i + 1
        a = row[0] if row else None
        d = _cell_date(a)
        if d is None:
            if all(_blank(v) for v in row) or (not started and all(_decoration(v) for v in row)):
                continue
            raise DataError(
                f"bad date {a!r}",
                file=file,
                line=line,
                field=f"{SHEET}!A",
                expected="a date or an Excel serial date in column A",
            )
        if not base.DATE_MIN <= d <= base.DATE_MAX:
            raise DataError(
                f"date {d.date()} out of range",
                file=file,
                line=line,
                field=f"{SHEET}!A",
                expected=f"a date between {base.DATE_MIN.date()} and {base.DATE_MAX.date()}",
            )
        started = True
        vals = [
            _number(v, file, line, c, tenors[c - 2] if c - 2 < width else None)
            for c, v in enumerate(row[1:], 2)
        ]
        vals = (vals + [math.nan] * width)[:width]
        dates.append(d)
        values.append(vals)
        lines.append(line)
    if not dates:
        raise DataError(
            "no data rows after the 'years:' row",
            file=file,
            line=h + 2,
            field=f"{SHEET}!A",
            expected="dated rows",
        )
    date_s = pd.Series(dates, dtype="datetime64[ns]")
    line_a = np.asarray(lines, dtype=np.int64)
    base.check_unique_dates(date_s, line_a, file=file, field=f"{SHEET}!A")
    keep = [j for j, t in enumerate(tenors) if t is not None]
    arr = np.asarray(values, dtype="float64")[:, keep]
    curves = base.wide_to_curves(
        date_s,
        arr,
        [tenors[j] for j in keep],  # type: ignore[misc]
        market="UK",
        curve_type="zero",
        source=base.source_label(SOURCE_NAME, file),
        file=file,
    )
    return base.curves_result(file, SOURCE_NAME, curves)
