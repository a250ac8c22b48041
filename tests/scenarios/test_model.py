"""Scenario model: shocks in bp, JSON round trip, validation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.errors import DataError
from desktop.scenarios.model import CurveShock, Scenario, zero_scenario
from desktop.scenarios.presets import PRESETS


def test_profile_matches_parts():
    shock = CurveShock(parallel_bp=10, slope_bp=20, curvature_bp=8, key_bp={30: 5})
    bp = shock.profile(np.array([1.0, 2.0, 5.0, 10.0, 30.0]))
    np.testing.assert_allclose(bp, [10 - 10 + 5, 10 - 10 + 5, 10 + 8 * 0 + 20 * (3 / 8 - 0.5) + 8 + 5, 10 + 10 + 5, 10 + 10 + 5])


def test_zero_scenario_is_zero():
    sc = zero_scenario()
    assert sc.curve_shock("US").is_zero
    assert sc.fx_factor("JPY") == 1.0


def test_fx_factor_non_usd_base():
    sc = Scenario("x", fx_pct={"JPY": 10.0, "GBP": -5.0})
    assert sc.fx_factor("JPY", "USD") == pytest.approx(1.10)
    assert sc.fx_factor("USD", "GBP") == pytest.approx(1 / 0.95)
    assert sc.fx_factor("JPY", "GBP") == pytest.approx(1.10 / 0.95)
    assert sc.fx_factor("GBP", "GBP") == pytest.approx(1.0)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_presets_round_trip_json(preset):
    back = Scenario.from_dict(json.loads(json.dumps(preset.to_dict())))
    assert back == preset
    assert hash(back) == hash(preset)


@given(
    parallel=st.floats(-500, 500), slope=st.floats(-300, 300),
    key=st.dictionaries(st.sampled_from([0.5, 2.0, 5.0, 10.0, 30.0]), st.floats(-300, 300), max_size=4),
    fx=st.floats(-50, 50), months=st.integers(0, 120),
)
def test_round_trip_any(parallel, slope, key, fx, months):
    sc = Scenario("mine", curves={"JP": CurveShock(parallel, slope, 0.0, key)}, fx_pct={"JPY": fx},
                  short_rate_bp={"JPY": 25}, horizon_months=months)
    assert Scenario.from_dict(json.loads(json.dumps(sc.to_dict()))) == sc


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ""}, "name"),
        ({"name": "a", "curves": {"US": {"parallel_bp": "x"}}}, "parallel_bp"),
        ({"name": "a", "curves": {"US": {"twist": 1}}}, "twist"),
        ({"name": "a", "horizon_months": 1.5}, "horizon_months"),
        ({"name": "a", "schema": "other/9"}, "schema"),
        ({"name": "a", "fx_pct": {"JPY": float("nan")}}, "fx_pct"),
        ({"name": "a", "curves": {"DE": {"parallel_bp": 10}}}, "curves"),
        ({"name": "a", "fx_pct": {"EUR": 5}}, "fx_pct"),
        ({"name": "a", "short_rate_bp": {"CHF": 5}}, "short_rate_bp"),
        # wrongly typed values: a DataError naming the field, never a raw TypeError/ValueError
        ({"name": "a", "curves": {"US": 5}}, "curves"),
        ({"name": "a", "curves": {"US": {"key_bp": [1, 2]}}}, "key_bp"),
        ({"name": "a", "fx_pct": [["JPY", 3]]}, "fx_pct"),
        ({"name": "a", "short_rate_bp": "USD"}, "short_rate_bp"),
        ({"name": "a", "horizon_months": float("inf")}, "horizon_months"),
        ({"name": "a", "horizon_months": True}, "horizon_months"),
        ({"name": "a", "horizon_months": 10_000}, "horizon_months"),
    ],
)
def test_bad_payload_names_field(payload, field):
    with pytest.raises(DataError) as err:
        Scenario.from_dict(payload)
    assert err.value.field == field


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3),
                    max_leaves=12))
def test_any_json_value_as_a_shock_gives_a_scenario_or_a_data_error(value):
    for payload in ({"name": "x", "curves": {"US": value}}, {"name": "x", "fx_pct": value},
                    {"name": "x", "horizon_months": value}, value):
        try:
            Scenario.from_dict(payload)
        except DataError:
            pass
