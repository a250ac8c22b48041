"""Why a match cannot be made (desktop.optim.match_diagnosis): a need after the longest bond is
carried with a warning naming the markets to allow, a need before any flow is infeasible with the
fix, and clashing limits name the smallest relaxation."""

from __future__ import annotations

import pytest

from desktop.optim.errors import Infeasible
from tests.optim.test_matching import US_ONLY, YEARLY, _match, _needs


def test_need_beyond_the_longest_bond_is_carried_with_a_clear_message(universe, snapshot):
    needs = _needs([("2030-12-31", 5e6), ("2060-12-31", 5e6)])
    res = _match(universe, snapshot, needs, **US_ONLY)
    text = " ".join(res.warnings)
    assert "2060-12-31 need falls after the last flow of the allowed bonds (2055-11-15)" in text
    assert "allow UK (bonds to 2073-10-22) or move the need" in text
    assert "allow JP" not in text and "allow AU" not in text  # their bonds stop before 2055-11-15
    assert res.flows["funded"].iloc[-1] >= 5e6 - 1e-6


def test_need_before_any_flow_is_infeasible_with_the_fix(universe, snapshot):
    needs = _needs([("2026-01-25", 1e6), ("2027-12-31", 1e6)])
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, needs, **US_ONLY)
    msg = str(err.value)
    assert "the 2026-01-25 need cannot be met: the first flow of the allowed bonds is on 2026-01-31" in msg
    assert "allow UK" in msg and "move the need" in msg


def test_limits_that_clash_name_the_smallest_relaxation(universe, snapshot):
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, YEARLY, markets=("US",), us_cap=0.35)
    (relax,) = err.value.relaxations
    assert relax.constraint == "us_cap" and relax.required == pytest.approx(1.0)
    with pytest.raises(Infeasible) as err:
        _match(universe, snapshot, YEARLY, markets=("US", "UK"), market_min={"JP": 0.2})
    assert err.value.relaxations[0].constraint == "market_min:JP"
    assert "lower JP's minimum weight from 20.0% to 0.0%" in str(err.value)
    with pytest.raises(Infeasible) as err:  # 3 bonds at most 25 % each cannot make 100 %
        _match(universe, snapshot, _needs([("2033-12-31", 1e6)]), markets=("JP",), us_cap=1.0, max_weight=0.05)
    r = err.value.relaxations[0]
    assert r.constraint == "max_weight" and 0.05 < r.required <= 1.0
