"""Command line: analytics, import, data, delegation hooks, exit codes and one-line errors."""

from __future__ import annotations

import io
import json
import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from test_store import FakeImport, us_curve

from desktop.cli import main
from desktop.cli.analytics import ANALYTICS_OUT
from desktop.store import Workspace

BONDS = """market,id,name,coupon_pct,maturity,clean_price,yield_pct
US,91282CPQ8,UST 3.875% 2032,3.875,2032-12-31,99.5,
UK,UKT34,4.25% Gilt 2034,4.25,2034-07-31,,4.4
JP,JGB380,10-year JGB No.380,1.7,2035-09-20,98.0,
AU,TB142,4.25% 2026,4.25,2026-04-21,,3.8
"""


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def bonds_csv(tmp_path: Path) -> Path:
    p = tmp_path / "in.csv"
    p.write_text(BONDS)
    return p


def test_analytics_to_stdout(bonds_csv, capsys) -> None:
    assert main(["analytics", "--bonds", str(bonds_csv), "--settle", "2026-01-02"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(out.columns) == ["market", "id", "name", "coupon_pct", "maturity", *ANALYTICS_OUT]
    assert out["clean_price"].iloc[0] == pytest.approx(99.5)
    assert out["yield_pct"].iloc[1] == pytest.approx(4.4)
    assert out[ANALYTICS_OUT].notna().all().all()
    assert (out["dv01"] > 0).all() and (out["mod_duration"] < out["mac_duration"]).all()
    assert out["dirty_price"].sub(out["clean_price"] + out["accrued"]).abs().max() < 1e-9


def test_analytics_price_yield_round_trip(bonds_csv, tmp_path, capsys) -> None:
    first = tmp_path / "a.csv"
    assert main(["analytics", "--bonds", str(bonds_csv), "--settle", "2026-01-02", "--out", str(first)]) == 0
    a = pd.read_csv(first)
    back = a[["market", "id", "coupon_pct", "maturity", "clean_price"]]
    again = tmp_path / "b.csv"
    back.to_csv(again, index=False)
    assert main(["analytics", "--bonds", str(again), "--settle", "2026-01-02", "--out", str(tmp_path / "c.csv")]) == 0
    c = pd.read_csv(tmp_path / "c.csv")
    assert c["yield_pct"].to_numpy() == pytest.approx(a["yield_pct"].to_numpy(), abs=1e-8)
    assert "wrote 4 bonds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda s: s.replace("99.5,", ","), "line 2"),
        (lambda s: s.replace("2026-04-21", "2025-12-01"), "matures on or before"),
        (lambda s: s.replace("coupon_pct", "cpn"), "cpn"),
        (lambda s: s.replace("3.875,2032", "abc,2032"), "coupon_pct"),
    ],
    ids=["no-quote", "matured", "bad-header", "bad-number"],
)
def test_analytics_bad_input(tmp_path, capsys, edit, needle) -> None:
    src = tmp_path / "in.csv"
    src.write_text(edit(BONDS))
    out = tmp_path / "out.csv"
    assert main(["analytics", "--bonds", str(src), "--settle", "2026-01-02", "--out", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert needle in line and "in.csv" in line
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_usage_errors_are_one_line(capsys) -> None:
    assert main(["analytics", "--settle", "2026-01-02"]) == 2
    assert "--bonds" in one_error_line(capsys.readouterr().err)
    assert main(["analytics", "--bonds", "x.csv", "--settle", "02/01/2026"]) == 2
    assert "YYYY-MM-DD" in one_error_line(capsys.readouterr().err)
    assert main(["frobnicate"]) == 2
    one_error_line(capsys.readouterr().err)
    assert main(["import", "gilts", "f.csv"]) == 2
    one_error_line(capsys.readouterr().err)


def test_help_exits_zero(capsys) -> None:
    assert main(["--help"]) == 0
    assert "analytics" in capsys.readouterr().out


def test_import_and_data(tmp_path, monkeypatch, capsys) -> None:
    ws_path = tmp_path / "ws.sqlite"
    monkeypatch.setattr("desktop.importers.parse_file", lambda kind, path: us_curve("2026-01-15"))
    assert main(["import", "us-treasury", "par.csv", "--workspace", str(ws_path)]) == 0
    out = capsys.readouterr().out
    assert "imported 5 curve points" in out and "US curves 2026-01-15" in out and "as-of stays 2025-12-31" in out
    assert main(["data", "--workspace", str(ws_path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["as_of"] == "2025-12-31" and s["curves"]["US"]["latest_date"] == "2026-01-15"
    assert s["curves"]["US"]["date_used"] == "2025-12-31"
    # the bundled curves reprice their own inputs (bootstrap fit), reported per market in bp
    assert set(s["curve_fit_max_error_bp"]) == {"US", "JP", "AU", "UK"}
    assert max(s["curve_fit_max_error_bp"].values()) < 1e-6
    assert main(["data", "--workspace", str(ws_path), "--set-as-of", "2026-01-15"]) == 0
    text = capsys.readouterr().out
    assert "as-of       2026-01-15" in text and "JP  2025-12-30" in text
    assert "curve fit   max |model − quoted| AU " in text


def test_import_bad_file_writes_nothing(tmp_path, monkeypatch, capsys) -> None:
    ws_path = tmp_path / "ws.sqlite"
    with Workspace.open(ws_path):
        pass
    bad = FakeImport("curves", "bad.csv", "x", 1, curves=pd.DataFrame({"market": ["US"]}))
    monkeypatch.setattr("desktop.importers.parse_file", lambda kind, path: bad)
    assert main(["import", "us-treasury", "bad.csv", "--workspace", str(ws_path)]) == 2
    assert "bad.csv" in one_error_line(capsys.readouterr().err)
    with Workspace.open(ws_path) as ws:
        assert ws.read_sql("SELECT COUNT(*) n FROM import_log")["n"][0] == 0



def test_import_real_us_treasury_file(tmp_path, capsys) -> None:
    pytest.importorskip("desktop.importers.us_treasury")
    src = tmp_path / "daily-treasury-rates.csv"
    src.write_text(
        'Date,"1 Mo","2 Mo","3 Mo","6 Mo","1 Yr","2 Yr","3 Yr","5 Yr","7 Yr","10 Yr","20 Yr","30 Yr"\n'
        "01/02/2026,3.72,3.70,3.66,3.58,3.47,3.46,3.54,3.72,3.93,4.17,4.78,4.83\n"
    )
    ws_path = tmp_path / "ws.sqlite"
    assert main(["import", "us-treasury", str(src), "--workspace", str(ws_path)]) == 0
    assert "US curves 2026-01-02" in capsys.readouterr().out


def test_foreign_workspace_is_refused_untouched(tmp_path, capsys) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("hello")
    assert main(["data", "--workspace", str(bogus)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "not an SQLite file" in line and "--workspace NEW.sqlite" in line
    assert bogus.read_text() == "hello"


def test_delegated_command_loaded_lazily(monkeypatch, capsys) -> None:
    calls = []
    fake = types.ModuleType("desktop.cli.optimize")

    def add_parser(sub):
        p = sub.add_parser("optimize")
        p.add_argument("--target-duration", type=float)

    def run(args):
        calls.append(args.target_duration)
        return 0

    fake.add_parser, fake.run = add_parser, run
    monkeypatch.setitem(sys.modules, "desktop.cli.optimize", fake)
    assert main(["optimize", "--target-duration", "5"]) == 0 and calls == [5.0]
    assert main(["data", "--json"]) == 0  # other commands do not touch the optimiser
    capsys.readouterr()


def test_delegated_command_missing_is_exit_2(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "desktop.cli.scenarios", None)
    assert main(["scenarios"]) == 2
    assert "not available" in one_error_line(capsys.readouterr().err)


def test_internal_error_is_one_line(monkeypatch, capsys) -> None:
    import desktop.cli.data

    monkeypatch.setattr(desktop.cli.data, "run", lambda args: 1 / 0)
    assert main(["data"]) == 1
    assert "ZeroDivisionError" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("when", ["0001-01-01", "1899-12-31", "2200-01-01"])
def test_dates_outside_the_calendar_range_are_refused(bonds_csv, capsys, when) -> None:
    assert main(["analytics", "--bonds", str(bonds_csv), "--settle", when]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "--settle" in line and "outside 1900-01-01..2199-12-31" in line


def test_failed_data_command_leaves_no_new_workspace(tmp_path, capsys) -> None:
    """`data --set-as-of` on a workspace it had to create: the failure removes what it created."""
    target = tmp_path / "new" / "deeper" / "ws.sqlite"
    assert main(["data", "--workspace", str(target), "--set-as-of", "1950-01-02"]) == 2
    assert "no curve on or before 1950-01-02" in one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "ws.sqlite"
    assert main(["data", "--workspace", str(existing)]) == 0
    before = existing.read_bytes()
    assert main(["data", "--workspace", str(existing), "--set-as-of", "1950-01-02"]) == 2
    assert existing.read_bytes() == before  # an existing workspace is never removed, and unchanged
