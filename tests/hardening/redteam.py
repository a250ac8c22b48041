"""``make redteam``: a randomised attack campaign over every command and file kind (issue 10).

Each case runs one ``ladderdesk`` command in-process (``desktop.cli.main``) on a fresh copy of a
workspace holding a saved preset, scenario and portfolio, with a hostile input, output or fault:

* inputs: the real fixture of each kind, seeded mutations of it (``tests.support.mutate``), a FIFO,
  ``/dev/zero``, ``/dev/urandom``, a folder, a socket, a ``/proc`` file (size 0, not empty), a
  missing or empty file, the workspace itself (and a symlink / hard link to it), a zip bomb, a
  workbook with a huge declared dimension, merged header cells or formulas without saved values,
  the red team's FRED values (999999, 1e-6), a US file with a 100-year tenor, a matured bond;
* outputs: a fresh file, the workspace (by name, symlink, hard link, ``-wal``, ``-shm``), an input,
  a folder, a missing folder, a symlink to ``/dev/null``, a FIFO (never a path under ``/dev``
  itself: run as root, a regressed guard would replace the device node);
* faults: a disk full (real tiny tmpfs where ``mount`` works here, else skipped with the reason),
  a read-only mount (read-only bind mount, else skipped), a workspace locked by another process
  (waits shortened to 1 s), a damaged ``as_of`` meta row, a preset row of invalid JSON.

Each case runs under a 30 s alarm. Printed: cases, exit codes, hangs, tracebacks / internal errors,
workspaces changed by a failed command, data loss (saved items gone or workspace unreadable), half
files (temp/partial outputs left, outputs written by a failed command). Exit status 1 if any of
those is non-zero. ``REDTEAM_CASES`` (default 600) and ``REDTEAM_SEED`` (default 10) set the size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.cli import main  # noqa: E402
from desktop.store import Workspace, faults  # noqa: E402
from tests.support import mutate  # noqa: E402

RAW = ROOT / "tests" / "fixtures" / "raw"
KIND_FILES = {
    "bonds": RAW / "bonds" / "bonds_reference.csv",
    "us-treasury": RAW / "us" / "daily-treasury-rates_official_cut.csv",
    "mof-jgb": RAW / "jp" / "jgbcm_cut.csv",
    "rba-f2": RAW / "au" / "f2-data_cut.csv",
    "boe": RAW / "uk" / "GLC_nominal_daily_2025_cut.xlsx",
    "fred": RAW / "fred" / "DGS10_cut.csv",
    "ecb-fx": RAW / "ecb" / "eurofxref-hist_cut.csv",
}
ENCODING = {"mof-jgb": "cp932"}
CASE_TIMEOUT_S = 30
BONDS_PRICED = ("market,id,name,coupon_pct,maturity,clean_price,yield_pct\n"
                "US,91282CPQ8,UST 3.875% 2032,3.875,2032-12-31,99.5,\nUK,UKT34,4.25% Gilt 2034,4.25,2034-07-31,,4.4\n")
HOLDINGS = "market,id,face\nUS,91282CPQ8,1000000\n"
SCENARIO = '{"name": "rt shock", "curves": {"US": {"parallel_bp": 50}}}'


class Hang(Exception):
    pass


@dataclass
class Tally:
    cases: int = 0
    codes: Counter = field(default_factory=Counter)
    by_command: Counter = field(default_factory=Counter)
    hangs: list = field(default_factory=list)
    tracebacks: list = field(default_factory=list)
    changed_on_failure: list = field(default_factory=list)
    data_loss: list = field(default_factory=list)
    half_files: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    faults: Counter = field(default_factory=Counter)


def sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def listing(folder: Path) -> dict[str, str | None]:
    out = {}
    for p in sorted(folder.rglob("*")):
        with contextlib.suppress(OSError):
            if p.is_file() and not p.is_symlink() and not p.name.endswith(faults.HOLDER_SUFFIX):
                out[str(p.relative_to(folder))] = sha(p)
    return out


# -- hostile inputs -------------------------------------------------------------------------------
def rewrite_sheet(src: Path, dst: Path, edit) -> None:
    from desktop.importers import boe

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        member = boe._sheet_member(zin, str(src))
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == member else data)


def build_inputs(lib: Path, keep: list) -> dict[str, Path]:
    """Hostile input files built once (names → path)."""
    import re

    import openpyxl

    from desktop.importers import boe

    out: dict[str, Path] = {}

    def put(name: str, text: str | bytes) -> None:
        p = lib / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
        out[name] = p

    put("empty.csv", "")
    put("bonds_priced.csv", BONDS_PRICED)
    put("holdings.csv", HOLDINGS)
    put("scenario.json", SCENARIO)
    put("fred_dgs3mo_999999.csv", "observation_date,DGS3MO\n2025-12-30,999999\n")
    put("fred_dexusuk_999999.csv", "observation_date,DEXUSUK\n2025-12-30,999999\n")
    put("fred_dexjpus_1e-6.csv", "observation_date,DEXJPUS\n2025-12-30,0.000001\n")
    put("fred_dexusuk_jump.csv", "observation_date,DEXUSUK\n2025-12-30,2.1\n")
    put("us_100y.csv", "Date,1 Mo,100 Yr\n12/31/2025,3.7,49.9\n")
    put("us_10M.csv", "Date,1 Mo,10 M,10 Yr\n12/31/2025,3.7,3.8,4.1\n")
    put("us_replace.csv", "Date,1 Mo,2 Yr,5 Yr,10 Yr,30 Yr\n12/31/2025,3.7,3.5,3.7,4.2,4.9\n")
    put("bonds_matured.csv", "market,id,name,coupon_pct,maturity\nUS,OLD1,UST 2020,1.0,2020-06-30\n")
    put("holdings_1e308.csv", "market,id,face\nUS,91282CPQ8,1e308\n")
    put("holdings_dup.csv", "market,id,face\nUS,91282CPQ8,1000\nUS,91282CPQ8,2000\n")
    put("binary.csv", bytes(range(256)) * 8)
    put("scenario_bad.json", '{"name": "x", "curves": {"US": {"parallel_bp": "abc"}}}')
    put("deep.json", "[" * 100_000)
    pipe = lib / "pipe.csv"
    os.mkfifo(pipe)
    out["fifo"] = pipe
    folder = lib / "a_folder"
    folder.mkdir()
    out["folder"] = folder
    sock = lib / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    keep.append(s)  # closed when the campaign ends
    out["socket"] = sock
    out["/dev/zero"] = Path("/dev/zero")
    out["/dev/urandom"] = Path("/dev/urandom")
    if Path("/proc/self/maps").exists():
        out["/proc/self/maps"] = Path("/proc/self/maps")
    out["missing"] = lib / "no_such_file.csv"
    glc = KIND_FILES["boe"]
    bomb = lib / "bomb.xlsx"
    rewrite_sheet(glc, bomb, lambda x: x.replace(b"</worksheet>", b" " * (boe.MAX_SHEET_XML_BYTES + 1) + b"</worksheet>"))
    out["zip_bomb.xlsx"] = bomb
    wide = lib / "wide.xlsx"
    rewrite_sheet(glc, wide, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x))
    out["huge_dimension.xlsx"] = wide
    for name, edit in (("merged.xlsx", lambda sh: sh.merge_cells("C4:D4")),
                       ("formula.xlsx", lambda sh: sh.__setitem__("A8", "=DATE(2025,1,7)"))):
        wb = openpyxl.load_workbook(glc)
        edit(wb[boe.SHEET])
        wb.save(lib / name)
        out[name] = lib / name
    return out


def mutated(kind: str, rng: random.Random, folder: Path) -> Path:
    src = KIND_FILES[kind]
    if src.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(src, read_only=True)
        rows = [list(r) for r in wb["4. spot curve"].iter_rows(values_only=True)]
        wb.close()
        path = folder / f"mut_{kind}.xlsx"
        mutate.write_xlsx(mutate.mutate_xlsx_rows(rows, rng), path)
        return path
    path = folder / f"mut_{kind}{src.suffix}"
    path.write_bytes(mutate.mutate_csv(src.read_bytes(), ENCODING.get(kind, "utf-8"), rng))
    return path


# -- faults -----------------------------------------------------------------------------------------
class Mounts:
    """Tiny tmpfs and read-only bind mounts, when this machine allows them (root + mount)."""

    def __init__(self) -> None:
        self.made: list[Path] = []

    def tmpfs(self, size_kb: int) -> Path | str:
        mnt = Path(tempfile.mkdtemp(prefix="redteam-tmpfs-"))
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            mnt.rmdir()
            return f"cannot mount a tmpfs: {r.stderr.strip() or r.returncode}"
        self.made.append(mnt)
        return mnt

    def read_only(self, src: Path) -> Path | str:
        dst = Path(tempfile.mkdtemp(prefix="redteam-ro-"))
        r = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(dst)], capture_output=True, text=True)
        if r.returncode != 0:
            dst.rmdir()
            return f"cannot bind-mount read-only: {r.stderr.strip() or r.returncode}"
        self.made.append(dst)
        return dst

    def release(self, mnt: Path) -> None:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
        with contextlib.suppress(OSError):
            mnt.rmdir()
        with contextlib.suppress(ValueError):
            self.made.remove(mnt)

    def close(self) -> None:
        for m in list(self.made):
            self.release(m)


HOLD = """
import sys, time
from desktop.store import Workspace
from desktop.store.schema import transaction
ws = Workspace.open(sys.argv[1])
with transaction(ws.conn):
    print("locked", flush=True)
    time.sleep(3600)
