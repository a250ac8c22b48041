"""Ordinary faults are exit 2 with a message that says what to do (issue 10).

Locked by another writer (named, with a countdown), disk full (a real tiny tmpfs where this
machine lets us mount one, nothing written, the space needed stated), read-only file / folder /
mount (read commands work; writes say "read-only", never "damaged … start a fresh workspace").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Workspace, faults
from desktop.store.faults import DiskFullError, WorkspaceLockedError, WorkspaceReadOnlyError

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]
FRED = ROOT / "tests" / "fixtures" / "raw" / "fred" / "DGS10_cut.csv"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def fred_file(folder: Path, n: int) -> Path:
    """A FRED-format DGS10 file of n business days at 4.0 % (enough rows to need real disk space)."""
    import pandas as pd

    days = pd.bdate_range("1962-01-02", periods=n)
    p = folder / "DGS10.csv"
    p.write_text("observation_date,DGS10\n" + "".join(f"{d:%Y-%m-%d},4.{i % 97:02d}\n" for i, d in enumerate(days)))
    return p


# -- locked --------------------------------------------------------------------------------------------
HOLD = textwrap.dedent("""
    import sys, time
    from desktop.store import Workspace
    from desktop.store.schema import transaction
    ws = Workspace.open(sys.argv[1])
    with transaction(ws.conn):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


@contextlib.contextmanager
def held_lock(ws: Path, seconds: float):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(ws), str(seconds)], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


@pytest.mark.parametrize("argv", [["import", "fred", str(FRED)], ["data", "--set-as-of", "2025-12-31"]])
def test_locked_workspace_names_the_holder_and_counts_down(argv, tmp_path, monkeypatch, capsys) -> None:
    ws = tmp_path / "w.sqlite"
    Workspace.open(ws).close()
    monkeypatch.setattr(faults, "LOCK_WAIT_S", 2.0)
    with held_lock(ws, 30) as proc:
        before = tree(tmp_path)
        assert main([*argv, "--workspace", str(ws)]) == 2
        err = capsys.readouterr().err
    assert f"is locked by process {proc.pid} on " in err, err
    assert "waiting 2 s" in err and "waiting 1 s" in err  # the visible countdown
    assert "internal error" not in err and "try again" in err
    after = tree(tmp_path)
    after.pop("w.sqlite-holder", None), before.pop("w.sqlite-holder", None)
    assert after["w.sqlite"] == before["w.sqlite"]


@pytest.mark.slow
def test_locked_for_the_real_ten_seconds(tmp_path, capsys) -> None:
    assert faults.LOCK_WAIT_S == 10.0
    ws = tmp_path / "w.sqlite"
    Workspace.open(ws).close()
    with held_lock(ws, 40):
        assert main(["import", "fred", str(FRED), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "after 10 s" in err and "waiting 9 s" in err


def test_stale_holder_record_is_not_named(tmp_path) -> None:
    ws = tmp_path / "w.sqlite"
    faults.holder_path(ws).write_text(json.dumps({"pid": 999_999_999, "host": socket.gethostname(), "since": 0}))
    assert faults.describe_holder(ws) == "another program"


# -- disk full -----------------------------------------------------------------------------------------
@contextlib.contextmanager
def tiny_tmpfs(size_kb: int):
    """A real tmpfs of ``size_kb`` (needs root and mount); skipped with the reason otherwise."""
    mnt = Path(tempfile.mkdtemp(prefix="ladderdesk-tmpfs-"))
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        mnt.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip() or r.returncode}); "
                    "disk-full is covered by the ENOSPC simulation below")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
        with contextlib.suppress(OSError):
            mnt.rmdir()


def fill(mnt: Path, leave: int) -> None:
    """Fill the file system at ``mnt`` until ``leave`` bytes are free."""
    free = shutil.disk_usage(mnt).free
    with open(mnt / "filler", "wb") as fh:
        with contextlib.suppress(OSError):
            fh.write(b"\0" * max(0, free - leave))


def test_disk_full_at_first_start(capsys) -> None:
    with tiny_tmpfs(256) as mnt:
        assert main(["data", "--workspace", str(mnt / "w.sqlite")]) == 2
        err = capsys.readouterr().err
        assert "disk full" in err and "needs about 3.0 MB" in err and "nothing was written" in err, err
        assert list(mnt.iterdir()) == []  # no half-built temp file, no sidecar


def test_disk_full_during_import(tmp_path, capsys) -> None:
    src = fred_file(tmp_path, 20_000)
    with tiny_tmpfs(4096) as mnt:
        ws = mnt / "w.sqlite"
        Workspace.open(ws).close()
        fill(mnt, 80_000)
        before = tree(mnt)
        assert main(["import", "fred", str(src), "--workspace", str(ws)]) == 2
        err = capsys.readouterr().err
        assert "disk full" in err and "MB free" in err and "needs about" in err, err
        assert "internal error" not in err
        (mnt / "filler").unlink()
        after = tree(mnt)
        before.pop("filler")
        assert after == before  # the workspace unchanged, no sidecar or half-written holder record left
        with Workspace.open(ws) as w:
            assert w.integrity_check() == "ok"
            assert w.read_sql("SELECT COUNT(*) AS n FROM series")["n"].iloc[0] == 0


