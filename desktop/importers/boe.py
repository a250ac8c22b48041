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

import io
import math
import os
import re
import zipfile
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "Bank of England GLC nominal spot curve"
SHEET = "4. spot curve"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_HEADER_SEARCH = 12
_DECORATION = {"", "refresh", "#value!", "#n/a", "#ref!"}


#: Caps checked in the zip directory before anything is parsed: the largest published GLC workbook
#: (daily 2016–2024) holds a 10 MB spot-curve sheet of 2,273 rows × 81 columns.
MAX_SHEET_XML_BYTES = 64 * 1024 * 1024
MAX_WORKBOOK_XML_BYTES = 256 * 1024 * 1024
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 500
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
#: a cell holding a formula (<f>) but no cached value (<v> missing or empty)
_UNCACHED = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}\d+)"[^>/]*>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _sheet_member(zf: zipfile.ZipFile, file: str) -> str | None:
    """Zip member of the spot-curve sheet (workbook.xml → its relationship target), None if absent."""
    import xml.etree.ElementTree as ET

    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - damaged zip/xml (zlib, encrypted, bad XML): openpyxl names it below
        return None
    rid = next((el.get(_NS_REL) for el in book.iter() if el.tag.endswith("}sheet") and el.get("name") == SHEET), None)
    target = next((el.get("Target") for el in rels if el.get("Id") == rid), None) if rid else None
    if not target:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _precheck(data: bytes, file: str) -> None:
    """Refuse, from the zip directory and the raw sheet XML, what would make parsing huge or wrong:
    declared uncompressed sizes over the caps (a zip bomb), sheet dimensions over the caps, merged
    cells and formulas without a cached value (openpyxl would read those as blanks or shifted)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - not a zip: openpyxl's own error below names it
        return
    total = sum(i.file_size for i in infos)
    if total > MAX_WORKBOOK_XML_BYTES:
        raise DataError(f"the workbook unpacks to {total:,} bytes", file=file,
                        expected=f"at most {MAX_WORKBOOK_XML_BYTES:,} bytes (a GLC workbook is ~10 MB unpacked)")
    big = max(infos, key=lambda i: i.file_size, default=None)
    if big is not None and big.file_size > MAX_SHEET_XML_BYTES:
        raise DataError(f"workbook part {big.filename} unpacks to {big.file_size:,} bytes", file=file,
                        expected=f"at most {MAX_SHEET_XML_BYTES:,} bytes per part")
    member = _sheet_member(zf, file)
    if member is None:
        return  # the sheet-name check below reports it
    try:
        xml = zf.read(member)
    except Exception:  # noqa: BLE001 - damaged part (zlib error, bad CRC, encrypted): openpyxl reports it
        return
    dim = _DIMENSION.search(xml, 0, 8192)
    if dim:
        last_col = dim.group(3) or dim.group(1)
        rows, cols = int(dim.group(4) or dim.group(2)), column_index_from_string(last_col.decode())
        if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLUMNS:
            raise DataError(f"sheet dimension {dim.group(0).decode()[16:-1]} ({rows:,} rows × {cols:,} columns)",
                            file=file, field=SHEET,
                            expected=f"at most {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns")
    merge = _MERGE.search(xml)
    if merge:
        ref = merge.group(1).decode()
        raise DataError(f"merged cells {ref}: merged header or data cells cannot be read column by column",
                        file=file, line=_row_of(ref), field=f"{SHEET}!{ref}",
                        expected="unmerged cells (unmerge them in Excel, one maturity or value per cell)")
    uncached = _UNCACHED.search(xml) if b"<f" in xml else None
    if uncached:
        ref = uncached.group(1).decode()
        raise DataError(f"cell {ref} holds a formula without a saved value", file=file, line=_row_of(ref),
                        field=f"{SHEET}!{ref}",
                        expected="values, not formulas: open the workbook in Excel and save it (Excel stores "
                                 "each formula's value), or paste the values")


def _row_of(ref: str) -> int:
    return int(re.sub(r"^[A-Z]+", "", ref.split(":")[0]))


def _load_rows(path: str | os.PathLike[str], file: str) -> list[tuple[Any, ...]]:
    """All rows of the spot-curve sheet as tuples of cell values (read-only, cached values)."""
    data = base.read_bytes(path)  # missing / special / empty / huge file → DataError
    _precheck(data, file)
    import openpyxl  # heavy; only when a workbook is imported

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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
            if len(rows) > MAX_SHEET_ROWS:
                raise DataError(f"more than {MAX_SHEET_ROWS:,} rows", file=file, field=SHEET,
                                expected=f"at most {MAX_SHEET_ROWS:,} rows")
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
