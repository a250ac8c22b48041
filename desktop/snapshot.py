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
* Short rates and FX: per currency the latest row dated ≤ ``as_of`` (else the earliest row, so a
  currency never disappears; its ``as_of`` then shows it is not from the valuation date).

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
PROVENANCE_COLUMNS = ["item", "source", "note", "label"]

RESOURCE_FILES = {
    "curves": "curves.csv",
    "bonds": "bonds.csv",
    "short_rates": "short_rates.csv",
    "fx": "fx.csv",
    "history": "history.csv",
    "provenance": "provenance.csv",
    "policy_rates": "policy_rates.csv",
}


@dataclass(frozen=True, eq=False)
class SnapshotTables:
    """Raw tables a snapshot is built from (the shape of ``resources/*.csv``).

    ``curves``: CURVE_COLUMNS (one row per market/date/tenor, yields %); ``bonds``: BOND_COLUMNS;
    ``short_rates``: SHORT_RATE_COLUMNS (% p.a.); ``fx``: FX_COLUMNS (USD per unit);
    ``history``: market,date,tenor_years,yield_pct[,source]; ``provenance``: PROVENANCE_COLUMNS.
    """

    curves: pd.DataFrame
    bonds: pd.DataFrame
    short_rates: pd.DataFrame
    fx: pd.DataFrame
    history: pd.DataFrame
    provenance: pd.DataFrame
    policy_rates: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, eq=False)
class MarketSnapshot:
    """Everything the app reads about the market on ``as_of`` (see the module docstring).

    ``curves`` by market code; ``short_rates_pct`` / ``short_rate_sources`` by currency
    (3-month money rate or the documented policy-rate fallback, % p.a.); ``fx_usd_per_unit`` by
    currency (USD = 1.0); ``bonds`` real bonds (BOND_COLUMNS, dates as datetime64);
    ``history`` month-end yields (HISTORY_COLUMNS); ``provenance`` item,source,note,label.
    ``curve_dates`` is the curve date each market uses; ``curve_points`` the quoted points.
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


def _latest_per_key(df: pd.DataFrame, key: str, date_col: str, as_of: date) -> pd.DataFrame:
    """Per ``key`` the latest row dated ≤ as_of, else the earliest row."""
    if df.empty:
        return df
    d = df.assign(_d=pd.to_datetime(df[date_col], errors="coerce")).sort_values([key, "_d"])
    cutoff = pd.Timestamp(as_of)
    on_or_before = d[d["_d"] <= cutoff].groupby(key, sort=True).tail(1)
    missing = d[~d[key].isin(on_or_before[key])].groupby(key, sort=True).head(1)
    return pd.concat([on_or_before, missing]).drop(columns="_d").set_index(key)


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
    sr = _latest_per_key(tables.short_rates, "currency", "as_of", as_of)
    fx = _latest_per_key(tables.fx, "currency", "as_of", as_of)
    fx_map = {str(k): float(v) for k, v in fx["usd_per_unit"].items()} if not fx.empty else {}
    fx_map.setdefault("USD", 1.0)
    history = tables.history.reindex(columns=HISTORY_COLUMNS).copy()
    history["date"] = pd.to_datetime(history["date"])
    history["tenor_years"] = history["tenor_years"].astype(float)
    history["yield_pct"] = history["yield_pct"].astype(float)
    return MarketSnapshot(
        as_of=as_of,
        curves=curves,
        short_rates_pct={str(k): float(v) for k, v in sr["rate_pct"].items()} if not sr.empty else {},
        short_rate_sources=(
            {str(k): f"{r.rate_name} ({r.as_of}): {r.source}" for k, r in sr.iterrows()} if not sr.empty else {}
        ),
        fx_usd_per_unit=fx_map,
        bonds=_bonds_frame(tables.bonds),
        history=history.sort_values(["market", "tenor_years", "date"]).reset_index(drop=True),
        provenance=tables.provenance.reindex(columns=PROVENANCE_COLUMNS).fillna("").reset_index(drop=True),
        curve_dates=curve_dates,
        curve_points=points,
        policy_rates=tables.policy_rates.copy(),
    )
