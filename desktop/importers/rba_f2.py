"""Reserve Bank of Australia table F2 "Capital Market Yields – Government Bonds" (``f2-data.csv``).

Layout as published: a table title, then about ten metadata rows (``Title``, ``Description``,
``Frequency``, ``Type``, ``Units``, blank lines, ``Source``, ``Publication date``) ending with the
``Series ID`` row that keys the columns; then one row per day, ``DD-Mon-YYYY``. A UTF-8 BOM and
CRLF line ends are accepted; rows may hold only a date (a holiday) or drop trailing empty cells.

Columns are matched by series id on the ``Series ID`` row: the Australian Government bond yields
``FCMYGBAG2D/3D/5D/10D`` become tenors 2/3/5/10 (curve_type "par", market AU). Other F2 series
(e.g. the indexed bond FCMYGBAGID) are recognised and left out on purpose; an unknown or repeated
series id is an error. At least one AGS column must be present.
"""

from __future__ import annotations

import os

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "RBA F2 capital market yields – Australian Government bonds"
AGS_TENORS = {"FCMYGBAG2D": 2.0, "FCMYGBAG3D": 3.0, "FCMYGBAG5D": 5.0, "FCMYGBAG10D": 10.0}
#: F2 series that are known but not part of the nominal AGS curve.
OTHER_SERIES = frozenset({"FCMYGBAGID", "FCMYGBNT3D", "FCMYGBNT5D", "FCMYGBNT10D"})
#: Monthly-average series of table F2.1 (rejected with a pointer to the daily file).
F21_SERIES = frozenset({"FCMYGBAG2", "FCMYGBAG3", "FCMYGBAG5", "FCMYGBAG10", "FCMYGBAGI"})
_HEADER_SEARCH = 20
_TITLE_WORDS = ("title", "description", "frequency", "type", "units", "source", "publication date")


def _find_series_row(table: base.Table) -> int:
    for i, row in enumerate(table.rows[:_HEADER_SEARCH]):
        first = row[0].strip().casefold()
        if first == "series id":
            return i
        if i > 0 and first not in _TITLE_WORDS:
            raise DataError(
                f"unexpected row {row[0]!r} before the 'Series ID' row",
                file=table.file,
                line=table.lines[i],
                field=row[0][:40] or "column 1",
                expected="F2 metadata rows (Title, Description, …, Publication date) then 'Series ID'",
            )
    raise DataError(
        "no 'Series ID' row in the header",
        file=table.file,
        line=table.lines[min(len(table.lines), _HEADER_SEARCH) - 1],
        field="Series ID",
        expected="the F2 metadata rows ending with 'Series ID,FCMYGBAG2D,…'",
    )


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse an RBA F2 CSV into a long ``curves`` table of AU par yields."""
    file = str(path)
    table = base.read_table(path)
    h = _find_series_row(table)
    header = table.rows[h]
    base.header_index(table, h, casefold=False)
    cols: list[int] = []
    tenors: list[float] = []
    for col, sid in enumerate(header[1:], start=1):
        if sid in AGS_TENORS:
            cols.append(col)
            tenors.append(AGS_TENORS[sid])
        elif sid in F21_SERIES:
            raise DataError(
                "this is table F2.1 (monthly averages), not the daily F2 table",
                file=file,
                line=table.lines[h],
                field=sid,
                expected="the daily F2 file f2-data.csv with series FCMYGBAG2D…FCMYGBAG10D",
            )
        elif sid not in OTHER_SERIES:
            raise DataError(
                "unknown series id",
                file=file,
                line=table.lines[h],
                field=sid,
                expected="F2 series ids such as FCMYGBAG10D",
            )
    if not cols:
        raise DataError(
            "no Australian Government bond series",
            file=file,
            line=table.lines[h],
            field="Series ID",
            expected="columns " + ", ".join(AGS_TENORS),
        )
    if len(table.rows) <= h + 1:
        raise DataError(
            "no data rows after 'Series ID'",
            file=file,
            line=table.lines[h] + 1,
            field="Series ID",
            expected="data rows",
        )
    df, lines = base.frame(table, h + 1, header, pad=True)
    dates = base.parse_dates(
        df[0], lines, file=file, field="Series ID", formats=(("%d-%b-%Y", "DD-Mon-YYYY"),)
    )
    base.check_unique_dates(dates, lines, file=file, field="Series ID")
    # Every series column is validated (also the ones left out), so no damaged cell passes unseen.
    everything = base.parse_number_block(df[list(range(1, len(header)))], lines, file=file, fields=header[1:])
    values = everything[:, [c - 1 for c in cols]]
    curves = base.wide_to_curves(
        dates,
        values,
        tenors,
        market="AU",
        curve_type="par",
        source=base.source_label(SOURCE_NAME, file),
        file=file,
    )
    return base.curves_result(file, SOURCE_NAME, curves)
