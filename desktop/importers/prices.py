"""Price files → quotes (``ladderdesk import prices FILE``, File ▸ Import prices…), auto-detected:

=================  =========================================================================
layout             recognised by / read as
=================  =========================================================================
generic CSV        a header with ``id`` and ``clean_price`` and/or ``yield_pct`` (optional
                   ``market``; optional ``date`` or ``price_date``, ISO); ``id`` = the app's id,
                   an ISIN, a US CUSIP or an AOFM line code; one of clean_price / yield_pct per
                   line. Without a date column the quotes are dated the workspace's valuation date.
Tradeweb/FTSE      ``"Gilt Name","Close of Business Date","ISIN","Type",…,"Clean Price",…``
gilt closes        (dates DD/MM/YYYY). Conventional gilts → clean-price quotes; a conventional
                   gilt the workspace does not know is added with its static data (ISIN,
                   coupon, maturity; name = Tradeweb's); index-linked, strips and bills are
                   skipped and counted.
DMO gilt closing   ``date,isin,tidm,price`` (the DMO's reference closing prices, clean):
prices             quotes for the gilts the workspace knows; the others (index-linked, or not
                   imported: ``import bonds dmo-D1A.xml`` first) are skipped and counted.
=================  =========================================================================

All or nothing: a bad cell refuses the whole file with a DataError naming file, line and field.
Clean prices must be finite in (0, 1000) per 100 face, yields in (−5, 50) %, dates 1950–2099; one
quote per bond and date. Ids are resolved to the workspace's bonds by :func:`resolve` (unknown or
ambiguous ids in a generic or Tradeweb file refuse it, naming the line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.importers import base

GENERIC = "generic price CSV"
TRADEWEB = "Tradeweb/FTSE gilt closing prices"
DMO = "DMO gilt closing prices"
PRICE_RANGE = (0.0, 1000.0)


@dataclass(frozen=True)
class PriceFile:
    """A parsed price file. ``quotes``: market ('' where a generic file gives none), ref (the id as
    written), price_date (datetime64; NaT = the valuation date), clean_price, yield_pct, line.
    ``bonds``: static data of the gilts the file describes (Tradeweb), for bonds the workspace lacks.
    ``skipped``: what was left out and how many ({"index-linked": 33, …})."""

    kind: str
    source_file: str
    source_name: str
    layout: str
    quotes: pd.DataFrame
    bonds: pd.DataFrame | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    skip_unknown: bool = False  # whole-market files: ids the workspace does not know are skipped, counted

    @property
    def rows(self) -> int:
        return len(self.quotes)


def _lower(header: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff").strip().lower() for h in header]


def parse(path: str | os.PathLike[str]) -> PriceFile:
    """Read a price file of any layout of the module docstring."""
    file = str(path)
    table = base.read_table(path)
    names = _lower(table.rows[0])
    if "gilt name" in names and "close of business date" in names:
        return _tradeweb(table, file)
    if names == ["date", "isin", "tidm", "price"]:
        return _dmo(table, file)
    if "id" in names and ("clean_price" in names or "yield_pct" in names):
        return _generic(table, file)
    raise DataError("not a price file this version reads", file=file, line=1, field=",".join(names)[:80] or "header",
                    expected="market,id,clean_price|yield_pct[,date]; a Tradeweb/FTSE gilt close CSV; "
                             "or the DMO date,isin,tidm,price CSV")


def _columns(table: base.Table, file: str) -> tuple[dict[str, int], pd.DataFrame, np.ndarray]:
    idx = base.header_index(table, 0)
    idx = {k.strip().lstrip("\ufeff").strip(): v for k, v in idx.items()}
    df, lines = base.frame(table, 1, [name for name, _ in sorted(idx.items(), key=lambda kv: kv[1])])
    if df.empty:
        raise DataError("no prices in the file", file=file, line=2, expected="a data line under the header")
    return idx, df, lines


def _numbers(df: pd.DataFrame, col: int, lines: np.ndarray, file: str, name: str, lo: float, hi: float,
             what: str, missing: tuple[str, ...] = ("",)) -> pd.Series:
    cells = df[col].astype(str).str.strip().str.replace(",", "", regex=False)
    return base.parse_numbers(cells, lines, file=file, field=name, lo=lo, hi=hi, missing=missing, what=what)


def _generic(table: base.Table, file: str) -> PriceFile:
    idx, df, lines = _columns(table, file)
    ref = df[idx["id"]].astype(str).str.strip()
    blank = (ref == "").to_numpy()
    if blank.any():
        raise DataError("blank id", file=file, line=int(lines[blank.argmax()]), field="id",
                        expected="an ISIN, CUSIP, AOFM line code or the app's id")
    market = (df[idx["market"]].astype(str).str.strip().str.upper().replace({"GB": "UK"}) if "market" in idx
              else pd.Series([""] * len(df), index=df.index))
    bad = ~market.isin(["US", "JP", "AU", "UK", ""]).to_numpy()
    if bad.any():
        k = int(bad.argmax())
        raise DataError(f"unknown market {market.iat[k]!r}", file=file, line=int(lines[k]), field="market",
                        expected="US, JP, AU or UK")
    nan = pd.Series(np.nan, index=df.index)
    clean = (_numbers(df, idx["clean_price"], lines, file, "clean_price", *PRICE_RANGE, "a clean price per 100 face")
             if "clean_price" in idx else nan)
    yld = (_numbers(df, idx["yield_pct"], lines, file, "yield_pct", base.YIELD_MIN_PCT, base.YIELD_MAX_PCT,
                    "a yield in percent") if "yield_pct" in idx else nan)
    both = (clean.notna() & yld.notna()).to_numpy()
    none = (clean.isna() & yld.isna()).to_numpy()
    for mask, msg, fld in ((both, "both clean_price and yield_pct given", "yield_pct"),
                           (none, "neither clean_price nor yield_pct given", "clean_price")):
        if mask.any():
            raise DataError(msg, file=file, line=int(lines[mask.argmax()]), field=fld,
                            expected="one of clean_price and yield_pct per line")
    date_col = idx.get("date", idx.get("price_date"))
    if date_col is not None:
        when = base.parse_dates(df[date_col], lines, file=file, field="date", formats=[("%Y-%m-%d", "YYYY-MM-DD")])
    else:
        when = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    quotes = pd.DataFrame({"market": market.to_numpy(), "ref": ref.to_numpy(), "price_date": when.to_numpy(),
                           "clean_price": clean.to_numpy(float), "yield_pct": yld.to_numpy(float), "line": lines})
    return PriceFile("prices", file, f"{GENERIC} {os.path.basename(file)}", GENERIC, quotes)


def _tradeweb(table: base.Table, file: str) -> PriceFile:
    idx, df, lines = _columns(table, file)
    need = ["close of business date", "isin", "type", "coupon", "maturity", "clean price", "gilt name"]
    missing = [n for n in need if n not in idx]
    if missing:
        raise DataError(f"Tradeweb close file without the column {missing[0]!r}", file=file, line=1, field=missing[0],
                        expected=", ".join(need))
    kind = df[idx["type"]].astype(str).str.strip()
    conv = (kind.str.lower() == "conventional").to_numpy()
    skipped = {str(k).lower(): int(n) for k, n in kind[~conv].value_counts().sort_index().items()}
    if not conv.any():
        raise DataError("no conventional gilt prices in the file" + (
            f" ({', '.join(f'{n} {k}' for k, n in skipped.items())} skipped)" if skipped else ""),
            file=file, line=2, field="Type", expected="Conventional rows")
    sub, ln = df[conv].reset_index(drop=True), lines[conv]
    fmt = [("%d/%m/%Y", "DD/MM/YYYY")]
    when = base.parse_dates(sub[idx["close of business date"]], ln, file=file, field="Close of Business Date",
                            formats=fmt)
    maturity = base.parse_dates(sub[idx["maturity"]], ln, file=file, field="Maturity", formats=fmt)
    clean = _numbers(sub, idx["clean price"], ln, file, "Clean Price", *PRICE_RANGE, "a clean price per 100 face")
    coupon = _numbers(sub, idx["coupon"], ln, file, "Coupon", -1e-9, 30.0, "a coupon in percent")
    for series, name in ((clean, "Clean Price"), (coupon, "Coupon")):
        if series.isna().any():
            k = int(series.isna().to_numpy().argmax())
            raise DataError(f"blank {name}", file=file, line=int(ln[k]), field=name, expected="a number")
    from desktop.identifiers import is_isin

    isin = sub[idx["isin"]].astype(str).str.strip().str.upper()
    bad = ~isin.map(lambda s: s.startswith("GB") and is_isin(s)).to_numpy(bool)
    if bad.any():
        k = int(bad.argmax())
        raise DataError(f"bad ISIN {isin.iat[k]!r}", file=file, line=int(ln[k]), field="ISIN",
                        expected="a GB ISIN with a valid check digit")
    name = sub[idx["gilt name"]].astype(str).str.strip()
    quotes = pd.DataFrame({"market": "UK", "ref": isin.to_numpy(), "price_date": when.to_numpy(),
                           "clean_price": clean.to_numpy(float), "yield_pct": np.nan, "line": ln})
    static = pd.DataFrame({"market": "UK", "id": isin.to_numpy(), "name": name.to_numpy(),
                           "coupon_pct": coupon.to_numpy(float),
                           "maturity": maturity.dt.strftime("%Y-%m-%d").to_numpy(),
                           "issue_date": None, "is_generic": 0, "source": TRADEWEB,
                           "note": f"static data from {os.path.basename(file)} (no issue date in the file)",
                           "clean_price": None, "yield_pct": None}).drop_duplicates("id")
    span = f"{when.min():%Y-%m-%d}" + (f" .. {when.max():%Y-%m-%d}" if when.max() != when.min() else "")
    return PriceFile("prices", file, f"{TRADEWEB} {span}", TRADEWEB, quotes, static, skipped)


def _dmo(table: base.Table, file: str) -> PriceFile:
    idx, df, lines = _columns(table, file)
    when = base.parse_dates(df[idx["date"]], lines, file=file, field="date", formats=[("%Y-%m-%d", "YYYY-MM-DD")])
    price = _numbers(df, idx["price"], lines, file, "price", *PRICE_RANGE, "a clean price per 100 face")
    if price.isna().any():
        k = int(price.isna().to_numpy().argmax())
        raise DataError("blank price", file=file, line=int(lines[k]), field="price", expected="a clean price")
    isin = df[idx["isin"]].astype(str).str.strip().str.upper()
    quotes = pd.DataFrame({"market": "UK", "ref": isin.to_numpy(), "price_date": when.to_numpy(),
                           "clean_price": price.to_numpy(float), "yield_pct": np.nan, "line": lines})
    return PriceFile("prices", file, f"{DMO} {when.min():%Y-%m-%d}", DMO, quotes, skip_unknown=True)


def resolve(parsed: PriceFile, bonds: pd.DataFrame, valuation_date: object) -> tuple[pd.DataFrame, dict[str, int]]:
    """Quotes with the app's ids (market, id, price_date, clean_price, yield_pct, source) against the
    workspace's ``bonds`` (+ the file's own new bonds); refuses unknown / ambiguous ids (generic and
    Tradeweb files) and two quotes of one bond on one date, naming the line. Returns the quotes and
    the skip counts (whole-market files add "not in the workspace")."""
    from desktop.identifiers import aliases

    pool = bonds[["market", "id", "name"]]
    if parsed.bonds is not None:
        pool = pd.concat([pool, parsed.bonds[["market", "id", "name"]]], ignore_index=True)
        pool = pool.drop_duplicates(["market", "id"])
    al = aliases(pool)
    q = parsed.quotes.reset_index(drop=True)
    key = pd.DataFrame({"row": np.arange(len(q)), "alias": q["ref"].str.upper(), "want": q["market"]})
    hits = key.merge(al, on="alias", how="inner")
    hits = hits[(hits["want"] == "") | (hits["want"] == hits["market"])]
    n_match = hits.groupby("row")["id"].nunique()
    skipped = dict(parsed.skipped)
    ambiguous = n_match[n_match > 1]
    if len(ambiguous):
        k = int(ambiguous.index[0])
        raise DataError(f"id {q['ref'].iat[k]!r} names bonds in several markets", file=parsed.source_file,
                        line=int(q["line"].iat[k]), field="market", expected="a market column to tell them apart")
    found = hits.drop_duplicates("row").set_index("row")
    known = np.isin(np.arange(len(q)), found.index.to_numpy())
    if not known.all():
        n_unknown = int((~known).sum())
        if parsed.skip_unknown:
            skipped["not in the workspace"] = n_unknown
        else:
            k = int(np.flatnonzero(~known)[0])
            raise DataError(f"bond {q['ref'].iat[k]!r} is not in the workspace"
                            + (f" (and {n_unknown - 1} more line(s))" if n_unknown > 1 else ""),
                            file=parsed.source_file, line=int(q["line"].iat[k]), field="id",
                            expected="an ISIN, CUSIP, AOFM line code or id of a bond in the workspace "
                                     "(`ladderdesk bonds`)")
    q = q[known].copy()
    rows = np.flatnonzero(known)
    q["market"] = found.loc[rows, "market"].to_numpy()
    q["id"] = found.loc[rows, "id"].to_numpy()
    q["price_date"] = q["price_date"].fillna(pd.Timestamp(valuation_date))
    dup = q.duplicated(["market", "id", "price_date"], keep=False).to_numpy()
    if dup.any():
        d = q[dup]
        first = d[(d["id"] == d["id"].iat[0]) & (d["price_date"] == d["price_date"].iat[0])]
        raise DataError(f"bond {first['ref'].iat[0]} is priced twice on {first['price_date'].iat[0]:%Y-%m-%d} "
                        f"(lines {', '.join(str(int(x)) for x in first['line'])})", file=parsed.source_file,
                        line=int(first["line"].iat[1]), field="id", expected="one quote per bond and date")
    if q.empty:
        raise DataError("no price in the file names a bond of the workspace", file=parsed.source_file, line=2,
                        field="isin", expected="gilts the workspace holds (import the DMO D1A bonds first)")
    out = q[["market", "id", "price_date", "clean_price", "yield_pct"]].assign(source=parsed.source_name)
    return out.reset_index(drop=True), skipped
