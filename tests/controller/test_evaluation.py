"""Portfolio figures on a universe or its what-if arrays (desktop.controller.evaluation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl


def _book(universe: pd.DataFrame) -> np.ndarray:
    """A seeded book over all four markets: 32 bonds, 0.1–5 million face (JPY amounts × 150)."""
    rng = np.random.default_rng(9)
    face = np.zeros(len(universe))
    for code in ("US", "JP", "AU", "UK"):
        rows = rng.choice(np.flatnonzero(universe["market"].to_numpy() == code), size=8, replace=False)
        face[rows] = rng.uniform(1e5, 5e6, size=8).round(-3) * (150.0 if code == "JP" else 1.0)
    return face


def _reference(universe: pd.DataFrame, face: np.ndarray, snap, base: str) -> dict:
    """The aggregates written out in plain numpy/pandas from the universe columns (no controller code):
    value_i = face_i / 100 · dirty_i · (USD per unit of ccy_i) / (USD per unit of base),
    w = value / Σ value, hedged yield_i = yield_i + short(base) − short(ccy_i)."""
    ccy = universe["currency"].to_numpy()
    usd_per = np.array([snap.fx_usd_per_unit[c] for c in ccy]) / snap.fx_usd_per_unit[base]
    value = face / 100.0 * universe["dirty_price"].to_numpy(float) * usd_per
    w = value / value.sum()
    dur = universe["mod_duration"].to_numpy(float)
    local_short = np.array([snap.short_rates_pct[c] for c in ccy])
    hedged = universe["yield_pct"].to_numpy(float) + snap.short_rates_pct[base] - local_short
    frame = pd.DataFrame({"market": universe["market"].to_numpy(), "rung": universe["rung"].to_numpy(),
                          "wd": w * dur, "value": value, "w": w})
    held = frame[face > 0]
    krd = {k: pd.Series(w * universe[k].to_numpy(float)).groupby(frame["market"]).sum()
           for k in ("krd_2y", "krd_5y", "krd_10y", "krd_30y")}
    return {
        "value": value, "w": w, "market_value_base": value.sum(),
        "yield_pct": float(w @ universe["yield_pct"].to_numpy(float)), "hedged_yield_pct": float(w @ hedged),
        "mod_duration": float(w @ dur),
        "dv01_base": float((face / 100.0 * universe["dv01"].to_numpy(float) * usd_per).sum()),
        "us_duration_share": float(frame.loc[frame["market"] == "US", "wd"].sum() / (w @ dur)),
        "by_market": frame.groupby("market")["w"].sum(),
        "contrib": held.pivot_table(index="rung", columns="market", values="wd", aggfunc="sum", fill_value=0.0),
        "by_rung": held.pivot_table(index="rung", columns="market", values="value", aggfunc="sum", fill_value=0.0),
        "krd": pd.DataFrame(krd),
    }


@pytest.mark.parametrize("base", ["USD", "GBP", "JPY"])
def test_evaluate_aggregates(universe, snap, base):
    """Every figure the summary panel shows equals the same aggregate written out independently."""
    face = _book(universe)
    ev = ctl.evaluate(universe, face, ctl.fx_to_base(snap.fx_usd_per_unit, base), snap.short_rates_pct, base)
    ref = _reference(universe, face, snap, base)
    np.testing.assert_allclose(ev.values_base, ref["value"], rtol=1e-12)
    np.testing.assert_allclose(ev.weights, ref["w"], rtol=1e-12, atol=1e-15)
    for name in ("market_value_base", "yield_pct", "hedged_yield_pct", "mod_duration", "dv01_base",
                 "us_duration_share"):
        assert getattr(ev, name) == pytest.approx(ref[name], rel=1e-12), name
    for code in ("US", "JP", "AU", "UK"):
        assert ev.weights_by_market[code] == pytest.approx(ref["by_market"][code], rel=1e-12), code
    for got, want in ((ev.duration_contrib, ref["contrib"]), (ev.value_by_rung, ref["by_rung"])):
        want = want.reindex(columns=got.columns, fill_value=0.0)
        assert list(got.index) == list(want.index)
        np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12, atol=1e-12)
    krd = ref["krd"].reindex(index=ev.key_rates.index, columns=ev.key_rates.columns)
    np.testing.assert_allclose(ev.key_rates.to_numpy(float), krd.to_numpy(float), rtol=1e-12, atol=1e-15)
    # hedging into the base currency: a bond in the base currency keeps its yield, the others move by
    # the short-rate differential (e.g. JGBs into USD pick up ≈ USD 3m − JPY 3m)
    assert ref["hedged_yield_pct"] != pytest.approx(ref["yield_pct"], abs=1e-3)


def test_ladder_weights_and_key_rates(universe, snap):
    """A 50m US+UK 1–5y ladder is half US by value, holds no JGB, and its key rates add up to the
    zero-curve duration (desktop.keyrates, QuantLib-tested)."""
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "UK"], range(1, 6), 50e6, fx)
    ev = ctl.evaluate(universe, lad.face, fx, snap.short_rates_pct, "USD")
    ref = _reference(universe, lad.face, snap, "USD")
    assert ev.market_value_base == pytest.approx(50e6, rel=0.01)
    assert ev.weights_by_market["JP"] == 0 and ev.weights_by_market["AU"] == 0
    assert ev.weights_by_market["US"] == pytest.approx(ref["by_market"]["US"], rel=1e-12)
    # each filled rung gets an equal share, split across the markets with a real bond on it
    per_rung = lad.chosen.groupby("rung")["market"].agg(list)
    us = sum(("US" in m) / len(m) for m in per_rung) / len(per_rung)
    assert ev.weights_by_market["US"] == pytest.approx(us, abs=0.01)
    from desktop.keyrates import zero_curve_key_rates  # KRDs are zero-curve: Σ KRD = zero-curve duration

    curve_dur = zero_curve_key_rates(universe, universe["settle_date"], snap.curves)["spread_duration"].to_numpy()
    assert abs(ev.key_rates.to_numpy().sum() - ev.weights @ curve_dur) < 1e-9
    gbp = ctl.evaluate(universe, lad.face, ctl.fx_to_base(snap.fx_usd_per_unit, "GBP"), snap.short_rates_pct, "GBP")
    assert gbp.market_value_base * snap.fx_usd_per_unit["GBP"] == pytest.approx(ev.market_value_base, rel=1e-12)


@pytest.mark.parametrize("whatif", [ctl.WhatIf(), ctl.WhatIf(parallel_bp={"US": 30.0}, slope_bp={"JP": -15.0})])
@pytest.mark.parametrize("base", ["USD", "GBP"])
def test_numpy_hot_path_gives_the_dataframe_figures_exactly(engine, universe, snap, whatif, base):
    """The slider path (Shifted arrays) and the DataFrame path give bit-identical figures."""
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, base)
    face = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx).face
    shifted = engine.reprice_arrays(whatif)
    frame = engine.reprice(whatif)
    pd.testing.assert_frame_equal(shifted.frame, frame, check_exact=True)
    for key in ctl.MOVED_COLUMNS:
        np.testing.assert_array_equal(shifted.column(key), frame[key].to_numpy(float))
    fast = ctl.evaluate(shifted, face, fx, snap.short_rates_pct, base, 2.5)
    slow = ctl.evaluate(frame, face, fx, snap.short_rates_pct, base, 2.5)
    for name in ("values_base", "weights"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
    for name in ("market_value_base", "yield_pct", "hedged_yield_pct", "mod_duration", "dv01_base", "us_duration_share"):
        assert getattr(fast, name) == getattr(slow, name)
    assert fast.weights_by_market == slow.weights_by_market
    for name in ("duration_contrib", "key_rates", "value_by_rung"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), check_exact=True)
    np.testing.assert_array_equal(ctl.hedged_yield_pct(shifted, snap.short_rates_pct, base),
                                  ctl.hedged_yield_pct(frame, snap.short_rates_pct, base))
