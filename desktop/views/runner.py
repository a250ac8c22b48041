"""One background worker for the optimiser: debounced, latest request wins, stale results dropped.

cvxpy is not thread-safe and a solve cannot be interrupted, so there is exactly one worker thread
(a private ``QThreadPool`` with one thread). ``request(job)`` bumps a generation id and restarts a
short debounce timer; when it fires, the newest job is started unless a solve is already running,
in which case it waits as *the* pending job (older pending jobs are simply replaced). A finished
solve whose generation is not the newest is dropped, so the UI only ever sees the result for the
last request. The task is a module-level pure function of an immutable job (Orange3 style).

Several runners may share one worker thread (``pool=`` another runner's :attr:`pool`): each keeps
its own latest-wins generations, so the Scenarios tab's computations queue on the optimiser's
thread without ever superseding a solve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

DEBOUNCE_MS = 50


class _TaskSignals(QObject):
    done = Signal(int, object, object, float)  # generation, result, error, seconds


class _Task(QRunnable):
    def __init__(self, fn: Callable[[Any], Any], job: Any, generation: int, signals: _TaskSignals) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._fn, self._job, self._generation, self._signals = fn, job, generation, signals

    def run(self) -> None:
        start = time.perf_counter()
        result: Any = None
        error: BaseException | None = None
        try:
            result = self._fn(self._job)
        except Exception as exc:  # reported to the UI as a message, never a traceback
            error = exc
        self._signals.done.emit(self._generation, result, error, time.perf_counter() - start)


class SolveRunner(QObject):
    """Runs ``fn(job)`` for the newest job only. Signals carry Python objects (no int overflow)."""

    finished = Signal(object, float)  # result, seconds — newest generation only
    failed = Signal(object)  # exception of the newest generation
    busyChanged = Signal(bool)

    def __init__(self, fn: Callable[[Any], Any], parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)
        self._pool = pool
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start_pending)
        self._signals = _TaskSignals()
        self._signals.done.connect(self._on_done)
        self._generation = 0
        self._pending: tuple[int, Any] | None = None
        self._running: _Task | None = None  # strong ref to the in-flight task
        self._stopped = False
        self.delivered = 0  # results handed to the UI (tests)
        self.dropped = 0  # stale results thrown away (tests)
        self.superseded = 0  # requests replaced by a newer one before they started

    @property
    def pool(self) -> QThreadPool:
        """The worker thread (one thread), for a runner that should share it."""
        return self._pool

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    @property
    def generation(self) -> int:
        return self._generation

    def request(self, job: Any, immediate: bool = False) -> int:
        """Queue ``job`` as the newest request; returns its generation id."""
        if self._stopped:
            return self._generation
        self._generation += 1
        if self._pending is not None:
            self.superseded += 1
        self._pending = (self._generation, job)
        if not self._running:
            self.busyChanged.emit(True)
        if immediate:
            self._timer.stop()
            self._start_pending()
        else:
            self._timer.start()
        return self._generation

    def _start_pending(self) -> None:
        if self._running is not None or self._pending is None or self._stopped:
            return
        generation, job = self._pending
        self._pending = None
        self._running = _Task(self._fn, job, generation, self._signals)
        self._pool.start(self._running)

    def _on_done(self, generation: int, result: Any, error: Any, seconds: float) -> None:
        self._running = None
        if self._stopped:
            return
        if generation == self._generation:
            self.delivered += 1
            if error is not None:
                self.failed.emit(error)
            else:
                self.finished.emit(result, seconds)
        else:
            self.dropped += 1
        if self._pending is not None and not self._timer.isActive():
            self._start_pending()
        if not self.busy:
            self.busyChanged.emit(False)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop the timer, forget pending work and wait for the running solve (it cannot be killed)."""
        self._stopped = True
        self._timer.stop()
        self._pending = None
        if self._running is not None:
            self._pool.waitForDone(timeout_ms)
        self._running = None

    def active_threads(self) -> int:
        return self._pool.activeThreadCount()
