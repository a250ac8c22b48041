"""Fixtures shared by the controller tests: the bundled snapshot, its universe, a repricing engine."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop import controller as ctl
from desktop.snapshot import load_bundled_snapshot
from desktop.universe import build_universe


@pytest.fixture(scope="package")
def snap():
    return load_bundled_snapshot()


@pytest.fixture(scope="package")
def universe(snap) -> pd.DataFrame:
    return build_universe(snap)


@pytest.fixture(scope="package")
def engine(universe, snap) -> ctl.ShiftEngine:
    return ctl.ShiftEngine(universe, snap.curves)
