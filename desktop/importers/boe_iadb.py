"""Bank of England Interactive Database (IADB) CSV downloads of gilt yields (``boe`` kind, .csv).

Layout of a ``CSVF=TN`` download: header ``DATE,<SERIES>[,<SERIES>…]`` on line 1, then one row
per day, dates ``DD Mon YYYY`` (e.g. ``02 Jan 2019``; ``DD/Mon/YYYY`` and ISO accepted too, one
format per file). Supported series (daily, per cent):

* nominal zero-coupon: ``IUDSNZC`` 5y, ``IUDMNZC`` 10y, ``IUDLNZC`` 20y → curve_type "zero";
* nominal par yields: ``IUDSNPY`` 5y, ``IUDMNPY`` 10y, ``IUDLNPY`` 20y → curve_type "par".

Other codes (monthly averages, real yields, Bank Rate…) are rejected by name. Blank cells are
skipped; values must be finite in (-5, 50); each date once.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "Bank of England IADB gilt yields"
SERIES: dict[str, tuple[float, str]] = {
    "IUDSNZC": (5.0, "zero"),
    "IUDMNZC": (10.0, "zero"),
    "IUDLNZC": (20.0, "zero"),
    "IUDSNPY": (5.0, "par"),
    "IUDMNPY": (10.0, "par"),
    "IUDLNPY": (20.0, "par"),
}
DATE_FORMATS = (("%d %b %Y", "DD Mon YYYY"), ("%d/%b/%Y", "DD/Mon/YYYY"), ("%Y-%m-%d", "YYYY-MM-DD"))


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse an IADB CSV of the supported gilt-yield series into a long ``curves`` table."""
    file = str(path)
    table = base.read_table(path)
    header = table.rows[0]
    hline = table.lines[0]
    if header[0].casefold() != "date" or len(header) < 2:
        raise DataError(
            f"first row starts with {header[0]!r}, not the header",
            file=file,
            line=hline,
            field=header[0][:40] or "column 1",
            expected="an IADB header DATE,IUDMNZC,…",
        )
    base.header_index(table, 0, casefold=False)
    for code in header[1:]:
        if code not in SERIES:
            raise DataError(
                "unsupported IADB series",
                file=file,
                line=hline,
                field=code,
                expected="daily nominal gilt series " + ", ".join(SERIES),
            )
    if len(table.rows) < 2:
        raise DataError(
            "no data rows after the header", file=file, line=hline + 1, field=header[0], expected="rows"
        )
    df, lines = base.frame(table, 1, header)
    dates = base.parse_dates(df[0], lines, file=file, field=header[0], formats=DATE_FORMATS)
    base.check_unique_dates(dates, lines, file=file, field=header[0])
    values = base.parse_number_block(df[list(range(1, len(header)))], lines, file=file, fields=header[1:])
    parts = []
    for curve_type in ("par", "zero"):
        cols = [j for j, code in enumerate(header[1:]) if SERIES[code][1] == curve_type]
        if cols and not np.isnan(values[:, cols]).all():
            parts.append(
                base.wide_to_curves(
                    dates,
                    values[:, cols],
                    [SERIES[header[1 + j]][0] for j in cols],
                    market="UK",
                    curve_type=curve_type,
                    source=base.source_label(SOURCE_NAME, file),
                    file=file,
                )
            )
    if not parts:
        raise DataError("no usable observations in the file", file=file, expected="at least one yield value")
    curves = pd.concat(parts, ignore_index=True).sort_values(
        ["date", "curve_type", "tenor_years"], kind="stable"
    )
    return base.curves_result(file, SOURCE_NAME, curves.reset_index(drop=True))
