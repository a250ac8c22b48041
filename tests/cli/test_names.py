"""Saved names on the command line follow the workspace's one name rule: kept as typed, control
characters refused, an existing name needs --overwrite (nothing written otherwise)."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.store import Workspace


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    return str(path)


def _scenario_file(tmp_path, name: str, bp: float) -> str:
    path = tmp_path / f"sc{bp:g}.json"
    path.write_text(json.dumps({"name": name, "curves": {"US": {"parallel_bp": bp}}}), encoding="utf-8")
    return str(path)


def test_saving_a_scenario_twice_needs_overwrite(ws, tmp_path, capsys):
    first, second = _scenario_file(tmp_path, "Bear US", 25), _scenario_file(tmp_path, "Bear US", 60)
    assert main(["scenarios", "--workspace", ws, "--scenario-file", first, "--save"]) == 0
    assert main(["scenarios", "--workspace", ws, "--scenario-file", second, "--save"]) == 2
    assert "already exists" in capsys.readouterr().err
    with Workspace.open(ws) as w:
        assert w.load_scenario("Bear US")["curves"]["US"]["parallel_bp"] == 25  # untouched
    assert main(["scenarios", "--workspace", ws, "--scenario-file", second, "--save", "--overwrite"]) == 0
    with Workspace.open(ws) as w:
        assert w.load_scenario("Bear US")["curves"]["US"]["parallel_bp"] == 60


@pytest.mark.parametrize("name", ["\t=1+1", "\r=1+1", "a\u202eb", " padded", ""])
def test_names_with_control_characters_or_edge_spaces_are_refused(ws, tmp_path, capsys, name):
    out = tmp_path / "alloc.csv"
    code = main(["optimize", "--workspace", ws, "--preset", "Neutral", "--save-preset", name, "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "name" in capsys.readouterr().err


def test_save_preset_twice_needs_overwrite_and_writes_nothing(ws, tmp_path, capsys):
    out = tmp_path / "alloc.csv"
    assert main(["optimize", "--workspace", ws, "--preset", "Neutral", "--save-preset", "Mine"]) == 0
    assert main(["optimize", "--workspace", ws, "--preset", "Neutral", "--risk-aversion", "2.5", "--save-preset", "Mine",
                 "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and not out.exists()
    assert main(["optimize", "--workspace", ws, "--preset", "Neutral", "--risk-aversion", "2.5", "--save-preset", "Mine",
                 "--overwrite", "--out", str(out)]) == 0
    with Workspace.open(ws) as w:
        assert w.load_preset("Mine")["risk_aversion"] == 2.5
