"""Month-end market data for the backtest: curves, short rates, FX and constant-maturity bonds.

Everything a month ``M`` uses is dated on or before the calendar end of ``M``:

* **Curves**: per market the month's last history date (``resources/history.csv``: US 2/5/10/30 y
  CMT par, JP 2/5/10/20/30 y MoF par, AU 2/3/5/10 y RBA F2 par, UK 2/5/10/30 y BoE GLC zero), plus
  the month's short rate where it is a point of the same official curve (US 3-month CMT, JP 1-year
  MoF). The curve code holds zero rates flat outside the nodes.
* **Short rates** (hedge carry, % p.a.): the snapshot's as-of rule (desktop.snapshot) at the
  month-end — month-end history, the curated end-2025 figures within 2025-12.
* **FX**: the ECB month-end reference rates only (USD per unit crossed through EUR), for both the
  optimiser's FX figures and the returns (the curated intraday end-2025 GBP/AUD quotes are not
  mixed in).
* **Bonds**: per market and rung r = 1…10 a bond issued at the month-end at par: maturity = the
  month-end + r years, semi-annual coupon = the curve's par yield at that maturity; its analytics
  (durations, key rates, for the optimiser) model-priced off the month's curve
  (``desktop.universe.price_off_curves``) at the calendar month-end. The ``rung`` is r (not ceil of
  the ACT/365 years, which a leap day can push to r + 1).
* **Valuation for returns** (:func:`yield_value`): by yield — the bond formula at the curve's par
  yield for the bond's remaining life (ACT/365F years), the standard constant-maturity total-return
  method. At issue that is exactly 100 (coupon = yield on a coupon date). The coupon effect (a
  below-par bond's yield sits a little off the par yield: < 0.2 bp of yield in 2022–2025) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from desktop.analytics import price_from_yield
from desktop.curves import Curve, build_curve
from desktop.errors import LadderDeskError
from desktop.snapshot import SnapshotTables, latest_dated
from desktop.universe import price_off_curves

RUNGS: tuple[int, ...] = tuple(range(1, 11))
CURVE_TYPE = {"US": "par", "JP": "par", "AU": "par", "UK": "zero"}
SHORT_POINT = {"US": ("USD", 0.25), "JP": ("JPY", 1.0)}  # short rate that is a point of the same curve
MARKET_CCY = {"US": "USD", "JP": "JPY", "AU": "AUD", "UK": "GBP"}
MIN_CURVE_POINTS = 3


def month_end(month: pd.Period) -> date:
    """Calendar last day of ``month``."""
    return month.end_time.date()


@dataclass(frozen=True, eq=False)
class MarketData:
    """The month-end tables the backtest reads (from ``SnapshotTables``: bundled or a workspace)."""

    history: pd.DataFrame  # market, date (datetime64), tenor_years, yield_pct
    short_rates: pd.DataFrame  # curated: currency, rate_pct, as_of, …
    short_rate_history: pd.DataFrame  # date, currency, rate_pct
    fx_history: pd.DataFrame  # date, currency, usd_per_unit (ECB month-end)
    _cache: dict = field(default_factory=dict)

    @classmethod
    def from_tables(cls, t: SnapshotTables) -> MarketData:
        h = t.history.reindex(columns=["market", "date", "tenor_years", "yield_pct"]).copy()
        h["date"] = pd.to_datetime(h["date"])
        h["month"] = h["date"].dt.to_period("M")
        h["tenor_years"] = h["tenor_years"].astype(float)
        h["yield_pct"] = h["yield_pct"].astype(float)
        fx = t.fx_history.copy()
        if fx.empty:
            raise LadderDeskError("the backtest needs the ECB FX history (resources/fx_history.csv)")
        fx["date"] = pd.to_datetime(fx["date"])
        fx["month"] = fx["date"].dt.to_period("M")
        srh = t.short_rate_history.copy()
        srh["date"] = pd.to_datetime(srh["date"])
        return cls(h.sort_values(["market", "date", "tenor_years"]).reset_index(drop=True),
                   t.short_rates.reset_index(drop=True), srh.reset_index(drop=True), fx.reset_index(drop=True))

    def months(self) -> list[pd.Period]:
        """Months in which every market has a month-end curve of at least :data:`MIN_CURVE_POINTS`
        tenors and the FX series a month-end (AU's F2 curve has 2/3/5/10 y from 2013-09; before
        that only 10 y)."""
        last = self.history[self.history["date"] == self.history.groupby(["market", "month"])["date"].transform("max")]
        n = last.groupby(["market", "month"])["tenor_years"].nunique()
        n = n[n >= MIN_CURVE_POINTS].reset_index()
        per = [set(g["month"]) for _m, g in n.groupby("market")]
        common = set.intersection(*per) & set(self.fx_history["month"])
        return sorted(common)

    def markets_in(self, month: pd.Period) -> list[str]:
        return sorted(self.history.loc[self.history["month"] == month, "market"].unique())

    def history_upto(self, month: pd.Period) -> pd.DataFrame:
        """Month-end yields dated on or before the end of ``month``."""
        return self.history[self.history["month"] <= month]

    def fx_upto(self, month: pd.Period) -> pd.DataFrame:
        return self.fx_history[self.fx_history["month"] <= month]

    def short_rates_at(self, month: pd.Period) -> dict[str, float]:
        """% p.a. per currency, dated on or before the month-end (snapshot as-of rule)."""
        key = ("short", month)
        if key not in self._cache:
            got = latest_dated(self.short_rates, "as_of", self.short_rate_history, month_end(month), "rate_pct")
            self._cache[key] = {c: v[0] for c, v in got.items() if v[1] <= month_end(month)}
        return self._cache[key]

    def fx_at(self, month: pd.Period) -> dict[str, float]:
        """USD per unit (ECB month-end of ``month``)."""
        rows = self.fx_history[self.fx_history["month"] == month]
        out = {str(c): float(v) for c, v in zip(rows["currency"], rows["usd_per_unit"], strict=True)}
        out["USD"] = 1.0
        return out

    def curves_at(self, month: pd.Period) -> dict[str, Curve]:
        """Each market's curve from its last history date in ``month`` (+ the same-curve short point)."""
        key = ("curves", month)
        if key in self._cache:
            return self._cache[key]
        rows = self.history[self.history["month"] == month]
        short = self.short_rates_at(month)
        curves: dict[str, Curve] = {}
        for code, g in rows.groupby("market", sort=True):
            g = g[g["date"] == g["date"].max()]
            t = g["tenor_years"].to_numpy(float)
            y = g["yield_pct"].to_numpy(float)
            if code in SHORT_POINT and SHORT_POINT[code][0] in short and SHORT_POINT[code][1] < t.min():
                t = np.append(t, SHORT_POINT[code][1])
                y = np.append(y, short[SHORT_POINT[code][0]])
            curves[str(code)] = build_curve(str(code), g["date"].iloc[0].date(), t, y, CURVE_TYPE[str(code)],
                                            f"month-end history {g['date'].iloc[0]:%Y-%m-%d}")
        self._cache[key] = curves
        return curves


