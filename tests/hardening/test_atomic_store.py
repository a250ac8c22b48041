"""Hardening: SIGKILL a process in the middle of workspace writes, then check nothing is torn.

A child (``kill_helper.py``) loops saving portfolios and applying curve imports; the parent kills
it with SIGKILL after a random delay, reopens the workspace and checks: ``PRAGMA integrity_check``
is ``ok``; every portfolio is exactly one version (line count, faces and run card agree) that is
no older than the last one the child reported committed; every imported curve date holds exactly
one import. The quick variant (5 kills) runs by default; the long one (25 kills) is marked slow.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.store import Workspace

sys.path.insert(0, str(Path(__file__).parent))
from kill_helper import curve_date, curve_tenors, holdings_count  # noqa: E402

HELPER = Path(__file__).with_name("kill_helper.py")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def _run_and_kill(ws_path: Path, base: int, delay_s: float) -> list[str]:
    """Start the child, wait until it is writing, SIGKILL it after ``delay_s``; its output lines."""
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), str(ws_path), str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("ready"):
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        if not ready.wait(60):
            raise AssertionError(f"child never became ready: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(delay_s)
        assert proc.poll() is None, f"child died on its own: {proc.stderr.read() if proc.stderr else ''}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
        reader.join(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    return lines


def _check(ws_path: Path, committed: dict[str, int], tried_max: int) -> dict[str, int]:
    """Verify the reopened workspace; returns the portfolio versions found."""
    with Workspace.open(ws_path, create=False) as ws:
        assert ws.integrity_check() == "ok"
        found: dict[str, int] = {}
        for name in ws.list_portfolios()["name"]:
            p = ws.load_portfolio(name)
            v = int(p.run_card["version"])
            assert len(p.holdings) == holdings_count(v) == p.run_card["n"], (name, v)
            assert (p.holdings["face"] == float(v)).all(), f"{name}: mixed versions {set(p.holdings['face'])}"
            assert v <= tried_max
            assert v >= committed.get(name, 0), f"{name}: committed v{committed[name]} lost (found v{v})"
            found[name] = v
        curves = ws.read_sql("SELECT date, source, COUNT(*) n FROM curves WHERE market='US' AND date > '2026' "
                             "GROUP BY date, source")
        assert curves["date"].is_unique, f"curve dates mixing imports: {curves}"
        for day, source, n in curves.itertuples(index=False):
            v = int(source[1:])
            assert n == curve_tenors(v) and day == curve_date(v)
            assert v >= committed.get(f"curve@{day}", 0)
        for (detail,) in ws.conn.execute("SELECT detail FROM import_log"):
            json.loads(detail)
    return found


def _kill_loop(tmp_path: Path, kills: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    ws_path = tmp_path / "ws.sqlite"
    Workspace.open(ws_path).close()
    committed: dict[str, int] = {}
    tried_max = 0
    outcomes = {"kills": 0, "mid_write": 0, "in_flight_committed": 0, "in_flight_rolled_back": 0, "checked": 0}
    for cycle in range(kills):
        base = (cycle + 1) * 1_000_000
        lines = _run_and_kill(ws_path, base, rng.uniform(0.02, 0.6))
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "try":
                tried_max = max(tried_max, int(parts[2]))
            if len(parts) == 3 and parts[0] == "done":
                v = int(parts[2])
                key = f"curve@{curve_date(v)}" if parts[1] == "curve" else parts[1]
                committed[key] = max(committed.get(key, 0), v)
        found = _check(ws_path, committed, tried_max)
        outcomes["kills"] += 1
        outcomes["checked"] += len(found)
        last = lines[-1].split() if lines else []
        if len(last) == 3 and last[0] == "try" and last[1] != "curve":
            outcomes["mid_write"] += 1
            landed = found.get(last[1]) == int(last[2])
            outcomes["in_flight_committed" if landed else "in_flight_rolled_back"] += 1
    assert committed, "the child never committed anything"
    print(f"SIGKILL outcomes: {outcomes}")
    return outcomes


def test_sigkill_quick(tmp_path) -> None:
    outcomes = _kill_loop(tmp_path, kills=5, seed=1)
    assert outcomes["kills"] == 5


@pytest.mark.slow
def test_sigkill_long(tmp_path) -> None:
    outcomes = _kill_loop(tmp_path, kills=25, seed=20251231)
    assert outcomes["kills"] == 25


def test_sigkill_during_creation_leaves_no_half_workspace(tmp_path) -> None:
    """Kill a process creating a brand-new workspace: the file is absent or complete."""
    code = "import sys; from desktop.store import Workspace; print('ready', flush=True); Workspace.open(sys.argv[1])"
    rng = random.Random(7)
    for i in range(3):
        path = tmp_path / f"new{i}.sqlite"
        proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        proc.kill()
        proc.wait(30)
        proc.stdout.close()
        if path.exists():
            with Workspace.open(path, create=False) as ws:
                assert ws.integrity_check() == "ok" and len(ws.load_snapshot().curves) == 4


def test_hot_rollback_journal_is_recovered(tmp_path) -> None:
    """A process dying mid-transaction in rollback-journal mode leaves a hot journal; opening
    recovers it (the read-only check must not mistake it for a damaged file)."""
    path = tmp_path / "ws.sqlite"
    with Workspace.open(path) as ws:
        before = ws.read_sql("SELECT SUM(yield_pct) s FROM history")["s"][0]
        ws.conn.execute("PRAGMA journal_mode = DELETE")
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN')\n"
        "c.execute('UPDATE history SET yield_pct = yield_pct + 100')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    assert path.with_name(path.name + "-journal").exists()
    with Workspace.open(path, create=False) as ws:
        assert ws.integrity_check() == "ok"
        assert ws.read_sql("SELECT SUM(yield_pct) s FROM history")["s"][0] == pytest.approx(before)
