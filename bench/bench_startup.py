"""Bench: first start on a NEW workspace (issue 12): seconds from interpreter start to the window's
first paint (the shell: "Loading…" and a running busy bar), to the window built and the progress
("building your workspace" status, busy bar) painted, and to the
bundled data's figures on screen, in a fresh process with a fresh workspace file each run (the
workspace is built from the bundled data: the first-start path). Targets: first paint ≤ 0.3 s,
data on screen ≤ 2.0 s. The machine is shared and noisy: the median of the runs is quoted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

RUNS = 3
TARGETS = {"first_paint_s": 0.3, "ready_s": 2.0}


def probe(workspace: Path, home: Path) -> dict[str, float]:
    """One ``ladderdesk --first-paint-probe`` run on ``workspace`` (settings under ``home``)."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"), HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYQTGRAPH_QT_LIB="PySide6")
    cmd = [sys.executable, "-m", "desktop.app", "--first-paint-probe", "--workspace", str(workspace)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=True).stdout
    fields = dict(part.split("=") for part in out.split() if "=" in part)
    return {k: float(v) for k, v in fields.items() if k.endswith("_s")}


def run() -> list[str]:
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for i in range(RUNS):
            runs.append(probe(tmp / f"new-{i}.sqlite", tmp / f"home-{i}"))  # a new workspace every run
    lines = []
    for key, label in (("first_paint_s", "first paint"), ("progress_s", "window built, progress painted"),
                       ("ready_s", "data on screen")):
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        target = TARGETS.get(key)
        verdict = "" if target is None else (f" (target ≤ {target:.1f} s: "
                                             f"{'met' if np.median(values) <= target else 'NOT met'})")
        lines.append(f"new workspace: start→{label} median {np.median(values):.2f} s "
                     f"(runs: {', '.join(f'{v:.2f}' for v in values)}){verdict}")
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
