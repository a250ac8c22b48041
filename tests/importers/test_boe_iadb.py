"""BoE IADB CSV downloads through the ``boe`` kind."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import boe, parse_file

from .conftest import RAW, raises_at

IADB = RAW / "uk" / "iadb_layout_from_glc_2025-12.csv"


def test_iadb_layout_matches_the_glc_workbook() -> None:
    iadb = parse_file("boe", IADB).curves
    glc = boe.parse(str(RAW / "uk" / "GLC_nominal_daily_2025_cut.xlsx")).curves
    assert set(iadb["curve_type"]) == {"zero"} and sorted(iadb["tenor_years"].unique()) == [5.0, 10.0, 20.0]
    both = iadb.merge(glc, on=["date", "tenor_years", "curve_type"], suffixes=("_iadb", "_glc"))
    assert len(both) == len(iadb)
    assert (both["yield_pct_iadb"] - both["yield_pct_glc"]).abs().max() < 1e-4
    day = iadb[(iadb["date"] == pd.Timestamp("2025-12-31")) & (iadb["tenor_years"] == 10.0)]
    assert float(day["yield_pct"].iloc[0]) == pytest.approx(4.5716)


def test_par_and_zero_series_together(write) -> None:
    text = "DATE,IUDMNPY,IUDMNZC\n30 Dec 2025,4.47,4.55\n31/Dec/2025,,4.57\n"
    with pytest.raises(Exception, match="same format"):
        boe.parse(str(write("iadb.csv", text)))
    c = boe.parse(str(write("iadb.csv", text.replace("31/Dec/2025", "31 Dec 2025")))).curves
    assert sorted(c["curve_type"]) == ["par", "zero", "zero"]


@pytest.mark.parametrize(
    ("text", "line", "field", "msg"),
    [
        ("DATE,IUMAMNPY\n31 Dec 2025,4.5\n", 1, "IUMAMNPY", "unsupported IADB series"),
        ("DATE,IUDMNZC\n31 Dec 2025,abc\n", 2, "IUDMNZC", "bad value 'abc'"),
        ("DATE,IUDMNZC\n31 Dec 2025,4.5\n31 Dec 2025,4.6\n", 3, "DATE", "duplicate date"),
        ("31 Dec 2025,4.5\n", 1, "31 Dec 2025", "not the header"),
    ],
)
def test_bad_iadb_files(write, text: str, line: int, field: str, msg: str) -> None:
    raises_at(boe.parse, write("iadb.csv", text), line=line, field=field, text=msg)
