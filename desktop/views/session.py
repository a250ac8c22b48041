"""The one mutable object on the Qt side: current data, portfolio, what-if and latest solution.

Views subscribe to its signals and never talk to each other. Finance lives in
:mod:`desktop.controller`; this class only sequences it: a what-if change reprices instantly
(numpy) and emits ``analyticsChanged``, then asks the single :class:`SolveRunner` to re-optimise.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from desktop import controller as ctl
from desktop.views.commands import SetHoldings
from desktop.views.runner import SolveRunner
from desktop.views.throttle import Throttle

DEFAULT_NOTIONAL = ctl.DEFAULT_NOTIONAL
DEFAULT_RUNGS = range(1, 11)
_GC_FROZEN = False


@dataclass(frozen=True)
class Loaded:
    snapshot: Any
    universe: pd.DataFrame
    engine: ctl.ShiftEngine


def load_workspace(path: str | None) -> Loaded:
    """Worker task: open (or create from the bundled data) the workspace, read its snapshot and
    model-price the universe. The worker's own SQLite connection is closed before returning."""
    from desktop.store import Workspace
    from desktop.universe import build_universe

    with Workspace.open(path) as ws:
        snap = ws.load_snapshot()
    universe = build_universe(snap)
    return Loaded(snap, universe, ctl.ShiftEngine(universe, snap.curves))


