"""Workspace store: creation, refusal of foreign files, migrations, imports, named items."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import DataError, WorkspaceError
from desktop.snapshot import load_bundled_snapshot
from desktop.store import SCHEMA_VERSION, Workspace, default_workspace_path
from desktop.store import imports as store_imports
from desktop.store.schema import migrate, transaction


@dataclass(frozen=True)
class FakeImport:
    """Duck-typed stand-in for desktop.importers.base.ImportResult."""

    kind: str
    source_file: str
    source_name: str
    rows: int
    bonds: pd.DataFrame | None = None
    curves: pd.DataFrame | None = None
    series: pd.DataFrame | None = None


def us_curve(day: str, level: float = 4.0, tenors=(1.0, 2.0, 5.0, 10.0, 30.0)) -> FakeImport:
    df = pd.DataFrame(
        {
            "market": "US",
            "date": day,
            "tenor_years": list(tenors),
            "yield_pct": [level + 0.1 * i for i in range(len(tenors))],
            "curve_type": "par",
            "source": "test",
        }
    )
    return FakeImport("curves", "par.csv", "US Treasury daily par yield curve", len(df), curves=df)


@pytest.fixture
def ws(tmp_path: Path):
    w = Workspace.open(tmp_path / "ws.sqlite")
    yield w
    w.close()


def test_default_path_honours_env(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LADDERDESK_DATA_DIR", str(tmp_path / "d"))
    assert default_workspace_path() == tmp_path / "d" / "workspace.sqlite"
    with Workspace.open() as w:
        assert w.path == tmp_path / "d" / "workspace.sqlite"
    assert (tmp_path / "d" / "workspace.sqlite").is_file()


def test_created_from_bundled_snapshot(ws: Workspace) -> None:
    assert ws.schema_version == SCHEMA_VERSION
    assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    snap, bundled = ws.load_snapshot(), load_bundled_snapshot()
    assert snap.as_of == bundled.as_of == date(2025, 12, 31)
    assert snap.curve_dates == bundled.curve_dates
    for m, c in bundled.curves.items():
        np.testing.assert_allclose(snap.curves[m].zero_rates, c.zero_rates, rtol=0, atol=1e-15)
    assert snap.short_rates_pct == bundled.short_rates_pct
    assert snap.fx_usd_per_unit == bundled.fx_usd_per_unit
    pd.testing.assert_frame_equal(snap.bonds, bundled.bonds)
    pd.testing.assert_frame_equal(snap.history, bundled.history)
    assert len(snap.provenance) == len(bundled.provenance)
    assert not list(ws.path.parent.glob("*.tmp"))


def test_create_false_refuses_missing(tmp_path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "none.sqlite", create=False)


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()


def _newer_schema(path: Path) -> None:
    with Workspace.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _corrupt(path: Path) -> None:
    with Workspace.open(path):
        pass
    raw = bytearray(path.read_bytes())
    raw[100:4096 * 3] = b"\xde\xad" * ((4096 * 3 - 100) // 2)
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("market,date\nUS,2025-12-31\n"), "not an SQLite file"),
        (lambda p: p.write_bytes(b""), "not an SQLite file"),
        (_foreign_sqlite, "not a LadderDesk workspace"),
        (_newer_schema, "newer LadderDesk"),
        (_corrupt, "damaged"),
    ],
    ids=["csv", "empty", "foreign-sqlite", "newer-schema", "corrupt"],
)
def test_foreign_or_corrupt_file_left_untouched(tmp_path, make, message) -> None:
    path = tmp_path / "other.sqlite"
    make(path)
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(WorkspaceError, match=message) as err:
        Workspace.open(path)
    assert "--workspace NEW.sqlite" in str(err.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_migration_from_version_1(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    assert migrate(db, target=1) == [1]
    with transaction(conn):
        store_imports.set_meta(conn, {"app": "LadderDesk", "as_of": "2025-12-31"})
        conn.execute("INSERT INTO portfolios VALUES ('legacy', 'c', 'u', '{\"v\": 1}')")
        conn.execute("INSERT INTO portfolio_holdings VALUES ('legacy', 0, 'B1', 'UK', 100.0)")
    conn.close()
    with Workspace.open(path) as w:
        assert w.schema_version == SCHEMA_VERSION >= 3
        assert len(w.read_sql("SELECT * FROM policy_rates")) == 4
        p = w.load_portfolio("legacy")
        assert p.run_card == {"v": 1} and p.holdings["face"].tolist() == [100.0]


def test_failed_migration_rolls_back(tmp_path, monkeypatch) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(sqlite_utils.Database(conn), target=1)
    with transaction(conn):
        store_imports.set_meta(conn, {"app": "LadderDesk", "as_of": "2025-12-31"})
    conn.close()
    from desktop.store import schema

    def boom(db):
        db.conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], boom))
    with pytest.raises(RuntimeError):
        Workspace.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='half_done'").fetchone()[0] == 0
    conn.close()


def test_newer_curve_does_not_move_as_of(ws: Workspace) -> None:
    detail = ws.apply_import(us_curve("2026-01-15"))
    assert detail["rows"] == 5 and detail["newer_than_as_of"]
    assert ws.as_of == date(2025, 12, 31)
    snap = ws.load_snapshot()
    assert snap.curve_dates["US"] == date(2025, 12, 31) and len(snap.curves["US"].tenors) == 14
    ws.set_as_of(date(2026, 1, 15))
    snap = ws.load_snapshot()
    assert snap.as_of == date(2026, 1, 15)
    assert snap.curve_dates["US"] == date(2026, 1, 15) and len(snap.curves["US"].tenors) == 5
    assert snap.curve_dates["JP"] == date(2025, 12, 30)
    assert ws.summary()["curves"]["US"]["latest_date"] == "2026-01-15"


def test_set_as_of_before_any_curve_refused(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="no curve"):
        ws.set_as_of(date(2000, 1, 3))


def test_reimport_replaces_whole_curve_date(ws: Workspace) -> None:
    with pytest.raises(DataError, match="would replace the stored US curve of 2025-12-31"):
        ws.apply_import(us_curve("2025-12-31", tenors=(1.0, 2.0, 10.0, 30.0)))
    detail = ws.apply_import(us_curve("2025-12-31", tenors=(1.0, 2.0, 10.0, 30.0)), replace=True)
    assert detail["replaced"] == ["US 2025-12-31"]
    snap = ws.load_snapshot()
    assert list(snap.curves["US"].tenors) == [1.0, 2.0, 10.0, 30.0]


def test_bad_import_writes_nothing(ws: Workspace) -> None:
    bad = us_curve("2026-01-15")
    bad.curves.loc[2, "yield_pct"] = np.nan
    before = ws.read_sql("SELECT COUNT(*) n FROM curves")["n"][0]
    with pytest.raises(DataError, match="par.csv"):
        ws.apply_import(bad)
    assert ws.read_sql("SELECT COUNT(*) n FROM curves")["n"][0] == before
    assert ws.read_sql("SELECT COUNT(*) n FROM import_log")["n"][0] == 0


def test_import_is_all_or_nothing(ws: Workspace, monkeypatch) -> None:
    before = ws.read_sql("SELECT * FROM curves")

    def fail_log(*a, **k):
        raise sqlite3.OperationalError("simulated failure after the curve rows")

    real = store_imports.write_import

    def write_then_fail(conn, result, frames, at):
        real(conn, result, frames, at)
        fail_log()

    monkeypatch.setattr(store_imports, "write_import", write_then_fail)
    with pytest.raises(sqlite3.OperationalError):
        ws.apply_import(us_curve("2025-12-31", tenors=(1.0, 2.0, 10.0, 30.0)), replace=True)
    pd.testing.assert_frame_equal(ws.read_sql("SELECT * FROM curves"), before)


def test_bond_and_series_imports(ws: Workspace) -> None:
    bonds = pd.DataFrame(
        {
            "market": ["US", "US"],
            "id": ["91282CPQ8", "TESTBOND"],
            "name": ["UST 3.875% 2032", "Test 5% 2030"],
            "coupon_pct": [3.875, 5.0],
            "maturity": ["2032-12-31", "2030-06-30"],
            "issue_date": ["2025-12-31", None],
            "clean_price": [99.5, np.nan],
            "yield_pct": [np.nan, 4.1],
        }
    )
    n0 = len(ws.load_snapshot().bonds)
    d = ws.apply_import(FakeImport("bonds", "b.csv", "bonds CSV", 2, bonds=bonds))
    assert d["rows"] == 2 and d["markets"] == {"US": 2}
    snap = ws.load_snapshot()
    assert len(snap.bonds) == n0 + 1
    assert snap.bonds.set_index("id").loc["TESTBOND", "note"] == "imported from b.csv"
    series = pd.DataFrame({"series_id": "DGS3MO", "date": ["2026-01-02", "2026-01-05"], "value": [3.6, None]})
    d = ws.apply_import(FakeImport("series", "f.csv", "FRED", 2, series=series))
    assert d["rows"] == 1
    s = ws.summary()
    assert s["series"]["DGS3MO"]["rows"] == 1
    assert [i["kind"] for i in s["recent_imports"]] == ["series", "bonds"]
    json.dumps(s)


def test_portfolio_crud(ws: Workspace) -> None:
    h1 = pd.DataFrame({"id": ["A", "B"], "market": ["US", "JP"], "face": [1e6, 5e8]})
    ws.save_portfolio("core", h1, {"objective": "max_yield", "as_of": date(2025, 12, 31), "w": np.float64(0.5)})
    p = ws.load_portfolio("core")
    pd.testing.assert_frame_equal(p.holdings, h1)
    assert p.run_card == {"objective": "max_yield", "as_of": "2025-12-31", "w": 0.5}
    h2 = pd.DataFrame({"id": ["C"], "market": ["UK"], "face": [2e6]})
    ws.save_portfolio("core", h2, {"v": 2})
    p2 = ws.load_portfolio("core")
    assert p2.holdings["id"].tolist() == ["C"] and p2.run_card == {"v": 2} and p2.created == p.created
    ws.save_portfolio("alt", h1, {})
    assert ws.list_portfolios()[["name", "holdings"]].values.tolist() == [["alt", 2], ["core", 1]]
    assert ws.delete_portfolio("alt") and not ws.delete_portfolio("alt")
    with pytest.raises(WorkspaceError, match="no portfolio"):
        ws.load_portfolio("alt")


def test_portfolio_validation(ws: Workspace) -> None:
    with pytest.raises(DataError, match="lack columns"):
        ws.save_portfolio("x", pd.DataFrame({"id": ["A"]}), {})
    with pytest.raises(DataError, match="JSON"):
        ws.save_portfolio("x", pd.DataFrame({"id": ["A"], "market": ["US"], "face": [1.0]}), {"f": object()})
    with pytest.raises(DataError, match="out of bounds"):
        ws.save_portfolio("x", pd.DataFrame({"id": ["A"], "market": ["US"], "face": [np.inf]}), {})
    with pytest.raises(DataError, match="name"):
        ws.save_portfolio(" ", pd.DataFrame({"id": [], "market": [], "face": []}), {})
    assert ws.list_portfolios().empty


@pytest.mark.parametrize("kind", ["scenario", "preset"])
def test_json_items(ws: Workspace, kind: str) -> None:
    save, load = getattr(ws, f"save_{kind}"), getattr(ws, f"load_{kind}")
    lst, delete = getattr(ws, f"list_{kind}s"), getattr(ws, f"delete_{kind}")
    save("b", {"shift_bp": {"2": 10, "10": -5}})
    save("a", [1, 2, 3])
    save("a", [4])
    assert lst() == ["a", "b"] and load("a") == [4] and load("b")["shift_bp"]["10"] == -5
    assert delete("a") and lst() == ["b"]
    with pytest.raises(WorkspaceError):
        load("a")


def test_reopen_keeps_data(tmp_path) -> None:
    path = tmp_path / "ws.sqlite"
    with Workspace.open(path) as w:
        w.save_preset("p", {"x": 1})
        w.apply_import(us_curve("2026-01-15"))
    with Workspace.open(path, create=False) as w:
        assert w.load_preset("p") == {"x": 1}
        assert w.summary()["curves"]["US"]["dates"] == 2
        assert w.integrity_check() == "ok"


def test_fred_series_feed_short_rates_and_fx(ws: Workspace) -> None:
    series = pd.DataFrame(
        {
            "series_id": ["DGS3MO", "DGS3MO", "DEXJPUS", "DEXJPUS", "SOFR"],
            "date": ["2025-12-31", "2026-01-02", "2025-12-31", "2026-01-02", "2025-12-31"],
            "value": [3.66, 3.60, 157.0, 150.0, 3.87],
        }
    )
    d = ws.apply_import(FakeImport("series", "fred.csv", "FRED series", 5, series=series))
    assert d["feeds"] == ["short rate USD <- DGS3MO", "fx JPY <- DEXJPUS"]
    snap = ws.load_snapshot()
    assert snap.short_rates_pct["USD"] == 3.66 and "DGS3MO" in snap.short_rate_sources["USD"]
    assert snap.fx_rate("USD", "JPY") == pytest.approx(157.0)
    assert snap.short_rates_pct["GBP"] == 3.75  # untouched
    ws.set_as_of(date(2026, 1, 2))
    snap = ws.load_snapshot()
    assert snap.short_rates_pct["USD"] == 3.60 and snap.fx_rate("USD", "JPY") == pytest.approx(150.0)


@pytest.fixture(scope="module")
def shared_ws(tmp_path_factory):
    w = Workspace.open(tmp_path_factory.mktemp("rt") / "ws.sqlite")
    yield w
    w.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Cs")), min_size=1, max_size=20)
    .filter(lambda s: s.strip() == s and s),
    rows=st.lists(
        st.tuples(
            st.text(max_size=12),
            st.sampled_from(["US", "JP", "AU", "UK"]),
            st.floats(min_value=0.0, max_value=1e13, allow_nan=False, allow_infinity=False, width=64),
        ),
        max_size=30,
    ),
    card=st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8), st.booleans()), max_size=5),
)
def test_portfolio_round_trip_property(shared_ws: Workspace, name, rows, card) -> None:
    holdings = pd.DataFrame(rows, columns=["id", "market", "face"]).astype({"face": float, "id": object})
    shared_ws.save_portfolio(name, holdings, card)
    p = shared_ws.load_portfolio(name)
    assert p.run_card == card
    assert p.holdings["id"].tolist() == holdings["id"].tolist()
    assert p.holdings["market"].tolist() == holdings["market"].tolist()
    assert p.holdings["face"].tolist() == holdings["face"].tolist()


def test_first_start_removes_temp_files_a_killed_start_left(tmp_path):
    import os
    import time

    from desktop.store import Workspace

    path = tmp_path / "ws.sqlite"
    stale = tmp_path / ".ws.sqlite.abc123.tmp"
    stale.write_bytes(b"half-built")
    (tmp_path / ".ws.sqlite.abc123.tmp-wal").write_bytes(b"x")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".ws.sqlite.zzz999.tmp"  # another process starting right now: left alone
    fresh.write_bytes(b"in progress")
    with Workspace.open(path):
        pass
    assert not stale.exists() and not (tmp_path / ".ws.sqlite.abc123.tmp-wal").exists()
    assert fresh.exists()


@pytest.mark.parametrize("name", ["\t=1+1", "\r=1+1", "a\x00b", "evil\u202ename", " padded", "line\u2028break"])
def test_names_with_control_characters_are_refused_not_stripped(ws: Workspace, name: str) -> None:
    """Red team: names were stripped, so "\t=1+1" and "\r=1+1" collided; now each is refused as it is."""
    with pytest.raises(DataError, match="control character|space"):
        ws.save_preset(name, {"x": 1})
    with pytest.raises(DataError, match="control character|space"):
        ws.save_portfolio(name, pd.DataFrame(columns=["id", "market", "face"]), {})
    assert ws.list_presets() == []


def test_names_keep_their_characters(ws: Workspace) -> None:
    for name in ("=1+1", "＝SUM(A1)", "Ladder — 2026 ü", "a  b"):
        ws.save_scenario(name, {"n": name})
    assert ws.list_scenarios() == sorted(["=1+1", "＝SUM(A1)", "Ladder — 2026 ü", "a  b"])
    assert ws.load_scenario("a  b") == {"n": "a  b"}


@pytest.mark.parametrize("face", [-1.0, 1e14, float("inf"), float("nan"), 1e308])
def test_portfolio_face_bounds(ws: Workspace, face: float) -> None:
    holdings = pd.DataFrame({"id": ["91282CPQ8"], "market": ["US"], "face": [face]})
    with pytest.raises(DataError, match="face"):
        ws.save_portfolio("p", holdings, {})
    assert ws.list_portfolios().empty
