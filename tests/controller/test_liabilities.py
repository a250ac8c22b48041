"""desktop.controller.liabilities: the match beside each single market, its ticket, and rebalancing a
matched book."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop.controller import liabilities as lia
from desktop.optim.match_settings import MatchSettings


def test_match_and_single_market_comparison(snap, universe):
    needs = pd.DataFrame({"date": pd.to_datetime([f"{y}-12-29" for y in range(2028, 2034)]), "amount": 1e7})
    lm = lia.match(snap, needs, universe=universe)
    c = lm.comparison.set_index("funding")
    assert list(c.index) == ["match", "US only", "JP only", "AU only", "UK only"]
    # each single market is a restriction of the match's markets with fewer limits; the match obeys
    # the US cap and the per-bond maximum, so a single market may be cheaper only where those limits cost
    us = lia.match(snap, needs, lia.single_market_settings(MatchSettings(), "US"), universe=universe, compare=False)
    assert c.loc["US only", "cost_base"] == pytest.approx(us.cost_base)
    assert lm.saving_vs_us_base == pytest.approx(us.cost_base - lm.cost_base)
    assert (lm.alloc["isin"].str.len().isin([0, 12]) | lm.alloc["isin"].isna()).all()
    t = lm.trades()
    # the ticket pays the match's cost but for its prices' 6 decimals (≤ 10⁻⁶ per 100 face off the
    # universe's dirty price) and its cents (local and base)
    spot = t["currency"].map(snap.fx_usd_per_unit).to_numpy()
    slack = float((t["face"] * 1e-6 / 100 * spot).sum()) + 0.01 * len(t)
    assert (t["side"] == "BUY").all() and t["cash_base"].sum() == pytest.approx(lm.cost_base, abs=slack)


def test_rebalance_keeps_a_funded_book_and_only_buys_for_a_bigger_need(snap, universe):
    needs = pd.DataFrame({"date": pd.to_datetime([f"{y}-12-29" for y in range(2028, 2034)]), "amount": 1e7})
    first = lia.match(snap, needs, universe=universe, compare=False)
    again = lia.match(snap, needs, universe=universe, current_face=first.result.face, compare=False)
    assert len(again.trades()) == 0
    bigger = needs.assign(amount=np.where(needs.index == 2, 2e7, 1e7))
    more = lia.match(snap, bigger, universe=universe, current_face=first.result.face, compare=False)
    t = more.trades()
    assert len(t) and (t["side"] == "BUY").all()
    assert (more.flows["funded"] >= more.flows["need"] - 1e-6).all()
    assert more.turnover_base < 1.2e7  # about the extra need's cost, not a rebuilt book
