"""FRED series CSV downloads and API re-saves."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.importers import fred

from .conftest import RAW, raises_at

CSV = RAW / "fred" / "DGS10_cut.csv"
API = RAW / "fred" / "api_DGS10_date-value_cut.csv"


def _value(s: pd.DataFrame, day: str) -> float | None:
    hit = s[s["date"] == pd.Timestamp(day)]["value"]
    return float(hit.iloc[0]) if len(hit) else None


def test_download_and_api_resave_agree() -> None:
    a = fred.parse(str(CSV))
    b = fred.parse(str(API))
    assert a.kind == b.kind == "series"
    assert set(a.series["series_id"]) == set(b.series["series_id"]) == {"DGS10"}
    assert _value(a.series, "2025-12-31") == _value(b.series, "2025-12-31") == 4.18
    assert _value(a.series, "2025-11-11") is None  # empty (holiday) skipped


def test_dgs_curve_points() -> None:
    c = fred.dgs_curves(fred.parse(str(CSV)))
    assert c is not None and set(c["tenor_years"]) == {10.0} and set(c["market"]) == {"US"}
    assert fred.dgs_tenor("DGS3MO") == 0.25 and fred.dgs_tenor("DEXJPUS") is None


def test_old_header_dot_missing_and_multi_series(write) -> None:
    path = write("multi.csv", "DATE,DGS2,DGS10\n2025-12-30,3.47,4.14\n2025-12-31,.,4.18\n")
    s = fred.parse(str(path)).series
    assert len(s) == 3 and _value(s[s["series_id"] == "DGS10"], "2025-12-31") == 4.18


def test_fx_series_is_not_range_limited_to_yields(write) -> None:
    s = fred.parse(str(write("DEXJPUS.csv", "observation_date,DEXJPUS\n2025-12-31,156.80\n"))).series
    assert s["value"].iloc[0] == 156.8


@pytest.mark.parametrize(
    ("text", "line", "field", "msg"),
    [
        ("1962-01-02,4.06\n", 1, "1962-01-02", "not the header"),
        ("observation_date,DGS10\n2025-12-31,abc\n", 2, "DGS10", "bad value 'abc'"),
        ("observation_date,DGS10\n2025-12-31,nan\n", 2, "DGS10", "bad value 'nan'"),
        ("observation_date,DGS10\n2025-12-31,-\n", 2, "DGS10", "bad value '-'"),
        ("observation_date,DGS10\n2025-12-31,1e308\n", 2, "DGS10", "finite number"),
        ("observation_date,DGS10\n2025-12-31,4\n12/31/2025,4\n", 3, "observation_date", "YYYY-MM-DD"),
        ("observation_date,DGS10\n2025-12-31,4\n2025-12-31,4\n", 3, "observation_date", "duplicate date"),
        ("observation_date,DGS10\n1700-01-01,4\n", 2, "observation_date", "out-of-range"),
        ("observation_date,dgs 10\n2025-12-31,4\n", 1, "dgs 10", "series id"),
        ("observation_date,DGS10\n2025-12-31\n", 2, "DGS10", "fields"),
        ("observation_date,DGS10\n", 2, "observation_date", "no data rows"),
    ],
)
def test_bad_files(write, text: str, line: int, field: str, msg: str) -> None:
    raises_at(fred.parse, write("DGS10.csv", text), line=line, field=field, text=msg)


def test_all_missing(write) -> None:
    raises_at(
        fred.parse,
        write("DGS10.csv", "observation_date,DGS10\n2025-12-31,.\n"),
        line=None,
        field=None,
        text="no observations",
    )


def test_date_value_file_needs_series_in_its_name(write) -> None:
    raises_at(
        fred.parse,
        write("tenyear.csv", "date,value\n2025-12-31,4.18\n"),
        line=1,
        field="value",
        text="series",
    )
