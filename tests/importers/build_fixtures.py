"""Rebuild the small importer fixtures in tests/fixtures/raw/ from the shared official files.

Run by hand (``.venv/bin/python tests/importers/build_fixtures.py``) when the shared official files
are beside the repository (``<repo>/../shared/data/raw``). Each fixture keeps the published layout byte for byte (encoding, title rows, header,
line ends) and only drops data rows, so the tests in CI exercise the real formats.
"""

from __future__ import annotations

from pathlib import Path

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "raw").resolve()
OUT = Path(__file__).resolve().parents[1] / "fixtures" / "raw"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _keep(src: Path, dst: str, head: int, picks: list[slice]) -> None:
    lines = _lines(src)
    out = lines[:head]
    for s in picks:
        out += lines[s]
    target = OUT / dst
    target.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(out)
    if not src.read_bytes().endswith(b"\n"):  # keep "no newline at end of file" as published
        data = data.rstrip(b"\r\n")
    target.write_bytes(data)


def _find(src: Path, needle: bytes) -> int:
    return next(i for i, line in enumerate(_lines(src)) if line.startswith(needle))


def build_csv() -> None:
    us = SHARED / "us" / "daily-treasury-rates_1990-01-02_to_2022-03-11_official.csv"
    _keep(us, "us/daily-treasury-rates_official_cut.csv", 1, [slice(1, 121), slice(-60, None)])
    re_saved = SHARED / "us" / "deerfieldgreen_2025-daily-treasury-rates.csv"
    (OUT / "us" / re_saved.name).write_bytes(re_saved.read_bytes())
    excel = SHARED / "us" / "yield-curve-rates-1990-2024.csv"
    _keep(excel, "us/yield-curve-rates-excel_cut.csv", 1, [slice(1, 61), slice(-40, None)])

    jp = SHARED / "jp" / "jgbcm_all.csv"
    h1 = _find(jp, "H1.1.9".encode("cp932"))
    r1 = _find(jp, b"R1.5.7")
    r7 = _find(jp, b"R7.12.1")
    picks = [slice(2, 40), slice(h1 - 5, h1 + 5), slice(r1 - 5, r1 + 5), slice(r7, r7 + 30)]
    _keep(jp, "jp/jgbcm_cut.csv", 2, picks)
    (OUT / "jp" / "jgbcm_all.csv").write_bytes(jp.read_bytes())  # the full Japanese file (1.2 MB)
    jpe = SHARED / "jp" / "jgbcme_all.csv"
    e7 = _find(jpe, b"2025/12/1")
    _keep(jpe, "jp/jgbcme_cut.csv", 2, [slice(2, 40), slice(e7, e7 + 30)])

    au = SHARED / "au" / "f2-data.csv"
    (OUT / "au").mkdir(parents=True, exist_ok=True)
    (OUT / "au" / "f2-data.csv").write_bytes(au.read_bytes().rstrip(b"\r\n") + b"\n")
    a25 = _find(au, b"01-Dec-2025")
    _keep(au, "au/f2-data_cut.csv", 11, [slice(11, 40), slice(a25, a25 + 30)])

    fred = SHARED / "fred" / "DGS10.csv"
    f25 = _find(fred, b"2025-11-03")
    _keep(fred, "fred/DGS10_cut.csv", 1, [slice(1, 40), slice(f25, f25 + 60)])
    api = SHARED / "fred" / "api_DGS10_date-value.csv"
    a = _find(api, b"2025-11-03")
    _keep(api, "fred/api_DGS10_date-value_cut.csv", 1, [slice(a, a + 60)])


def build_bonds() -> None:
    """The team's reference bond list in the generic bonds-CSV layout; a placeholder id (e.g. the
    shared list's "(ISIN not found)") becomes the readable id the importer and resources use."""
    import csv

    from desktop.identifiers import derived_id, is_placeholder_id

    with open(SHARED.parent / "reference" / "bonds.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["coupon_pct"]]
    cols = ["market", "id", "name", "coupon_pct", "maturity", "issue_date"]
    (OUT / "bonds").mkdir(parents=True, exist_ok=True)
    with open(OUT / "bonds" / "bonds_reference.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        w.writerows(
            [r["country"], derived_id(r["country"], r["coupon_pct"], r["maturity"]) if is_placeholder_id(r["id"]) else r["id"],
             r["name"], r["coupon_pct"], r["maturity"], r["issue_date"]] for r in rows
        )


def build_boe() -> None:
    """The 2025-to-present GLC workbook cut to its spot-curve sheet: title rows, 'years:' row,
    'Refresh' row, January 2025 and December 2025 (dates as datetimes, as published)."""
    import openpyxl

    src = openpyxl.load_workbook(
        SHARED / "uk" / "GLC Nominal daily data_2025 to present.xlsx", read_only=True
    )
    rows = list(src["4. spot curve"].iter_rows(values_only=True))
    src.close()
    keep = rows[:5] + rows[5:25]
    dec = [i for i, r in enumerate(rows) if r[0] is not None and str(r[0]).startswith("2025-12")]
    keep += rows[dec[0] : dec[-1] + 3]
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "info"
    info["A1"] = "Cut of 'GLC Nominal daily data_2025 to present.xlsx' (Bank of England) for tests."
    ws = wb.create_sheet("4. spot curve")
    for r in keep:
        ws.append(list(r))
    (OUT / "uk").mkdir(parents=True, exist_ok=True)
    wb.save(OUT / "uk" / "GLC_nominal_daily_2025_cut.xlsx")
    # The same December 2025 GLC spot rates at 5/10/20y laid out as an IADB CSV download
    # (IUDSNZC/IUDMNZC/IUDLNZC): a layout fixture, values from the GLC workbook.
    years = list(rows[3])
    cols = [years.index(5), years.index(10), years.index(20)]
    lines = ["DATE,IUDSNZC,IUDMNZC,IUDLNZC"]
    for r in rows[dec[0] : dec[-1] + 1]:
        vals = ["" if r[c] is None else f"{r[c]:.4f}" for c in cols]
        lines.append(r[0].strftime("%d %b %Y") + "," + ",".join(vals))
    (OUT / "uk" / "iadb_layout_from_glc_2025-12.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    build_csv()
    build_bonds()
    build_boe()
    for p in sorted(OUT.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size:>8} {p.relative_to(OUT)}")
