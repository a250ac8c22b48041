"""What-if settings ↔ presets and optimiser settings (desktop.controller.whatif)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop import controller as ctl


def test_optimiser_settings_from_sliders_and_presets():
    w = ctl.whatif_from_preset("Shift from US rates", ctl.WhatIf(base_ccy="AUD"))
    assert w.us_cap == pytest.approx(0.30) and w.base_ccy == "AUD"
    assert w.parallel_bp["JP"] == 10.0 and w.key_bp["US"][30.0] == 25.0
    s = ctl.optim_settings(w.with_value("slope:UK", 20.0).with_value("turnover_limit", 0.5))
    assert s.us_cap == pytest.approx(0.30) and s.turnover_max == 0.5 and s.base_ccy == "AUD"
    assert s.views["UK"].slope_bp == 20.0 and s.views["US"].key_bp[30.0] == 25.0
    assert s.market_min["US"] == 0.15  # the preset's constraints stay
    np.testing.assert_allclose(s.views["UK"].at_key_tenors(), w.with_value("slope:UK", 20.0).key_shift("UK"))
    assert ctl.optim_settings(ctl.WhatIf()).turnover_max is None  # 200 % = no limit
