"""Run cards restore the what-if (desktop.controller.runcard)."""

from __future__ import annotations

from desktop import controller as ctl


def test_run_card_restores_the_what_if(snap):
    w = ctl.WhatIf(parallel_bp={"JP": 30.0}, key_bp={"US": {10.0: 15.0}}, us_cap=0.3, hedged=False, base_ccy="GBP")
    card = ctl.run_card(snap, w, None)
    assert card["data_as_of"] == "2025-12-31" and card["solver_status"] == "not solved"
    import json

    assert ctl.whatif_from_card(json.loads(json.dumps(card))) == w
