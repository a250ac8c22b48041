"""An in-window message bar (no modal dialogs): import errors, notices; dismissable."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

STYLES = {
    "error": "background: #fdecea; border: 1px solid #e0a39c; color: #611a15;",
    "info": "background: #e8f1fb; border: 1px solid #9dbfe6; color: #0d3c61;",
}


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.action = QPushButton()  # an optional offer ("Start a fresh workspace"), hidden by default
        self.action.hide()
        self.action.clicked.connect(self._run_action)
        self._callback: Callable[[], None] | None = None
        lay.addWidget(self.label, 1)
        lay.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "info",
                     action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show ``text``; ``action`` = (button label, callback) offers one way out (the bar hides first)."""
        self.kind = kind
        self.setStyleSheet(f"MessageBar {{ {STYLES.get(kind, STYLES['info'])} }}")
        self.label.setText(text)
        self._callback = action[1] if action else None
        self.action.setText(action[0] if action else "")
        self.action.setVisible(action is not None)
        self.show()

    def _run_action(self) -> None:
        callback = self._callback
        self.dismiss()
        if callback is not None:
            callback()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def dismiss(self) -> None:
        self.hide()
        self.action.hide()
        self._callback = None
        self.kind = ""
