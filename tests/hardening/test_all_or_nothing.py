"""Commands do everything or nothing (issue 10, "Misleading success").

Red team: ``optimize --save-preset P --out A.csv`` wrote A.csv and then exited 1 when the preset
save failed; ``--current`` with face 1e308 solved to "optimal" with notional inf and BUY,inf,inf.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Workspace

pytestmark = pytest.mark.timeout(60)


@contextlib.contextmanager
def read_only_view(src: Path):
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


def test_failed_preset_save_leaves_no_output(tmp_path: Path, capsys) -> None:
    """The workspace can be read but not written: the solve works, the save fails, no file appears."""
    src = tmp_path / "ws"
    src.mkdir()
    Workspace.open(src / "w.sqlite").close()
    out, trades = tmp_path / "A.csv", tmp_path / "T.csv"
    with read_only_view(src) as ro:
        code = main(["optimize", "--workspace", str(ro / "w.sqlite"), "--save-preset", "P", "--out", str(out),
                     "--trades", str(trades)])
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err, err
    assert not out.exists() and not trades.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]  # no staged temp file left either


@pytest.mark.parametrize("face", ["1e308", "inf", "-1000000", "1e14", "nan"])
def test_absurd_current_face_is_refused(face: str, tmp_path: Path, capsys) -> None:
    ws = tmp_path / "w.sqlite"
    cur = tmp_path / "cur.csv"
    cur.write_text(f"market,id,face\nUS,91282CPQ8,{face}\n")
    out = tmp_path / "A.csv"
    code = main(["optimize", "--workspace", str(ws), "--current", str(cur), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "line 2" in err and "face" in err and "np." not in err  # plain numbers, not numpy reprs
    assert not out.exists()