class Session(QObject):
    loaded = Signal()
    analyticsChanged = Signal()  # every recompute (summary, table)
    chartsChanged = Signal()  # throttled to ≤ ~16 redraws/s, leading + trailing edge (charts)
    whatIfChanged = Signal(object)
    solutionChanged = Signal(object)
    busyChanged = Signal(bool)
    statusChanged = Signal(str)
    adviceChanged = Signal(str)
    titleChanged = Signal(str)
    loadFailed = Signal(str)
    scenarioOverlayChanged = Signal(object)  # ScenarioOverlay (scenarios_view) or None
    savedChanged = Signal()  # the user's saved presets or scenarios changed (pickers, Scenarios tab)

    def __init__(self, parent: QObject | None = None, solve_fn: Callable[[ctl.SolveJob], ctl.SolveOutcome] = ctl.solve) -> None:
        super().__init__(parent)
        self.snapshot: Any = None
        self.universe: pd.DataFrame = pd.DataFrame()
        self.engine: ctl.ShiftEngine | None = None
        self.whatif = ctl.WhatIf()
        self.face = np.zeros(0)
        self.repriced: ctl.Shifted | None = None  # the universe on the what-if curves (numpy arrays)
        self._curves: dict[str, Any] | None = None
        self._curves_whatif: ctl.WhatIf | None = None
        self.scenario_overlay: Any = None  # the scenario selected in the Scenarios tab (its curves)
        self.saved_presets: dict[str, dict[str, Any]] = {}  # name → OptimSettings.to_dict() (workspace)
        self.saved_scenarios: list[Any] = []  # desktop.scenarios.model.Scenario saved in the workspace
        self.current: ctl.Evaluation | None = None
        self.optimised: ctl.Evaluation | None = None
        self.outcome: ctl.SolveOutcome | None = None
        self.allowed: np.ndarray | None = None
        self.portfolio_name = "Untitled ladder"
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._emit_title)
        self._requested_job: ctl.SolveJob | None = None
        self._solved_job: ctl.SolveJob | None = None  # the job behind ``outcome``
        self.solver = SolveRunner(solve_fn, self)
        self.solver.finished.connect(self._on_solved)
        self.solver.failed.connect(self._on_failed)
        self.solver.busyChanged.connect(self.busyChanged)
        self.workspace_path: str | None = None
        self.workspace: Any = None  # desktop.store.Workspace, opened on the GUI thread after loading
        self.face_version = 0
        self.last_import: dict[str, Any] | None = None
        self.start_preset: str | None = None  # preset applied when the data arrive (--preset)
        self.sweep_wanted = False  # the trade-off view is showing: solves also run the US-cap sweep
        self._loader = SolveRunner(load_workspace, self, debounce_ms=0)
        self._loader.finished.connect(self._on_loaded)
        self._loader.failed.connect(self._on_load_failed)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(0)
        self._coalesce.timeout.connect(self._flush)
        self._charts = Throttle(60, self)
        self._charts.fired.connect(self.chartsChanged)
        self.analyticsChanged.connect(self._charts.trigger)

    # -- loading -------------------------------------------------------------------------------
    @property
    def is_loaded(self) -> bool:
        return self.engine is not None

    def start_loading(self) -> None:
        self.statusChanged.emit("Loading the workspace market data…")
        self._loader.request(self.workspace_path, immediate=True)

    def _on_loaded(self, data: Loaded, _seconds: float) -> None:
        from desktop.store import Workspace

        if self.workspace is None:
            self.workspace = Workspace.open(self.workspace_path)
        self.load_saved()
        held = ctl.holdings_of(self.universe, self.face) if self.is_loaded else None
        self.set_data(data.snapshot, data.universe, data.engine)
        if held is not None and len(held):  # a reload (after an import): keep the holdings, matched by id
            match = ctl.match_holdings(self.universe, held, "the held book", unknown="report")
            face, missing = match.face, match.unknown
            self.face = face
            self.face_version += 1
            self.recompute()
            if missing:
                self.statusChanged.emit(f"{len(missing)} holding(s) not in the new data: {', '.join(missing[:5])}")

    def set_scenario_overlay(self, overlay: Any) -> None:
        """Show a scenario's shocked curves in the Curves view (``None`` clears them)."""
        self.scenario_overlay = overlay
        self.scenarioOverlayChanged.emit(overlay)

    def set_data(self, snapshot: Any, universe: pd.DataFrame, engine: ctl.ShiftEngine | None = None) -> None:
        """Install a snapshot + universe and start from the default four-market 1–10y ladder."""
        if self.scenario_overlay is not None:
            self.set_scenario_overlay(None)  # its curves were shocked from the old snapshot
        self.snapshot = snapshot
        self.universe = universe.reset_index(drop=True)
        self.engine = engine if engine is not None else ctl.ShiftEngine(self.universe, snapshot.curves)
        self.outcome = None
        self.optimised = None
        ladder = ctl.build_ladder(self.universe, list(snapshot.curves), DEFAULT_RUNGS, DEFAULT_NOTIONAL, self.fx)
        self.face = ladder.face
        self.face_version += 1
        self.undo_stack.clear()
        if self.start_preset or self.whatif == ctl.WhatIf():
            self.whatif = ctl.whatif_from_preset(self.start_preset or self.whatif.preset, self.whatif,
                                                 self.saved_presets)
            self.start_preset = None
            self.whatIfChanged.emit(self.whatif)
        self.recompute(emit=False)
        self.loaded.emit()
        self.analyticsChanged.emit()
        self.statusChanged.emit(f"Data as of {snapshot.as_of:%Y-%m-%d}; {len(self.universe)} bonds. {ladder.message}")
        # Long-lived data is loaded: move it out of the cyclic GC's generations so a full
        # collection during a slider drag does not stall the event loop.
        global _GC_FROZEN
        if not _GC_FROZEN:  # once per process (start-up); later reloads leave the GC alone
            gc.collect()
            gc.freeze()
            _GC_FROZEN = True
        self.request_solve(immediate=True)

    # -- derived figures -----------------------------------------------------------------------
    @property
    def fx(self) -> dict[str, float]:
        return ctl.fx_to_base(self.snapshot.fx_usd_per_unit, self.whatif.base_ccy)

    @property
    def shifted(self) -> pd.DataFrame:
        """The universe on the what-if curves as a DataFrame (``Shifted.frame`` builds it on first use;
        the slider path works on :attr:`repriced`'s arrays)."""
        return self.repriced.frame if self.repriced is not None else pd.DataFrame()

    @property
    def curves(self) -> dict[str, Any]:
        """Each market's curve on the what-if of the last recompute (computed when first asked for:
        only the Curves view needs them)."""
        if self._curves is None:
            if self._curves_whatif is None or self.snapshot is None:
                return {}
            self._curves = ctl.shifted_curves(self.snapshot.curves, self._curves_whatif)
        return self._curves

    def recompute(self, emit: bool = True) -> None:
        """Instant path: reprice on the what-if curves and re-aggregate both portfolios."""
        if self.engine is None:
            return
        self.repriced = self.engine.reprice_arrays(self.whatif)
        self._curves, self._curves_whatif = None, self.whatif
        fx, rates, base = self.fx, self.snapshot.short_rates_pct, self.whatif.base_ccy
        risk_now = self.outcome.current_risk_pct if self.outcome else None
        self.current = ctl.evaluate(self.repriced, self.face, fx, rates, base, risk_now)
        if self.outcome is not None and self.outcome.face is not None:
            self.optimised = ctl.evaluate(self.repriced, self.outcome.face, fx, rates, base, self.outcome.risk_pct)
        else:
            self.optimised = None
        if emit:
            self.analyticsChanged.emit()

    # -- what-if -------------------------------------------------------------------------------
    def set_value(self, name: str, value: Any) -> None:
        """One control moved: instant analytics, then a debounced re-optimisation."""
        self.set_whatif(self.whatif.with_value(name, value))

    def set_whatif(self, whatif: ctl.WhatIf) -> None:
        if whatif == self.whatif:
            return
        self.whatif = whatif
        self.whatIfChanged.emit(whatif)
        if not self._coalesce.isActive():  # never restart it: a steady stream of moves must not starve it
            self._coalesce.start()  # recompute + re-solve once per event-loop pass, however many moves queued

    def _flush(self) -> None:
        self.recompute()
        self.request_solve()

    def flush(self) -> None:
        """Apply a pending what-if and redraw pending charts now (tests, exports, screenshots)."""
        if self._coalesce.isActive():
            self._coalesce.stop()
            self._flush()
        self._charts.flush()

    @property
    def idle(self) -> bool:
        """No what-if waiting to be applied and no solve pending or running."""
        return not self._coalesce.isActive() and not self.solver.busy

    def apply_preset(self, name: str) -> None:
        """Set every slider from a preset (its constraints apply to the next solve)."""
        self.set_whatif(ctl.whatif_from_preset(name, self.whatif, self.saved_presets))

    def want_sweep(self, wanted: bool) -> None:
        self.sweep_wanted = wanted
        if wanted and self.outcome is not None and self.outcome.frontier is None and self.current is not None:
            self.request_solve(immediate=True)

    def request_solve(self, immediate: bool = False) -> int:
        if self.current is None:
            return -1
        job = self.solve_job()
        self._requested_job = job
        return self.solver.request(job, immediate=immediate)

    def solve_job(self) -> ctl.SolveJob:
        """The optimisation of the current book on the current what-if (the worker's job; the
        exports turn its outcome into ALLOC and TRADES with :func:`desktop.controller.book_tables`)."""
        return ctl.solve_job(self.snapshot, self.universe, self.face, whatif=self.whatif,
                             sweep=self.sweep_wanted, allowed=self.allowed, saved_presets=dict(self.saved_presets))

    def _on_solved(self, outcome: ctl.SolveOutcome, seconds: float) -> None:
        self.outcome = outcome
        self._solved_job = self._requested_job  # stale results never arrive: this is the latest request
        self.adviceChanged.emit(outcome.advice)
        text = f"Optimiser: {outcome.status} in {outcome.solve_time_s * 1000:.0f} ms (worker {seconds:.2f} s)"
        if outcome.binding:
            text += " · binding: " + ", ".join(outcome.binding[:4])
        self.statusChanged.emit(text)
        self.recompute()
        self.solutionChanged.emit(outcome)

    def book_tables(self) -> ctl.BookTables | None:
        """ALLOC and TRADES of the latest optimisation (None while there is none)."""
        if self.outcome is None or self.outcome.face is None or self._solved_job is None:
            return None
        return ctl.book_tables(self._solved_job, self.outcome)

    def _on_load_failed(self, error: BaseException) -> None:
        """The workspace could not be opened or read (corrupt/foreign file…): say so, change nothing."""
        self.statusChanged.emit("Could not load the workspace")
        self.loadFailed.emit(f"Could not open the workspace — the file was not modified.\n{error}")

    def _on_failed(self, error: BaseException) -> None:
        self.statusChanged.emit(f"Error: {error}")
        self.adviceChanged.emit(str(error))

    # -- holdings (undoable) -------------------------------------------------------------------
    def replace_face(self, face: np.ndarray) -> None:
        """Set face amounts without touching the undo stack (used by undo commands)."""
        self.face = np.asarray(face, float).copy()
        self.face_version += 1
        self.recompute()
        self.request_solve()

    def edit_face(self, row: int, amount: float) -> None:
        new = self.face.copy()
        new[row] = amount
        label = self.universe["id"].iat[row]
        self.undo_stack.push(SetHoldings(self, self.face, new, f"Edit face of {label}"))

    def set_holdings(self, face: np.ndarray, text: str) -> None:
        self.undo_stack.push(SetHoldings(self, self.face, face, text))

    def apply_optimisation(self) -> bool:
        if self.outcome is None or self.outcome.face is None:
            return False
        self.set_holdings(self.outcome.face, "Apply optimisation")
        return True

    def build_ladder(self, markets: list[str], rungs: range, notional: float, restrict: bool = False) -> ctl.LadderResult:
        """Build a ladder (undoable); with ``restrict`` the optimiser may only re-weight its bonds."""
        result = ctl.build_ladder(self.universe, markets, rungs, notional, self.fx)
        self.allowed = result.face > 0 if restrict else None
        ladder_view = {"rungs": (min(rungs), max(rungs)), "markets": tuple(markets)} if restrict else \
            {"rungs": None, "markets": None}
        self.whatif = replace(self.whatif, **ladder_view)
        self.whatIfChanged.emit(self.whatif)
        self.set_holdings(result.face, "Build ladder")
        self.statusChanged.emit(result.message)
        return result

    def _emit_title(self, _clean: bool = True) -> None:
        self.titleChanged.emit(self.portfolio_name + ("" if self.undo_stack.isClean() else " *"))

    # -- workspace: named portfolios -----------------------------------------------------------
    def save_portfolio(self, name: str) -> None:
        """Save the current holdings with a run card under ``name`` (one transaction)."""
        holdings = ctl.holdings_of(self.universe, self.face)
        self.workspace.save_portfolio(name, holdings, ctl.run_card(self.snapshot, self.whatif, self.outcome))
        self.portfolio_name = name
        self.undo_stack.setClean()
        self._emit_title()
        self.statusChanged.emit(f"Saved portfolio {name!r} ({len(holdings)} holdings)")

    def open_portfolio(self, name: str) -> list[str]:
        """Load a saved portfolio (and its what-if settings); returns ids no longer in the universe."""
        saved = self.workspace.load_portfolio(name)
        match = ctl.match_holdings(self.universe, saved.holdings, f"portfolio {name!r}", unknown="report")
        face, missing = match.face, list(match.unknown)
        self.portfolio_name = name
        self.whatif = ctl.whatif_from_card(saved.run_card)
        self.whatIfChanged.emit(self.whatif)
        self.undo_stack.clear()
        self.replace_face(face)
        self._emit_title()
        note = f"; {len(missing)} holding(s) not in the universe: {', '.join(missing[:5])}" if missing else ""
        self.statusChanged.emit(f"Opened portfolio {name!r} (as of {saved.run_card.get('data_as_of', '?')}){note}")
        return missing

    def new_portfolio(self) -> None:
        self.portfolio_name = "Untitled ladder"
        self.allowed = None
        self.whatif = replace(self.whatif, rungs=None, markets=None)
        ladder = ctl.build_ladder(self.universe, list(self.snapshot.curves), DEFAULT_RUNGS, DEFAULT_NOTIONAL, self.fx)
        self.undo_stack.clear()
        self.replace_face(ladder.face)
        self._emit_title()

    # -- workspace: the user's presets and scenarios ------------------------------------------
    def load_saved(self) -> None:
        """Read the saved presets and scenarios from the workspace (a damaged entry is skipped and
        reported, never fatal)."""
        from desktop.errors import LadderDeskError
        from desktop.optim.settings import OptimSettings
        from desktop.scenarios.model import Scenario

        self.saved_presets, self.saved_scenarios = {}, []
        if self.workspace is None:
            return
        bad: list[str] = []
        for name in self.workspace.list_presets():
            payload = self.workspace.load_preset(name)
            try:
                OptimSettings.from_dict(payload).validate()
            except (LadderDeskError, TypeError):  # BadSettings names the setting; TypeError: not an object
                bad.append(f"preset {name!r}")
                continue
            self.saved_presets[name] = payload
        for name in self.workspace.list_scenarios():
            try:
                self.saved_scenarios.append(Scenario.from_dict(self.workspace.load_scenario(name)))
            except LadderDeskError:  # Scenario.from_dict raises DataError for any malformed payload
                bad.append(f"scenario {name!r}")
        if bad:
            self.statusChanged.emit("Skipped damaged saved " + ", ".join(bad))
        self.savedChanged.emit()

    def save_preset(self, name: str) -> None:
        """Save the effective optimiser settings (preset limits + sliders) as preset ``name``."""
        from desktop.optim.presets import BUILT_IN

        name = name.strip()
        if not name or name.casefold() in {k.casefold() for k in BUILT_IN}:
            raise ValueError(f"choose a preset name other than {', '.join(BUILT_IN)}")
        payload = ctl.preset_payload_of(self.whatif, self.saved_presets)
        self.workspace.save_preset(name, payload)
        self.saved_presets[name] = payload
        self.whatif = replace(self.whatif, preset=name)
        self.whatIfChanged.emit(self.whatif)
        self.savedChanged.emit()
        self.statusChanged.emit(f"Saved preset {name!r}")

    def save_scenario(self, name: str) -> Any:
        """Save the what-if curve shifts as scenario ``name`` (shown in the Scenarios tab)."""
        from desktop.scenarios.presets import preset_names

        name = name.strip()
        if not name or name.casefold() in {n.casefold() for n in preset_names()}:
            raise ValueError("choose a scenario name that is not a built-in preset")
        scenario = ctl.scenario_of_whatif(name, self.whatif)
        if not scenario.curves:
            raise ValueError("the what-if sliders shift no curve: move a curve slider first")
        self.workspace.save_scenario(name, scenario.to_dict())
        self.saved_scenarios = [sc for sc in self.saved_scenarios if sc.name != name] + [scenario]
        self.savedChanged.emit()
        self.statusChanged.emit(f"Saved scenario {name!r}")
        return scenario

    def saved_face(self, name: str) -> np.ndarray:
        holdings = self.workspace.load_portfolio(name).holdings
        return ctl.match_holdings(self.universe, holdings, f"portfolio {name!r}", unknown="report").face

    def shutdown(self) -> None:
        self._coalesce.stop()
        self._charts.stop()
        self.solver.shutdown()
        self._loader.shutdown()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
