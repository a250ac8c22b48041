"""Sanity bounds on every imported number (issue 10, "Misleading success"), replace/undo, meta.

Reference values: the red team's exact inputs (FRED DGS3MO = 999999, DEXUSUK = 999999, DEXJPUS =
1e-6, the US file ``Date,1 Mo,100 Yr / 12/31/2025,3.7,49.9``) and the workspace's own stored rows
before the import (``import --undo`` must give them back byte for byte).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Workspace
from tests.support.workspace_rows import dump

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(("series", "value", "needle"), [
    ("DGS3MO", "999999", "outside the bounds"),
    ("DGS10", "31", "outside the bounds"),
    ("DEXUSUK", "999999", "not a plausible exchange rate"),
    ("DEXJPUS", "0.000001", "not a plausible exchange rate"),
    ("DEXUSUK", "2.1", "the workspace's GBP rate"),  # +55 % on the bundled 1.35: a jump needs --force
])
def test_red_team_fred_values_are_refused(series, value, needle, ws, tmp_path, capsys) -> None:
    f = write(tmp_path, f"{series}.csv", f"observation_date,{series}\n2025-12-30,{value}\n")
    before = dump(ws)
    code, _, err = run(["import", "fred", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and needle in err and series in err, err
    assert dump(ws) == before


def test_fx_jump_with_force_then_undo(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "DEXUSUK.csv", "observation_date,DEXUSUK\n2025-12-30,2.1\n")
    before = dump(ws)
    code, _, err = run(["import", "fred", str(f), "--workspace", str(ws), "--force"], capsys)
    assert code == 0, err
    assert dump(ws) != before
    code, out, _ = run(["import", "--undo", "--workspace", str(ws)], capsys)
    assert code == 0 and "undid the series import" in out
    assert dump(ws) == before


def test_fx_jump_inside_the_file_is_refused(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "DEXUSUK.csv", "observation_date,DEXUSUK\n1990-01-02,1.6\n1990-01-03,0.9\n")
    code, _, err = run(["import", "fred", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "jumps from 1.6" in err, err


US_OFFICIAL_ROW = "12/31/2025,3.72,3.68,3.63,3.52,3.46,3.42,3.47,3.55,3.73,3.95,4.18,4.81,4.84"  # stand-in values
US_HEADER = 'Date,"1 Mo","2 Mo","3 Mo","6 Mo","1 Yr","2 Yr","3 Yr","5 Yr","7 Yr","10 Yr","20 Yr","30 Yr",4 Mo'


def test_red_team_us_curve_with_100y_is_refused(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "us.csv", "Date,1 Mo,100 Yr\n12/31/2025,3.7,49.9\n")
    before = dump(ws)
    code, _, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "100" in err, err
    assert dump(ws) == before


def test_two_point_curve_is_refused(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "us.csv", "Date,1 Mo,30 Yr\n12/31/2025,3.7,4.9\n")
    code, _, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "has 2 points" in err and "no usable curve" in err, err


def test_changed_curve_needs_replace_and_undo_restores(ws, tmp_path, capsys) -> None:
    stored = dump(ws)["curves"]
    us = [r for r in stored if r[0] == "US" and r[1] == "2025-12-31"]
    assert len(us) >= 10
    f = write(tmp_path, "us.csv", "Date,1 Mo,2 Yr,5 Yr,10 Yr,30 Yr\n12/31/2025,3.7,3.5,3.7,4.2,4.9\n")
    before = dump(ws)
    code, _, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "would replace the stored US curve of 2025-12-31" in err and "--replace" in err, err
    assert dump(ws) == before
    code, out, err = run(["import", "us-treasury", str(f), "--workspace", str(ws), "--replace"], capsys)
    assert code == 0 and "replaced the stored US 2025-12-31 curve" in out, err
    assert len([r for r in dump(ws)["curves"] if r[0] == "US" and r[1] == "2025-12-31"]) == 5
    code, _, _ = run(["import", "--undo", "--workspace", str(ws)], capsys)
    assert code == 0 and dump(ws) == before
    code, _, err = run(["import", "--undo", "--workspace", str(ws)], capsys)
    assert code == 2 and "no import to undo" in err


def test_same_curve_again_is_not_a_replacement(ws, tmp_path, capsys) -> None:
    rows = [r for r in dump(ws)["curves"] if r[0] == "US" and r[1] == "2025-12-31"]
    header = ["Date"] + [f"{r[2] * 12:g} Mo" if r[2] < 1 else f"{r[2]:g} Yr" for r in rows]
    values = ["12/31/2025"] + [repr(r[3]) for r in rows]
    f = write(tmp_path, "us.csv", ",".join(header) + "\n" + ",".join(values) + "\n")
    code, out, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 0 and "replaced" not in out, err


def test_short_history_dates_are_left_out_not_refused(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "us.csv", "Date,1 Mo,2 Yr,5 Yr,10 Yr\n01/02/1990,,,,8.0\n01/03/1990,7.9,7.8,7.9,8.0\n")
    code, out, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 0, err
    assert "left out 1 dates" in out and "US 1990-01-02" in out


def test_yield_above_30_is_refused(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "us.csv", "Date,1 Mo,2 Yr,5 Yr,10 Yr\n01/03/1990,7.9,7.8,7.9,35\n")
    code, _, err = run(["import", "us-treasury", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "35" in err, err


def test_matured_bond_is_refused_naming_the_line(ws, tmp_path, capsys) -> None:
    f = write(tmp_path, "bonds.csv", "market,id,name,coupon_pct,maturity\n"
              "US,91282CPQ8,UST 2032,3.875,2032-12-31\n\nUS,OLD1,UST 2020,1.0,2020-06-30\n")
    code, _, err = run(["import", "bonds", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "line 4" in err and "OLD1" in err and "valuation date 2025-12-31" in err, err


def test_corrupt_as_of_refuses_import_before_writing(ws, tmp_path, capsys) -> None:
    conn = sqlite3.connect(ws)
    conn.execute("UPDATE meta SET value = 'garbage' WHERE key = 'as_of'")
    conn.commit()
    conn.close()
    n_log = len(sqlite3.connect(ws).execute("SELECT * FROM import_log").fetchall())
    f = write(tmp_path, "DGS10.csv", "observation_date,DGS10\n2025-12-30,4.1\n")
    code, _, err = run(["import", "fred", str(f), "--workspace", str(ws)], capsys)
    assert code == 2 and "valuation date (meta as_of) is damaged" in err and "--set-as-of" in err, err
    assert len(sqlite3.connect(ws).execute("SELECT * FROM import_log").fetchall()) == n_log
    code, _, err = run(["data", "--workspace", str(ws)], capsys)
    assert code == 2 and "--set-as-of" in err
    code, _, err = run(["data", "--workspace", str(ws), "--set-as-of", "2025-12-31"], capsys)
    assert code == 0, err  # the repair the message names works


def test_damaged_preset_is_skipped_with_its_name(ws, capsys) -> None:
    with Workspace.open(ws) as w:
        w.save_preset("good", {"x": 1})
    conn = sqlite3.connect(ws)
    conn.execute("INSERT INTO presets (name, created, updated, payload) VALUES ('broken', '', '', '{not json')")
    conn.commit()
    conn.close()
    with Workspace.open(ws) as w:
        assert w.list_presets() == ["good"]
        assert w.damaged_items("presets") == ["broken"]
    code, out, err = run(["optimize", "--workspace", str(ws), "--json"], capsys)
    assert code == 0, err
    assert "skipped damaged saved preset(s) 'broken'" in err
    assert json.loads(out)["status"] in {"optimal", "optimal_inaccurate"}


def test_undo_never_skips_an_import_without_a_record(ws, tmp_path, capsys) -> None:
    """A newer import that recorded nothing to undo (a prices import, an older version) is named,
    not silently skipped in favour of an older one."""
    f = write(tmp_path, "DGS10.csv", "observation_date,DGS10\n2025-12-30,4.1\n")
    assert run(["import", "fred", str(f), "--workspace", str(ws)], capsys)[0] == 0
    conn = sqlite3.connect(ws)
    conn.execute("INSERT INTO import_log (at, kind, source_name, source_file, rows, detail) "
                  "VALUES ('2026-01-01T00:00:00+00:00', 'prices', 'x', 'quotes.csv', 1, '{}')")
    conn.commit()
    conn.close()
    before = dump(ws)
    code, _, err = run(["import", "--undo", "--workspace", str(ws)], capsys)
    assert code == 2 and "prices of quotes.csv" in err and "no undo record" in err, err
    assert dump(ws) == before


def test_undo_twice_walks_back(ws, tmp_path, capsys) -> None:
    base = dump(ws)
    a = write(tmp_path, "a.csv", "observation_date,DGS10\n2025-12-29,4.0\n")
    b = write(tmp_path, "b.csv", "observation_date,DGS10\n2025-12-29,4.2\n")
    assert run(["import", "fred", str(a), "--workspace", str(ws)], capsys)[0] == 0
    after_a = dump(ws)
    assert run(["import", "fred", str(b), "--workspace", str(ws)], capsys)[0] == 0
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert dump(ws) == after_a
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert dump(ws) == base
