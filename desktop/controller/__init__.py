"""Qt-free controller behind the desktop window: what-if settings, shifted analytics, ladders.

Everything the GUI shows is computed here (or in the core modules this calls); the Qt side only
holds the current objects and draws them. All outputs are new immutable objects / DataFrames.

What-if repricing (instant, numpy): a :class:`ShiftEngine` keeps every remaining cash flow of the
universe (per 100 face), its time ``t`` (ACT/365F) and the base zero rate ``z(t)`` of its market.
A what-if gives each market a bp move at the key tenors 2/5/10/30 y (parallel + 2s10s steepener
as :func:`desktop.curves.shift_profile` + any key-rate views of the preset), linear between them
and flat beyond; the zero rates move by that amount and every bond is repriced exactly:
``Σ CF·exp(−(z+Δz)·t)``.

The same moves go to the optimiser as its curve views (:class:`desktop.optim.settings.CurveView`,
bp by the horizon), so "what if JGB 10s sell off 30 bp" both reprices today's portfolio at once
and re-optimises with that view.
The new yield comes from inverting the duration/convexity expansion
``ΔP/P = −D·Δy + ½·C·Δy²`` (yield error < 0.25 bp for moves up to ±50 bp; prices are exact), duration is moved by
``ΔD = (D² − C)·Δy``, and dv01 = D·P/10⁴.

Ladder builder rule (:func:`build_ladder`): rungs are the universe's (``rung = ceil(years to
maturity)``, so rung ``r`` holds bonds maturing in ``(r−1, r]`` years). For every market and every
rung of the range, the builder takes the bond of that rung maturing nearest ``r`` (the rung's end);
a real bond is preferred to a curve-implied generic one whenever the rung has one. If the market has
no bond at all on a rung, the rung stays empty for that market and the builder reports it
(``LadderResult.gaps``). The notional is split equally across the chosen markets (base-currency
market value), then equally across that market's filled rungs; face amounts are rounded to each
market's minimum denomination.

Where things live (every public name is re-exported here, so ``from desktop.controller import X``
and ``ctl.X`` keep working). The submodules import one way only, each from those listed above it
(whatif → repricing → evaluation, ladder → solving → runcard):

- :mod:`~desktop.controller.whatif` — :class:`WhatIf` (shifts at the key tenors, sliders) and its
  preset / optimiser-settings / scenario conversions: ``optim_settings``, ``whatif_from_preset``,
  ``preset_payload_of``, ``scenario_of_whatif``.
- :mod:`~desktop.controller.repricing` — :class:`ShiftEngine`, :class:`Shifted`,
  ``shifted_curves``.
- :mod:`~desktop.controller.evaluation` — :class:`Evaluation`, ``evaluate``, ``SUMMARY_ROWS``,
  ``summary_inputs`` (→ :class:`InputDate`: the date and source of every input of the summary).
- :mod:`~desktop.controller.book` — the one holdings rule (``match_holdings``,
  ``face_from_holdings``, ``holdings_of``), trades (``trade_list``, ``orders``) and the allocation
  table (``allocation_table``).
- :mod:`~desktop.controller.ladder` — :func:`build_ladder`, :class:`LadderResult`,
  ``cash_flow_ladder``, ``cash_flow_schedule``.
- the money formulas re-exported from :mod:`desktop.finance`: ``fx_to_base``,
  ``market_values_base``, ``hedged_yield_pct``, ``face_from_values``.
- :mod:`~desktop.controller.solving` — ``solve_job`` (a book + settings → :class:`SolveJob`),
  ``solve`` (→ :class:`SolveOutcome`), ``book_tables`` (→ ALLOC and TRADES), ``book_settings``
  (the held-book turnover rule), ``tradeoff_sweep``, ``SWEEP_LEVELS``, ``RISK_SWEEP`` and the
  compiled-optimiser cache keyed on content (``problem_key``).
- :mod:`~desktop.controller.runcard` — ``run_card``, ``whatif_from_card``.
"""

from __future__ import annotations

from desktop.controller.book import (
    ALLOC_COLUMNS,
    MAX_FACE,
    TRADE_COLUMNS,
    HoldingsMatch,
    Orders,
    allocation_table,
    face_from_holdings,
    holdings_of,
    match_holdings,
    orders,
    read_holdings_file,
    trade_list,
    type_quote,
)
from desktop.controller.evaluation import SUMMARY_ROWS, Evaluation, InputDate, evaluate, summary_inputs
from desktop.controller.ladder import LadderResult, build_ladder, cash_flow_ladder, cash_flow_schedule
from desktop.controller.repricing import MOVED_COLUMNS, Shifted, ShiftEngine, shifted_curves
from desktop.controller.runcard import run_card, whatif_from_card
from desktop.controller.solving import (
    DEFAULT_NOTIONAL,
    RISK_SWEEP,
    SWEEP_LEVELS,
    BookTables,
    SolveJob,
    SolveOutcome,
    book_settings,
    book_tables,
    problem_key,
    run_sweep,
    solve,
    solve_job,
    tradeoff_sweep,
)
from desktop.controller.whatif import (
    SLOPE_KNOTS,
    WhatIf,
    horizon_months,
    optim_settings,
    preset_payload_of,
    scenario_of_whatif,
    whatif_from_preset,
)
from desktop.controller.workspace import NameTaken, WorkspaceService, check_name
from desktop.finance import face_from_values, fx_to_base, hedged_yield_pct, market_values_base, round_face

__all__ = [
    "SUMMARY_ROWS",
    "Evaluation",
    "evaluate",
    "InputDate",
    "summary_inputs",
    "LadderResult",
    "build_ladder",
    "cash_flow_ladder",
    "cash_flow_schedule",
    "face_from_values",
    "round_face",
    "ALLOC_COLUMNS",
    "MAX_FACE",
    "TRADE_COLUMNS",
    "HoldingsMatch",
    "Orders",
    "allocation_table",
    "face_from_holdings",
    "holdings_of",
    "match_holdings",
    "orders",
    "read_holdings_file",
    "trade_list",
    "type_quote",
    "MOVED_COLUMNS",
    "Shifted",
    "ShiftEngine",
    "fx_to_base",
    "hedged_yield_pct",
    "market_values_base",
    "shifted_curves",
    "run_card",
    "whatif_from_card",
    "RISK_SWEEP",
    "SWEEP_LEVELS",
    "DEFAULT_NOTIONAL",
    "BookTables",
    "book_settings",
    "book_tables",
    "problem_key",
    "run_sweep",
    "solve_job",
    "SolveJob",
    "SolveOutcome",
    "solve",
    "tradeoff_sweep",
    "NameTaken",
    "WorkspaceService",
    "check_name",
    "SLOPE_KNOTS",
    "WhatIf",
    "horizon_months",
    "optim_settings",
    "preset_payload_of",
    "scenario_of_whatif",
    "whatif_from_preset",
]