"""


# -- the campaign -----------------------------------------------------------------------------------
def base_workspace(path: Path) -> None:
    import pandas as pd

    with Workspace.open(path) as ws:
        ws.save_preset("keep-preset", {"target_duration": 5.0})
        ws.save_scenario("keep-scenario", {"name": "keep-scenario", "curves": {"US": {"parallel_bp": 10}}})
        ws.save_portfolio("keep-portfolio", pd.DataFrame({"id": ["91282CPQ8"], "market": ["US"], "face": [1e6]}),
                          {"note": "red team"})


def intact(ws: Path) -> str | None:
    """None if the workspace opens read-only and still holds the saved items; else what is wrong."""
    try:
        conn = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
        try:
            names = {t: {r[0] for r in conn.execute(f"SELECT name FROM {t}")} for t in ("presets", "scenarios",
                                                                                         "portfolios")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"workspace unreadable: {exc}"
    for t, n in (("presets", "keep-preset"), ("scenarios", "keep-scenario"), ("portfolios", "keep-portfolio")):
        if n not in names[t]:
            return f"{t[:-1]} {n!r} gone"
    return None


def alarm(signum, frame):  # noqa: ARG001
    raise Hang()


def run_one(argv: list[str]) -> tuple[int | str, str]:
    err = io.StringIO()
    out = io.StringIO()
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(CASE_TIMEOUT_S)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code: int | str = main(argv)
    except Hang:
        code = "hang"
    except BaseException as exc:  # noqa: BLE001 - an exception escaping main() is a traceback
        code = f"traceback:{type(exc).__name__}"
    finally:
        signal.alarm(0)
    return code, err.getvalue()


def campaign(n_cases: int, seed: int) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    root = Path(tempfile.mkdtemp(prefix="ladderdesk-redteam-"))
    os.environ["LADDERDESK_DATA_DIR"] = str(root / "default-data")
    lib = root / "lib"
    lib.mkdir()
    keep: list = []
    inputs = build_inputs(lib, keep)
    base = root / "base.sqlite"
    base_workspace(base)
    mounts = Mounts()
    holder = None
    faults.LOCK_WAIT_S = 1.0
    faults.set_wait_reporter(lambda m: print(m, file=sys.stderr))
    try:
        for i in range(n_cases):
            case = root / f"case{i}"
            case.mkdir()
            ws = case / "w.sqlite"
            shutil.copyfile(base, ws)
            fault = rng.choices(["none", "full", "readonly", "locked", "bad_as_of", "bad_preset"],
                                weights=[70, 6, 8, 6, 5, 5])[0]
            mnt = None
            if fault == "full":
                m = mounts.tmpfs(1400)
                if isinstance(m, str):
                    tally.skipped["disk full"] = m
                    fault = "none"
                else:
                    mnt = m
                    ws = m / "w.sqlite"
                    shutil.copyfile(base, ws)
                    with open(m / "filler", "wb") as fh, contextlib.suppress(OSError):
                        fh.write(b"\0" * max(0, shutil.disk_usage(m).free - rng.choice([0, 20_000, 60_000])))
            elif fault == "readonly":
                m = mounts.read_only(case)
                if isinstance(m, str):
                    tally.skipped["read-only mount"] = m
                    fault = "none"
                else:
                    mnt, ws = m, m / "w.sqlite"
            elif fault == "locked":
                holder = subprocess.Popen([sys.executable, "-c", HOLD, str(ws)], stdout=subprocess.PIPE, text=True,
                                          cwd=ROOT)
                holder.stdout.readline()
            elif fault == "bad_as_of":
                with contextlib.closing(sqlite3.connect(ws)) as c:
                    c.execute("UPDATE meta SET value = ? WHERE key = 'as_of'", (rng.choice(["garbage", "", "9999-99-99"]),))
                    c.commit()
            elif fault == "bad_preset":
                with contextlib.closing(sqlite3.connect(ws)) as c:
                    c.execute("INSERT INTO presets (name, created, updated, payload) VALUES ('broken', '', '', '{x')")
                    c.commit()
            tally.faults[fault] += 1
            argv, outputs = make_argv(rng, ws, case, inputs)
            before_ws = listing(ws.parent) if ws.parent.exists() else {}
            existed = {o for o in outputs if os.path.lexists(o)}
            before_inputs = {k: sha(p) for k, p in inputs.items() if p.is_file() and not str(p).startswith("/")
                             or (p.is_file() and str(p).startswith(str(lib)))}
            code, err = run_one(argv)
            label = " ".join(a if len(a) < 60 else a[:57] + "..." for a in argv)
            tally.cases += 1
            tally.codes[code] += 1
            tally.by_command[(argv[0], code)] += 1
            if code == "hang":
                tally.hangs.append(label)
            elif isinstance(code, str) or code == 1 or "Traceback" in err:
                tally.tracebacks.append(f"{label} → {code}: {err.strip()[:300]}")
            if code != 0:
                after_ws = listing(ws.parent) if ws.parent.exists() else {}
                if after_ws != before_ws:
                    diff = sorted(k for k in before_ws.keys() | after_ws.keys() if before_ws.get(k) != after_ws.get(k))
                    tally.changed_on_failure.append(f"{label}: {diff}")
                for o in outputs:
                    if o not in existed and o.is_file() and o.name.startswith("out"):
                        tally.half_files.append(f"{label}: output {o.name} written by a failed command")
            if fault == "none" or fault in ("bad_preset",):
                problem = intact(ws)
                if problem:
                    tally.data_loss.append(f"{label}: {problem}")
            for p in list(case.rglob(".*.part")) + list(case.rglob(".*.tmp")):
                tally.half_files.append(f"{label}: temp file {p.name} left")
            after_inputs = {k: sha(p) for k, p in inputs.items() if k in before_inputs}
            if after_inputs != before_inputs:
                tally.data_loss.append(f"{label}: an input file changed")
            if holder is not None:
                holder.kill()
                holder.wait()
                holder.stdout.close()
                holder = None
            if mnt is not None:
                mounts.release(mnt)
            shutil.rmtree(case, ignore_errors=True)
    finally:
        if holder is not None:
            holder.kill()
        mounts.close()
        for s in keep:
            s.close()
        shutil.rmtree(root, ignore_errors=True)
    return tally


def make_argv(rng: random.Random, ws: Path, case: Path, inputs: dict[str, Path]) -> tuple[list[str], list[Path]]:
    """A random command line: command, input (valid / mutated / hostile), output target."""
    w = ["--workspace", str(ws)]
    command = rng.choice(["import"] * 4 + ["data"] * 2 + ["analytics"] * 2 + ["optimize"] * 3 + ["scenarios"] * 2)
    hostile = ["fifo", "folder", "socket", "/dev/zero", "/dev/urandom", "/proc/self/maps", "missing", "empty.csv",
               "binary.csv"]
    hostile = [h for h in hostile if h in inputs]

    def some_input(valid: Path, kind: str | None = None) -> str:
        r = rng.random()
        if r < 0.35:
            return str(valid)
        if r < 0.6 and kind is not None:
            return str(mutated(kind, rng, case))
        if r < 0.7:
            return str(ws)  # the workspace itself as an input
        return str(inputs[rng.choice(hostile)])

    def some_output() -> tuple[str, Path]:
        r = rng.random()
        fresh = case / f"out{rng.randrange(1000)}.csv"
        if r < 0.5:
            return str(fresh), fresh
        if r < 0.6:
            return str(ws), ws  # the data-loss case of the red team's report
        null_link, pipe = case / "out_null.csv", case / "out_pipe.csv"  # never /dev itself: as root a
        with contextlib.suppress(OSError):                                # regression would replace /dev/null
            null_link.symlink_to("/dev/null")
        with contextlib.suppress(OSError):
            os.mkfifo(pipe)
        targets = [ws, ws.with_name(ws.name + "-wal"), ws.with_name(ws.name + "-shm"), case, case / "no" / "dir.csv",
                   null_link, pipe]
        link = case / f"out_link{rng.randrange(1000)}.csv"
        if r < 0.7:  # os.replace swaps the link itself, never the workspace: refused all the same
            with contextlib.suppress(OSError):
                link.symlink_to(ws)
            return str(link), link
        if r < 0.8:
            with contextlib.suppress(OSError):
                os.link(ws, link)
            return str(link), link
        t = rng.choice(targets)
        return str(t), t

    outputs: list[Path] = []
    if command == "import":
        r = rng.random()
        if r < 0.1:
            return ["import", "--undo", *w], outputs
        kind = rng.choice(list(KIND_FILES))
        special = {"fred": ["fred_dgs3mo_999999.csv", "fred_dexusuk_999999.csv", "fred_dexjpus_1e-6.csv",
                            "fred_dexusuk_jump.csv"],
                   "us-treasury": ["us_100y.csv", "us_10M.csv", "us_replace.csv"], "bonds": ["bonds_matured.csv"],
                   "boe": ["zip_bomb.xlsx", "huge_dimension.xlsx", "merged.xlsx", "formula.xlsx"]}
        if kind in special and rng.random() < 0.35:
            path = str(inputs[rng.choice(special[kind])])
        else:
            path = some_input(KIND_FILES[kind], kind)
        extra = [f for f in ("--replace", "--force") if rng.random() < 0.15]
        return ["import", kind, path, *w, *extra], outputs
    if command == "data":
        extra = rng.choice([[], ["--json"], ["--set-as-of", "2025-12-31"], ["--set-as-of", "2026-01-15"]])
        return ["data", *w, *extra], outputs
    if command == "analytics":
        argv = ["analytics", "--bonds", some_input(inputs["bonds_priced.csv"]), "--settle", "2026-01-02"]
        if rng.random() < 0.7:
            o, p = some_output()
            argv += ["--out", o]
            outputs.append(p)
        return argv, outputs
    if command == "optimize":
        argv = ["optimize", *w]
        if rng.random() < 0.5:
            cur = rng.choice([inputs["holdings.csv"], inputs["holdings_1e308.csv"], inputs["holdings_dup.csv"]])
            argv += ["--current", some_input(cur)]
        for flag in ("--out", "--trades"):
            if rng.random() < 0.5:
                o, p = some_output()
                argv += [flag, o]
                outputs.append(p)
        if rng.random() < 0.2:
            argv += ["--save-preset", rng.choice(["rt", "keep-preset", "\t=1+1", "Neutral"])]
        return argv, outputs
    argv = ["scenarios", *w]
    r = rng.random()
    if r < 0.3:
        argv += ["--alloc", some_input(inputs["holdings.csv"])]
    if rng.random() < 0.4:
        argv += ["--scenario-file", some_input(rng.choice([inputs["scenario.json"], inputs["scenario_bad.json"],
                                                            inputs["deep.json"]]))]
        if rng.random() < 0.3:
            argv += ["--save"]
    else:
        argv += ["--preset", "UK parallel +100 bp"]
    if rng.random() < 0.5:
        o, p = some_output()
        argv += ["--out", o]
        outputs.append(p)
    return argv, outputs


def report(t: Tally, seconds: float) -> str:
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(t.codes.items(), key=lambda kv: str(kv[0])))
    per = {}
    for (cmd, code), n in sorted(t.by_command.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        per.setdefault(cmd, []).append(f"{code}: {n}")
    lines = [
        f"red team: {t.cases} cases in {seconds:.0f} s (seed {SEED})",
        f"exit codes: {codes}",
        *[f"  {cmd}: {', '.join(v)}" for cmd, v in per.items()],
        "faults: " + ", ".join(f"{k} {v}" for k, v in sorted(t.faults.items())),
        f"hangs: {len(t.hangs)}",
        f"tracebacks / internal errors: {len(t.tracebacks)}",
        f"workspaces changed by a failed command: {len(t.changed_on_failure)}",
        f"data loss (saved items gone, workspace unreadable, input changed): {len(t.data_loss)}",
        f"half files (temp files left, outputs of failed commands): {len(t.half_files)}",
    ]
    for what, reason in t.skipped.items():
        lines.append(f"skipped fault {what}: {reason}")
    for title, items in (("HANG", t.hangs), ("TRACEBACK", t.tracebacks), ("CHANGED", t.changed_on_failure),
                         ("LOSS", t.data_loss), ("HALF", t.half_files)):
        lines += [f"  {title} {x}" for x in items[:10]]
    return "\n".join(lines)


SEED = int(os.environ.get("REDTEAM_SEED", "10"))

if __name__ == "__main__":
    n = int(os.environ.get("REDTEAM_CASES", "600"))
    start = time.monotonic()
    result = campaign(n, SEED)
    print(report(result, time.monotonic() - start))
    bad = result.hangs or result.tracebacks or result.changed_on_failure or result.data_loss or result.half_files
    sys.exit(1 if bad else 0)
