"""US Treasury par yield curve CSV: official layout, re-saves, and damaged copies."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import us_treasury

from .conftest import RAW, raises_at

OFFICIAL = RAW / "us" / "daily-treasury-rates_official_cut.csv"
RESAVE = RAW / "us" / "deerfieldgreen_2025-daily-treasury-rates.csv"
EXCEL = RAW / "us" / "yield-curve-rates-excel_cut.csv"


def _point(curves: pd.DataFrame, day: str, tenor: float) -> float | None:
    hit = curves[(curves["date"] == pd.Timestamp(day)) & (curves["tenor_years"] == tenor)]["yield_pct"]
    return float(hit.iloc[0]) if len(hit) else None


def test_official_file_values() -> None:
    res = us_treasury.parse(str(OFFICIAL))
    c = res.curves
    assert res.kind == "curves" and res.rows == 180 and set(c["curve_type"]) == {"par"}
    assert _point(c, "2022-03-11", 10.0) == 2.00 and _point(c, "2022-03-11", 1 / 12) == 0.17
    assert _point(c, "1990-01-02", 30.0) == 8.00
    assert _point(c, "1990-01-02", 1 / 12) is None  # blank cell skipped, not invented
    assert c["date"].is_monotonic_increasing  # newest-first input, sorted output


def test_pandas_resave_with_1_5_month_column() -> None:
    c = us_treasury.parse(str(RESAVE)).curves
    assert _point(c, "2025-07-11", 10.0) == 4.43 and _point(c, "2025-07-11", 0.125) == 4.39
    assert _point(c, "2025-01-02", 0.125) is None


def test_excel_resave_two_digit_years() -> None:
    c = us_treasury.parse(str(EXCEL)).curves
    assert _point(c, "2024-12-31", 10.0) == 4.58 and _point(c, "1990-01-02", 10.0) == 7.94


@pytest.mark.parametrize(
    ("name", "tenor"),
    [("1 Mo", 1 / 12), ("1.5 Month", 0.125), ("4 Mo", 4 / 12), ("30 Yr", 30.0), ("6 Wk", 6 / 52)],
)
def test_tenor_names(name: str, tenor: float) -> None:
    assert us_treasury.tenor_years(name) == pytest.approx(tenor)


def _lines() -> list[str]:
    return OFFICIAL.read_text().splitlines()


def test_shuffled_columns_bom_crlf_give_same_curve(write) -> None:
    rows = [line.split(",") for line in _lines()]
    perm = [0, 5, 3, 12, 1, 2, 4, 6, 7, 8, 9, 10, 11]
    text = "\ufeff" + "\r\n".join(",".join(r[i] for i in perm) for r in rows) + "\r\n"
    got = us_treasury.parse(str(write("shuffled.csv", text))).curves
    pd.testing.assert_frame_equal(
        got.drop(columns="source"), us_treasury.parse(str(OFFICIAL)).curves.drop(columns="source")
    )


def _damaged(write, edit) -> str:
    lines = _lines()
    edit(lines)
    return str(write("damaged.csv", "\n".join(lines)))


def _set_cell(lines: list[str], i: int, col: int, value: str) -> None:
    cells = lines[i].split(",")
    cells[col] = value
    lines[i] = ",".join(cells)


@pytest.mark.parametrize(
    ("edit", "line", "field", "text"),
    [
        (lambda ls: ls.pop(0), 1, "Date", "not the header"),
        (lambda ls: ls.insert(0, "Daily Treasury Par Yield Curve Rates"), 1, "Date", "not the header"),
        (lambda ls: _set_cell(ls, 5, 10, "abc"), 6, '"10 Yr"', "bad value 'abc'"),
        (lambda ls: _set_cell(ls, 5, 10, "nan"), 6, '"10 Yr"', "bad value 'nan'"),
        (lambda ls: _set_cell(ls, 5, 10, "."), 6, '"10 Yr"', "bad value '.'"),
        (lambda ls: _set_cell(ls, 7, 3, "1e308"), 8, '"3 Mo"', "(-5, 50)"),
        (lambda ls: _set_cell(ls, 7, 3, "-inf"), 8, '"3 Mo"', "finite"),
        (lambda ls: _set_cell(ls, 9, 0, "2022-02-25"), 10, "Date", "same format as the first row"),
        (lambda ls: _set_cell(ls, 9, 0, "02/25/2200"), 10, "Date", "out-of-range"),
        (lambda ls: _set_cell(ls, 9, 0, "13/25/2022"), 10, "Date", "bad or out-of-range date"),
        (lambda ls: ls.insert(4, ls[3]), 5, "Date", "duplicate date"),
        (lambda ls: ls.__setitem__(-1, ls[-1][:20]), 181, '"1 Yr"', "truncated"),
        (lambda ls: ls.__setitem__(0, ls[0] + ',"10 Yr"'), 1, '"10 Yr"', "duplicated header column"),
        (
            lambda ls: ls.__setitem__(0, ls[0].replace('"20 Yr"', '"10 Year"')),
            1,
            '"10 Year"',
            "tenor already",
        ),
        (
            lambda ls: ls.__setitem__(0, ls[0].replace('"20 Yr"', '"BC_20YEAR"')),
            1,
            '"BC_20YEAR"',
            "unknown column",
        ),
    ],
)
def test_damaged_copies(write, edit, line: int, field: str, text: str) -> None:
    raises_at(us_treasury.parse, _damaged(write, edit), line=line, field=field.strip('"'), text=text)


def test_wrong_encoding_and_binary(write) -> None:
    utf16 = write("u16.csv", OFFICIAL.read_text().encode("utf-16"))
    raises_at(us_treasury.parse, utf16, line=1, field="column 1", text="cannot be decoded")
    raises_at(us_treasury.parse, write("empty.csv", b""), line=1, field=None, text="empty")
    raises_at(
        us_treasury.parse,
        write("nul.csv", b"Date,10 Yr\n01/02/2025,4\x00.1\n"),
        line=2,
        field="column 2",
        text="NUL",
    )


def test_all_blank_values_is_an_error(write) -> None:
    path = write("blank.csv", "Date,10 Yr\n01/02/2025,\n01/03/2025,\n")
    raises_at(us_treasury.parse, path, line=None, field=None, text="no usable observations")


def test_missing_file() -> None:
    raises_at(us_treasury.parse, RAW / "nope.csv", line=None, field=None, text="cannot read")


def test_workbook_given_as_csv(write) -> None:
    data = (RAW / "uk" / "GLC_nominal_daily_2025_cut.xlsx").read_bytes()
    raises_at(us_treasury.parse, write("curve.csv", data), line=1, field="column 1", text="Excel workbook")
