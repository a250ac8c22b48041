"""``ladderdesk --screenshot FILE --view summary``: the ladder tab with the Summary dock in front
(at 1280 px wide it shares the left side with the What-if panel, so the left side must differ from
the plain ladder screenshot while the tab area stays the ladder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def shot(tmp: Path, view: str) -> QImage:
    out = tmp / f"{view}.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6",
               XDG_CONFIG_HOME=str(tmp / "config"), LADDERDESK_DATA_DIR=str(tmp / "data"))
    done = subprocess.run([sys.executable, "-m", "desktop.app", "--screenshot", str(out), "--view", view,
                           "--size", "1280x720", "--workspace", str(tmp / f"{view}.sqlite")],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert f"view {view}" in done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    return image


def test_summary_view_puts_the_summary_dock_in_front(tmp_path: Path) -> None:
    summary, ladder = shot(tmp_path, "summary"), shot(tmp_path, "ladder")
    assert summary.copy(0, 40, 380, 600) != ladder.copy(0, 40, 380, 600)  # the left dock shows something else
