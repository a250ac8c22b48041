"""Japan Ministry of Finance JGB benchmark yields: ``jgbcm_all.csv`` / ``jgbcm.csv`` (Japanese) and
``jgbcme_all.csv`` / ``jgbcme.csv`` (English), as published on mof.go.jp.

* Japanese file: Shift-JIS/cp932 (a UTF-8 re-save is accepted too — the two cannot be confused),
  a title row ``国債金利情報,…,(単位 : %)``, then the header ``基準日,1年,2年,…,40年``, then one row per
  day with an era date: ``S49.9.24`` (Shōwa, +1925), ``H22.1.29`` (Heisei, +1988), ``R7.12.30``
  (Reiwa, +2018; ``R1.5.1`` is 2019-05-01). Missing yields are ``-``.
* English file: title ``Interest Rate,…,(Unit : %)``, header ``Date,1Y,…,40Y``, dates ``YYYY/M/D``.

The header is located by name among the first 5 rows (a missing title row is harmless; anything
above the header must not look like data). Tenor columns are matched by name (``N年`` / ``NY``),
so they may appear in any order; unknown or repeated columns are errors. Yields are compound
(semi-annual) par-type benchmark yields: curve_type "par".
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "MoF Japan JGB benchmark yields"
ERAS = {"S": 1925, "H": 1988, "R": 2018}
# Each era's first and last valid date (for catching e.g. H40.1.1 or R0.1.1).
ERA_SPAN = {
    "S": (pd.Timestamp("1926-12-25"), pd.Timestamp("1989-01-07")),
    "H": (pd.Timestamp("1989-01-08"), pd.Timestamp("2019-04-30")),
    "R": (pd.Timestamp("2019-05-01"), base.DATE_MAX),
}
_ERA_DATE = r"^([SHR])(\d{1,2})\.(\d{1,2})\.(\d{1,2})$"
_TENOR = re.compile(r"^(\d{1,2})(年|Y)$", re.I)
_DATE_NAMES = ("基準日", "date")
_HEADER_SEARCH = 5


def _find_header(table: base.Table) -> int:
    for i, row in enumerate(table.rows[:_HEADER_SEARCH]):
        if row[0].strip().casefold() in _DATE_NAMES:
            return i
        if re.match(_ERA_DATE, row[0].strip()) or re.match(r"^\d{4}/\d{1,2}/\d{1,2}$", row[0].strip()):
            break  # data before any header
    raise DataError(
        "header row not found",
        file=table.file,
        line=table.lines[min(i, len(table.lines) - 1)],
        field="基準日/Date",
        expected="a header 基準日,1年,…,40年 (or Date,1Y,…,40Y) after the title row",
    )


def era_dates(cells: pd.Series, lines: np.ndarray, *, file: str, field: str) -> pd.Series:
    """Vectorised ``R7.12.30`` → 2025-12-30 (Shōwa+1925, Heisei+1988, Reiwa+2018)."""
    text = cells.astype(str).str.strip()
    parts = text.str.replace("元", "1", regex=False).str.extract(_ERA_DATE)  # 元年 = year 1 of an era
    ok = parts[0].notna().to_numpy()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if ok.any():
        p = parts[ok]
        year = p[1].astype(int) + p[0].map(ERAS)
        built = pd.to_datetime(
            pd.DataFrame({"year": year, "month": p[2].astype(int), "day": p[3].astype(int)}), errors="coerce"
        )
        lo = p[0].map(lambda e: ERA_SPAN[e][0])
        hi = p[0].map(lambda e: ERA_SPAN[e][1])
        built = built.where((built >= lo) & (built <= hi))
        out[ok] = built
    base.refuse_first((out.isna() | (out < base.DATE_MIN) | (out > base.DATE_MAX)).to_numpy(), lines, file=file,
                      field=field, reason=lambda i: f"bad era date {text.iloc[i]!r}",
                      expected="an era date such as R7.12.30 (S = Shōwa, H = Heisei, R = Reiwa) valid in its era")
    return out


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse a MoF JGB yield file (Japanese or English) into a long ``curves`` table."""
    file = str(path)
    table = base.read_table(path, encodings=("utf-8-sig", "cp932"))
    h = _find_header(table)
    header = table.rows[h]
    japanese = header[0].strip() == "基準日"
    base.header_index(table, h)
    tenor_cols: list[int] = []
    tenors: list[float] = []
    for col, name in enumerate(header[1:], start=1):
        m = _TENOR.match(name)
        if not m or int(m.group(1)) == 0 or (m.group(2) == "年") != japanese:
            raise DataError(
                "unknown column",
                file=file,
                line=table.lines[h],
                field=name,
                expected="tenor columns 1年…40年" if japanese else "tenor columns 1Y…40Y",
            )
        t = float(m.group(1))
        if t in tenors:
            raise DataError(
                "tenor given twice", file=file, line=table.lines[h], field=name, expected="each tenor once"
            )
        tenor_cols.append(col)
        tenors.append(t)
    if not tenors or len(table.rows) <= h + 1:
        raise DataError(
            "no data after the header",
            file=file,
            line=table.lines[h],
            field=header[0],
            expected="tenor columns and data rows",
        )
    df, lines = base.frame(table, h + 1, header)
    if japanese:
        dates = era_dates(df[0], lines, file=file, field=header[0])
    else:
        dates = base.parse_dates(
            df[0], lines, file=file, field=header[0], formats=(("%Y/%m/%d", "YYYY/M/D"),)
        )
    base.check_unique_dates(dates, lines, file=file, field=header[0])
    values = base.parse_number_block(
        df[tenor_cols], lines, file=file, fields=[header[c] for c in tenor_cols], missing=("", "-")
    )
    curves = base.wide_to_curves(
        dates,
        values,
        tenors,
        market="JP",
        curve_type="par",
        source=base.source_label(SOURCE_NAME, file),
        file=file,
    )
    return base.curves_result(file, SOURCE_NAME, curves)
