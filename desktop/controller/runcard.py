"""Run cards: what a saved variant was made from (data as-of, the what-if settings, solver status
and time), and the :class:`~desktop.controller.whatif.WhatIf` restored from one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from desktop.controller.whatif import WhatIf

if TYPE_CHECKING:
    from desktop.controller.solving import SolveOutcome


def run_card(snapshot: Any, whatif: WhatIf, outcome: SolveOutcome | None) -> dict[str, Any]:
    """What a saved variant was made from: data as-of, settings/constraints, solver status and time."""
    return {
        "data_as_of": f"{snapshot.as_of:%Y-%m-%d}",
        "settings": {
            "parallel_bp": dict(whatif.parallel_bp),
            "slope_bp": dict(whatif.slope_bp),
            "key_bp": {c: {str(k): v for k, v in kb.items()} for c, kb in whatif.key_bp.items()},
            "target_duration": whatif.target_duration,
            "us_cap": whatif.us_cap,
            "risk_aversion": whatif.risk_aversion,
            "turnover_limit": whatif.turnover_limit,
            "hedged": whatif.hedged,
            "base_ccy": whatif.base_ccy,
            "preset": whatif.preset,
            "rungs": list(whatif.rungs) if whatif.rungs else None,
            "markets": list(whatif.markets) if whatif.markets else None,
        },
        "solver_status": outcome.status if outcome else "not solved",
        "solve_time_s": round(outcome.solve_time_s, 4) if outcome else None,
        "binding": list(outcome.binding) if outcome else [],
    }


def whatif_from_card(card: Mapping[str, Any]) -> WhatIf:
    settings = dict(card.get("settings", {}))
    allowed = set(WhatIf.__dataclass_fields__)
    kw = {k: v for k, v in settings.items() if k in allowed}
    for name in ("rungs", "markets"):
        if kw.get(name) is not None:
            kw[name] = tuple(kw[name])
    if "key_bp" in kw:
        kw["key_bp"] = {c: {float(k): float(v) for k, v in kb.items()} for c, kb in kw["key_bp"].items()}
    return WhatIf(**kw)
