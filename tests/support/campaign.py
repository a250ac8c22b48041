"""A seeded fuzz campaign over every importer (used by tests/hardening and bench/bench_fuzz.py).

Each case takes one real-file seed (the fixtures cut from the official downloads), damages it
with :mod:`tests.support.mutate` and checks the importer contract. Outcomes are counted per
importer: ``ok`` (clean, validated ImportResult), ``error`` (DataError naming file/line/field) and
``other`` (anything else — a bug; the first few are kept with their tracebacks).
"""

from __future__ import annotations

import random
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.importers import boe, bonds_csv, fred, mof_jgb, rba_f2, us_treasury
from desktop.importers.base import ImportResult
from tests.support import mutate

Parser = Callable[[str], ImportResult]

#: (importer kind, parser, fixture path relative to tests/fixtures/raw, encoding of the file)
CSV_SEEDS: tuple[tuple[str, Parser, str, str], ...] = (
    ("bonds", bonds_csv.parse, "bonds/bonds_reference.csv", "utf-8"),
    ("us-treasury", us_treasury.parse, "us/daily-treasury-rates_official_cut.csv", "utf-8"),
    ("us-treasury", us_treasury.parse, "us/deerfieldgreen_2025-daily-treasury-rates.csv", "utf-8"),
    ("us-treasury", us_treasury.parse, "us/yield-curve-rates-excel_cut.csv", "utf-8"),
    ("mof-jgb", mof_jgb.parse, "jp/jgbcm_cut.csv", "cp932"),
    ("mof-jgb", mof_jgb.parse, "jp/jgbcme_cut.csv", "utf-8"),
    ("rba-f2", rba_f2.parse, "au/f2-data_cut.csv", "utf-8"),
    ("fred", fred.parse, "fred/DGS10_cut.csv", "utf-8"),
    ("fred", fred.parse, "fred/api_DGS10_date-value_cut.csv", "utf-8"),
    ("boe", boe.parse, "uk/iadb_layout_from_glc_2025-12.csv", "utf-8"),
)
BOE_SEED = "uk/GLC_nominal_daily_2025_cut.xlsx"
BOE_ROWS = 17  # title rows, 'years:' row, 'Refresh' row and a dozen days keep each case fast
KINDS = ("bonds", "us-treasury", "mof-jgb", "rba-f2", "fred", "boe")


@dataclass
class Report:
    """Counts per importer kind, failures (other exceptions) and the elapsed time."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def total_of(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())


def boe_grid(raw: Path) -> list[list[Any]]:
    """The first rows of the BoE fixture's spot-curve sheet as a grid of values."""
    import openpyxl

    wb = openpyxl.load_workbook(raw / BOE_SEED, read_only=True)
    try:
        return [list(r) for r in wb[boe.SHEET].iter_rows(values_only=True)][:BOE_ROWS]
    finally:
        wb.close()


def boe_case(grid: list[list[Any]], raw_bytes: bytes, rng: random.Random, path: Path) -> None:
    """Write one damaged BoE workbook: cell-level edits, or byte-level damage to the zip."""
    if rng.random() < 0.25:
        data = bytearray(raw_bytes)
        if rng.random() < 0.5:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
    else:
        mutate.write_xlsx(mutate.mutate_xlsx_rows(grid, rng), path)


def _record(report: Report, kind: str, parse: Parser, path: Path, label: str) -> None:
    try:
        report.counts[kind][mutate.outcome(parse, str(path))] += 1
    except Exception:  # noqa: BLE001 - counting contract violations is the point
        report.counts[kind]["other"] += 1
        if len(report.failures) < 20:
            report.failures.append(f"{label}: {traceback.format_exc(limit=4)}")


def run(raw: Path, per_kind: int, *, seed: int = 0, boe_share: float = 1.0) -> Report:
    """``per_kind`` damaged CSV cases for each importer kind, plus ``per_kind * boe_share`` damaged
    BoE workbooks."""
    report = Report()
    start = time.perf_counter()
    by_kind: dict[str, list[tuple[Parser, bytes, str, str]]] = {}
    for kind, parse, rel, enc in CSV_SEEDS:
        by_kind.setdefault(kind, []).append((parse, (raw / rel).read_bytes(), enc, rel))
    with tempfile.TemporaryDirectory(prefix="ladderdesk-fuzz-") as tmp:
        for kind, seeds in by_kind.items():
            for i in range(per_kind):
                rng = random.Random(f"{seed}:{kind}:{i}")
                parse, data, enc, rel = seeds[i % len(seeds)]
                path = Path(tmp) / Path(rel).name
                path.write_bytes(mutate.mutate_csv(data, enc, rng))
                _record(report, kind, parse, path, f"{kind} case {i} (seed {seed}, {rel})")
        grid, raw_bytes = boe_grid(raw), (raw / BOE_SEED).read_bytes()
        for i in range(max(1, int(per_kind * boe_share))):
            rng = random.Random(f"{seed}:boe:{i}")
            path = Path(tmp) / "glc.xlsx"
            boe_case(grid, raw_bytes, rng, path)
            _record(report, "boe", boe.parse, path, f"boe case {i} (seed {seed})")
    report.seconds = time.perf_counter() - start
    return report


def summary(report: Report) -> list[str]:
    """Human-readable lines: per-kind counts, totals and the rate."""
    lines = [
        f"{k:12s} ok {c['ok']:6d}  DataError {c['error']:6d}  other {c['other']:3d}"
        for k, c in report.counts.items()
    ]
    rate = report.total / report.seconds if report.seconds else float("nan")
    lines.append(
        f"fuzz: {report.total} cases, {report.total_of('ok')} clean imports, {report.total_of('error')} DataErrors, "
        f"{report.total_of('other')} other exceptions, {rate:.0f} cases/s ({report.seconds:.1f} s)"
    )
    return lines
