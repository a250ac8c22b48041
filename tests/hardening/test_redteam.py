"""The red-team campaign (``make redteam``) in small: every detector at zero on a seeded sample."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redteam  # noqa: E402


@pytest.fixture(autouse=True)
def _restore(monkeypatch):
    monkeypatch.setattr(redteam.faults, "LOCK_WAIT_S", redteam.faults.LOCK_WAIT_S)
    monkeypatch.setenv("LADDERDESK_DATA_DIR", os.environ["LADDERDESK_DATA_DIR"])
    yield
    redteam.faults.set_wait_reporter(None)


def check(t: redteam.Tally) -> None:
    assert t.cases > 0 and sum(t.codes.values()) == t.cases
    assert not t.hangs and not t.tracebacks, redteam.report(t, 0)
    assert not t.changed_on_failure and not t.data_loss and not t.half_files, redteam.report(t, 0)
    assert t.codes[0] > 0 and t.codes[2] > 0  # reaches both the working and the refusing paths


@pytest.mark.timeout(120)
def test_redteam_sample() -> None:
    check(redteam.campaign(40, seed=1))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_redteam_wider() -> None:
    check(redteam.campaign(300, seed=2))