def test_disk_full_at_save_preset_writes_no_output(tmp_path, monkeypatch, capsys) -> None:
    """The disk fills up between the solve and the preset save: no ALLOC.csv may appear."""
    with tiny_tmpfs(4096) as mnt:
        ws = mnt / "w.sqlite"
        Workspace.open(ws).close()
        out = tmp_path / "A.csv"
        real = Workspace.save_preset

        def save_on_a_full_disk(self, name, payload):
            fill(mnt, 0)
            return real(self, name, {**payload, "pad": "x" * 200_000})

        monkeypatch.setattr(Workspace, "save_preset", save_on_a_full_disk)
        code = main(["optimize", "--workspace", str(ws), "--save-preset", "P", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "disk full" in err and "internal error" not in err
        assert not out.exists() and not list(tmp_path.glob(".A.csv.*"))  # all or nothing


def test_disk_full_simulated_enospc(tmp_path, monkeypatch, capsys) -> None:
    """Where no tmpfs can be mounted: SQLite's SQLITE_FULL, raised inside the import transaction."""
    import sqlite3

    from desktop.store import imports

    ws = tmp_path / "w.sqlite"
    Workspace.open(ws).close()

    def full(*a, **k):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorname = "SQLITE_FULL"
        raise exc

    monkeypatch.setattr(imports, "write_import", full)
    assert main(["import", "fred", str(FRED), "--workspace", str(ws)]) == 2
    assert "disk full" in capsys.readouterr().err
    with pytest.raises(DiskFullError):
        with Workspace.open(ws) as w:
            w.apply_import(__import__("desktop.importers", fromlist=["parse_file"]).parse_file("fred", FRED))


# -- read-only -----------------------------------------------------------------------------------------
READ_COMMANDS = [["data"], ["data", "--json"], ["scenarios", "--list"]]
WRITE_COMMANDS = [["import", "fred", str(FRED)], ["data", "--set-as-of", "2025-12-31"],
                  ["optimize", "--save-preset", "P"]]


@contextlib.contextmanager
def read_only_bind(src: Path):
    dst = Path(tempfile.mkdtemp(prefix="ladderdesk-ro-"))
    r = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(dst)], capture_output=True, text=True)
    if r.returncode != 0:
        dst.rmdir()
        pytest.skip(f"cannot make a read-only bind mount here ({r.stderr.strip() or r.returncode})")
    try:
        yield dst
    finally:
        subprocess.run(["umount", "-l", str(dst)], check=False)
        with contextlib.suppress(OSError):
            dst.rmdir()


def test_read_only_mount(tmp_path, capsys) -> None:
    src = tmp_path / "src"
    src.mkdir()
    Workspace.open(src / "w.sqlite").close()
    before = tree(src)
    with read_only_bind(src) as ro:
        ws = str(ro / "w.sqlite")
        for argv in READ_COMMANDS + [["optimize"], ["scenarios"]]:
            assert main([*argv, "--workspace", ws]) == 0, capsys.readouterr().err
        capsys.readouterr()
        for argv in WRITE_COMMANDS:
            assert main([*argv, "--workspace", ws]) == 2
            err = capsys.readouterr().err
            assert "read-only" in err and "damaged" not in err and "fresh workspace" not in err, err
        with pytest.raises(WorkspaceReadOnlyError):
            Workspace.open(ws)
        assert main(["data", "--workspace", str(ro / "new.sqlite")]) == 2
        assert "cannot create" in capsys.readouterr().err
    assert tree(src) == before  # no sidecar created, none removed


AS_USER = textwrap.dedent("""
    import sys
    from desktop.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def run_as_nobody(argv: list[str], home: Path) -> subprocess.CompletedProcess:
    """The CLI as an unprivileged user (root ignores file permissions, a normal user does not)."""
    prefix: list[str] = []
    if IS_ROOT:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {**os.environ, "LADDERDESK_DATA_DIR": str(home / "data"), "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*prefix, sys.executable, "-c", AS_USER, *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def shared_dir():
    base = Path(tempfile.mkdtemp(prefix=f"ladderdesk-perm-{uuid.uuid4().hex[:6]}-"))
    base.chmod(0o777)
    yield base
    for p in base.rglob("*"):
        with contextlib.suppress(OSError):
            p.chmod(0o777)
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_file_and_folder(what, shared_dir) -> None:
    folder = shared_dir / "ws"
    folder.mkdir()
    ws = folder / "w.sqlite"
    Workspace.open(ws).close()
    if IS_ROOT:
        for p in (folder, ws):
            os.chown(p, 65534, 65534)
    ws.chmod(0o444 if what == "file" else 0o644)
    folder.chmod(0o555 if what == "folder" else 0o755)
    before = tree(folder)
    for argv in READ_COMMANDS + [["scenarios"]]:
        r = run_as_nobody([*argv, "--workspace", str(ws)], shared_dir)
        assert r.returncode == 0, r.stderr
    for argv in WRITE_COMMANDS:
        r = run_as_nobody([*argv, "--workspace", str(ws)], shared_dir)
        assert r.returncode == 2, r.stderr
        assert "read-only" in r.stderr and "damaged" not in r.stderr and "fresh workspace" not in r.stderr, r.stderr
    assert tree(folder) == before


def test_exception_types_for_the_window() -> None:
    for cls in (WorkspaceLockedError, DiskFullError, WorkspaceReadOnlyError):
        assert issubclass(cls, faults.WorkspaceError)
