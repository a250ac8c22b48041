"""FRED (St. Louis Fed) series CSV downloads → kind "series".

Accepted headers: ``observation_date,SERIES[,SERIES…]`` (current downloads), ``DATE,SERIES``
(older downloads) and ``date,value`` (API re-saves; the series id is then taken from the file
name, e.g. ``api_DGS10_date-value.csv`` → ``DGS10``, else the file's stem). Dates ``YYYY-MM-DD``
(1800–2099, each once); missing values are empty or ``.`` and are skipped. Values must be finite
and below 1e6 in magnitude (FX such as DEXJPUS is not a yield, so no yield range is imposed).

:func:`dgs_curves` turns the constant-maturity Treasury series (``DGS1MO`` … ``DGS30``) of a
result into US par curve points, for callers that want them as a curve.
"""

from __future__ import annotations

import os
import re

import pandas as pd

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "FRED series"
_DATE_NAMES = ("observation_date", "date")
_SERIES_ID = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_DGS = re.compile(r"^DGS(\d+)(MO)?$")
SERIES_LO = pd.Timestamp("1800-01-01")


def _id_from_filename(file: str) -> str | None:
    """``api_DGS10_date-value.csv`` → ``DGS10``: the first upper-case token of the file name."""
    stem = os.path.splitext(os.path.basename(file))[0]
    for token in re.split(r"[_\-\s.]+", stem):
        if re.fullmatch(r"[A-Z][A-Z0-9]{2,63}", token):
            return token
    return None


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse a FRED CSV into a long ``series`` table (series_id, date, value)."""
    file = str(path)
    table = base.read_table(path)
    header = table.rows[0]
    hline = table.lines[0]
    if header[0].casefold() not in _DATE_NAMES or len(header) < 2:
        raise DataError(
            f"first row starts with {header[0]!r}, not the header",
            file=file,
            line=hline,
            field=header[0][:40] or "column 1",
            expected="a header observation_date,SERIES (or DATE,SERIES or date,value)",
        )
    base.header_index(table, 0, casefold=False)
    ids = list(header[1:])
    if [h.casefold() for h in header] == ["date", "value"]:
        sid = _id_from_filename(file)
        if sid is None:
            raise DataError(
                "a date,value file does not say which series it holds",
                file=file,
                line=hline,
                field=header[1],
                expected="the series id in the file name, e.g. api_DGS10_date-value.csv or DGS10.csv",
            )
        ids = [sid]
    for sid in ids:
        if not _SERIES_ID.match(sid):
            raise DataError(
                "not a FRED series id",
                file=file,
                line=hline,
                field=sid,
                expected="an id such as DGS10 (A-Z, 0-9)",
            )
    if len(table.rows) < 2:
        raise DataError(
            "no data rows after the header", file=file, line=hline + 1, field=header[0], expected="data rows"
        )
    df, lines = base.frame(table, 1, header)
    dates = base.parse_dates(
        df[0], lines, file=file, field=header[0], formats=(("%Y-%m-%d", "YYYY-MM-DD"),), lo=SERIES_LO
    )
    base.check_unique_dates(dates, lines, file=file, field=header[0])
    parts = []
    for col, sid in enumerate(ids, start=1):
        v = base.parse_numbers(
            df[col], lines, file=file, field=header[col], lo=-1e6, hi=1e6, missing=("", "."), what="a number"
        )
        keep = v.notna().to_numpy()
        parts.append(
            pd.DataFrame({"series_id": sid, "date": dates[keep].to_numpy(), "value": v[keep].to_numpy()})
        )
    series = pd.concat(parts, ignore_index=True)
    if series.empty:
        raise DataError(
            "no observations in the file (all values missing)", file=file, expected="at least one value"
        )
    series["date"] = series["date"].astype("datetime64[ns]")
    return base.ImportResult(
        kind="series",
        source_file=file,
        source_name=SOURCE_NAME,
        rows=int(series["date"].nunique()),
        bonds=None,
        curves=None,
        series=series,
    )


def dgs_tenor(series_id: str) -> float | None:
    """``DGS10`` → 10.0, ``DGS3MO`` → 0.25; None for other series."""
    m = _DGS.match(series_id)
    if not m:
        return None
    n = float(m.group(1))
    return n / 12.0 if m.group(2) else n


def dgs_curves(result: base.ImportResult) -> pd.DataFrame | None:
    """US par curve points (curves columns) from the DGS* series of a FRED result, or None."""
    if result.series is None:
        return None
    s = result.series
    tenor = s["series_id"].map(dgs_tenor)
    keep = tenor.notna().to_numpy() & (s["value"].abs() < base.YIELD_MAX_PCT).to_numpy()
    if not keep.any():
        return None
    out = pd.DataFrame(
        {
            "market": "US",
            "date": s["date"].to_numpy()[keep],
            "tenor_years": tenor.to_numpy(dtype="float64")[keep],
            "yield_pct": s["value"].to_numpy(dtype="float64")[keep],
            "curve_type": "par",
            "source": base.source_label(
                "FRED " + "/".join(sorted(set(s["series_id"][keep]))), result.source_file
            ),
        }
    )
    return out.sort_values(["date", "tenor_years"], kind="stable").reset_index(drop=True)[base.CURVE_COLUMNS]


__all__ = ["dgs_curves", "dgs_tenor", "parse"]
