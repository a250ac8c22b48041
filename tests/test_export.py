"""CSV / XLSX export: round trips, encodings, line ends, sheet names."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from desktop.errors import LadderDeskError
from desktop.export import neutralise_text, write_csv, write_xlsx


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "market": ["US", "JP"],
            "id": ["91282CPQ8", "JGB 10y #380"],
            "name": ["UST 3.875% 31-Dec-2032", "10-year JGB No.380 (1.7%)"],
            "maturity": pd.to_datetime(["2032-12-31", "2035-09-20"]),
            "clean_price": [99.1234, 101.5],
            "dv01": [-0.0612, np.nan],
            "face": [1_000_000, 500_000_000],
        }
    )


def test_csv_round_trip_utf8_lf(tmp_path, frame) -> None:
    frame.loc[1, "name"] = "10年 JGB No.380 — 1.7%"
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    back = pd.read_csv(path, parse_dates=["maturity"])
    pd.testing.assert_frame_equal(back, frame)
    assert raw.splitlines()[1].startswith(b"US,91282CPQ8,UST 3.875% 31-Dec-2032,2032-12-31,99.1234,-0.0612,")


def test_csv_overwrites_and_leaves_no_temp(tmp_path, frame) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    write_csv(frame, path)
    assert path.read_text().startswith("market,")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_csv_to_missing_folder_is_a_clear_error(tmp_path, frame) -> None:
    with pytest.raises(LadderDeskError, match="cannot write"):
        write_csv(frame, tmp_path / "nope" / "out.csv")


def test_neutralise_text() -> None:
    assert neutralise_text("=1+1") == "'=1+1"
    assert neutralise_text("-2") == "'-2"
    assert neutralise_text("\tx") == "'\tx"
    assert neutralise_text("UK 4¼% 2027") == "UK 4¼% 2027"


def test_xlsx_round_trip(tmp_path, frame) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx({"Holdings": frame, "Bad/Name:[x]": frame.head(1), "Holdings ": frame.head(0)}, path)
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Holdings" and wb.sheetnames[1] == "Bad_Name__x_"
    ws = wb["Holdings"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(frame.columns)
    assert rows[1][4] == pytest.approx(99.1234) and rows[1][5] == pytest.approx(-0.0612)
    assert rows[2][5] is None  # NaN → empty cell
    assert rows[1][3].date() == date(2032, 12, 31)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
