"""Typed, actionable errors shared by the core (no Qt)."""

from __future__ import annotations


class LadderDeskError(Exception):
    """Base of every error LadderDesk reports to a user (CLI exit 2, a message in the UI)."""


class DataError(LadderDeskError):
    """Bad input data. The message names the file, the line, the field and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.expected = expected
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        text = (", ".join(where) + ": " if where else "") + self.reason
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class WorkspaceError(LadderDeskError):
    """The workspace file cannot be opened or written (corrupt, foreign, newer schema, locked)."""
