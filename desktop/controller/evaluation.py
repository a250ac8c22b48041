"""Portfolio figures: :func:`evaluate` aggregates one portfolio (face amounts) on a universe or its
what-if :class:`~desktop.controller.repricing.Shifted` arrays into an :class:`Evaluation` (yield,
hedged yield, duration, DV01, US share of duration, weights, duration and value by rung, key
rates); :data:`SUMMARY_ROWS` are the summary table's rows; :func:`summary_inputs` the date and
source of every input those figures are computed from (the Summary's "Inputs" rows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.controller.repricing import Shifted
from desktop.finance import columns_of, hedged_yield_pct, market_values_base
from desktop.markets import MARKET_CODES, MARKETS, busday_calendar
from desktop.universe import STALE_BUSINESS_DAYS


@dataclass(frozen=True)
class Evaluation:
    """One portfolio (face amounts) on one (possibly shifted) universe, in base currency.

    ``weights`` are fractions of market value; ``duration_contrib`` is rung × market of w·D
    (years); ``key_rates`` market × key tenor of Σ w·KRD (years); ``value_by_rung`` rung × market of
    base-currency market value.
    """

    face: np.ndarray
    values_base: np.ndarray
    weights: np.ndarray
    market_value_base: float
    yield_pct: float
    hedged_yield_pct: float
    mod_duration: float
    dv01_base: float
    us_duration_share: float
    weights_by_market: dict[str, float]
    duration_contrib: pd.DataFrame
    key_rates: pd.DataFrame
    value_by_rung: pd.DataFrame
    risk_pct: float | None = None

    def figure(self, name: str) -> float:
        if name.startswith("w:"):
            return self.weights_by_market.get(name[2:], 0.0)
        value = getattr(self, name)
        return float("nan") if value is None else float(value)


SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("yield_pct", "Yield (local)", "%"),
    ("hedged_yield_pct", "Yield (FX-hedged)", "%"),
    ("mod_duration", "Modified duration", "y"),
    ("dv01_base", "DV01 (base per bp)", "base"),
    ("us_duration_share", "US share of duration", "%"),
    ("risk_pct", "Risk (vol, annual)", "%"),
    ("market_value_base", "Market value (base)", "base"),
) + tuple((f"w:{c}", f"Weight {c}", "%") for c in MARKET_CODES)


@dataclass(frozen=True)
class InputDate:
    """One input of the summary figures (a row of the Summary's "Inputs"): what it is, the date of
    the figure used, a short source (``detail``) and the full story (``tooltip``).

    ``key``: ``as_of``, ``curve:<market>``, ``fx:<ccy>``, ``short_rate:<ccy>`` or ``quotes``.
    ``age_bd``: business days (the market's calendar) from ``day`` to the valuation date;
    ``stale``: more than :data:`~desktop.universe.STALE_BUSINESS_DAYS` of them, or dated after it.
    """

    key: str
    label: str
    day: date | None
    detail: str
    tooltip: str
    age_bd: int | None = None
    stale: bool = False


def summary_inputs(snapshot: Any, universe: pd.DataFrame | None = None,
                   face: np.ndarray | None = None) -> tuple[InputDate, ...]:
    """The date and source of every input the summary figures use, in this order: the valuation
    date; each market's curve; the FX rate of each non-USD currency (USD per unit); each currency's
    short rate (the FX-hedge rate); the quotes of the held bonds (``face > 0`` on ``universe``).

    Dates are those the as-of rule picked (:mod:`desktop.snapshot`): ``curve_dates``, ``fx_dates``,
    ``short_rate_dates``; an input more than :data:`~desktop.universe.STALE_BUSINESS_DAYS` business
    days of its market's calendar before the valuation date (or after it: the earliest row, used
    when none is on or before it) is ``stale``. Quotes: how many held bonds are priced from a stored
    quote vs the curve model and the oldest quote date among them (stale as the universe's
    ``stale`` column says).

    FX: the row the as-of rule picked (``snapshot.fx_sources``: a curated ``fx`` row or a month-end
    of the ECB history, with its own source; an imported month names its file), else the provenance
    entry (``fx:<ccy>`` for a curated figure, ``fx_history`` for a month-end ECB one).
    """
    as_of = snapshot.as_of
    prov = _provenance(snapshot)
    rows = [InputDate("as_of", "Valued", as_of, f"⚠ > {STALE_BUSINESS_DAYS} business days old",
                      f"Valuation date {as_of:%Y-%m-%d}: every input is the latest dated on or before it. "
                      f"⚠ marks an input more than {STALE_BUSINESS_DAYS} business days older (its market's "
                      "calendar); Move… in the status bar moves the date.")]
    for code in MARKET_CODES:
        curve = snapshot.curves.get(code)
        day = snapshot.curve_dates.get(code)
        if curve is None or day is None:
            continue
        age, stale, ago = _age(code, day, as_of)
        source, kind = str(curve.source), str(curve.curve_type)
        p = prov.get(f"curve:{code}")
        note = f"\n{p['note']}" if p is not None and p["source"] == source and p["note"] else ""
        tenors = np.asarray(curve.tenors, float)
        tip = (f"{code} curve of {day:%Y-%m-%d} ({ago}): {source}\n{len(tenors)} {kind} points "
               f"{_tenor(tenors.min())}–{_tenor(tenors.max())}{note}")
        rows.append(InputDate(f"curve:{code}", f"{code} {kind} curve", day, short_source(source), tip, age, stale))
    fx_src = _fx_sources(snapshot, prov)
    market_of = {m.currency: c for c, m in MARKETS.items()}
    ccys = [MARKETS[c].currency for c in MARKET_CODES]
    for ccy in [c for c in ccys if c in snapshot.fx_dates and c != "USD"]:
        day = snapshot.fx_dates[ccy]
        age, stale, ago = _age(market_of.get(ccy, "US"), day, as_of)
        source, label = fx_src.get(ccy, ("", ""))
        rate = float(snapshot.fx_usd_per_unit.get(ccy, float("nan")))
        detail = short_source(source) + (f" · {label.lower()}" if label and label != "OFFICIAL" else "")
        tip = (f"{ccy} FX of {day:%Y-%m-%d} ({ago}): {rate:.6g} USD per {ccy} ({1.0 / rate:.6g} {ccy} per USD)\n"
               f"{source}" + (f" [{label}]" if label else ""))
        rows.append(InputDate(f"fx:{ccy}", f"FX {ccy}", day, detail, tip, age, stale))
    for ccy in [c for c in ccys if c in snapshot.short_rate_dates]:
        day = snapshot.short_rate_dates[ccy]
        age, stale, ago = _age(market_of.get(ccy, "US"), day, as_of)
        text = str(snapshot.short_rate_sources.get(ccy, ""))  # "<rate name> (<date>): <source>"
        name = text.split(f" ({day:%Y-%m-%d}): ", 1)[0]
        p = prov.get(f"short_rate:{ccy}")
        label = p["label"] if p is not None and p["source"] == name and text.endswith(f": {p['note']}") else ""
        detail = short_source(name) + (f" · {label.lower()}" if label and label != "OFFICIAL" else "")
        tip = (f"{ccy} short rate of {day:%Y-%m-%d} ({ago}): {snapshot.short_rates_pct.get(ccy, float('nan')):.3f} %\n"
               f"{text}" + (f" [{label}]" if label else ""))
        rows.append(InputDate(f"short_rate:{ccy}", f"{ccy} short rate", day, detail, tip, age, stale))
    if universe is not None and face is not None and len(face) == len(universe) and "price_source" in universe:
        rows.append(_quotes_row(universe, np.asarray(face, float), as_of))
    return tuple(rows)


def short_source(text: str) -> str:
    """The name part of a source description: up to its first date, parenthesis, comma or colon
    ("US Treasury Daily Par Yield Curve 2025-12-31 (CMT …" → "US Treasury Daily Par Yield Curve")."""
    text = str(text).strip()
    cut = _SOURCE_END.search(text)
    head = text[:cut.start()].strip(" ,;:-") if cut else text
    return head or text


_SOURCE_END = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}-[A-Z][a-z]{2}-\d{4}| \(|,|:|;")


def _age(code: str, day: date, as_of: date) -> tuple[int, bool, str]:
    """(business days from ``day`` to ``as_of`` in ``code``'s calendar, stale?, the age in words)."""
    age = int(np.busday_count(np.datetime64(day, "D"), np.datetime64(as_of, "D"), busdaycal=busday_calendar(code)))
    if day > as_of:
        return age, True, f"⚠ after the valuation date {as_of:%Y-%m-%d}: none on or before it"
    words = "the valuation date" if day == as_of else \
        f"{age} business day{'' if age == 1 else 's'} ({code} calendar) before the valuation date {as_of:%Y-%m-%d}"
    stale = age > STALE_BUSINESS_DAYS
    return age, stale, ("⚠ stale: " if stale else "") + words


def _tenor(years: float) -> str:
    return f"{years * 12:.0f}m" if years < 1 - 1e-9 else f"{years:g}y"


def _provenance(snapshot: Any) -> dict[str, dict[str, str]]:
    p = getattr(snapshot, "provenance", None)
    if p is None or len(p) == 0 or "item" not in p:
        return {}
    p = p.reindex(columns=["item", "source", "note", "label"]).fillna("").astype(str)
    return {r["item"]: r for r in p.to_dict("records")}


def _fx_sources(snapshot: Any, prov: dict[str, dict[str, str]]) -> dict[str, tuple[str, str]]:
    """Per currency (source, provenance label) of the FX figure the snapshot uses (see
    :func:`summary_inputs`)."""
    history = prov.get("fx_history", {"source": "ECB euro foreign exchange reference rates", "label": ""})
    fxh = getattr(snapshot, "fx_history", pd.DataFrame())
    picked = getattr(snapshot, "fx_sources", {}) or {}
    out: dict[str, tuple[str, str]] = {}
    for ccy, day in snapshot.fx_dates.items():
        if ccy in picked:
            which, src = picked[ccy]
        else:  # a snapshot built without the as-of rule's record: tell the two kinds apart by the figure
            rows = fxh[(fxh["currency"] == ccy) & (pd.to_datetime(fxh["date"]) == pd.Timestamp(day))] \
                if len(fxh) else fxh
            same = len(rows) and np.isclose(rows["usd_per_unit"].astype(float), snapshot.fx_usd_per_unit[ccy],
                                            rtol=1e-12, atol=0.0).any()
            which, src = ("history", "") if same else ("curated", "")
        if which == "history":
            imported = src and not src.startswith("bundled ")  # the store's marker of a bundled month
            out[ccy] = (src, "") if imported else (history["source"], history["label"])
            continue
        p = prov.get(f"fx:{ccy}")
        if not src:
            out[ccy] = (p["source"], p["label"]) if p is not None else ("", "")
        else:
            out[ccy] = (src, p["label"] if p is not None and p["source"] == src else "")
    return out


def _quotes_row(universe: pd.DataFrame, face: np.ndarray, as_of: date) -> InputDate:
    """How many held bonds are priced from a stored quote vs the curve model; the oldest quote."""
    held = face > 0
    src = universe["price_source"].to_numpy()
    quoted = held & (src == "quote")
    n, q = int(held.sum()), int(quoted.sum())
    beyond = int((held & (src == "extrapolated")).sum())
    model = n - q
    tip = (f"Of the {n} bonds held: {q} priced from a stored quote, {model} by the curve model (the PV of "
           f"their flows on their market's curve)" + (f", {beyond} of them beyond the curve's quoted points" if beyond
                                                     else "") + ".")
    detail = f"{q} quoted · {model} curve model"
    if not q:
        return InputDate("quotes", "Quotes (held)", None, detail, tip + " No held bond has a quote on or before the "
                         "valuation date (File ▸ Import prices…).")
    days = pd.to_datetime(universe["price_date"]).to_numpy("datetime64[D]")[quoted]
    oldest_i = int(np.argmin(days))
    oldest = pd.Timestamp(days[oldest_i]).date()
    code = str(universe["market"].to_numpy()[quoted][oldest_i])
    age, _stale, ago = _age(code, oldest, as_of)
    n_stale = int(universe["stale"].to_numpy(bool)[quoted].sum()) if "stale" in universe else 0
    stale = n_stale > 0 or oldest > as_of
    bond = universe["id"].to_numpy()[quoted][oldest_i]
    tip += (f"\nOldest quote {oldest:%Y-%m-%d} ({code} {bond}; {ago}); {n_stale} of the {q} quotes are more than "
            f"{STALE_BUSINESS_DAYS} business days old.")
    return InputDate("quotes", "Quotes (held)", oldest, detail, tip, age, stale)


def evaluate(
    universe: pd.DataFrame | Shifted,
    face: np.ndarray,
    fx: Mapping[str, float],
    short_rates_pct: Mapping[str, float],
    base_ccy: str,
    risk_pct: float | None = None,
) -> Evaluation:
    """Aggregate a portfolio's exposures (see :class:`Evaluation`) over ``universe`` (a DataFrame
    or, on the what-if hot path, the :class:`Shifted` arrays: same figures, no pandas lookups)."""
    cols = columns_of(universe)
    face = np.asarray(face, float)
    values = market_values_base(cols, face, fx)
    total = float(values.sum())
    w = values / total if total > 0 else np.zeros_like(values)
    dur = cols.column("mod_duration")
    y = cols.column("yield_pct")
    hy = hedged_yield_pct(cols, short_rates_pct, base_ccy)
    contrib = w * dur
    total_dur = float(contrib.sum())
    m_idx = cols.market_index
    rungs = cols.column("rung")
    dc = _grid(m_idx, rungs, contrib)
    vr = _grid(m_idx, rungs, values)
    n_mkt = len(MARKET_CODES)
    krd_matrix = np.column_stack(
        [np.bincount(m_idx, weights=w * cols.column(k), minlength=n_mkt) for k in KEY_RATE_COLUMNS]
    ) if len(KEY_RATE_COLUMNS) else np.zeros((n_mkt, 0))
    krd = pd.DataFrame(krd_matrix, index=_MARKET_LABELS, columns=_KRD_LABELS, copy=False)
    dv01_base = float((face / 100.0 * cols.column("dv01") * cols.per_currency(fx)).sum())
    by_mkt = dict(zip(MARKET_CODES, np.bincount(m_idx, weights=w, minlength=n_mkt), strict=True))
    us = m_idx == _US
    return Evaluation(
        face=face,
        values_base=values,
        weights=w,
        market_value_base=total,
        yield_pct=float(w @ y),
        hedged_yield_pct=float(w @ hy),
        mod_duration=total_dur,
        dv01_base=dv01_base,
        us_duration_share=float(contrib[us].sum() / total_dur) if total_dur > 0 else 0.0,
        weights_by_market={c: float(by_mkt.get(c, 0.0)) for c in MARKET_CODES},
        duration_contrib=dc,
        key_rates=krd,
        value_by_rung=vr,
        risk_pct=risk_pct,
    )


_MARKET_LABELS = pd.Index(list(MARKET_CODES))
_KRD_LABELS = pd.Index(list(KEY_RATE_COLUMNS))
_US = MARKET_CODES.index("US") if "US" in MARKET_CODES else -1


def _grid(m_idx: np.ndarray, rungs: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """rung × market sums of ``v`` over the rungs where anything is held (rows sorted)."""
    held = v != 0
    if not held.any():
        return pd.DataFrame(0.0, index=pd.Index([], name="rung"), columns=list(MARKET_CODES))
    used, inv = np.unique(rungs[held], return_inverse=True)
    n_mkt = len(MARKET_CODES)
    out = np.bincount(inv * n_mkt + m_idx[held], weights=v[held], minlength=used.size * n_mkt).reshape(used.size, n_mkt)
    return pd.DataFrame(out, index=pd.Index(used, name="rung"), columns=_MARKET_LABELS, copy=False)
