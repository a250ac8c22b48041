"""The investable universe: every bond of the snapshot, model-priced off its market's curve.

One row per bond with the static data, the full analytics figure set (per 100 face) and its
ladder ``rung``. Prices are **model prices**: the PV of the bond's remaining flows on the
market's zero curve (see :mod:`desktop.curves`), because the bundled snapshot has curves, not
closing prices, for end-2025 — unless the workspace holds a **quote** for the bond.

Prices and their sources (:func:`build_universe`): every row carries ``price_source``, ``price_date``,
``model_yield_pct``, ``spread_bp``, ``stale`` and ``extrapolated``:

* ``quote``: the latest quote (``snapshot.quotes``: market, id, price_date, clean_price | yield_pct,
  source) dated **on or before** the valuation date; a quote dated after it is never used (the count
  is in ``universe.attrs["future_quotes"]``). A yield quote is turned into a clean price at the
  bond's settlement (:func:`desktop.analytics.price_from_yield`). ``spread_bp`` = quoted yield −
  model yield (bp); ``price_date`` the quote's date; ``stale`` when it is more than
  :data:`STALE_BUSINESS_DAYS` business days (the market's calendar) before the valuation date.
* ``model``: the PV of the flows on the market's zero curve; ``price_date`` = the curve's date
  (``stale`` likewise); ``spread_bp`` NaN (nothing measured).
* ``extrapolated``: a model price of a bond maturing before the curve's first or after its last
  quoted point (AU: RBA F2 has 2–10 y), where the zero curve is held flat. ``extrapolated`` is True
  for such bonds whether quoted or not; unquoted ones are left out of the optimiser by default
  (:func:`tradable`).

Durations: ``mod_duration`` / ``mac_duration`` / ``convexity`` / ``dv01`` are the **yield**
figures of :mod:`desktop.analytics` (one semi-annual yield for every flow: the quoted duration).
``krd_2y … krd_30y`` are **zero-curve** key-rate durations (:mod:`desktop.keyrates`): triangular
bumps of the market's zero curve at 2/5/10/30 y, at the bond's z-spread (0 for a model price);
they sum to the curve (spread) duration, not to ``mod_duration`` (on the bundled universe the
two differ by −2.7 … +2.6 %: compounding, and the curve's slope against the bond's single yield).

Rungs: ``rung = ceil(years_to_maturity)`` (ACT/365F from settlement), at least 1 — a bond
maturing in 4.6 years sits on the 5-year rung.

Generic bonds: where a market has no real bond on a rung between 1 and ``GENERIC_MAX_RUNG``
years, a curve-implied generic bond is added (``is_generic=True``, id ``<M>-GEN-<r>Y``), maturing
one month before the rung's end, on the 15th, with a coupon equal to the par yield there rounded
to 1/8 % — so it prices close to par. They let a ladder be built on every rung and are labelled
as such everywhere they appear.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from desktop.analytics import (
    KEY_RATE_COLUMNS,
    bond_analytics,
    curve_dirty_price,
    price_from_yield,
    yield_from_price,
)
from desktop.analytics import accrued as accrued_interest
from desktop.keyrates import zero_curve_key_rates
from desktop.markets import MARKETS, busday_calendar, market, settlement_date

GENERIC_MAX_RUNG = 30
STALE_BUSINESS_DAYS = 5  # a price older than this many business days before the valuation date is stale
QUOTE_COLUMNS = ["market", "id", "price_date", "clean_price", "yield_pct", "source"]
PRICE_COLUMNS = ["price_date", "model_yield_pct", "spread_bp", "stale", "extrapolated"]
STATIC_COLUMNS = [
    "market",
    "id",
    "name",
    "coupon_pct",
    "maturity",
    "issue_date",
    "currency",
    "is_generic",
    "price_source",
]


def market_settle_dates(trade_date: date) -> dict[str, date]:
    """Standard settlement date per market for a trade on ``trade_date``."""
    return {code: settlement_date(code, trade_date) for code in MARKETS}


def rung_of(years_to_maturity: np.ndarray | pd.Series) -> np.ndarray:
    """Ladder rung (years, int ≥ 1) of a bond ``years_to_maturity`` years from settlement."""
    years = np.asarray(years_to_maturity, dtype=float)
    return np.maximum(np.ceil(years - 1e-9), 1).astype(int)


def _generic_bonds(snapshot, real: pd.DataFrame, settles: dict[str, date]) -> pd.DataFrame:
    rows = []
    for code, curve in snapshot.curves.items():
        settle = pd.Timestamp(settles[code])
        mine = real[real["market"] == code]
        years = (mine["maturity"] - settle).dt.days / 365.0
        have = set(rung_of(years[years > 0]).tolist())
        for rung in range(1, GENERIC_MAX_RUNG + 1):
            if rung in have:
                continue
            maturity = (settle + pd.DateOffset(years=rung) - pd.DateOffset(months=1)).replace(day=15)
            t = (maturity - settle).days / 365.0
            coupon = float(np.round(curve.par_yield_pct(t) * 8) / 8)
            rows.append(
                {
                    "market": code,
                    "id": f"{code}-GEN-{rung:02d}Y",
                    "name": f"Generic {code} {rung}y {coupon:.3f}% {maturity:%b-%Y} (curve-implied)",
                    "coupon_pct": max(coupon, 0.0),
                    "maturity": maturity,
                    "issue_date": pd.NaT,
                    "is_generic": True,
                }
            )
    return pd.DataFrame(rows)


def latest_quotes(quotes: pd.DataFrame | None, as_of: date) -> tuple[pd.DataFrame, int]:
    """Per (market, id) the latest quote dated on or before ``as_of`` (:data:`QUOTE_COLUMNS`,
    ``price_date`` as datetime64) and the number of quotes dated after it (never used)."""
    if quotes is None or len(quotes) == 0:
        return pd.DataFrame(columns=QUOTE_COLUMNS), 0
    q = quotes.reindex(columns=QUOTE_COLUMNS).copy()
    q["price_date"] = pd.to_datetime(q["price_date"])
    for col in ("clean_price", "yield_pct"):
        q[col] = pd.to_numeric(q[col], errors="coerce")
    future = q["price_date"] > pd.Timestamp(as_of)
    q = q[~future & (q["clean_price"].notna() | q["yield_pct"].notna())]
    q = q.sort_values("price_date", kind="stable").drop_duplicates(["market", "id"], keep="last")
    return q.reset_index(drop=True), int(future.sum())


def build_universe(snapshot, *, include_generic: bool = True) -> pd.DataFrame:
    """All live bonds of ``snapshot``, priced at each market's settlement for ``snapshot.as_of``: at
    the latest quote on or before it (``snapshot.quotes``), else off the market's curve (module
    docstring). Returns the columns of :data:`STATIC_COLUMNS`, every ``bond_analytics`` column,
    :data:`PRICE_COLUMNS` and ``rung``.
    """
    settles = market_settle_dates(snapshot.as_of)
    bonds = snapshot.bonds.copy()
    bonds["maturity"] = pd.to_datetime(bonds["maturity"])
    bonds["issue_date"] = pd.to_datetime(bonds.get("issue_date"), errors="coerce")
    bonds["is_generic"] = bonds.get("is_generic", False)
    bonds["is_generic"] = bonds["is_generic"].fillna(False).astype(bool)
    settle_col = pd.to_datetime(bonds["market"].map(settles))
    # live at settlement: not matured, already issued (a bond issued later cannot be bought today)
    issued = bonds["issue_date"].isna() | (bonds["issue_date"] <= settle_col)
    bonds = bonds[(bonds["maturity"] > settle_col) & issued & bonds["market"].isin(list(snapshot.curves))]
    if include_generic:
        generic = _generic_bonds(snapshot, bonds, settles)
        if len(generic):
            bonds = pd.concat([bonds, generic], ignore_index=True) if len(bonds) else generic
    bonds = bonds.drop(columns=[c for c in ("clean_price", "yield_pct") if c in bonds]).reset_index(drop=True)
    quotes, future = latest_quotes(getattr(snapshot, "quotes", None), snapshot.as_of)
    clean = np.full(len(bonds), np.nan)
    when = np.full(len(bonds), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(quotes) and len(bonds):
        key = pd.MultiIndex.from_arrays([bonds["market"].astype(str), bonds["id"].astype(str)])
        pos = pd.MultiIndex.from_arrays([quotes["market"].astype(str), quotes["id"].astype(str)]).get_indexer(key)
        hit = pos >= 0
        q = quotes.iloc[pos[hit]]
        clean[hit] = q["clean_price"].to_numpy(float)
        when[hit] = q["price_date"].to_numpy("datetime64[ns]")
        by_yield = hit.copy()
        by_yield[hit] = ~np.isfinite(clean[hit]) & np.isfinite(q["yield_pct"].to_numpy(float))
        if by_yield.any():
            rows = bonds[by_yield]
            settle = pd.to_datetime(rows["market"].map(settles))
            qy = q["yield_pct"].to_numpy(float)[by_yield[hit]]
            clean[by_yield] = price_from_yield(rows, settle, qy)["clean_price"].to_numpy(float)
    out = price_off_curves(bonds, snapshot.curves, settles, clean_price=clean, price_date=when,
                           as_of=snapshot.as_of)
    out.attrs["future_quotes"] = future
    return out


def price_off_curves(
    bonds: pd.DataFrame, curves: dict, settles: dict[str, date], *, clean_price: np.ndarray | None = None,
    price_date: np.ndarray | None = None, as_of: date | None = None,
) -> pd.DataFrame:
    """Price ``bonds`` off ``curves`` (by market) and attach the full analytics figure set.

    ``clean_price``: optional quoted clean prices per 100 face, one per row (NaN = no quote); quoted
    rows keep their quote (``price_source`` "quote", ``price_date`` from ``price_date``) and their
    key-rate durations are taken at the z-spread that reprices the quote on the curve. Every other
    row is model-priced (spread 0): "model", or "extrapolated" beyond the curve's quoted points,
    dated with the curve. ``stale``: the price date more than :data:`STALE_BUSINESS_DAYS` business
    days before ``as_of`` (default: the latest settlement date's trade date, i.e. no check).
    ``krd_*`` are zero-curve key-rate durations (:func:`desktop.keyrates.zero_curve_key_rates`);
    ``mod_duration`` stays the yield duration; ``model_yield_pct`` the yield at the model price.
    """
    settle = pd.to_datetime(bonds["market"].map(settles))
    dirty = np.empty(len(bonds))
    for code, curve in curves.items():
        mask = (bonds["market"] == code).to_numpy()
        if mask.any():
            dirty[mask] = curve_dirty_price(bonds[mask], settle[mask], curve.discount)
    accrued = accrued_interest(bonds, settle)
    quoted = np.zeros(len(bonds), bool)
    model_clean = dirty - accrued
    clean = model_clean
    if clean_price is not None:
        quote = np.asarray(clean_price, dtype=float)
        if quote.shape != (len(bonds),):
            raise ValueError(f"clean_price: expected {len(bonds)} values, got {quote.size}")
        quoted = np.isfinite(quote)
        clean = np.where(quoted, quote, clean)
    figures = bond_analytics(bonds, settle, clean_price=clean)
    krd = zero_curve_key_rates(bonds, settle, curves, dirty_price=np.where(quoted, clean + accrued, np.nan))
    figures[list(KEY_RATE_COLUMNS)] = krd[list(KEY_RATE_COLUMNS)].to_numpy()
    out = bonds.copy()
    out["currency"] = out["market"].map(lambda m: market(m).currency)
    codes = out["market"].to_numpy()
    years = figures["years_to_maturity"].to_numpy(float)
    lo = out["market"].map({c: float(np.min(cv.tenors)) for c, cv in curves.items()}).to_numpy(float)
    hi = out["market"].map({c: float(np.max(cv.tenors)) for c, cv in curves.items()}).to_numpy(float)
    extrapolated = (years < lo - 1e-9) | (years > hi + 1e-9)
    out["price_source"] = np.where(quoted, "quote", np.where(extrapolated, "extrapolated", "model"))
    out = pd.concat([out[[c for c in STATIC_COLUMNS if c in out]], figures], axis=1)
    model_yield = figures["yield_pct"].to_numpy(float).copy()
    if quoted.any():
        model_yield[quoted] = yield_from_price(bonds[quoted], settle[quoted], model_clean[quoted])
    curve_day = out["market"].map({c: pd.Timestamp(cv.as_of) for c, cv in curves.items()}).to_numpy("datetime64[ns]")
    given = (np.full(len(bonds), np.datetime64("NaT"), "datetime64[ns]") if price_date is None
             else np.asarray(price_date, "datetime64[ns]"))
    day = np.where(quoted & ~np.isnat(given), given, curve_day)
    out["price_date"] = day
    out["model_yield_pct"] = model_yield
    out["spread_bp"] = np.where(quoted, (figures["yield_pct"].to_numpy(float) - model_yield) * 100.0, np.nan)
    stale = np.zeros(len(bonds), bool)
    if as_of is not None:
        for code in np.unique(codes):
            m = (codes == code) & ~np.isnat(day)
            if m.any():
                age = np.busday_count(day[m].astype("datetime64[D]"), np.datetime64(as_of, "D"),
                                      busdaycal=busday_calendar(str(code)))
                stale[m] = age > STALE_BUSINESS_DAYS
    out["stale"] = stale
    out["extrapolated"] = extrapolated
    out["rung"] = rung_of(out["years_to_maturity"])
    return out


def tradable(universe: pd.DataFrame, *, allow_generic: bool = False) -> np.ndarray:
    """Bonds the optimiser may buy by default: real bonds priced by a quote or inside their curve's
    quoted points; curve-implied generics and unquoted extrapolated bonds only with ``allow_generic``
    ("Include curve-implied bonds")."""
    if allow_generic:
        return np.ones(len(universe), bool)
    ok = ~universe["is_generic"].to_numpy(bool)
    if "price_source" in universe:
        ok &= universe["price_source"].to_numpy() != "extrapolated"
    return ok


def synthetic_universe(n: int, seed: int = 0, snapshot=None) -> pd.DataFrame:
    """A universe of ``n`` bonds shaped like the real one, for benchmarks and stress tests.

    Markets in the real universe's proportions, maturities spread 0.1–40 y (denser at the short
    end, as issuance is), coupons near each market's par yield; model-priced off the bundled curves.
    Ids are ``SYN-<market>-<i>``; ``is_generic`` is True (nothing here is a real bond).
    """
    from desktop.snapshot import load_bundled_snapshot

    snap = snapshot if snapshot is not None else load_bundled_snapshot()
    rng = np.random.default_rng(seed)
    settles = market_settle_dates(snap.as_of)
    codes = rng.choice(["UK", "US", "AU", "JP"], size=n, p=[0.40, 0.25, 0.20, 0.15])
    years = np.minimum(rng.exponential(9.0, size=n) + 0.1, 40.0)
    settle = pd.to_datetime(pd.Series(codes).map(settles))
    maturity = (settle + pd.to_timedelta(np.round(years * 365.25), unit="D")).dt.normalize()
    par = np.array([float(snap.curves[c].par_yield_pct(y)) for c, y in zip(codes, years, strict=True)])
    coupon = np.maximum(np.round((par + rng.normal(0, 0.75, size=n)) * 8) / 8, 0.0)
    bonds = pd.DataFrame(
        {
            "market": codes,
            "id": [f"SYN-{c}-{i:05d}" for i, c in enumerate(codes)],
            "name": [f"Synthetic {c} {cp:.3f}% {m:%d-%b-%Y}" for c, cp, m in zip(codes, coupon, maturity, strict=True)],
            "coupon_pct": coupon,
            "maturity": maturity,
            "issue_date": pd.NaT,
            "is_generic": True,
        }
    )
    return price_off_curves(bonds, snap.curves, settles)
