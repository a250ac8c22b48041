"""Curves: the bootstrap reprices what was published; shifts move yields by what the PM asked."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.curves import build_curve, fit_report, shift_profile

US_TENORS = [1 / 12, 1.5 / 12, 2 / 12, 0.25, 4 / 12, 0.5, 1, 2, 3, 5, 7, 10, 20, 30]
US_PAR = [3.74, 3.75, 3.67, 3.67, 3.63, 3.59, 3.48, 3.47, 3.55, 3.73, 3.94, 4.18, 4.79, 4.84]
AS_OF = date(2025, 12, 31)


def us_curve():
    return build_curve("US", AS_OF, US_TENORS, US_PAR, "par", "US Treasury par 2025-12-31")


def test_bootstrap_reprices_every_published_par_yield():
    report = fit_report(us_curve())
    assert np.abs(report["error_bp"]).max() < 1e-8


def test_par_bond_off_grid_prices_at_par_by_independent_sum():
    curve = us_curve()
    t = 7.3
    c = float(curve.par_yield_pct(t)) / 100
    times = np.arange(t, 0, -0.5)
    dirty = 100 * (c / 2 * curve.discount(times).sum() + curve.discount(t))
    accrued = 100 * c / 2 * (0.5 - times.min()) / 0.5
    assert dirty - accrued == pytest.approx(100.0, abs=1e-10)


def test_discount_factors_are_positive_and_decreasing_for_positive_rates():
    curve = us_curve()
    t = np.linspace(0, 40, 401)
    df = curve.discount(t)
    assert df[0] == 1.0
    assert (df > 0).all() and (np.diff(df) < 0).all()


def test_zero_curve_used_as_published():
    uk = build_curve("UK", AS_OF, [2, 5, 10, 30], [3.633, 3.937, 4.572, 5.313], "zero", "BoE GLC")
    assert uk.zero_rate(10.0) == pytest.approx(0.04572)
    assert uk.discount(10.0) == pytest.approx(np.exp(-0.4572))
    assert uk.zero_rate(45.0) == pytest.approx(0.05313)  # flat beyond the last node


@settings(max_examples=50, deadline=None)
@given(bp=st.floats(-300, 300))
def test_parallel_shift_moves_every_zero_rate_by_the_shift(bp):
    curve = us_curve()
    shifted = curve.shifted(bp)
    t = np.array([0.3, 2.0, 7.5, 30.0])
    assert np.allclose((shifted.zero_rate(t) - curve.zero_rate(t)) * 1e4, bp)
    # par yields follow within a basis point for moderate shifts (compounding difference only)
    assert np.allclose((shifted.par_yield_pct(t) - curve.par_yield_pct(t)) * 100, bp, atol=abs(bp) * 0.05 + 1e-9)


def test_key_tenor_shift_is_local():
    curve = us_curve()
    shifted = curve.shifted({2.0: 0.0, 5.0: 0.0, 10.0: 25.0, 30.0: 0.0})
    assert (shifted.zero_rate(10.0) - curve.zero_rate(10.0)) * 1e4 == pytest.approx(25.0)
    assert shifted.zero_rate(5.0) == pytest.approx(curve.zero_rate(5.0))
    assert shifted.zero_rate(30.0) == pytest.approx(curve.zero_rate(30.0))


def test_shift_profile_slope_and_curvature():
    t = np.array([1.0, 2.0, 5.0, 6.0, 10.0, 30.0])
    slope = shift_profile(t, slope_bp=20)
    assert slope[4] - slope[1] == pytest.approx(20.0)  # 2s10s widens by the slope
    assert slope[0] == slope[1] and slope[4] == slope[5]
    belly = shift_profile(t, curvature_bp=10)
    assert belly[2] == 10 and belly[1] == 0 and belly[4] == 0
    assert shift_profile(t, parallel_bp=-15, key_bp={10.0: 5.0})[4] == pytest.approx(-10.0)


def test_bad_curve_inputs_are_rejected():
    with pytest.raises(ValueError, match="non-finite"):
        build_curve("US", AS_OF, [1, 2], [3.0, float("nan")], "par", "x")
    with pytest.raises(ValueError, match="curve type"):
        build_curve("US", AS_OF, [1, 2], [3.0, 3.1], "forward", "x")
