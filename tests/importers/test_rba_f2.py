"""RBA F2 daily government bond yields."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import rba_f2

from .conftest import RAW, raises_at

FULL = RAW / "au" / "f2-data.csv"
CUT = RAW / "au" / "f2-data_cut.csv"


def _point(c: pd.DataFrame, day: str, tenor: float) -> float | None:
    hit = c[(c["date"] == pd.Timestamp(day)) & (c["tenor_years"] == tenor)]["yield_pct"]
    return float(hit.iloc[0]) if len(hit) else None


def test_full_file_values() -> None:
    res = rba_f2.parse(str(FULL))
    c = res.curves
    assert _point(c, "2025-12-31", 10.0) == 4.74 and _point(c, "2025-12-31", 2.0) == 4.059
    assert sorted(c["tenor_years"].unique()) == [2.0, 3.0, 5.0, 10.0]
    assert _point(c, "2013-05-20", 10.0) == 3.229 and _point(c, "2013-05-20", 2.0) is None  # short row
    assert pd.Timestamp("2013-08-05") not in set(c["date"])  # a row with only a date
    assert set(c["market"]) == {"AU"}


def test_bom_and_crlf_accepted(write) -> None:
    data = b"\xef\xbb\xbf" + CUT.read_bytes().replace(b"\n", b"\r\n")
    c = rba_f2.parse(str(write("f2.csv", data))).curves
    assert _point(c, "2025-12-31", 10.0) == 4.74


def test_shuffled_series_columns(write) -> None:
    lines = CUT.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines[:11]:
        out.append(line)
    for line in lines[11:]:
        cells = (line.split(",") + [""] * 6)[:6]
        out.append(",".join([cells[0], cells[4], cells[2], cells[3], cells[1], cells[5]]))
    out[10] = "Series ID,FCMYGBAG10D,FCMYGBAG3D,FCMYGBAG5D,FCMYGBAG2D,FCMYGBAGID"
    out[:10] = [
        line
        for line in lines[:10]
        if "," not in line or line.startswith(("Frequency", "Type", "Units", "Source", "Publication"))
    ]
    c = rba_f2.parse(str(write("f2.csv", "\n".join(out)))).curves
    assert _point(c, "2025-12-31", 10.0) == 4.74 and _point(c, "2025-12-31", 2.0) == 4.059


def _edit(write, fn) -> str:
    lines = CUT.read_text(encoding="utf-8").split("\n")
    fn(lines)
    return str(write("damaged.csv", "\n".join(lines)))


def _cell(lines: list[str], i: int, col: int, value: str) -> None:
    cells = lines[i].split(",")
    cells[col] = value
    lines[i] = ",".join(cells)


@pytest.mark.parametrize(
    ("fn", "line", "field", "text"),
    [
        (lambda ls: ls.pop(10), 11, None, "'Series ID'"),
        (lambda ls: _cell(ls, 10, 4, "FCMYGBAG30D"), 11, "FCMYGBAG30D", "unknown series id"),
        (lambda ls: _cell(ls, 10, 4, "FCMYGBAG2D"), 11, "FCMYGBAG2D", "duplicated header column"),
        (lambda ls: _cell(ls, 12, 4, "abc"), 13, "FCMYGBAG10D", "bad value 'abc'"),
        (lambda ls: _cell(ls, 45, 5, "inf"), 46, "FCMYGBAGID", "finite"),
        (lambda ls: _cell(ls, 12, 0, "2013-05-21"), 13, "Series ID", "DD-Mon-YYYY"),
        (lambda ls: _cell(ls, 12, 0, "21-May-2113"), 13, "Series ID", "out-of-range"),
        (lambda ls: ls.insert(13, ls[12]), 14, "Series ID", "duplicate date"),
        (lambda ls: ls.insert(3, "1-Jan-2020,1,2,3,4,5"), 4, "1-Jan-2020", "before the 'Series ID' row"),
        (lambda ls: _cell(ls, 45, 5, "3,7"), 46, "column 7", "fields"),
    ],
)
def test_damaged_copies(write, fn, line: int, field: str | None, text: str) -> None:
    raises_at(rba_f2.parse, _edit(write, fn), line=line, field=field, text=text)


def test_monthly_f21_file_is_pointed_to_the_daily_one(write) -> None:
    lines = CUT.read_text(encoding="utf-8").split("\n")
    lines[10] = "Series ID,FCMYGBAG2,FCMYGBAG3,FCMYGBAG5,FCMYGBAG10,FCMYGBAGI"
    raises_at(rba_f2.parse, write("f21.csv", "\n".join(lines)), line=11, field="FCMYGBAG2", text="F2.1")


def test_cp1252_title_rejected(write) -> None:
    data = CUT.read_text(encoding="utf-8").encode("cp1252")
    raises_at(rba_f2.parse, write("f2.csv", data), line=1, field="column 1", text="cannot be decoded")
