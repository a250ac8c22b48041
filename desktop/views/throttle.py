"""A leading + trailing edge signal throttle (superqt ``qthrottled`` style) for chart redraws.

A single change redraws at once (leading edge); a storm of changes redraws at most once per
``interval_ms`` and always once more after the last change (trailing edge), so charts never lag
behind the final state and the event loop is never flooded with repaints.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal


class Throttle(QObject):
    fired = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._pending = False

    def trigger(self) -> None:
        if self._timer.isActive():
            self._pending = True
            return
        self.fired.emit()
        self._timer.start()

    def _on_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self.fired.emit()
            self._timer.start()

    def flush(self) -> None:
        """Emit a pending change now (tests, screenshots)."""
        if self._pending:
            self._pending = False
            self._timer.stop()
            self.fired.emit()

    def stop(self) -> None:
        self._timer.stop()
        self._pending = False
