"""Every official file in ``<repo>/../shared/data/raw`` through its importer (skipped, naming the path
looked for, if the shared directory is absent), plus the ``parse_file`` dispatch."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop.errors import DataError
from desktop.importers import KINDS, fred, parse_file
from tests.support import mutate

from .conftest import RAW, SHARED, needs_shared

REAL = [
    ("us-treasury", "us/daily-treasury-rates_1990-01-02_to_2022-03-11_official.csv"),
    ("us-treasury", "us/deerfieldgreen_2022-daily-treasury-rates.csv"),
    ("us-treasury", "us/deerfieldgreen_2023-daily-treasury-rates.csv"),
    ("us-treasury", "us/deerfieldgreen_2024-daily-treasury-rates.csv"),
    ("us-treasury", "us/deerfieldgreen_2025-daily-treasury-rates.csv"),
    ("us-treasury", "us/deerfieldgreen_daily-treasury-rates_2021-2025-07-11.csv"),
    ("us-treasury", "us/yield-curve-rates-1990-2024.csv"),
    ("mof-jgb", "jp/jgbcm_all.csv"),
    ("mof-jgb", "jp/jgbcme_all.csv"),
    ("rba-f2", "au/f2-data.csv"),
    ("boe", "uk/GLC Nominal daily data_2025 to present.xlsx"),
    ("boe", "uk/GLC Nominal daily data current month.xlsx"),
    ("boe", "uk/GLC Nominal daily data_2016 to 2024.xlsx"),
    ("boe", "uk/GLC Nominal month end data_1970 to 2015.xlsx"),
] + [("fred", f"fred/{p.name}") for p in sorted((SHARED / "fred").glob("*.csv"))]


@needs_shared
@pytest.mark.parametrize(("kind", "rel"), REAL, ids=[r for _, r in REAL])
def test_real_file_imports_cleanly(kind: str, rel: str) -> None:
    res = parse_file(kind, SHARED / rel)
    mutate.check_result(res)
    assert res.source_file == str(SHARED / rel)


def _at(res, day: str, tenor: float) -> float:
    c = res if isinstance(res, pd.DataFrame) else res.curves
    return float(c[(c["date"] == pd.Timestamp(day)) & (c["tenor_years"] == tenor)]["yield_pct"].iloc[0])


@needs_shared
def test_known_year_end_values_in_the_real_files() -> None:
    assert _at(parse_file("mof-jgb", SHARED / "jp/jgbcm_all.csv"), "2025-12-30", 10.0) == 2.066
    assert _at(parse_file("rba-f2", SHARED / "au/f2-data.csv"), "2025-12-31", 10.0) == 4.74
    uk = parse_file("boe", SHARED / "uk/GLC Nominal daily data_2025 to present.xlsx")
    assert _at(uk, "2025-12-31", 10.0) == pytest.approx(4.5716, abs=1e-4)
    assert _at(uk, "2025-12-31", 30.0) == pytest.approx(5.313, abs=1e-3)
    us = fred.dgs_curves(parse_file("fred", SHARED / "fred/DGS10.csv"))
    assert us is not None and _at(us, "2025-12-31", 10.0) == 4.18
    assert (
        _at(parse_file("us-treasury", SHARED / "us/yield-curve-rates-1990-2024.csv"), "2024-12-31", 10.0)
        == 4.58
    )


@needs_shared
@pytest.mark.parametrize(
    ("kind", "rel", "line", "field"),
    [
        ("us-treasury", "us/Auctions_Query_19791115_20251215.csv", 1, "Date"),
        ("rba-f2", "au/f2.1-data.csv", 11, "FCMYGBAG2"),
        ("bonds", "uk/gilts-closing-prices-20231201.csv", 1, None),
        ("fred", "us/deerfieldgreen_2025-daily-treasury-rates.csv", 1, "1 Mo"),
    ],
)
def test_wrong_file_for_the_kind_is_a_clear_error(kind: str, rel: str, line: int, field: str | None) -> None:
    with pytest.raises(DataError) as info:
        parse_file(kind, SHARED / rel)
    mutate.check_error(info.value, str(SHARED / rel))
    assert info.value.line == line
    if field:
        assert info.value.field == field


def test_parse_file_dispatch_and_unknown_kind() -> None:
    assert set(KINDS) == {"bonds", "us-treasury", "mof-jgb", "rba-f2", "boe", "fred", "ecb-fx", "prices"}
    res = parse_file("fred", RAW / "fred" / "DGS10_cut.csv")
    assert res.kind == "series" and res.source_name == "FRED series"
    with pytest.raises(DataError, match="unknown import kind"):
        parse_file("csv", RAW / "fred" / "DGS10_cut.csv")


def test_parse_file_wraps_unexpected_bugs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from desktop.importers import fred as fred_module

    def boom(path):
        raise RuntimeError("bug")

    monkeypatch.setattr(fred_module, "parse", boom)
    with pytest.raises(DataError, match="RuntimeError"):
        parse_file("fred", tmp_path / "x.csv")
