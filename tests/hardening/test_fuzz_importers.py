"""Long-run fuzz of every importer ("nothing lost"): ``make fuzz`` runs this with
``LADDERDESK_FUZZ_EXAMPLES=10000`` (cases per importer kind; BoE workbooks at a third of that,
each case writes and reads an .xlsx). The normal run uses the default of 100.

Each case damages a real-file seed (truncation, re-encoding, header lines lost or added, shuffled
or duplicated columns, bad/NaN/inf/huge numbers, swapped date formats, duplicate rows, BOMs,
CRLF, formulas in text fields) and requires a clean ImportResult or a DataError naming file, line
and field. The counts are printed at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import campaign

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
EXAMPLES = int(os.environ.get("LADDERDESK_FUZZ_EXAMPLES", "100"))


@pytest.mark.slow
def test_fuzz_all_importers(capsys: pytest.CaptureFixture[str]) -> None:
    report = campaign.run(
        RAW, EXAMPLES, seed=int(os.environ.get("LADDERDESK_FUZZ_SEED", "0")), boe_share=1 / 3
    )
    lines = campaign.summary(report)
    with capsys.disabled():
        print()
        for line in lines:
            print(f"[importer fuzz] {line}")
    assert report.total >= 6 * EXAMPLES * 0.8, lines
    assert report.total_of("other") == 0, "\n".join(lines + report.failures)
    for kind, counts in report.counts.items():
        assert counts["ok"] + counts["error"] > 0, kind
