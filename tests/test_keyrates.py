"""Zero-curve key-rate durations against QuantLib bump-and-reprice on a spread zero curve.

The reference, per bond (nothing of :mod:`desktop.keyrates` or :mod:`desktop.analytics` used):

* flows: QuantLib's ``FixedRateBond`` (the analytics oracle: backward schedule, ex-coupon rules),
  the flows QuantLib says a buyer settling on the date receives;
* curve: ``ql.ZeroCurve`` (``InterpolatedZeroCurve<Linear>``, continuous, Actual365Fixed) from the
  :class:`desktop.curves.Curve`'s zero nodes. Nodes sit at tenors like 0.5 y = 182.5 days that no
  ``ql.Date`` can hold, so each node is given to QuantLib as the two whole days around it (its
  rate linearly interpolated there): between them lies no payment day, so the QuantLib curve and
  the Curve agree at every date a flow can fall on. A last node at 100 y with the last rate gives
  the Curve's flat extrapolation (QuantLib extrapolates the last instantaneous forward);
* bumps: ``ql.PiecewiseZeroSpreadedTermStructure`` with one quote per key tenor (2/5/10/30 y):
  linear between key dates, flat beyond the first and last — the tents; on top of it a
  ``ql.ZeroSpreadedTermStructure`` carries the z-spread, solved with Brent so that QuantLib's
  price equals the quoted dirty price (0 for model-priced bonds);
* KRD_k = (P(−h) − P(+h)) / (2 h P), h = 1e-6 (0.01 bp): truncation error ≈ h²·t³/6 < 1e-8 years.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from scipy.optimize import brentq

from desktop.analytics import KEY_RATE_COLUMNS, KEY_TENORS
from desktop.keyrates import KEYRATE_FIGURES, zero_curve_key_rates
from desktop.snapshot import load_bundled_snapshot
from desktop.universe import build_universe, synthetic_universe

sys.path.insert(0, str(Path(__file__).parent))
from analytics_oracle import oracle_bond, random_sweep, to_ql  # noqa: E402

KRD_TOL = 1e-6  # years, QuantLib bump-and-reprice vs desktop.keyrates
SUM_TOL = 1e-10  # years, Σ KRD vs spread duration
H = 1e-6  # bump size (decimal)
DC = ql.Actual365Fixed()


@pytest.fixture(scope="module")
def snapshot():
    return load_bundled_snapshot()


@pytest.fixture(scope="module")
def universe(snapshot):
    return build_universe(snapshot)


class QLSpreadCurveBond:
    """One bond's flows on a QuantLib zero curve + key-tenor bumps + z-spread (module doc)."""

    def __init__(self, curve, market: str, coupon_pct: float, maturity, settle) -> None:
        settle = pd.Timestamp(settle).date()
        ref = to_ql(settle)
        ql.Settings.instance().evaluationDate = ref
        node_days = np.asarray(curve.zero_tenors, float) * 365.0
        days = np.unique(np.concatenate([[0.0], np.floor(node_days), np.ceil(node_days), [36500.0]]))
        rates = np.interp(days / 365.0, curve.zero_tenors, curve.zero_rates)
        base = ql.ZeroCurve([ref + int(d) for d in days], [float(r) for r in rates], DC,
                            ql.NullCalendar(), ql.Linear(), ql.Continuous)
        self.bumps = [ql.SimpleQuote(0.0) for _ in KEY_TENORS]
        key_dates = [ref + int(round(k * 365)) for k in KEY_TENORS]
        bumped = ql.PiecewiseZeroSpreadedTermStructure(
            ql.YieldTermStructureHandle(base), [ql.QuoteHandle(q) for q in self.bumps], key_dates,
            ql.Continuous, ql.NoFrequency, DC)
        bumped.enableExtrapolation()  # past the 30 y key date: the spread is held flat (checked below)
        self.spread = ql.SimpleQuote(0.0)
        self.curve = ql.ZeroSpreadedTermStructure(
            ql.YieldTermStructureHandle(bumped), ql.QuoteHandle(self.spread), ql.Continuous, ql.NoFrequency, DC)
        self.curve.enableExtrapolation()
        self.oracle = oracle_bond(market, coupon_pct, pd.Timestamp(maturity).date(), settle)
        self.flows = [(to_ql(d), a) for d, a in self.oracle.received_flows()]

    def price(self) -> float:
        """Dirty price per 100 face at the current bumps and spread."""
        return sum(a * self.curve.discount(d, True) for d, a in self.flows)

    def solve_spread(self, dirty: float) -> float:
        def gap(s: float) -> float:
            self.spread.setValue(s)
            return self.price() - dirty

        s = brentq(gap, -0.5, 0.5, xtol=1e-16, rtol=4 * np.finfo(float).eps, maxiter=500)
        self.spread.setValue(s)
        return s

    def _slope(self, quote: ql.SimpleQuote) -> float:
        x0 = quote.value()
        p0 = self.price()
        quote.setValue(x0 + H)
        up = self.price()
        quote.setValue(x0 - H)
        down = self.price()
        quote.setValue(x0)
        return (down - up) / (2 * H * p0)

    def figures(self) -> dict[str, float]:
        out = {"curve_dirty_price": self.price(), "z_spread_bp": self.spread.value() * 1e4,
               "spread_duration": self._slope(self.spread)}
        out.update({col: self._slope(q) for col, q in zip(KEY_RATE_COLUMNS, self.bumps, strict=True)})
        return out


