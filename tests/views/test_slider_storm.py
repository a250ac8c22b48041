"""Issue 6 item 3: 1,000 slider changes across every control as fast as possible.

The changes are fired from inside the running event loop (a 0 ms driver timer: one change per
loop pass, the fastest a user's input can arrive), while a 5 ms heartbeat timer records how long
the loop goes without serving it. Asserted: the GUI thread never works for more than 100 ms without
returning to the loop (its own CPU time between heartbeats, ``time.thread_time``: what the code
does, not how busy the shared machine is), the wall-clock gap stays under a second even on a
loaded machine, only the newest solution is ever delivered, memory grows by less than 20 MB, and
no thread or timer survives the window (the autouse fixture in conftest.py).
"""

from __future__ import annotations

import gc
import os
import time

import numpy as np
from PySide6.QtCore import QElapsedTimer, QTimer

PAGE = os.sysconf("SC_PAGE_SIZE")
MOVES = 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


class Storm:
    """Moves a random slider to a random value once per event-loop pass; a heartbeat measures gaps."""

    def __init__(self, window, n: int, seed: int) -> None:  # noqa: ANN001
        self.sliders = window.controls.sliders()
        self.rng = np.random.default_rng(seed)
        self.left = n
        self.clock = QElapsedTimer()
        self.driver = QTimer()
        self.driver.setInterval(0)
        self.driver.timeout.connect(self.move)
        self.heartbeat = QTimer()
        self.heartbeat.setInterval(5)
        self.heartbeat.timeout.connect(self.tick)
        self.gaps: list[int] = []  # wall-clock ms between heartbeats
        self.busy: list[float] = []  # the GUI thread's CPU ms between heartbeats
        self.last = 0
        self.last_cpu = 0.0

    def start(self) -> None:
        self.last_cpu = time.thread_time()
        self.clock.start()
        self.driver.start()
        self.heartbeat.start()

    def move(self) -> None:
        w = self.sliders[int(self.rng.integers(len(self.sliders)))]
        w.slider.setValue(int(self.rng.integers(w.slider.minimum(), w.slider.maximum() + 1)))
        self.left -= 1
        if self.left <= 0:
            self.driver.stop()

    def tick(self) -> None:
        now, cpu = self.clock.elapsed(), time.thread_time()
        self.gaps.append(now - self.last)
        self.busy.append((cpu - self.last_cpu) * 1e3)
        self.last, self.last_cpu = now, cpu

    @property
    def done(self) -> bool:
        return self.left <= 0

    def stop(self) -> None:
        self.driver.stop()
        self.heartbeat.stop()


def test_slider_storm(window, qtbot):
    s = window.session
    window.show_view("exposure")  # the busiest tab: four plots
    delivered = []
    mismatched = []

    def on_solution(outcome) -> None:  # noqa: ANN001
        delivered.append(outcome)
        if not outcome.status.endswith(f"us_cap={s.whatif.us_cap:.4f}"):
            mismatched.append(outcome.status)  # a result for settings that are no longer current

    s.solutionChanged.connect(on_solution)
    warm = Storm(window, 100, seed=1)  # warm caches before the memory baseline
    warm.start()
    qtbot.waitUntil(lambda: warm.done, timeout=60_000)
    warm.stop()
    qtbot.waitUntil(lambda: s.idle, timeout=30_000)
    gc.collect()
    before = rss_mb()
    delivered.clear()
    r = s.solver
    counts0 = (r.generation, r.delivered, r.dropped, r.superseded)
    storm = Storm(window, MOVES, seed=6)
    storm.start()
    qtbot.waitUntil(lambda: storm.done, timeout=120_000)
    final = s.whatif
    qtbot.waitUntil(lambda: s.idle, timeout=30_000)
    storm.stop()
    gc.collect()
    growth = rss_mb() - before
    gaps = np.array(storm.gaps[1:])
    busy = np.array(storm.busy[1:])
    requests = r.generation - counts0[0]
    print(f"\nstorm: {MOVES} moves, heartbeat gap max {gaps.max()} ms, p99 {np.percentile(gaps, 99):.0f} ms, "
          f"median {np.median(gaps):.0f} ms; GUI-thread CPU between beats max {busy.max():.0f} ms; RSS growth {growth:.1f} MB; solve requests {requests}, "
          f"delivered {r.delivered - counts0[1]}, dropped stale {r.dropped - counts0[2]}, "
          f"superseded before start {r.superseded - counts0[3]}")
    assert busy.max() < 100, f"the GUI thread worked {busy.max():.0f} ms without serving the loop"
    assert gaps.max() < 1000, f"event loop blocked for {gaps.max()} ms"
    assert growth < 20.0
    assert delivered, "the last request must be answered"
    assert not mismatched, mismatched[:3]
    assert delivered[-1] is s.outcome
    assert delivered[-1].status.endswith(f"us_cap={final.us_cap:.4f}")
    assert r.generation == r.delivered + r.dropped + r.superseded
