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
