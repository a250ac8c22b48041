"""`ladderdesk optimize`: summary, ALLOC.csv columns, round trip, exit 2 on bad input / infeasible."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from desktop.cli import main
from desktop.controller import ALLOC_COLUMNS


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from desktop.store import Workspace

    path = tmp_path_factory.mktemp("ws") / "w.sqlite"
    Workspace.open(path).close()
    return str(path)


def test_alloc_round_trip_gives_zero_trades(workspace, tmp_path, capsys):
    alloc, alloc2, trades = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "t.csv"
    assert main(["optimize", "--workspace", workspace, "--preset", "Shift from US rates", "--out", str(alloc),
                 "--trades", str(trades)]) == 0
    out = capsys.readouterr().out
    assert "status      optimal" in out and "US share" in out
    a = pd.read_csv(alloc)
    assert list(a.columns) == ALLOC_COLUMNS
    assert a["weight"].sum() == pytest.approx(1.0, abs=1e-6)
    assert (a["face"] > 0).all()
    assert len(pd.read_csv(trades)) == len(a)  # from cash: one buy per bond
    assert main(["optimize", "--workspace", workspace, "--preset", "Shift from US rates", "--current", str(alloc),
                 "--out", str(alloc2), "--trades", str(trades)]) == 0
    assert len(pd.read_csv(trades)) == 0
    b = pd.read_csv(alloc2)
    pd.testing.assert_frame_equal(a[["market", "id", "face"]], b[["market", "id", "face"]])


def test_json_summary_and_flags(workspace, tmp_path, capsys):
    alloc = tmp_path / "a.csv"
    code = main(["optimize", "--workspace", workspace, "--json", "--base", "GBP", "--unhedged", "--us-cap", "0.25",
                 "--market-min", "JP=0.1", "--market-max", "UK=0.5", "--rungs", "1-8", "--rung-tolerance", "0.06",
                 "--view", "US:30=25", "--view", "JP:parallel=10", "--risk-aversion", "2", "--max-weight", "0.12",
                 "--target-duration", "4.5", "--duration-band", "0.3", "--notional", "5e7", "--out", str(alloc),
                 "--include-zero", "--horizon-months", "6", "--fx-view", "JPY=3", "--te-max", "4"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["base_ccy"] == "GBP" and d["hedged"] is False
    assert d["us_share"] <= 0.25 + 1e-6 and abs(d["duration"] - 4.5) <= 0.3 + 1e-6
    assert d["weight_by_market"]["JP"] >= 0.1 - 1e-6
    assert d["settings"]["views"]["US"]["key_bp"] == {"30.0": 25.0}
    assert d["settings"]["fx_view_pct"] == {"JPY": 3.0} and d["horizon_months"] == 6
    assert d["tracking_error_pct"] <= 4.0 + 1e-3
    a = pd.read_csv(alloc)
    assert len(a) > d["bonds_held"]  # --include-zero lists the whole universe
    assert a["market_value_base"].sum() == pytest.approx(5e7, rel=1e-3)
    held = a[a["weight"] > 0]
    assert held["rung"].between(1, 8).all()


@pytest.mark.parametrize("argv, words", [
    (["--us-cap", "1.5"], "--us-cap"),
    (["--view", "US:7=20"], "invalid view"),
    (["--market-min", "XX=0.1"], "XX=0.1"),
    (["--rungs", "10-2"], "rungs"),
    (["--rung-tolerance", "0.1", "--no-ladder"], "not allowed with"),
    (["--preset", "Nope"], "unknown preset"),
    (["--fx-view", "XXX=2"], "invalid FX view"),
    (["--horizon-months", "0"], "outside 1–120"),
])
def test_bad_arguments_exit_2(workspace, capsys, argv, words):
    assert main(["optimize", "--workspace", workspace, *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_infeasible_exits_2_with_relaxation(workspace, capsys):
    code = main(["optimize", "--workspace", workspace, "--target-duration", "9", "--duration-band", "0.25",
                 "--us-cap", "0.2", "--rung-tolerance", "0.1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "out of reach" in err and "lower the duration target to" in err


def test_bad_holdings_name_the_line(workspace, tmp_path, capsys):
    bad = tmp_path / "h.csv"
    bad.write_text("market,id,face\nUS,NOT-A-BOND,100\n")
    assert main(["optimize", "--workspace", workspace, "--current", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "NOT-A-BOND" in err


def test_saved_user_preset(workspace, capsys):
    from desktop.optim.presets import preset_payload
    from desktop.optim.settings import OptimSettings
    from desktop.store import Workspace

    with Workspace.open(workspace) as ws:
        ws.save_preset("Mine", preset_payload(OptimSettings(us_cap=0.5, target_duration=4.0)))
    assert main(["optimize", "--workspace", workspace, "--preset", "Mine", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["us_cap"] == 0.5 and d["target_duration"] == 4.0


def test_out_and_trades_written_together_or_not_at_all(workspace, tmp_path, capsys):
    alloc = tmp_path / "a.csv"
    assert main(["optimize", "--workspace", workspace, "--out", str(alloc),
                 "--trades", str(tmp_path / "missing" / "t.csv")]) == 2
    err = capsys.readouterr().err
    assert "t.csv" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no ALLOC.csv, no temp file
    (tmp_path / "folder").mkdir()
    assert main(["optimize", "--workspace", workspace, "--out", str(alloc), "--trades", str(tmp_path / "folder")]) == 2
    assert "is a folder" in capsys.readouterr().err and not alloc.exists()
    assert main(["optimize", "--workspace", workspace, "--out", str(alloc), "--trades", str(alloc)]) == 2
    assert "--out and --trades name the same file" in capsys.readouterr().err and not alloc.exists()


@pytest.mark.parametrize("payload, words", [
    ({"rungs": "ab"}, "setting rungs"),
    ({"us_cap": "0.3"}, "setting us_cap"),
    ({"hedged": "yes"}, "setting hedged"),
    ({"views": {"US": {"parallel_bp": "x"}}}, "setting views"),
    ({"views": {"US": {"parallel_bp": 5000}}}, "views[US].parallel_bp"),
    ({"fx_view_pct": {"JPY": 80}}, "fx_view_pct[JPY]"),
    ({"fx_view_pct": {"EUR": 1}}, "fx_view_pct currency"),
])
def test_damaged_saved_preset_exit_2(workspace, capsys, payload, words):
    from desktop.store import Workspace

    with Workspace.open(workspace) as ws:
        ws.save_preset("Damaged", payload)
    assert main(["optimize", "--workspace", workspace, "--preset", "Damaged"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("argv, words", [
    (["--risk-aversion", "1e5", "--risk-aversion", "0.5"], "argument --risk-aversion: 1e5 is outside [0, 10000]"),
    (["--target-duration", "41"], "argument --target-duration: 41 is outside (0, 40]"),
    (["--te-max", "nan"], "argument --te-max"),
    (["--turnover-cost", "1e9"], "argument --turnover-cost"),
    (["--notional", "5e-324"], "argument --notional"),
    (["--notional", "1e300"], "argument --notional"),
    (["--market-max=--"], "argument --market-max: expected a value"),
])
def test_ranges_checked_at_parse_time(workspace, capsys, argv, words):
    assert main(["optimize", "--workspace", workspace, *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "internal error" not in err


def test_save_preset_after_a_solve_and_reuse_it(tmp_path, capsys):
    from desktop.cli import main

    ws = str(tmp_path / "ws.sqlite")
    assert main(["data", "--workspace", ws]) == 0
    assert main(["optimize", "--workspace", ws, "--preset", "Shift from US rates", "--us-cap", "0.25",
                 "--save-preset", "Rotation 25"]) == 0
    assert "saved preset 'Rotation 25'" in capsys.readouterr().err
    assert main(["optimize", "--workspace", ws, "--preset", "Rotation 25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["us_cap"] == 0.25
    # an infeasible request saves nothing; a built-in name is refused before any work
    assert main(["optimize", "--workspace", ws, "--preset", "Neutral", "--us-cap", "0.05",
                 "--save-preset", "Bad"]) == 2
    assert main(["optimize", "--workspace", ws, "--save-preset", "neutral"]) == 2
    assert "--save-preset" in capsys.readouterr().err
    from desktop.store import Workspace

    with Workspace.open(ws) as w:
        assert w.list_presets() == ["Rotation 25"]


def test_views_scale_with_the_horizon(workspace, capsys):
    """The preset's curve views are bp by its 12-month horizon: over 6 months the same views are half
    as many bp (a +25 bp 12-month view is not a +25 bp 6-month view)."""
    out = {}
    for months in (12, 6):
        assert main(["optimize", "--workspace", workspace, "--preset", "Shift from US rates", "--horizon-months",
                     str(months), "--json"]) == 0
        out[months] = json.loads(capsys.readouterr().out)
    assert out[6]["settings"]["views"]["US"]["key_bp"]["30.0"] == pytest.approx(12.5)
    assert out[12]["settings"]["views"]["US"]["key_bp"]["30.0"] == pytest.approx(25.0)
    assert out[6]["settings"]["views"]["JP"]["parallel_bp"] == pytest.approx(5.0)
