"""Round trips and names (issue 10): exported ids read back exactly, look-alike formula prefixes
are neutralised, bidi overrides stripped, stale temp files of killed exports cleaned.

Red team: ids starting with '-' were exported as '-0 and ALLOC.csv fed back as --current failed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.cli import main
from desktop.export import BIDI_CONTROLS, FORMULA_PREFIXES, neutralise_text, unneutralise_text, write_csv
from desktop.importers.base import read_table
from desktop.store import Workspace

pytestmark = pytest.mark.timeout(120)
HOSTILE_IDS = ["-0", "-1E3", "'q", "''x", "＝1+1", "﹦A1", "＠SUM", "+X"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(map(chr, BIDI_CONTROLS)))))
def test_neutralise_is_reversible(text: str) -> None:
    assert unneutralise_text(neutralise_text(text)) == text
    assert not neutralise_text(text).startswith(FORMULA_PREFIXES)


@pytest.mark.parametrize("prefix", ["＝", "＋", "－", "＠", "﹦", "=", "+", "-", "@", "\t", "\r"])
def test_look_alike_prefixes_neutralised(prefix: str) -> None:
    assert neutralise_text(prefix + "SUM(A1)") == "'" + prefix + "SUM(A1)"


def test_bidi_overrides_stripped() -> None:
    assert neutralise_text("abc\u202edcba") == "abcdcba"
    assert neutralise_text("\u202e=1+1") == "'=1+1"  # stripped first, then neutralised


def test_csv_cells_read_back_exactly(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    write_csv(pd.DataFrame({"id": HOSTILE_IDS, "face": range(len(HOSTILE_IDS))}), p)
    table = read_table(p)
    assert [r[0] for r in table.rows[1:]] == HOSTILE_IDS


def test_alloc_csv_round_trips_as_current_with_hostile_ids(tmp_path: Path, capsys) -> None:
    ws = tmp_path / "w.sqlite"
    bonds = tmp_path / "bonds.csv"
    ids = ["-0", "-1E3", "'q", "＝1+1"]
    bonds.write_text("market,id,name,coupon_pct,maturity\n" + "".join(
        f"US,\"{i}\",Test {k},4.0,203{k}-06-30\n" for k, i in enumerate(ids)))
    assert main(["import", "bonds", str(bonds), "--workspace", str(ws)]) == 0, capsys.readouterr().err
    alloc = tmp_path / "ALLOC.csv"
    assert main(["optimize", "--workspace", str(ws), "--include-zero", "--out", str(alloc)]) == 0
    text = alloc.read_text()
    assert "'-0" in text and "'＝1+1" in text and "''q" in text  # neutralised in the file
    trades = tmp_path / "TRADES.csv"
    code = main(["optimize", "--workspace", str(ws), "--current", str(alloc), "--trades", str(trades)])
    err = capsys.readouterr().err
    assert code == 0, err
    with Workspace.open(ws) as w:
        stored = set(w.read_sql("SELECT id FROM bonds")["id"])
    assert set(ids) <= stored


def test_stale_part_files_cleaned_on_next_write(tmp_path: Path, capsys) -> None:
    ws = tmp_path / "w.sqlite"
    out = tmp_path / "ALLOC.csv"
    stale = [tmp_path / ".ALLOC.csv.abc123.part", tmp_path / ".ALLOC.csv.def456.tmp"]
    fresh = tmp_path / ".ALLOC.csv.new999.part"  # another process writing right now: kept
    for p in (*stale, fresh):
        p.write_text("half")
    old = time.time() - 3600
    for p in stale:
        os.utime(p, (old, old))
    assert main(["optimize", "--workspace", str(ws), "--out", str(out)]) == 0, capsys.readouterr().err
    assert out.exists() and not any(p.exists() for p in stale) and fresh.exists()