def _sample(universe: pd.DataFrame, per_market: int = 7) -> pd.DataFrame:
    """Per market: bonds spread evenly over the maturity range (shortest and longest included)."""
    picks = []
    for _, mine in universe.groupby("market"):
        mine = mine.sort_values("years_to_maturity")
        pos = np.unique(np.linspace(0, len(mine) - 1, per_market).round().astype(int))
        picks.append(mine.iloc[pos])
        picks.append(mine[mine["ex_dividend"]].head(2))
    return pd.concat(picks)[lambda d: ~d.index.duplicated()]


def _reference(curves, bonds: pd.DataFrame, settle, dirty: np.ndarray | None) -> pd.DataFrame:
    rows = []
    settles = pd.to_datetime(pd.Series(settle, index=bonds.index)) if not np.isscalar(settle) else None
    for i, (idx, b) in enumerate(bonds.iterrows()):
        s = settles.loc[idx] if settles is not None else settle
        ref = QLSpreadCurveBond(curves[b["market"]], b["market"], b["coupon_pct"], b["maturity"], s)
        if dirty is not None:
            ref.solve_spread(float(dirty[i]))
        rows.append(ref.figures())
    return pd.DataFrame(rows, index=bonds.index)[list(KEYRATE_FIGURES)]


def _assert_agree(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    gap = (got[list(KEY_RATE_COLUMNS) + ["spread_duration"]] - ref[list(KEY_RATE_COLUMNS) + ["spread_duration"]]).abs()
    assert gap.to_numpy().max() < KRD_TOL, gap.max()
    np.testing.assert_allclose(got["curve_dirty_price"], ref["curve_dirty_price"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["z_spread_bp"], ref["z_spread_bp"], rtol=0, atol=1e-6)


STATIC = ["market", "coupon_pct", "maturity"]  # regular schedules, as the oracle builds them


def test_model_priced_bonds_match_quantlib_bump_and_reprice(universe, snapshot):
    sample = _sample(universe)
    assert set(sample["market"]) == {"US", "JP", "AU", "UK"}
    assert sample["years_to_maturity"].min() < 2 and sample["years_to_maturity"].max() > 30
    bonds = sample[STATIC]
    got = zero_curve_key_rates(bonds, sample["settle_date"], snapshot.curves)
    ref = _reference(snapshot.curves, bonds, sample["settle_date"], None)
    _assert_agree(got, ref)
    assert (got["z_spread_bp"] == 0).all()  # model price: no spread
    # bonds past their first coupon (remaining flows regular whatever the first-coupon rule): the
    # universe's model price and key-rate columns are the QuantLib figures
    regular = (sample["issue_date"].isna() | (sample["issue_date"] < sample["prev_coupon"])).to_numpy()
    assert regular.sum() >= 20
    np.testing.assert_allclose(ref["curve_dirty_price"][regular], sample["dirty_price"][regular], rtol=0, atol=1e-9)
    np.testing.assert_allclose(sample[list(KEY_RATE_COLUMNS)][regular], ref[list(KEY_RATE_COLUMNS)][regular],
                               rtol=0, atol=KRD_TOL)


def test_quoted_bonds_match_quantlib_at_their_z_spread(universe, snapshot):
    sample = _sample(universe)
    bonds = sample[STATIC]
    rng = np.random.default_rng(12)
    quotes = sample["dirty_price"].to_numpy() + rng.uniform(-4.0, 4.0, len(bonds))  # cheap and rich
    got = zero_curve_key_rates(bonds, sample["settle_date"], snapshot.curves, dirty_price=quotes)
    ref = _reference(snapshot.curves, bonds, sample["settle_date"], quotes)
    _assert_agree(got, ref)
    np.testing.assert_allclose(got["curve_dirty_price"], quotes, rtol=0, atol=1e-9)
    assert (got["z_spread_bp"].abs() > 0.1).all()


def test_awkward_settlements_and_coupons_match_quantlib(snapshot):
    """Random bonds (0–8 % coupons, a week to 40 years, settling on / around coupon and ex-dividend
    dates, in final periods), quoted at yields of −0.5 … 9 %: the QuantLib dirty price is the quote."""
    sweep = random_sweep(48, seed=7)
    quotes = np.array([
        oracle_bond(r.market, r.coupon_pct, r.maturity.date(), r.settle.date()).dirty_price(r.yield_pct)
        for r in sweep.itertuples()
    ])
    bonds = sweep[["market", "coupon_pct", "maturity"]]
    got = zero_curve_key_rates(bonds, sweep["settle"], snapshot.curves, dirty_price=quotes)
    ref = _reference(snapshot.curves, bonds, sweep["settle"], quotes)
    _assert_agree(got, ref)
    assert set(sweep["market"]) == {"US", "JP", "AU", "UK"}


def test_key_rates_sum_to_the_spread_duration(universe, snapshot):
    syn = synthetic_universe(3000, seed=5, snapshot=snapshot)
    for frame in (universe, syn):
        for dirty in (None, frame["dirty_price"].to_numpy() * 0.98):
            kr = zero_curve_key_rates(frame, frame["settle_date"], snapshot.curves, dirty_price=dirty)
            total = kr[list(KEY_RATE_COLUMNS)].sum(axis=1)
            assert np.abs(total - kr["spread_duration"]).max() < SUM_TOL
            assert np.isfinite(kr.to_numpy()).all()


def test_a_bond_maturing_before_2y_is_all_2y_and_past_30y_all_30y(universe, snapshot):
    kr = zero_curve_key_rates(universe, universe["settle_date"], snapshot.curves)
    short = universe["years_to_maturity"] < 2.0
    assert (kr.loc[short, ["krd_5y", "krd_10y", "krd_30y"]] == 0).all().all()
    np.testing.assert_allclose(kr.loc[short, "krd_2y"], kr.loc[short, "spread_duration"], rtol=0, atol=1e-12)


def test_unsolvable_quote_gives_nan_not_a_figure(universe, snapshot):
    bonds = universe.head(3)
    kr = zero_curve_key_rates(bonds, bonds["settle_date"], snapshot.curves,
                              dirty_price=[-5.0, np.nan, float(bonds["dirty_price"].iloc[2])])
    assert kr.iloc[0].isna().all()  # no spread reprices a negative price: every figure blank
    assert kr.iloc[1]["z_spread_bp"] == 0.0  # NaN quote: model-priced
    assert abs(kr.iloc[2]["z_spread_bp"]) < 1e-8
