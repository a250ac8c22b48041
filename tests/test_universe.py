"""The bundled universe: every bond model-priced off its curve, a ladder possible on every rung."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop.snapshot import load_bundled_snapshot
from desktop.universe import (
    GENERIC_MAX_RUNG,
    build_universe,
    market_settle_dates,
    price_off_curves,
    rung_of,
    synthetic_universe,
)


@pytest.fixture(scope="module")
def snapshot():
    return load_bundled_snapshot()


@pytest.fixture(scope="module")
def universe(snapshot):
    return build_universe(snapshot)


def test_every_market_has_a_bond_on_every_rung(universe):
    for code in ("US", "JP", "AU", "UK"):
        rungs = set(universe.loc[universe["market"] == code, "rung"])
        assert set(range(1, GENERIC_MAX_RUNG + 1)) <= rungs, code


def test_real_bonds_are_kept_and_generic_ones_are_labelled(universe, snapshot):
    real = universe[~universe["is_generic"]]
    assert set(real["id"]) <= set(snapshot.bonds["id"])
    assert len(real) >= 100
    generic = universe[universe["is_generic"]]
    assert generic["id"].str.contains("-GEN-").all()
    assert generic["name"].str.contains("curve-implied").all()
    # coupons at the par yield rounded to 1/8 %: generic bonds price close to par
    assert generic["clean_price"].between(98.5, 101.5).all()
    assert universe["price_source"].isin(["model", "extrapolated"]).all()
    assert universe["id"].is_unique


def test_model_yields_sit_on_their_curves(universe, snapshot):
    par = np.array(
        [float(snapshot.curves[m].par_yield_pct(t)) for m, t in zip(universe["market"], universe["years_to_maturity"], strict=True)]
    )
    gap_bp = (universe["yield_pct"].to_numpy() - par) * 100
    # coupon effect only: a low-coupon long gilt sits ~20 bp off the par curve, nothing more
    assert np.abs(gap_bp).max() < 25
    us_10y = universe[(universe["market"] == "US") & universe["rung"].eq(10)]
    assert us_10y["yield_pct"].between(4.0, 4.35).all()  # the 10y par yield was 4.18 %


KRD = ["krd_2y", "krd_5y", "krd_10y", "krd_30y"]
STATIC = ["market", "id", "name", "coupon_pct", "maturity", "issue_date", "is_generic"]


def _curve_duration(bonds, curves, settles, h_bp: float = 0.01):
    """−(1/P) ∂P/∂s by repricing through price_off_curves on zero curves shifted ±h (central difference)."""
    up = price_off_curves(bonds, {m: c.shifted(h_bp) for m, c in curves.items()}, settles)["dirty_price"]
    down = price_off_curves(bonds, {m: c.shifted(-h_bp) for m, c in curves.items()}, settles)["dirty_price"]
    base = price_off_curves(bonds, curves, settles)["dirty_price"]
    return ((down - up) / (2 * h_bp * 1e-4) / base).to_numpy()


def test_key_rates_are_zero_curve_durations_not_yield_durations(universe, snapshot):
    """Σ krd = the duration to a parallel move of the zero curve (repriced by the app's own shifted
    curves), not mod_duration: the two differ by up to ~2.7 % on this universe."""
    settles = market_settle_dates(snapshot.as_of)
    total = universe[KRD].sum(axis=1).to_numpy()
    curve_dur = _curve_duration(universe[STATIC], snapshot.curves, settles)
    np.testing.assert_allclose(total, curve_dur, rtol=0, atol=1e-7)
    gap = total / universe["mod_duration"].to_numpy() - 1
    assert np.median(np.abs(gap)) > 0.009 and np.abs(gap).max() < 0.03  # the old yield-bump KRDs were off by this
    # mod_duration stays the yield duration: −(1/P) dP/dy at the bond's own yield
    from desktop.analytics import price_from_yield

    bonds, settle = universe[STATIC], universe["settle_date"]
    up = price_from_yield(bonds, settle, universe["yield_pct"] + 1e-4)["dirty_price"]
    down = price_from_yield(bonds, settle, universe["yield_pct"] - 1e-4)["dirty_price"]
    np.testing.assert_allclose((down - up) / 2e-6 / universe["dirty_price"], universe["mod_duration"], atol=1e-7)


def test_quoted_prices_keep_the_quote_and_take_key_rates_at_the_z_spread(universe, snapshot):
    """A quoted bond cheap by 2 points: its price is the quote, and its key-rate durations sum to the
    duration to a parallel curve move at the spread that reprices the quote (solved here with Brent)."""
    from scipy.optimize import brentq

    from desktop.analytics import cash_flows

    settles = market_settle_dates(snapshot.as_of)
    bonds = universe[STATIC]
    quote = np.full(len(bonds), np.nan)
    pick = np.arange(0, len(bonds), 5)
    quote[pick] = universe["clean_price"].to_numpy()[pick] - 2.0
    got = price_off_curves(bonds, snapshot.curves, settles, clean_price=quote)
    assert (got["price_source"].iloc[pick] == "quote").all()
    assert got["price_source"].drop(got.index[pick]).isin(["model", "extrapolated"]).all()
    np.testing.assert_allclose(got["clean_price"].iloc[pick], quote[pick], atol=1e-12)
    unquoted = np.setdiff1d(np.arange(len(bonds)), pick)
    np.testing.assert_allclose(got[KRD].iloc[unquoted], universe[KRD].iloc[unquoted], atol=1e-13)
    for i in pick[:12]:
        b = universe.iloc[[i]]
        fl = cash_flows(bonds.iloc[[i]], b["settle_date"])
        t, cf = fl["t_years"].to_numpy(), fl["amount"].to_numpy()
        df = snapshot.curves[b["market"].iloc[0]].discount(t)
        dirty = got["dirty_price"].iloc[i]
        s = brentq(lambda s, cf=cf, df=df, t=t, p=dirty: float(cf @ (df * np.exp(-s * t))) - p, -0.2, 0.2,
                   xtol=1e-15)
        pv = cf * df * np.exp(-s * t)
        assert abs(got[KRD].iloc[i].sum() - float(pv @ t) / pv.sum()) < 1e-9


def test_figures_are_consistent(universe):
    assert np.allclose(universe["dv01"], universe["mod_duration"] * universe["dirty_price"] * 1e-4)
    assert np.allclose(universe["dirty_price"], universe["clean_price"] + universe["accrued"])
    assert (universe["rung"] == rung_of(universe["years_to_maturity"])).all()


def test_settlement_per_market(universe):
    settles = market_settle_dates(pd.Timestamp("2025-12-31").date())
    got = universe.groupby("market")["settle_date"].first().dt.date.to_dict()
    assert got == settles
    assert got["AU"] > got["US"]  # AU settles T+2


def test_rung_boundaries():
    assert rung_of([0.01, 0.99, 1.0, 1.01, 4.6, 10.0]).tolist() == [1, 1, 1, 2, 5, 10]


def test_curve_shift_reprices_in_the_right_direction(universe, snapshot):
    settles = market_settle_dates(snapshot.as_of)
    shifted = {m: c.shifted(25.0) for m, c in snapshot.curves.items()}
    bonds = universe[["market", "id", "name", "coupon_pct", "maturity", "issue_date", "is_generic"]]
    moved = price_off_curves(bonds, shifted, settles)
    change = moved["dirty_price"] - universe["dirty_price"]
    assert (change < 0).all()
    # a +25 bp zero shift moves prices by about −DV01 × 25 (duration approximation, 5% tolerance)
    approx = -universe["dv01"] * 25
    assert np.allclose(change, approx, rtol=0.08, atol=0.02)


def test_synthetic_universe_shape(snapshot):
    syn = synthetic_universe(500, seed=3, snapshot=snapshot)
    assert len(syn) == 500 and syn["id"].is_unique
    share = syn["market"].value_counts(normalize=True)
    assert 0.3 < share["UK"] < 0.5 and share["JP"] > 0.08
    assert syn["years_to_maturity"].between(0, 40.1).all()
    assert np.isfinite(syn[["yield_pct", "mod_duration", "convexity"]].to_numpy()).all()


def test_bond_not_yet_issued_is_left_out(snapshot):
    from dataclasses import replace

    bonds = snapshot.bonds.copy()
    first = bonds.index[0]
    bonds.loc[first, "issue_date"] = "2026-03-01"  # after the 2025-12-31 as-of date
    u = build_universe(replace(snapshot, bonds=bonds))
    assert bonds.loc[first, "id"] not in set(u["id"])
    assert len(u[~u["is_generic"]]) == len(build_universe(snapshot)[lambda d: ~d["is_generic"]]) - 1


def test_snapshot_without_real_bonds_gives_a_generic_ladder(snapshot):
    from dataclasses import replace

    u = build_universe(replace(snapshot, bonds=snapshot.bonds.iloc[:0]))
    assert u["is_generic"].all()
    assert len(u) == 4 * GENERIC_MAX_RUNG
    np.testing.assert_allclose(u["clean_price"] + u["accrued"], u["dirty_price"], atol=1e-9)


def test_quotes_reach_the_scenario_engine(universe, snapshot):
    """A scenario moves a quoted bond from its quote: price0 = the quoted dirty price, and a +50 bp
    parallel shock reprices its flows at the z-spread that reprices the quote (solved here with Brent)."""
    from dataclasses import replace

    from scipy.optimize import brentq

    from desktop.analytics import cash_flows
    from desktop.scenarios.model import CurveShock, Scenario
    from desktop.scenarios.revalue import MarketState, ScenarioEngine

    real = universe[~universe["is_generic"] & (universe["price_source"] == "model")]
    pick = real.groupby("market").head(2)
    quotes = pd.DataFrame({"market": pick["market"], "id": pick["id"], "price_date": pd.Timestamp("2025-12-31"),
                           "clean_price": pick["clean_price"] - 1.5, "yield_pct": np.nan, "source": "test"})
    u = build_universe(replace(snapshot, quotes=quotes)).reset_index(drop=True)
    engine = ScenarioEngine.build(u, MarketState.from_snapshot(snapshot, "USD"))
    quoted = (u["price_source"] == "quote").to_numpy()
    assert quoted.sum() == len(pick)
    np.testing.assert_allclose(engine.price0[quoted], u["dirty_price"].to_numpy()[quoted], atol=1e-9)
    np.testing.assert_allclose(engine.price0[~quoted], u["dirty_price"].to_numpy()[~quoted], atol=1e-9)
    shock = Scenario(name="p50", description="", source="test",
                     curves={m: CurveShock(parallel_bp=50.0) for m in ("US", "JP", "AU", "UK")})
    rev = engine.revalue([shock])
    for i in np.flatnonzero(quoted):
        b = u.iloc[[i]]
        fl = cash_flows(b, b["settle_date"])
        t, cf = fl["t_years"].to_numpy(), fl["amount"].to_numpy()
        curve = snapshot.curves[b["market"].iat[0]]
        df = curve.discount(t)
        s = brentq(lambda z, t=t, cf=cf, df=df, p=b["dirty_price"].iat[0]: float(cf @ (df * np.exp(-z * t))) - p,
                   -0.2, 0.2, xtol=1e-15)
        shifted = curve.shifted(50.0)
        want = float(cf @ (shifted.discount(t) * np.exp(-s * t)))
        assert abs(rev.price_full[i, 0] - want) < 1e-8