def constant_maturity_universe(curves: dict[str, Curve], on: date, rungs: tuple[int, ...] = RUNGS) -> pd.DataFrame:
    """Par bonds issued on ``on`` per market and rung (module doc), priced off ``curves`` at ``on``.

    Columns: ``desktop.universe`` columns (analytics per 100 face, settle = ``on``) with ``rung`` = r.
    """
    start = pd.Timestamp(on)
    rows = []
    for code, curve in curves.items():
        for r in rungs:
            maturity = start + pd.DateOffset(years=r)
            t = (maturity - start).days / 365.0
            rows.append({"market": code, "id": f"{code}-CM-{r:02d}Y",
                         "name": f"{code} {r}y constant-maturity par bond {on:%Y-%m}",
                         "coupon_pct": float(curve.par_yield_pct(t)), "maturity": maturity,
                         "issue_date": pd.NaT, "is_generic": True, "rung_target": r})
    bonds = pd.DataFrame(rows)
    out = price_off_curves(bonds.drop(columns="rung_target"), curves, {c: on for c in curves})
    out["rung"] = bonds["rung_target"].to_numpy(int)
    return out


def yield_value(universe: pd.DataFrame, curves: dict[str, Curve], on: date) -> np.ndarray:
    """Dirty price per 100 face of ``universe``'s bonds on ``on``: the bond formula
    (``desktop.analytics.price_from_yield``) at each market's par yield for the bond's remaining life.

    No coupon falls in a one-month hold of a bond issued at the start (the first coupon is six
    months out), so the dirty price is the whole value: carry (accrual), roll-down and price change.
    """
    out = np.full(len(universe), np.nan)
    settle = pd.Timestamp(on)
    years = (pd.to_datetime(universe["maturity"]) - settle).dt.days.to_numpy(float) / 365.0
    for code, curve in curves.items():
        mask = (universe["market"] == code).to_numpy()
        if mask.any():
            y = np.asarray(curve.par_yield_pct(years[mask]), float)
            out[mask] = price_from_yield(universe[mask], settle, y)["dirty_price"].to_numpy(float)
    return out
