"""Property-based tests (hypothesis) over every importer — the quick set of the normal test run.

Property: for random or mutated versions of the real files, an importer returns a clean, valid
ImportResult or raises a DataError whose message names the file, the line and the field — never
another exception. ``LADDERDESK_FUZZ_EXAMPLES`` sets the examples per importer (default 100).
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.importers import boe, bonds_csv, us_treasury
from tests.support import campaign, mutate

from .conftest import RAW

EXAMPLES = int(os.environ.get("LADDERDESK_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = sorted({kind for kind, *_ in campaign.CSV_SEEDS})


def _check(parse, name: str, data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return mutate.outcome(parse, str(path))


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_real_files(kind: str) -> None:
    seeds = [(p, (RAW / rel).read_bytes(), enc, rel) for k, p, rel, enc in campaign.CSV_SEEDS if k == kind]

    @FUZZ
    @given(which=st.integers(0, len(seeds) - 1), seed=st.integers(0, 2**32 - 1), n_ops=st.integers(1, 4))
    def run(which: int, seed: int, n_ops: int) -> None:
        parse, data, enc, rel = seeds[which]
        damaged = mutate.mutate_csv(data, enc, random.Random(seed), n_ops)
        _check(parse, Path(rel).name, damaged)

    run()


def test_mutated_boe_workbooks() -> None:
    grid, raw_bytes = campaign.boe_grid(RAW), (RAW / campaign.BOE_SEED).read_bytes()

    @settings(
        max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(seed=st.integers(0, 2**32 - 1))
    def run(seed: int) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "glc.xlsx"
            campaign.boe_case(grid, raw_bytes, random.Random(seed), path)
            mutate.outcome(boe.parse, str(path))

    run()


CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(mutate.TOKENS),
    st.dates().map(str),
)


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8", errors="replace")


@FUZZ
@given(
    markets=st.lists(st.sampled_from(["US", "JP", "AU", "UK", "GB", "us", "XX", ""]), min_size=1, max_size=8),
    cells=st.lists(st.lists(CELL, min_size=6, max_size=6), min_size=8, max_size=8),
    ids=st.lists(st.text(max_size=6), min_size=8, max_size=8),
)
def test_generated_bonds_files(markets: list[str], cells: list[list[str]], ids: list[str]) -> None:
    header = ["market", "id", "name", "coupon_pct", "maturity", "yield_pct", "issue_date"]
    rows = [header] + [[m, ids[i], *cells[i][:5]] for i, m in enumerate(markets)]
    _check(bonds_csv.parse, "bonds.csv", _csv(rows))


@FUZZ
@given(
    tenors=st.lists(
        st.sampled_from(["1 Mo", "1.5 Month", "3 Mo", "2 Yr", "10 Yr", "30 Yr", "x"]), min_size=1, max_size=5
    ),
    dates=st.lists(st.dates(), min_size=1, max_size=6),
    values=st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), CELL), min_size=30, max_size=30
    ),
    iso=st.booleans(),
)
def test_generated_treasury_files(tenors: list[str], dates: list, values: list[str], iso: bool) -> None:
    fmt = "%Y-%m-%d" if iso else "%m/%d/%Y"
    rows = [["Date", *tenors]] + [
        [d.strftime(fmt), *values[i * len(tenors) : (i + 1) * len(tenors)]] for i, d in enumerate(dates)
    ]
    _check(us_treasury.parse, "curve.csv", _csv(rows))
