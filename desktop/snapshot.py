"""The market snapshot the app reads: curves, short rates, FX, bonds, history, provenance.

``MarketSnapshot`` is immutable and built from plain tables (:class:`SnapshotTables`), either
the bundled CSVs in ``resources/`` (:func:`load_bundled_snapshot`) or a workspace
(``desktop.store.Workspace.load_snapshot``). Both use the same as-of rule
(:func:`snapshot_from_tables`):

* ``as_of`` is the valuation / trade date (2025-12-31 for the bundled data). It is chosen, not
  inferred from the newest data: importing a newer curve never moves it silently.
* For each market the curve used is the one with the **latest date ≤ as_of** (the bundled JGB
  curve is dated 2025-12-30, the last JGB business day of 2025). A market with no curve on or
  before ``as_of`` is left out of ``curves``; ``curve_dates`` shows which date each market uses.
* Short rates and FX: per currency the latest figure dated ≤ ``as_of``, from two tables — the curated
  ``short_rates`` / ``fx`` rows (end-2025 figures, FRED imports) and the month-end histories
  (``short_rate_history.csv``: DGS3MO, MoF 1 y, RBA F2 2 y, BoE GLC 0.5 y; ``fx_history.csv``: ECB
  reference rates crossed through EUR). A curated row is preferred to a history row of the same
  month or earlier; a history row of a later month (still ≤ ``as_of``) wins. Only if neither table
  has a row on or before ``as_of`` is the earliest row used (so a currency never disappears; its date
  then shows it is not from the valuation date). Moving the valuation date back to 2023-12-01 thus
  uses the 2023-11 month-end figures, never the 2025-12 ones.
* ``history`` (month-end yields), ``fx_history`` and ``short_rate_history`` are cut at ``as_of``:
  nothing dated after the valuation date reaches the risk model.

Locating ``resources/``: ``$LADDERDESK_RESOURCES`` if set, else ``<repo>/resources`` next to the
``desktop`` package (a fresh clone or an editable install), else ``<prefix>/share/ladderdesk/resources``
where a wheel install puts them (``[tool.setuptools.data-files]`` in pyproject.toml).

Units: yields and rates in percent; FX as USD per one unit of the currency.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from desktop.curves import Curve, build_curve
from desktop.errors import LadderDeskError

BUNDLED_AS_OF = date(2025, 12, 31)
CURVE_COLUMNS = ["market", "date", "tenor_years", "yield_pct", "curve_type", "source"]
BOND_COLUMNS = ["market", "id", "name", "coupon_pct", "maturity", "issue_date", "is_generic", "source", "note"]
SHORT_RATE_COLUMNS = ["currency", "rate_pct", "rate_name", "as_of", "source"]
FX_COLUMNS = ["currency", "usd_per_unit", "as_of", "source"]
HISTORY_COLUMNS = ["market", "date", "tenor_years", "yield_pct"]
FX_HISTORY_COLUMNS = ["date", "currency", "per_eur", "usd_per_unit"]
SHORT_RATE_HISTORY_COLUMNS = ["date", "currency", "rate_pct", "rate_name", "source"]
PROVENANCE_COLUMNS = ["item", "source", "note", "label"]

RESOURCE_FILES = {
    "curves": "curves.csv",
    "bonds": "bonds.csv",
    "short_rates": "short_rates.csv",
    "fx": "fx.csv",
    "history": "history.csv",
    "provenance": "provenance.csv",
    "policy_rates": "policy_rates.csv",
    "fx_history": "fx_history.csv",
    "short_rate_history": "short_rate_history.csv",
}


@dataclass(frozen=True, eq=False)
class SnapshotTables:
    """Raw tables a snapshot is built from (the shape of ``resources/*.csv``).

    ``curves``: CURVE_COLUMNS (one row per market/date/tenor, yields %); ``bonds``: BOND_COLUMNS;
    ``short_rates``: SHORT_RATE_COLUMNS (% p.a.); ``fx``: FX_COLUMNS (USD per unit);
    ``history``: market,date,tenor_years,yield_pct[,source]; ``provenance``: PROVENANCE_COLUMNS;
    ``fx_history``: FX_HISTORY_COLUMNS (ECB month-end, USD per unit crossed through EUR);
    ``short_rate_history``: SHORT_RATE_HISTORY_COLUMNS (month-end, % p.a.).
    """

    curves: pd.DataFrame
    bonds: pd.DataFrame
    short_rates: pd.DataFrame
    fx: pd.DataFrame
    history: pd.DataFrame
    provenance: pd.DataFrame
    policy_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    fx_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    short_rate_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    quotes: pd.DataFrame = field(default_factory=pd.DataFrame)  # desktop.universe.QUOTE_COLUMNS


@dataclass(frozen=True, eq=False)
class MarketSnapshot:
    """Everything the app reads about the market on ``as_of`` (see the module docstring).

    ``curves`` by market code; ``short_rates_pct`` / ``short_rate_sources`` by currency
    (3-month money rate or the documented policy-rate fallback, % p.a.); ``fx_usd_per_unit`` by
    currency (USD = 1.0); ``bonds`` real bonds (BOND_COLUMNS, dates as datetime64);
    ``history`` month-end yields (HISTORY_COLUMNS); ``provenance`` item,source,note,label.
    ``curve_dates`` is the curve date each market uses; ``curve_points`` the quoted points.
    ``fx_history``: ECB month-end FX (FX_HISTORY_COLUMNS, ``date`` datetime64, USD per unit);
    ``short_rate_history``: month-end short rates (SHORT_RATE_HISTORY_COLUMNS, % p.a.); both, like
    ``history``, dated ≤ ``as_of``. ``short_rate_dates`` / ``fx_dates``: the date of each figure used;
    ``fx_sources``: per currency (``"curated"`` or ``"history"``, the source text of that row; "" when
    the table carries none) — which FX row the as-of rule picked.
    """

    as_of: date
    curves: dict[str, Curve]
    short_rates_pct: dict[str, float]
    short_rate_sources: dict[str, str]
    fx_usd_per_unit: dict[str, float]
    bonds: pd.DataFrame
    history: pd.DataFrame
    provenance: pd.DataFrame
    curve_dates: dict[str, date] = field(default_factory=dict)
    curve_points: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CURVE_COLUMNS))
    policy_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    fx_history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FX_HISTORY_COLUMNS))
    short_rate_history: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=SHORT_RATE_HISTORY_COLUMNS))
    short_rate_dates: dict[str, date] = field(default_factory=dict)
    fx_dates: dict[str, date] = field(default_factory=dict)
    fx_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    # bond quotes (market, id, price_date, clean_price, yield_pct, source), every date: the universe
    # uses the latest on or before ``as_of`` (desktop.universe.build_universe)
    quotes: pd.DataFrame = field(default_factory=pd.DataFrame)

    def fx_rate(self, from_ccy: str, to_ccy: str) -> float:
        """Units of ``to_ccy`` per one unit of ``from_ccy`` (e.g. ``fx_rate("USD", "JPY")`` ≈ 156.80)."""
        try:
            return self.fx_usd_per_unit[from_ccy.upper()] / self.fx_usd_per_unit[to_ccy.upper()]
        except KeyError as exc:
            known = ", ".join(sorted(self.fx_usd_per_unit))
            raise LadderDeskError(f"no FX rate for {exc.args[0]} (known: {known})") from None


def resources_dir() -> Path:
    """Folder holding the bundled snapshot CSVs (see the module docstring for the search order)."""
    env = os.environ.get("LADDERDESK_RESOURCES")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent
    candidates += [here.parent / "resources", here / "resources"]
    candidates += [Path(prefix) / "share" / "ladderdesk" / "resources" for prefix in dict.fromkeys((sys.prefix, sys.base_prefix))]
    for path in candidates:
        if (path / RESOURCE_FILES["curves"]).is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise LadderDeskError(f"bundled market data not found (looked in {tried}); reinstall LadderDesk")


@functools.lru_cache(maxsize=4)
def _read_tables(folder: str) -> SnapshotTables:
    base = Path(folder)

    def read(name: str) -> pd.DataFrame:
        path = base / RESOURCE_FILES[name]
        if not path.is_file():
            return pd.DataFrame()
        return pd.read_csv(path, keep_default_na=False, na_values=[""], encoding="utf-8")

    return SnapshotTables(
        curves=read("curves"),
        bonds=read("bonds"),
        short_rates=read("short_rates"),
        fx=read("fx"),
        history=read("history"),
        provenance=read("provenance"),
        policy_rates=read("policy_rates"),
        fx_history=read("fx_history"),
        short_rate_history=read("short_rate_history"),
    )


def read_bundled_tables(folder: Path | None = None) -> SnapshotTables:
    """The bundled CSVs as raw tables (fresh copies; safe to modify)."""
    t = _read_tables(str(folder or resources_dir()))
    return SnapshotTables(*(getattr(t, f).copy() for f in SnapshotTables.__dataclass_fields__))


def load_bundled_snapshot(as_of: date = BUNDLED_AS_OF) -> MarketSnapshot:
    """The default snapshot shipped in ``resources/`` (as of 2025-12-31)."""
    return snapshot_from_tables(read_bundled_tables(), as_of)


def _to_date(value: object) -> date:
    return pd.Timestamp(value).date()


def latest_dated(curated: pd.DataFrame, cur_date: str, hist: pd.DataFrame, as_of: date,
                  value: str) -> dict[str, tuple[float, date, str]]:
    """Per currency (value, date, which) by the rule of the module docstring.

    ``curated``: rows with ``currency``, ``cur_date``, ``value``; ``hist``: rows with ``currency``,
    ``date``, ``value``. ``which`` is "curated" or "history".
    """
    cut = pd.Timestamp(as_of)
    frames = []
    if not curated.empty:
        frames.append(pd.DataFrame({"currency": curated["currency"].astype(str),
                                    "d": pd.to_datetime(curated[cur_date], errors="coerce"),
                                    "v": curated[value].astype(float), "which": "curated", "row": curated.index}))
    if not hist.empty:
        frames.append(pd.DataFrame({"currency": hist["currency"].astype(str), "d": pd.to_datetime(hist["date"]),
                                    "v": hist[value].astype(float), "which": "history", "row": hist.index}))
    if not frames:
        return {}
    allr = pd.concat(frames, ignore_index=True).dropna(subset=["d"])
    # a curated row stands for its whole month: rank by (month, curated first) among rows ≤ as_of
    allr["month"] = allr["d"].dt.to_period("M")
    allr["prio"] = (allr["which"] == "curated").astype(int)
    out: dict[str, tuple[float, date, str, int]] = {}
    for ccy, g in allr.groupby("currency", sort=True):
        ok = g[g["d"] <= cut]
        if len(ok):
            best = ok.sort_values(["month", "prio", "d"]).iloc[-1]
        else:
            best = g.sort_values(["d", "prio"], ascending=[True, False]).iloc[0]
        out[str(ccy)] = (float(best["v"]), best["d"].date(), str(best["which"]), int(best["row"]))
    return out


def select_curve_points(curves: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Curve rows each market uses on ``as_of``: its latest curve date ≤ ``as_of``."""
    if curves.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    c = curves.assign(date=pd.to_datetime(curves["date"]))
    c = c[c["date"] <= pd.Timestamp(as_of)]
    latest = c.groupby("market")["date"].transform("max")
    out = c[c["date"] == latest].sort_values(["market", "tenor_years"]).reset_index(drop=True)
    return out[CURVE_COLUMNS]


def _bonds_frame(bonds: pd.DataFrame) -> pd.DataFrame:
    out = bonds.reindex(columns=BOND_COLUMNS).copy()
    out["coupon_pct"] = out["coupon_pct"].astype(float)
    out["maturity"] = pd.to_datetime(out["maturity"])
    out["issue_date"] = pd.to_datetime(out["issue_date"], errors="coerce")
    generic = out["is_generic"].map(lambda v: str(v).strip().lower() in {"true", "1", "yes"})
    out["is_generic"] = generic.astype(bool)
    for col in ("name", "source", "note"):
        out[col] = out[col].fillna("").astype(str)
    return out.reset_index(drop=True)


def snapshot_from_tables(tables: SnapshotTables, as_of: date) -> MarketSnapshot:
    """Apply the as-of rule (module docstring) and build the curves."""
    points = select_curve_points(tables.curves, as_of)
    curves: dict[str, Curve] = {}
    curve_dates: dict[str, date] = {}
    for code, rows in points.groupby("market", sort=True):
        day = _to_date(rows["date"].iloc[0])
        kinds = rows["curve_type"].unique()
        if len(kinds) != 1:
            raise LadderDeskError(f"{code} curve of {day} mixes curve types {sorted(kinds)}")
        curves[str(code)] = build_curve(
            str(code), day, rows["tenor_years"].to_numpy(float), rows["yield_pct"].to_numpy(float),
            str(kinds[0]), str(rows["source"].iloc[0]),
        )
        curve_dates[str(code)] = day
    cut = pd.Timestamp(as_of)
    srh = tables.short_rate_history.reindex(columns=SHORT_RATE_HISTORY_COLUMNS).copy()
    srh["date"] = pd.to_datetime(srh["date"])
    srh = srh.reset_index(drop=True)
    sr = latest_dated(tables.short_rates.reset_index(drop=True), "as_of", srh, as_of, "rate_pct")
    short_sources = {}
    for ccy, (_v, d, which, row) in sr.items():
        r = (tables.short_rates.reset_index(drop=True) if which == "curated" else srh).iloc[row]
        short_sources[ccy] = f"{r['rate_name']} ({d:%Y-%m-%d}): {r['source']}"
    fxh = tables.fx_history.reindex(columns=FX_HISTORY_COLUMNS).copy()
    fxh["date"] = pd.to_datetime(fxh["date"])
    fxh = fxh.reset_index(drop=True)
    curated_fx = tables.fx.reset_index(drop=True)
    fx = latest_dated(curated_fx, "as_of", fxh, as_of, "usd_per_unit")
    history_src = tables.fx_history.reset_index(drop=True).get("source")  # imported months carry one
    fx_sources = {}
    for ccy, (_v, _d, which, row) in fx.items():
        column = curated_fx.get("source") if which == "curated" else history_src
        text = column.iat[row] if column is not None else ""
        fx_sources[ccy] = (which, "" if pd.isna(text) else str(text))
    fx_map = {k: v[0] for k, v in fx.items()}
    fx_map.setdefault("USD", 1.0)
    history = tables.history.reindex(columns=HISTORY_COLUMNS).copy()
    history["date"] = pd.to_datetime(history["date"])
    history["tenor_years"] = history["tenor_years"].astype(float)
    history["yield_pct"] = history["yield_pct"].astype(float)
    history = history[history["date"] <= cut]
    fxh["per_eur"] = fxh["per_eur"].astype(float)
    fxh["usd_per_unit"] = fxh["usd_per_unit"].astype(float)
    return MarketSnapshot(
        as_of=as_of,
        curves=curves,
        short_rates_pct={k: v[0] for k, v in sr.items()},
        short_rate_sources=short_sources,
        fx_usd_per_unit=fx_map,
        bonds=_bonds_frame(tables.bonds),
        history=history.sort_values(["market", "tenor_years", "date"]).reset_index(drop=True),
        provenance=tables.provenance.reindex(columns=PROVENANCE_COLUMNS).fillna("").reset_index(drop=True),
        curve_dates=curve_dates,
        curve_points=points,
        policy_rates=tables.policy_rates.copy(),
        fx_history=fxh[fxh["date"] <= cut].sort_values(["currency", "date"]).reset_index(drop=True),
        short_rate_history=srh[srh["date"] <= cut].sort_values(["currency", "date"]).reset_index(drop=True),
        short_rate_dates={k: v[1] for k, v in sr.items()},
        fx_dates={k: v[1] for k, v in fx.items()},
        fx_sources=fx_sources,
        quotes=tables.quotes.copy(),
    )
