"""Inputs are regular files, read with limits (issue 10, "Hangs").

A FIFO given to any input flag blocked forever; /dev/zero and /dev/urandom were read without limit
(the cap used the file size, 0 for a device); an 8.4 MB workbook inflating to 2.8 GB imported for
minutes. Every case runs under a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import os
import re
import socket
import zipfile
from pathlib import Path

import openpyxl
import pytest

from desktop.cli import main
from desktop.cli.imports import IMPORT_KINDS
from desktop.errors import DataError
from desktop.importers import KINDS, base, boe, parse_file, us_treasury
from desktop.store import Workspace

pytestmark = pytest.mark.timeout(30)
RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
GLC = RAW / "uk" / "GLC_nominal_daily_2025_cut.xlsx"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def argv_for(flag: str, path: Path, ws: Path) -> list[str]:
    w = ["--workspace", str(ws)]
    return {
        "analytics --bonds": ["analytics", "--bonds", str(path), "--settle", "2026-01-02"],
        "optimize --current": ["optimize", *w, "--current", str(path)],
        "scenarios --alloc": ["scenarios", *w, "--alloc", str(path)],
        "scenarios --scenario-file": ["scenarios", *w, "--scenario-file", str(path)],
        **{f"import {k}": ["import", k, str(path), *w] for k in IMPORT_KINDS},
        "import holdings": ["import", "holdings", str(path), "--portfolio", "P", *w],
    }[flag]


FLAGS = ["analytics --bonds", "optimize --current", "scenarios --alloc", "scenarios --scenario-file",
         *[f"import {k}" for k in IMPORT_KINDS]]


def exits_2(argv: list[str], capsys, needle: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("flag", FLAGS)
def test_fifo_is_refused_not_read(flag, fifo, ws, capsys) -> None:
    exits_2(argv_for(flag, fifo, ws), capsys, "named pipe (FIFO)")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("flag", ["optimize --current", "scenarios --scenario-file", "import bonds", "import boe"])
def test_devices_are_refused(flag, device, ws, capsys) -> None:
    exits_2(argv_for(flag, Path(device), ws), capsys, "character device")


@pytest.mark.parametrize("flag", ["analytics --bonds", "scenarios --alloc", "import fred"])
def test_folder_and_socket_are_refused(flag, tmp_path, ws, capsys) -> None:
    exits_2(argv_for(flag, tmp_path, ws), capsys, "a folder")
    sock_path = tmp_path / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(sock_path))
        exits_2(argv_for(flag, sock_path, ws), capsys, "a socket")
    finally:
        s.close()


def test_cap_counts_bytes_actually_read() -> None:
    """/proc files report size 0 but hold data: the cap must count what is read, not st_size."""
    proc = Path("/proc/self/maps")
    if not proc.exists():
        pytest.skip("no /proc on this machine")
    assert os.stat(proc).st_size == 0
    with pytest.raises(DataError, match="more than 64 bytes"):
        base.read_bytes(proc, limit=64)
    assert len(base.read_bytes(proc)) > 64  # under the default cap it is read whole


def test_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch) -> None:
    """The descriptor is opened non-blocking and checked again (fstat), so a race cannot hang."""
    path = tmp_path / "x.csv"
    os.mkfifo(path)
    real = os.stat(path)
    monkeypatch.setattr(base, "check_regular", lambda *a, **k: real)
    with pytest.raises(DataError, match="named pipe"):
        base.read_bytes(path)


# -- workbooks -----------------------------------------------------------------------------------------
def _rewrite_sheet(src: Path, dst: Path, edit) -> None:
    """Copy the workbook, passing the spot-curve sheet's XML through ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        member = boe._sheet_member(zin, str(src))
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == member else data)


def test_zip_bomb_refused_from_the_directory(tmp_path) -> None:
    """A sheet that inflates past the cap (70 MB of blanks compress to ~70 kB) is refused before parsing."""
    bomb = tmp_path / "bomb.xlsx"
    pad = b" " * (boe.MAX_SHEET_XML_BYTES + 6 * 1024 * 1024)
    _rewrite_sheet(GLC, bomb, lambda x: x.replace(b"</worksheet>", pad + b"</worksheet>"))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(DataError, match="unpacks to"):
        boe.parse(bomb)


def test_huge_declared_dimension_refused(tmp_path) -> None:
    wide = tmp_path / "wide.xlsx"
    _rewrite_sheet(GLC, wide, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x))
    with pytest.raises(DataError, match="1,048,576 rows"):
        boe.parse(wide)


def _edited_workbook(tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(GLC)
    edit(wb[boe.SHEET])
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def test_merged_header_cells_are_named(tmp_path) -> None:
    def merge(sh):
        row = next(r for r in range(1, 13) if str(sh.cell(r, 1).value).strip().lower() == "years:")
        sh.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)

    with pytest.raises(DataError, match="merged cells C4:D4") as exc:
        boe.parse(_edited_workbook(tmp_path, merge))
    assert "unmerge" in str(exc.value) and exc.value.line == 4


def test_formula_without_cached_value_is_named(tmp_path) -> None:
    def formula(sh):
        sh["A8"] = "=DATE(2025,1,7)"  # openpyxl stores the formula, no cached value (as a script would)

    with pytest.raises(DataError, match="formula without a saved value") as exc:
        boe.parse(_edited_workbook(tmp_path, formula))
    assert exc.value.field == f"{boe.SHEET}!A8" and "save it" in str(exc.value)


def test_us_header_10_M_is_not_months(tmp_path) -> None:
    p = tmp_path / "us.csv"
    p.write_text("Date,1 Mo,10 M,10 Yr\n12/31/2025,3.7,3.8,4.1\n")
    with pytest.raises(DataError, match="ambiguous tenor unit") as exc:
        us_treasury.parse(p)
    assert exc.value.field == "10 M"
    assert us_treasury.tenor_years("10 Mo") == pytest.approx(10 / 12)


def test_importers_refuse_a_fifo_directly(fifo) -> None:
    for kind in KINDS:
        with pytest.raises(DataError, match="FIFO"):
            parse_file(kind, fifo)

