"""Bank of England GLC nominal spot-curve workbook."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from desktop.importers import boe
from tests.support import mutate

from .conftest import RAW, raises_at

CUT = RAW / "uk" / "GLC_nominal_daily_2025_cut.xlsx"


def _rows() -> list[list[Any]]:
    wb = openpyxl.load_workbook(CUT, read_only=True)
    rows = [list(r) for r in wb[boe.SHEET].iter_rows(values_only=True)]
    wb.close()
    return rows


def _point(c: pd.DataFrame, day: str, tenor: float) -> float | None:
    hit = c[(c["date"] == pd.Timestamp(day)) & (c["tenor_years"] == tenor)]["yield_pct"]
    return float(hit.iloc[0]) if len(hit) else None


def test_cut_workbook_values() -> None:
    res = boe.parse(str(CUT))
    c = res.curves
    assert set(c["curve_type"]) == {"zero"} and set(c["market"]) == {"UK"}
    assert _point(c, "2025-12-31", 10.0) == pytest.approx(4.5716, abs=1e-4)
    assert _point(c, "2025-12-31", 2.0) == pytest.approx(3.633, abs=1e-3)
    assert _point(c, "2025-12-31", 0.5) is None  # blank short end skipped
    assert pd.Timestamp("2025-01-01") not in set(c["date"])  # holiday row (date only)
    assert sorted(c["tenor_years"].unique())[-1] == 40.0


def test_excel_serial_dates_accepted(tmp_path: Path) -> None:
    rows = _rows()
    for r in rows:
        if isinstance(r[0], datetime):
            r[0] = (r[0] - datetime(1899, 12, 30)).days
    path = tmp_path / "serial.xlsx"
    mutate.write_xlsx(rows, path)
    assert _point(boe.parse(str(path)).curves, "2025-12-31", 10.0) == pytest.approx(4.5716, abs=1e-4)


def _damaged(tmp_path: Path, fn) -> Path:
    rows = _rows()
    fn(rows)
    path = tmp_path / "damaged.xlsx"
    mutate.write_xlsx(rows, path)
    return path


def _set(rows: list[list[Any]], i: int, j: int, v: Any) -> None:
    rows[i][j] = v


@pytest.mark.parametrize(
    ("fn", "line", "field", "text"),
    [
        (lambda r: _set(r, 10, 20, "abc"), 11, "U (10y)", "bad value 'abc'"),
        (lambda r: _set(r, 10, 20, -10.0), 11, "U (10y)", "(-5, 50)"),
        (lambda r: _set(r, 10, 20, 1e308), 11, "U (10y)", "(-5, 50)"),
        (lambda r: _set(r, 10, 20, True), 11, "U (10y)", "bad value True"),
        (lambda r: _set(r, 10, 0, "31/12/2025"), 11, "4. spot curve!A", "bad date"),
        (lambda r: _set(r, 10, 0, datetime(2200, 1, 1)), 11, "4. spot curve!A", "out of range"),
        (lambda r: r.insert(11, list(r[10])), 12, "4. spot curve!A", "duplicate date"),
        (lambda r: _set(r, 3, 0, "maturities"), None, "4. spot curve!A", "no 'years:' row"),
        (lambda r: _set(r, 3, 5, 2), 4, "F", "bad maturity 2"),
        (lambda r: _set(r, 3, 5, "two"), 4, "F", "bad maturity"),
    ],
)
def test_damaged_workbooks(tmp_path: Path, fn, line: int | None, field: str, text: str) -> None:
    raises_at(boe.parse, _damaged(tmp_path, fn), line=line, field=field, text=text)


def test_missing_sheet(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    mutate.write_xlsx(_rows(), path, sheet="2. fwd curve")
    raises_at(boe.parse, path, line=None, field=boe.SHEET, text="no sheet")


@pytest.mark.parametrize("cut", [100, 5000, 30000])
def test_truncated_or_non_workbook_files(write, cut: int) -> None:
    raises_at(
        boe.parse, write("t.xlsx", CUT.read_bytes()[:cut]), line=None, field=None, text="not a readable"
    )
    raises_at(boe.parse, write("t.csv", b"a,b\n1,2\n"), line=1, field="a", text="IADB header")
