"""Rounding a match to whole denominations with top-ups (desktop.optim.match_rounding): no need is
ever left short, faces are whole multiples of each market's denomination, and a schedule known to go
short on plain rounding is topped up at a small cost."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.markets import MARKETS
from tests.optim.test_matching import _match, _needs


@pytest.mark.parametrize("seed", range(6))
def test_rounding_never_leaves_a_need_short(universe, snapshot, seed):
    rng = np.random.default_rng(seed)
    years = np.sort(rng.choice(np.arange(2026, 2046), size=rng.integers(3, 12), replace=False))
    needs = _needs([(f"{y}-{rng.integers(1, 13):02d}-15", float(rng.uniform(1e5, 3e7))) for y in years])
    res = _match(universe, snapshot, needs, us_cap=0.35, max_weight=0.2)
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    assert (res.flows["surplus"] >= -1e-6).all()
    den = res.alloc["market"].map(lambda m: MARKETS[m].min_denomination)
    steps = res.alloc["face"] / den
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert (res.rounding["funded_rounded"] >= res.rounding["need"] - 1e-6).all()


def test_rounding_short_need_is_topped_up(universe, snapshot):
    needs = _needs([(f"{y}-12-31", 10e6) for y in range(2026, 2034)])
    res = _match(universe, snapshot, needs)
    raw = np.round(res.alloc["lp_face"] / res.alloc["market"].map(lambda m: MARKETS[m].min_denomination))
    assert len(res.top_ups) > 0, "this schedule is known to go short on plain rounding"
    assert raw.notna().all()
    assert (res.flows["funded"] >= res.flows["need"] - 1e-6).all()
    assert res.cost_base - res.lp_cost_base < 5e-5 * res.lp_cost_base
