"""Hardening: formula injection neutralised, numbers stay numbers, failed exports leave no trace."""

from __future__ import annotations

import csv
import io
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import desktop.export as export
from desktop.export import FORMULA_PREFIXES, write_csv, write_xlsx

PAYLOADS = [
    "=HYPERLINK(\"http://evil\",\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=1\n=2",
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": PAYLOADS,
            "dv01": [-0.05, -1.0, 0.0, 2.5, -1e-9, -3.0, 7.0],
            "face": [-100, 0, 1, 2, 3, 4, 5],
            "mixed": ["=x", 1.5, None, "ok", "-y", "@z", "+w"],
        }
    )


def test_csv_neutralises_text_but_not_numbers(tmp_path) -> None:
    path = tmp_path / "x.csv"
    write_csv(_frame(), path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    assert [r[1] for r in body] == ["-0.05", "-1.0", "0.0", "2.5", "-1e-09", "-3.0", "7.0"]
    assert [r[2] for r in body] == ["-100", "0", "1", "2", "3", "4", "5"]
    assert [r[3] for r in body] == ["'=x", "1.5", "", "ok", "'-y", "'@z", "'+w"]


def test_csv_neutralises_headers(tmp_path) -> None:
    path = tmp_path / "x.csv"
    write_csv(pd.DataFrame({"=cmd": [1.0], "-dv01": [-1.0]}), path)
    assert path.read_text().splitlines() == ["'=cmd,'-dv01", "1.0,-1.0"]


def test_xlsx_has_no_formulas_and_numeric_cells(tmp_path) -> None:
    path = tmp_path / "x.xlsx"
    write_xlsx({"s": _frame()}, path)
    ws = load_workbook(path)["s"]
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
        assert row[1].data_type == "n" and row[2].data_type == "n"
    assert ws["B2"].value == -0.05 and ws["C2"].value == -100
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


@settings(max_examples=int(os.environ.get("LADDERDESK_FUZZ_EXAMPLES", "200")), deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
def test_any_text_is_safe(tmp_path_factory, texts) -> None:
    df = pd.DataFrame({"t": texts, "n": np.arange(len(texts), dtype=float) - 3})
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    write_csv(df, path)
    raw = path.read_bytes()
    assert b"\r" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))[1:]
    for (cell, num), original in zip(rows, texts, strict=True):
        assert not cell.startswith(FORMULA_PREFIXES) or original == ""
        assert float(num) == float(num)


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_failure_mid_write_keeps_old_file_and_no_temp(tmp_path, monkeypatch, fmt) -> None:
    path = tmp_path / f"report.{fmt}"
    path.write_bytes(b"OLD CONTENT\n")
    real_fsync = export.os.fsync

    def failing_fsync(fd):
        raise Boom("disk full after half the rows")

    monkeypatch.setattr(export.os, "fsync", failing_fsync)
    big = pd.DataFrame({"a": np.arange(50_000), "b": ["=x"] * 50_000})
    with pytest.raises(Boom):
        if fmt == "csv":
            write_csv(big, path)
        else:
            write_xlsx({"s": big.head(100)}, path)
    monkeypatch.setattr(export.os, "fsync", real_fsync)
    assert path.read_bytes() == b"OLD CONTENT\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_failure_in_serialiser_keeps_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "r.csv"
    write_csv(pd.DataFrame({"a": [1]}), path)
    before = path.read_bytes()

    def half_then_fail(self, fh, **kw):
        fh.write("a\n1\n")
        raise Boom("serialiser crashed")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(Boom):
        write_csv(pd.DataFrame({"a": [1, 2, 3]}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_failed_replace_keeps_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "r.csv"
    path.write_text("old\n")

    def no_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export.os, "replace", no_replace)
    with pytest.raises(export.LadderDeskError, match="Permission denied"):
        write_csv(pd.DataFrame({"a": [1]}), path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
