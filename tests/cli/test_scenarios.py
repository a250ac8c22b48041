"""`ladderdesk scenarios` end to end on the bundled snapshot and a temporary workspace."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from desktop.cli import main
from desktop.scenarios.model import CurveShock, Scenario


@pytest.fixture(scope="module")
def bundled_ids():
    from desktop.snapshot import load_bundled_snapshot
    from desktop.universe import build_universe

    u = build_universe(load_bundled_snapshot())
    return u[~u["is_generic"]].groupby("market").head(2)[["market", "id"]]


def test_default_ladder_all_presets(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "equal-weight 1-10y ladder" in out and "Gilt sell-off (January 2025)" in out


def test_alloc_weights_to_csv(tmp_path, bundled_ids, capsys):
    alloc = bundled_ids.assign(weight=1 / len(bundled_ids))
    alloc.to_csv(tmp_path / "alloc.csv", index=False)
    out = tmp_path / "grid.csv"
    rc = main(["scenarios", "--alloc", str(tmp_path / "alloc.csv"), "--preset", "US parallel +100",
               "--preset", "2025-05 US downgrade", "--out", str(out)])
    assert rc == 0
    grid = pd.read_csv(out)
    assert set(grid["scenario"]) == {"US parallel +100 bp", "2025-05 US downgrade, long end worst"}
    total = grid[(grid["group_kind"] == "total") & (grid["scenario"] == "US parallel +100 bp")]
    assert total["price_full"].iloc[0] < 0
    assert (grid["base_ccy"] == "USD").all()


def test_bad_alloc_names_line(tmp_path, capsys):
    (tmp_path / "a.csv").write_text("id,face\nNOT-A-BOND,100\n")
    assert main(["scenarios", "--alloc", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "NOT-A-BOND" in err


def test_unknown_preset_exit_2(capsys):
    assert main(["scenarios", "--preset", "nope"]) == 2
    assert "choose from" in capsys.readouterr().err


def test_workspace_portfolio_and_saved_scenario(tmp_path, bundled_ids, capsys):
    from desktop.store import Workspace

    db = tmp_path / "ws.sqlite"
    mine = Scenario("My AU twist", curves={"AU": CurveShock(slope_bp=40)}, fx_pct={"AUD": -5}, horizon_months=0)
    with Workspace.open(db) as ws:
        ws.save_portfolio("core", bundled_ids.assign(face=1e6), {"note": "test"})
        ws.save_scenario(mine.name, mine.to_dict())
    (tmp_path / "s.json").write_text(json.dumps(Scenario("file one", curves={"UK": {"parallel_bp": 10}}).to_dict()))
    rc = main(["scenarios", "--workspace", str(db), "--portfolio", "core", "--preset", "My AU twist",
               "--scenario-file", str(tmp_path / "s.json"), "--base", "GBP"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "My AU twist" in out and "file one" in out and "thousands of GBP" in out


def test_horizon_and_roll_forward(capsys):
    assert main(["scenarios", "--preset", "Fed cuts", "--horizon", "--roll-forward", "3"]) == 0
    out = capsys.readouterr().out
    assert "carry" in out and "hedge_cost" in out and "n_rungs" in out


def test_list(capsys):
    assert main(["scenarios", "--list"]) == 0
    assert "FRED" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["--notional", "nan"], "argument --notional"),
    (["--notional", "-5"], "argument --notional"),
    (["--notional", "inf"], "argument --notional"),
    (["--roll-forward", "-1"], "argument --roll-forward"),
    (["--roll-forward", "0"], "outside 1–50"),
    (["--roll-forward", "1000000"], "outside 1–50"),
])
def test_bad_numbers_exit_2(capsys, argv, words):
    assert main(["scenarios", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


@pytest.mark.parametrize("content, words", [
    (b"", "cannot read allocation"),
    (b"\xff\xfe\x00garbage", "cannot read allocation"),
    (b"id,face\n", "no rows"),
    (b"id,face,Face\nX,1,2\n", "appears twice"),
    (b"id,face\nUST,-5\n", "line 2"),
    (b"id,weight\nUST,7\n", "fraction of market value"),
])
def test_unreadable_alloc_exit_2(tmp_path, capsys, content, words):
    (tmp_path / "a.csv").write_bytes(content)
    assert main(["scenarios", "--alloc", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert words in err and "a.csv" in err and "internal error" not in err


@pytest.mark.parametrize("content", [
    b"\xff\xfe{}", b"[1, 2]", b'{"name": "x", "curves": {"US": 5}}', b'{"name": "x", "fx_pct": [1]}',
    b'{"name": "x", "horizon_months": NaN}', b'{"name": "x", "curves": {"US": {"key_bp": 3}}}',
])
def test_malformed_scenario_file_exit_2(tmp_path, capsys, content):
    (tmp_path / "s.json").write_bytes(content)
    assert main(["scenarios", "--scenario-file", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "s.json" in err and "internal error" not in err and "Traceback" not in err


def test_duplicate_scenarios(tmp_path, capsys):
    assert main(["scenarios", "--preset", "Fed cuts", "--preset", "fed cuts"]) == 0  # the same one twice: once
    assert capsys.readouterr().out.count("Fed cuts") == 1
    (tmp_path / "s.json").write_text(json.dumps(Scenario("Fed cuts: front end −50 bp", curves={
        "US": CurveShock(parallel_bp=1)}).to_dict()))
    assert main(["scenarios", "--preset", "Fed cuts", "--scenario-file", str(tmp_path / "s.json")]) == 2
    assert "two different scenarios are named" in capsys.readouterr().err


def test_damaged_saved_scenario_exit_2(tmp_path, capsys):
    from desktop.store import Workspace

    db = tmp_path / "ws.sqlite"
    with Workspace.open(db) as ws:
        ws.save_scenario("Broken", {"name": "Broken", "curves": {"US": 5}})
    assert main(["scenarios", "--workspace", str(db), "--preset", "Broken"]) == 2
    err = capsys.readouterr().err
    assert "--preset 'Broken'" in err and "internal error" not in err


@pytest.mark.parametrize("argv", [["--notional=5e-324", "--roll-forward", "1"], ["--notional", "1e300"]])
def test_notional_bounds(capsys, argv):
    assert main(["scenarios", *argv]) == 2
    assert "argument --notional" in capsys.readouterr().err


def test_alloc_holding_nothing_exit_2(tmp_path, bundled_ids, capsys):
    bundled_ids.assign(face=0.0).to_csv(tmp_path / "a.csv", index=False)
    assert main(["scenarios", "--alloc", str(tmp_path / "a.csv"), "--roll-forward", "2"]) == 2
    err = capsys.readouterr().err
    assert "holds nothing" in err and "a.csv" in err


def test_save_scenario_file_then_run_it_by_name(tmp_path, capsys):
    import json

    from desktop.cli import main
    from desktop.scenarios.model import CurveShock, Scenario

    ws = str(tmp_path / "ws.sqlite")
    assert main(["data", "--workspace", ws]) == 0
    sc = Scenario(name="AU bull flattener", source="desk view",
                  curves={"AU": CurveShock(key_bp={2: -10.0, 10: -30.0})}, fx_pct={"AUD": -2.0})
    f = tmp_path / "au.json"
    f.write_text(json.dumps(sc.to_dict()))
    capsys.readouterr()
    assert main(["scenarios", "--workspace", ws, "--scenario-file", str(f), "--save"]) == 0
    assert "saved scenario 'AU bull flattener'" in capsys.readouterr().out
    assert main(["scenarios", "--workspace", ws, "--list"]) == 0
    assert "AU bull flattener" in capsys.readouterr().out
    # a built-in name is refused and nothing is saved
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps(Scenario(name="US parallel +100 bp", curves={"US": CurveShock(parallel_bp=5)}).to_dict()))
    assert main(["scenarios", "--workspace", ws, "--scenario-file", str(clash), "--save"]) == 2
    assert "built-in" in capsys.readouterr().err
    assert main(["scenarios", "--workspace", ws, "--save"]) == 2
