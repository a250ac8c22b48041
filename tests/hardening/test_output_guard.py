"""No output ever lands on the workspace, its SQLite sidecars or an input of the same command.

Red-team finding (issue 10): ``optimize --out W`` / ``--trades W``, ``scenarios --out W`` and
``analytics --out W`` with W the workspace (also the default one) replaced the workspace with a CSV
and exited 0. Each case here must exit 2 naming the flag, before anything is computed, and leave
the workspace byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Workspace
from desktop.store.paths import output_conflict, same_file
from desktop.store.workspace import default_workspace_path

pytestmark = pytest.mark.timeout(60)

BONDS = """market,id,name,coupon_pct,maturity,clean_price,yield_pct
US,91282CPQ8,UST 3.875% 2032,3.875,2032-12-31,99.5,
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite"
    with Workspace.open(path) as w:
        w.save_preset("mine", {"x": 1})
    return path


@pytest.fixture
def bonds(tmp_path: Path) -> Path:
    p = tmp_path / "bonds.csv"
    p.write_text(BONDS)
    return p


def commands(ws: Path, target: Path, bonds: Path) -> dict[str, list[str]]:
    w = ["--workspace", str(ws)]
    return {
        "optimize --out": ["optimize", *w, "--out", str(target)],
        "optimize --trades": ["optimize", *w, "--trades", str(target)],
        "scenarios --out": ["scenarios", *w, "--out", str(target)],
        "analytics --out": ["analytics", "--bonds", str(bonds), "--settle", "2026-01-02", "--out", str(target)],
    }


CASES = ["optimize --out", "optimize --trades", "scenarios --out", "analytics --out"]


def refused(argv: list[str], flag: str, capsys, *protected: Path) -> None:
    before = {p: digest(p) for p in protected}
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and repr(flag) in err, err
    assert "Traceback" not in err
    assert {p: digest(p) for p in protected} == before


@pytest.mark.parametrize("case", CASES)
def test_output_is_the_workspace(case, ws, bonds, capsys) -> None:
    argv = commands(ws, ws, bonds)[case]
    if case.startswith("analytics"):  # analytics has no --workspace: aim at the default workspace
        default = default_workspace_path()
        with Workspace.open(default):
            pass
        argv = commands(ws, default, bonds)[case]
        refused(argv, "--out", capsys, default)
    else:
        refused(argv, case.split()[-1], capsys, ws)
    with Workspace.open(ws) as w:
        assert w.list_presets() == ["mine"]


@pytest.mark.parametrize("case", CASES)
def test_output_is_the_default_workspace(case, bonds, capsys) -> None:
    default = default_workspace_path()
    with Workspace.open(default) as w:
        w.save_preset("mine", {"x": 1})
    argv = [a for a in commands(Path("unused"), default, bonds)[case]]
    if "--workspace" in argv:
        i = argv.index("--workspace")
        del argv[i:i + 2]
    refused(argv, case.split()[-1], capsys, default)
    with Workspace.open(default) as w:
        assert w.list_presets() == ["mine"]


@pytest.mark.parametrize("link", ["symlink", "hardlink", "wal", "shm", "journal", "dotdot"])
@pytest.mark.parametrize("case", CASES[:3])
def test_output_is_a_link_or_sidecar_of_the_workspace(case, link, ws, bonds, tmp_path, capsys) -> None:
    if link == "symlink":
        target = tmp_path / "innocent.csv"
        target.symlink_to(ws)
    elif link == "hardlink":
        target = tmp_path / "sub" / "innocent.csv"
        target.parent.mkdir()
        os.link(ws, target)
    elif link == "dotdot":
        (tmp_path / "sub").mkdir(exist_ok=True)
        target = tmp_path / "sub" / ".." / ws.name
    else:
        target = ws.with_name(f"{ws.name}-{link}")
    refused(commands(ws, target, bonds)[case], case.split()[-1], capsys, ws)


def test_output_is_an_input(ws, bonds, tmp_path, capsys) -> None:
    refused(["analytics", "--bonds", str(bonds), "--settle", "2026-01-02", "--out", str(bonds)], "--out",
            capsys, bonds)
    holdings = tmp_path / "cur.csv"
    holdings.write_text("market,id,face\nUS,91282CPQ8,1000000\n")
    refused(["optimize", "--workspace", str(ws), "--current", str(holdings), "--trades", str(holdings)],
            "--trades", capsys, holdings, ws)
    sc = tmp_path / "s.json"
    sc.write_text("{}")
    refused(["scenarios", "--workspace", str(ws), "--scenario-file", str(sc), "--out", str(sc)], "--out",
            capsys, sc, ws)


def test_out_and_trades_same_file_via_symlink(ws, tmp_path, capsys) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    b.symlink_to(a)
    assert main(["optimize", "--workspace", str(ws), "--out", str(a), "--trades", str(b)]) == 2
    assert "name the same file" in capsys.readouterr().err
    assert not a.exists()


def test_window_rule_is_qt_free(ws, tmp_path) -> None:
    """The function the window's save dialogs call: same answers, no Qt import needed."""
    link = tmp_path / "l.csv"
    link.symlink_to(ws)
    assert same_file(link, ws)
    assert "workspace" in output_conflict(link, workspace=ws)
    assert output_conflict(tmp_path / "fresh.csv", workspace=ws) is None


def test_export_never_replaces_a_database(ws, tmp_path) -> None:
    """Last line of defence in desktop.export (the window's save dialogs write through it)."""
    import pandas as pd

    from desktop.errors import LadderDeskError
    from desktop.export import write_csv, write_xlsx

    renamed = tmp_path / "report.csv"
    os.link(ws, renamed)
    before = digest(ws)
    with pytest.raises(LadderDeskError, match="database"):
        write_csv(pd.DataFrame({"a": [1]}), renamed)
    with pytest.raises(LadderDeskError, match="database"):
        write_xlsx({"s": pd.DataFrame({"a": [1]})}, ws)
    with pytest.raises(LadderDeskError, match="database"):
        write_csv(pd.DataFrame({"a": [1]}), ws.with_name(ws.name + "-shm"))
    assert digest(ws) == before


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_output_onto_a_device_is_refused(device, ws, tmp_path, capsys) -> None:
    """Run as root, os.replace onto a device node would replace it with a CSV. The test aims at the
    device through a symlink and at a FIFO of its own, never at /dev itself (a regression would
    otherwise destroy the machine's /dev/null)."""
    link = tmp_path / "out.csv"
    link.symlink_to(device)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for target in (link, fifo):
        assert main(["optimize", "--workspace", str(ws), "--out", str(target)]) == 2
        assert "not a regular file" in capsys.readouterr().err
    assert link.is_symlink() and not os.path.isfile(device)
