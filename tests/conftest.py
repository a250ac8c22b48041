"""Suite-wide settings: headless Qt, no real user data touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("QT_API", "pyside6")

import gc  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point the workspace and QSettings at a temp dir so no test touches the user's real files."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LADDERDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    yield


@pytest.fixture(autouse=True)
def _gc_on_the_main_thread():
    """Qt objects must never be destroyed on a worker thread (a cyclic collection there, set off
    by an allocation in the worker, deadlocks in shiboken): automatic collection is off for the
    run, as in the app (views.app_setup.gc_on_gui_thread), and each test's garbage is collected here,
    on the main thread."""
    gc.disable()
    yield
    gc.collect()
