"""MoF JGB benchmark yields: Japanese (cp932, era dates) and English files."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import mof_jgb

from .conftest import RAW, raises_at

JA = RAW / "jp" / "jgbcm_cut.csv"
EN = RAW / "jp" / "jgbcme_cut.csv"


def _point(c: pd.DataFrame, day: str, tenor: float) -> float | None:
    hit = c[(c["date"] == pd.Timestamp(day)) & (c["tenor_years"] == tenor)]["yield_pct"]
    return float(hit.iloc[0]) if len(hit) else None


def test_japanese_file_era_dates_and_values() -> None:
    c = mof_jgb.parse(str(JA)).curves
    assert _point(c, "2025-12-30", 10.0) == 2.066  # R7.12.30
    assert _point(c, "2025-12-30", 40.0) == 3.475
    assert _point(c, "1974-09-24", 1.0) == 10.327  # S49.9.24
    assert _point(c, "1974-09-24", 10.0) is None  # '-' is missing, not zero
    assert _point(c, "2019-05-07", 10.0) == -0.049  # R1.5.7, first Reiwa business day
    assert _point(c, "1989-01-09", 1.0) is not None  # H1.1.9
    assert set(c["market"]) == {"JP"} and set(c["curve_type"]) == {"par"}


def test_full_japanese_file() -> None:
    res = mof_jgb.parse(str(RAW / "jp" / "jgbcm_all.csv"))
    assert res.rows == 13248 and _point(res.curves, "2025-12-30", 10.0) == 2.066


def test_english_file_matches_japanese() -> None:
    ja = mof_jgb.parse(str(JA)).curves
    en = mof_jgb.parse(str(EN)).curves
    common = en.merge(ja, on=["date", "tenor_years"], suffixes=("_en", "_ja"))
    assert len(common) > 300 and (common["yield_pct_en"] == common["yield_pct_ja"]).all()
    assert _point(en, "2025-12-30", 10.0) == 2.066


@pytest.mark.parametrize(
    ("era", "iso"),
    [
        ("S49.9.24", "1974-09-24"),
        ("H1.1.9", "1989-01-09"),
        ("H31.4.30", "2019-04-30"),
        ("R1.5.1", "2019-05-01"),
        ("R7.12.30", "2025-12-30"),
    ],
)
def test_era_conversion(era: str, iso: str) -> None:
    got = mof_jgb.era_dates(pd.Series([era]), pd.Series([3]).to_numpy(), file="f", field="基準日")
    assert got.iloc[0] == pd.Timestamp(iso)


@pytest.mark.parametrize("era", ["H32.1.1", "R0.1.1", "S64.1.8", "R7.2.30", "X7.1.1", "2025/12/30", "R7.12"])
def test_bad_era_dates(era: str) -> None:
    with pytest.raises(Exception) as info:
        mof_jgb.era_dates(pd.Series(["R7.1.6", era]), pd.Series([3, 4]).to_numpy(), file="f", field="基準日")
    assert "line 4" in str(info.value) and "基準日" in str(info.value)


def test_utf8_resave_is_accepted(write) -> None:
    text = JA.read_bytes().decode("cp932")
    c = mof_jgb.parse(str(write("utf8.csv", text.encode("utf-8")))).curves
    assert _point(c, "2025-12-30", 10.0) == 2.066


def test_title_row_missing_is_accepted(write) -> None:
    lines = JA.read_bytes().split(b"\r\n")
    c = mof_jgb.parse(str(write("notitle.csv", b"\r\n".join(lines[1:])))).curves
    assert _point(c, "2025-12-30", 10.0) == 2.066


def _edit(write, fn) -> str:
    lines = JA.read_bytes().decode("cp932").split("\r\n")
    fn(lines)
    return str(write("damaged.csv", "\r\n".join(lines).encode("cp932")))


def _cell(lines: list[str], i: int, col: int, value: str) -> None:
    cells = lines[i].split(",")
    cells[col] = value
    lines[i] = ",".join(cells)


@pytest.mark.parametrize(
    ("fn", "line", "field", "text"),
    [
        (lambda ls: ls.pop(1), 2, "基準日/Date", "header row not found"),
        (lambda ls: _cell(ls, 5, 10, "abc"), 6, "10年", "bad value 'abc'"),
        (lambda ls: _cell(ls, 5, 3, "NaN"), 6, "3年", "bad value 'NaN'"),
        (lambda ls: _cell(ls, 5, 3, "1e308"), 6, "3年", "(-5, 50)"),
        (lambda ls: _cell(ls, 6, 0, "1974/10/2"), 7, "基準日", "era date"),
        (lambda ls: _cell(ls, 6, 0, "R7.13.1"), 7, "基準日", "era date"),
        (lambda ls: ls.insert(5, ls[4]), 6, "基準日", "duplicate date"),
        (lambda ls: _cell(ls, 1, 10, "5年"), 2, "5年", "duplicated header column"),
        (lambda ls: _cell(ls, 1, 10, "10Y"), 2, "10Y", "unknown column"),
        (lambda ls: ls.__setitem__(-2, ls[-2][:12]), 90, "2年", "truncated"),
    ],
)
def test_damaged_copies(write, fn, line: int, field: str, text: str) -> None:
    raises_at(mof_jgb.parse, _edit(write, fn), line=line, field=field, text=text)


def test_wrong_encoding_named_at_its_line(write) -> None:
    data = JA.read_bytes()
    bad_line = data[: data.index(b"R7.12.30,")].count(b"\n") + 1
    damaged = data.replace(b"R7.12.30,0.906", b"R7.12.30,0.9\x81\x2006")
    raises_at(
        mof_jgb.parse, write("bad.csv", damaged), line=bad_line, field="column 2", text="cannot be decoded"
    )


def test_latin1_bytes_rejected(write) -> None:
    raises_at(
        mof_jgb.parse,
        write("l1.csv", "Date,1Y\n2025/1/6,0.5\u00e9\n".encode("latin-1")),
        line=2,
        field="column 2",
        text="cp932",
    )
