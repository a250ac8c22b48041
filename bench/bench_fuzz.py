"""Bench: importer fuzz campaign — ≥ 10,000 damaged copies of the real files, no pytest.

Seeded mutations of the official-format fixtures (tests/fixtures/raw) through every importer.
Reports clean imports, DataErrors, any other exception (must be 0) and cases per second; plus the
time to import the full MoF Japanese file (13,000+ days × 15 tenors) as a throughput reference.
``LADDERDESK_BENCH_FUZZ_CASES`` overrides the total (default 10,000).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "raw"
BOE_SHARE = 1 / 3  # a BoE case writes and reads a workbook: ~10x a CSV case


def run() -> list[str]:
    from desktop.importers import mof_jgb
    from tests.support import campaign

    total = int(os.environ.get("LADDERDESK_BENCH_FUZZ_CASES", "10000"))
    per_kind = math.ceil(total / (len(campaign.KINDS) + BOE_SHARE))
    report = campaign.run(RAW, per_kind, seed=20251231, boe_share=BOE_SHARE)
    lines = campaign.summary(report)
    lines += [f"FAILURE {f.splitlines()[0]}" for f in report.failures[:5]]
    t0 = time.perf_counter()
    res = mof_jgb.parse(str(RAW / "jp" / "jgbcm_all.csv"))
    dt = time.perf_counter() - t0
    lines.append(f"full jgbcm_all.csv: {res.rows} days, {len(res.curves)} points in {dt * 1e3:.0f} ms")
    if report.total_of("other"):
        raise AssertionError(
            f"{report.total_of('other')} importer cases raised something other than DataError"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
