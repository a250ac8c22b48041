"""Ladder rule, holdings ↔ face and trades (desktop.controller.ladder)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop import controller as ctl


def test_ladder_rule_one_bond_per_rung_nearest_the_rung_end_real_first(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx)
    assert len(lad.chosen) == 40 and not lad.gaps
    for row in lad.chosen.itertuples():
        same = universe[(universe["market"] == row.market) & (universe["rung"] == row.rung)]
        real = same[~same["is_generic"]]
        pool = real if len(real) else same
        best = pool.iloc[int(np.argmin(np.abs(pool["years_to_maturity"] - row.rung)))]
        assert row.id == best["id"]
    values = ctl.market_values_base(universe, lad.face, fx)
    assert abs(values.sum() - 100e6) < 1e5
    by_market = pd.Series(values).groupby(universe["market"]).sum()
    np.testing.assert_allclose(by_market.to_numpy(), 25e6, rtol=2e-3)


def test_ladder_reports_empty_rungs(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["JP"], [45, 46], 1e6, fx)
    assert lad.gaps == ["JP 45y", "JP 46y"] and "empty rung" in lad.message
    assert lad.face.sum() == 0


def test_holdings_round_trip_and_trades(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    face = ctl.build_ladder(universe, ["AU", "JP"], range(2, 8), 10e6, fx).face
    back, missing = ctl.face_from_holdings(universe, ctl.holdings_of(universe, face))
    np.testing.assert_array_equal(back, face)
    assert missing == []
    target = face.copy()
    target[np.flatnonzero(face)[0]] = 0
    trades = ctl.trades_of(universe, face, target, fx, snap.as_of)
    assert list(trades["side"]) == ["SELL"]
    # each market's own settlement: JP T+1, AU T+2 after the 2025-12-31 trade (New Year holidays)
    sold = universe.loc[np.flatnonzero(face)[0]]
    assert trades["trade_date"].iloc[0] == "2025-12-31"
    assert trades["settle_date"].iloc[0] == f"{pd.Timestamp(sold['settle_date']):%Y-%m-%d}"
    assert trades["settle_date"].iloc[0] > "2025-12-31"
