"""The workspace store: one SQLite file with market data, portfolios, scenarios and presets.

See :mod:`desktop.store.workspace` for opening rules and the as-of rule, and
:mod:`desktop.store.schema` for the schema version history.
"""

from __future__ import annotations

from desktop.errors import WorkspaceError
from desktop.store.named import Portfolio
from desktop.store.schema import SCHEMA_VERSION
from desktop.store.workspace import Workspace, default_workspace_path

__all__ = ["SCHEMA_VERSION", "Portfolio", "Workspace", "WorkspaceError", "default_workspace_path", "load_snapshot"]


def load_snapshot(workspace: Workspace):
    """``workspace.load_snapshot()`` (the contract's ``store.load_snapshot(workspace)``)."""
    return workspace.load_snapshot()
