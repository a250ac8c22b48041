"""ECB reference-rate history importer (eurofxref-hist.csv / .zip), against the file itself."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from desktop.errors import DataError
from desktop.importers import ecb_fx

HEADER = "Date,USD,JPY,BGN,CYP,GBP,AUD,\n"


@pytest.fixture(scope="module")
def ecb_zip() -> Path:
    currency_converter = pytest.importorskip("currency_converter")
    return Path(currency_converter.__file__).parent / "eurofxref-hist.zip"


def test_real_zip_counted_by_the_csv_module(ecb_zip):
    r = ecb_fx.parse(ecb_zip)
    with zipfile.ZipFile(ecb_zip) as z:
        rows = list(csv.reader(io.TextIOWrapper(z.open("eurofxref-hist.csv"), "utf-8")))
    head, body = rows[0], rows[1:]
    idx = {c: head.index(c) for c in ("USD", "JPY", "GBP", "AUD")}
    assert r.kind == "series" and r.rows == sum(any(row[i] not in ("", "N/A") for i in idx.values()) for row in body)
    for c, i in idx.items():
        want = {row[0]: float(row[i]) for row in body if row[i] not in ("", "N/A")}
        got = r.series[r.series["series_id"] == f"ECB_{c}"]
        assert len(got) == len(want)
        day = "2025-12-31" if "2025-12-31" in want else max(want)
        assert got.set_index(got["date"].dt.strftime("%Y-%m-%d")).loc[day, "value"] == want[day]


def test_month_end_cross_through_eur(tmp_path):
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text(HEADER + "2024-02-29,1.08,162.0,N/A,N/A,0.855,1.66,\n2024-02-28,1.09,163.0,N/A,N/A,0.86,1.67,\n"
                 "2024-01-31,1.10,160.0,N/A,N/A,0.85,1.65,\n", encoding="utf-8")
    m = ecb_fx.month_end_fx(ecb_fx.parse(f)).set_index(["date", "currency"])
    assert m.loc[("2024-02-29", "JPY"), "usd_per_unit"] == pytest.approx(1.08 / 162.0)
    assert m.loc[("2024-01-31", "GBP"), "usd_per_unit"] == pytest.approx(1.10 / 0.85)
    assert m.loc[("2024-01-31", "USD"), "usd_per_unit"] == 1.0
    assert ("2024-02-28", "JPY") not in m.index  # not the month's last fixing


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("When,USD,JPY,GBP,AUD\n2024-01-31,1,2,3,4\n", 1, "column 1"),
        ("Date,USD,JPY,GBP\n2024-01-31,1,2,3\n", 1, "AUD"),
        (HEADER + "2024-01-31,1.1,abc,N/A,N/A,0.85,1.65,\n", 2, "JPY"),
        (HEADER + "2024-01-31,1.1,160,N/A,N/A,-0.85,1.65,\n", 2, "GBP"),
        (HEADER + "2024-01-31,1.1,160,N/A,N/A,0.85,1.65,\n2024-01-31,1.1,160,N/A,N/A,0.85,1.65,\n", 3, "Date"),
        (HEADER + "31/01/2024,1.1,160,N/A,N/A,0.85,1.65,\n", 2, "Date"),
        (HEADER + "2024-01-31,1.1,160,N/A\n", 2, None),
    ],
)
def test_bad_input_names_line_and_field(tmp_path, text, line, field):
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        ecb_fx.parse(f)
    assert exc.value.line == line and str(f) in str(exc.value)
    if field:
        assert exc.value.field == field


def test_zip_without_the_csv_and_bom_crlf(tmp_path):
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("other.csv", "a,b\n")
    with pytest.raises(DataError, match="no eurofxref-hist.csv"):
        ecb_fx.parse(z)
    f = tmp_path / "e.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (HEADER + "2024-01-31,1.1,160,N/A,N/A,0.85,1.65,\n").replace("\n", "\r\n").encode())
    assert ecb_fx.parse(f).rows == 1
