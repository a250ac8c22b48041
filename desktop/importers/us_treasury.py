"""US Treasury daily par yield curve CSV (home.treasury.gov "Daily Treasury Par Yield Curve Rates").

Accepted as published and as commonly re-saved:

* header ``Date,"1 Mo","2 Mo",…,"30 Yr"`` on line 1; tenor columns are matched **by name** because
  the set changes over the years (``4 Mo`` from Oct-2022, ``1.5 Month``/``1.5 Mo`` from Feb-2025),
  so columns may appear in any order; a name that is not a tenor (``N Mo|Month|Wk|Week|Yr|Year``; a bare ``N M`` is ambiguous)
  is an error, as is a tenor given twice;
* dates ``MM/DD/YYYY`` (official), ``YYYY-MM-DD`` (pandas re-save) or ``M/D/YY`` (Excel re-save,
  years 69–99 → 19xx, 00–68 → 20xx) — one format per file;
* newest-first or oldest-first; blank cells are missing observations (skipped, never filled).

Every data row must have as many fields as the header (a truncated last line is an error), every
yield must be a finite percentage in (-5, 50), each date must appear once.
"""

from __future__ import annotations

import os
import re

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "US Treasury daily par yield curve"
DATE_FORMATS = (("%m/%d/%Y", "MM/DD/YYYY"), ("%Y-%m-%d", "YYYY-MM-DD"), ("%m/%d/%y", "M/D/YY"))
_TENOR = re.compile(
    r"^(\d+(?:\.\d+)?)\s*(mo|mos|month|months|wk|wks|week|weeks|yr|yrs|year|years|y)$", re.I
)
_PER_YEAR = {"m": 12.0, "w": 52.0, "y": 1.0}
#: "10 M" could be months or (as some vendors write) maturity in years: refused, never guessed.
_AMBIGUOUS = re.compile(r"^\d+(?:\.\d+)?\s*m$", re.I)


def tenor_years(name: str) -> float | None:
    """``"1.5 Month"`` → 0.125, ``"10 Yr"`` → 10.0; None if the name is not a tenor."""
    m = _TENOR.match(name.strip())
    if not m:
        return None
    unit = m.group(2).lower()
    key = "w" if unit.startswith("w") else unit[0]
    return float(m.group(1)) / _PER_YEAR[key]


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse a Treasury par yield curve CSV into a long ``curves`` table (curve_type "par")."""
    file = str(path)
    table = base.read_table(path)
    header = table.rows[0]
    if header[0].strip().lstrip("\ufeff").casefold() != "date":
        raise DataError(
            f"first row starts with {header[0]!r}, not the header",
            file=file,
            line=table.lines[0],
            field="Date",
            expected='the header row Date,"1 Mo",…,"30 Yr" on line 1',
        )
    base.header_index(table, 0)  # duplicated / blank names
    tenor_cols: list[int] = []
    tenors: list[float] = []
    seen: dict[float, str] = {}
    for col, name in enumerate(header[1:], start=1):
        if _AMBIGUOUS.match(name.strip()):
            raise DataError(
                "ambiguous tenor unit 'M' (months? years?)",
                file=file,
                line=table.lines[0],
                field=name,
                expected='the Treasury\'s own names such as "10 Mo" (months) or "10 Yr" (years)',
            )
        t = tenor_years(name)
        if t is None or not 0 < t <= 100:
            raise DataError(
                "unknown column",
                file=file,
                line=table.lines[0],
                field=name,
                expected='a tenor such as "1 Mo" or "10 Yr"',
            )
        if t in seen:
            raise DataError(
                f"tenor already given by column {seen[t]!r}",
                file=file,
                line=table.lines[0],
                field=name,
                expected="each tenor once",
            )
        seen[t] = name
        tenor_cols.append(col)
        tenors.append(t)
    if not tenors:
        raise DataError(
            "no tenor columns",
            file=file,
            line=table.lines[0],
            field=header[0],
            expected='columns such as "10 Yr"',
        )
    if len(table.rows) < 2:
        raise DataError(
            "no data rows after the header",
            file=file,
            line=table.lines[0] + 1,
            field=header[0],
            expected="data rows",
        )
    df, lines = base.frame(table, 1, header)
    dates = base.parse_dates(df[0], lines, file=file, field=header[0], formats=DATE_FORMATS)
    base.check_unique_dates(dates, lines, file=file, field=header[0])
    values = base.parse_number_block(df[tenor_cols], lines, file=file, fields=[header[c] for c in tenor_cols])
    curves = base.wide_to_curves(
        dates,
        values,
        tenors,
        market="US",
        curve_type="par",
        source=base.source_label(SOURCE_NAME, file),
        file=file,
    )
    return base.curves_result(file, SOURCE_NAME, curves)
