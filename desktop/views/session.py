"""The one mutable object on the Qt side: current data, portfolio, what-if and latest solution.

Views subscribe to its signals and never talk to each other. Finance lives in
:mod:`desktop.controller`; this class only sequences it: a what-if change reprices instantly
(numpy) and emits ``analyticsChanged``, then asks the single :class:`SolveRunner` to re-optimise.

State is read through read-only properties and changed only through the intent methods
(``set_value``, ``set_holdings``, ``open_portfolio``, ``use_workspace``, …): nothing outside this
class assigns to it. The workspace is a :class:`desktop.controller.workspace.WorkspaceService`.
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
from desktop.controller.scenario_lab import ScenarioJob, run_scenarios
from desktop.views.commands import SetBook, SetHoldings, SetQuote
from desktop.views.runner import SolveRunner
from desktop.views.throttle import Throttle

DEFAULT_NOTIONAL = ctl.DEFAULT_NOTIONAL
DEFAULT_RUNGS = range(1, 11)
_DEFAULT: Any = object()  # "not given" for Session(sweep_fn=)
_GC_FROZEN = False


@dataclass(frozen=True)
class Loaded:
    snapshot: Any
    universe: pd.DataFrame
    engine: ctl.ShiftEngine


def load_workspace(path: str | None) -> Loaded:
    """Worker task: open (or create from the bundled data) the workspace, read its snapshot and
    model-price the universe. The worker's own SQLite connection is closed before returning."""
    from desktop.controller.workspace import WorkspaceService
    from desktop.universe import build_universe

    with WorkspaceService.open(path, readonly_fallback=True) as ws:
        snap = ws.snapshot()
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
    scenariosReady = Signal(object)  # controller.scenario_lab.ScenarioResult of the newest request
    scenariosFailed = Signal(object)  # the exception of the newest scenario request

    def __init__(self, parent: QObject | None = None, solve_fn: Callable[[ctl.SolveJob], ctl.SolveOutcome] = ctl.solve,
                 sweep_fn: Any = _DEFAULT) -> None:
        super().__init__(parent)
        self._snapshot: Any = None
        self._universe: pd.DataFrame = pd.DataFrame()
        self._engine: ctl.ShiftEngine | None = None
        self._whatif = ctl.WhatIf()
        self._face = np.zeros(0)
        self._repriced: ctl.Shifted | None = None  # the universe on the what-if curves (numpy arrays)
        self._curves: dict[str, Any] | None = None
        self._curves_whatif: ctl.WhatIf | None = None
        self._scenario_overlay: Any = None  # the scenario selected in the Scenarios tab (its curves)
        self._saved_presets: dict[str, dict[str, Any]] = {}  # name → OptimSettings.to_dict() (workspace)
        self._saved_scenarios: list[Any] = []  # desktop.scenarios.model.Scenario saved in the workspace
        self._current: ctl.Evaluation | None = None
        self._optimised: ctl.Evaluation | None = None
        self._outcome: ctl.SolveOutcome | None = None
        self._allowed: np.ndarray | None = None
        self._portfolio_name = "Untitled ladder"
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._emit_title)
        self._requested_job: ctl.SolveJob | None = None
        self._solved_job: ctl.SolveJob | None = None  # the job behind ``outcome``
        self.solver = SolveRunner(solve_fn, self)
        self.solver.finished.connect(self._on_solved)
        self.solver.failed.connect(self._on_failed)
        self.solver.busyChanged.connect(self.busyChanged)
        # the Scenarios tab's work runs on the optimiser's worker thread (its own latest-wins)
        self._scenario_runner = SolveRunner(run_scenarios, self, debounce_ms=0, pool=self.solver.pool)
        self._scenario_runner.finished.connect(self._on_scenarios)
        self._scenario_runner.failed.connect(self.scenariosFailed)
        # the trade-off sweeps: same thread, run only when no solve waits (None: a stand-in solver)
        if sweep_fn is _DEFAULT:
            sweep_fn = ctl.run_sweep if solve_fn is ctl.solve else None
        self._sweep_for: ctl.SolveJob | None = None
        self._sweep_runner: SolveRunner | None = None
        if sweep_fn is not None:
            self._sweep_runner = SolveRunner(sweep_fn, self, debounce_ms=0, pool=self.solver.pool)
            self._sweep_runner.finished.connect(self._on_sweep)
            self._sweep_runner.failed.connect(self._on_failed)
        self._workspace_path: str | None = None
        self._workspace: Any = None  # desktop.store.Workspace, opened on the GUI thread after loading
        self._face_version = 0
        self._last_import: dict[str, Any] | None = None
        self._start_preset: str | None = None  # preset applied when the data arrive (--preset)
        self._sweep_wanted = False  # the trade-off view is showing: solves also run the US-cap sweep
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


    # -- read-only state (changed only through the intent methods below) -------------------------

    @property
    def snapshot(self) -> Any:
        """The market data (desktop.snapshot.MarketSnapshot)."""
        return self._snapshot

    @property
    def universe(self) -> Any:
        """Every bond, model- or quote-priced (DataFrame)."""
        return self._universe

    @property
    def engine(self) -> Any:
        """The what-if repricing engine."""
        return self._engine

    @property
    def whatif(self) -> Any:
        """The sliders and settings (controller.WhatIf)."""
        return self._whatif

    @property
    def face(self) -> Any:
        """The current book: local face per universe bond (read-only view)."""
        view = self._face.view()
        view.flags.writeable = False
        return view

    @property
    def repriced(self) -> Any:
        """The universe on the what-if curves (numpy arrays)."""
        return self._repriced

    @property
    def scenario_overlay(self) -> Any:
        """The scenario shown on the Curves view, or None."""
        return self._scenario_overlay

    @property
    def saved_presets(self) -> Any:
        """The user's presets: name → OptimSettings dict."""
        return self._saved_presets

    @property
    def saved_scenarios(self) -> Any:
        """The user's saved scenarios."""
        return self._saved_scenarios

    @property
    def current(self) -> Any:
        """The current book's figures (controller.Evaluation)."""
        return self._current

    @property
    def optimised(self) -> Any:
        """The optimised book's figures, or None."""
        return self._optimised

    @property
    def outcome(self) -> Any:
        """The latest optimisation (controller.SolveOutcome), or None."""
        return self._outcome

    @property
    def allowed(self) -> Any:
        """Bonds the optimiser may buy (ladder builder), or None."""
        return self._allowed

    @property
    def portfolio_name(self) -> Any:
        """The book's name in the title bar."""
        return self._portfolio_name

    @property
    def workspace_path(self) -> Any:
        """The workspace file (None = the user's)."""
        return self._workspace_path

    @property
    def workspace(self) -> Any:
        """The open WorkspaceService, or None before loading."""
        return self._workspace

    @property
    def face_version(self) -> Any:
        """Bumped on every change of the book."""
        return self._face_version

    @property
    def last_import(self) -> Any:
        """What the last import changed (store's detail dict), or None."""
        return self._last_import

    @property
    def start_preset(self) -> Any:
        """Preset applied when the data arrive."""
        return self._start_preset

    @property
    def sweep_wanted(self) -> Any:
        """The trade-off view is showing: solves also run the sweeps."""
        return self._sweep_wanted

    @property
    def solved_job(self) -> ctl.SolveJob | None:
        """The job behind :attr:`outcome` (what the exports turn into ALLOC and TRADES)."""
        return self._solved_job

    # -- loading -------------------------------------------------------------------------------
    @property
    def is_loaded(self) -> bool:
        return self._engine is not None

    def start_loading(self) -> None:
        self.statusChanged.emit("Loading the workspace market data…")
        self._loader.request(self._workspace_path, immediate=True)

    def use_workspace(self, path: str | None) -> None:
        """Work on the workspace at ``path`` (None = the user's); opened when the data are loaded."""
        if self._workspace is not None:
            self._workspace.close()
        self._workspace = None
        self._workspace_path = path

    def open_workspace(self) -> None:
        """Open :attr:`workspace_path` on the GUI thread (created from the bundled data if missing)."""
        from desktop.controller.workspace import WorkspaceService

        if self._workspace is None:
            self._workspace = WorkspaceService.open(self._workspace_path, readonly_fallback=True)
            if self._workspace.readonly:
                self.statusChanged.emit(f"The workspace {self._workspace.path} is read-only: you can look and "
                                        "export, but saves and imports are refused")

    def set_start_preset(self, name: str | None) -> None:
        """Apply preset ``name`` when the data arrive (``--preset``)."""
        self._start_preset = name

    def note_import(self, detail: dict[str, Any]) -> None:
        """An import changed the workspace: remember what it changed and reload the data."""
        self._last_import = detail
        self.start_loading()

    def _on_loaded(self, data: Loaded, _seconds: float) -> None:
        self.open_workspace()
        self.load_saved()
        held = ctl.holdings_of(self._universe, self._face) if self.is_loaded else None
        self.set_data(data.snapshot, data.universe, data.engine, keep=held)

    def set_scenario_overlay(self, overlay: Any) -> None:
        """Show a scenario's shocked curves in the Curves view (``None`` clears them)."""
        self._scenario_overlay = overlay
        self.scenarioOverlayChanged.emit(overlay)

    def set_data(self, snapshot: Any, universe: pd.DataFrame, engine: ctl.ShiftEngine | None = None,
                 keep: pd.DataFrame | None = None) -> None:
        """Install a snapshot + universe and start from the default four-market 1–10y ladder, or —
        after an import reloaded the data — from the held book ``keep`` (market, id, face), matched
        to the new universe by the one holdings rule; every figure and the next solve use it."""
        if self._scenario_overlay is not None:
            self.set_scenario_overlay(None)  # its curves were shocked from the old snapshot
        self._snapshot = snapshot
        self._universe = universe.reset_index(drop=True)
        self._engine = engine if engine is not None else ctl.ShiftEngine(self._universe, snapshot.curves)
        self._outcome = None
        self._optimised = None
        ladder = ctl.build_ladder(self._universe, list(snapshot.curves), DEFAULT_RUNGS, DEFAULT_NOTIONAL, self.fx)
        note = ladder.message
        if keep is not None and len(keep):
            match = ctl.match_holdings(self._universe, keep, "the held book", unknown="report")
            self._face = match.face
            note = f"kept the book ({int((match.face > 0).sum())} holdings)"
            if match.unknown:
                note += f"; {len(match.unknown)} holding(s) not in the new data: {', '.join(match.unknown[:5])}"
        else:
            self._face = ladder.face
            self.undo_stack.clear()
        self._face_version += 1
        if self._start_preset or self._whatif == ctl.WhatIf():
            self._whatif = ctl.whatif_from_preset(self._start_preset or self._whatif.preset, self._whatif,
                                                 self._saved_presets)
            self._start_preset = None
            self.whatIfChanged.emit(self._whatif)
        self.recompute(emit=False)
        self.loaded.emit()
        self.analyticsChanged.emit()
        self.statusChanged.emit(f"Data as of {snapshot.as_of:%Y-%m-%d}; {len(self._universe)} bonds. {note}")
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
        return ctl.fx_to_base(self._snapshot.fx_usd_per_unit, self._whatif.base_ccy)

    @property
    def shifted(self) -> pd.DataFrame:
        """The universe on the what-if curves as a DataFrame (``Shifted.frame`` builds it on first use;
        the slider path works on :attr:`repriced`'s arrays)."""
        return self._repriced.frame if self._repriced is not None else pd.DataFrame()

    @property
    def curves(self) -> dict[str, Any]:
        """Each market's curve on the what-if of the last recompute (computed when first asked for:
        only the Curves view needs them)."""
        if self._curves is None:
            if self._curves_whatif is None or self._snapshot is None:
                return {}
            self._curves = ctl.shifted_curves(self._snapshot.curves, self._curves_whatif)
        return self._curves

    def recompute(self, emit: bool = True) -> None:
        """Instant path: reprice on the what-if curves and re-aggregate both portfolios."""
        if self._engine is None:
            return
        self._repriced = self._engine.reprice_arrays(self._whatif)
        self._curves, self._curves_whatif = None, self._whatif
        fx, rates, base = self.fx, self._snapshot.short_rates_pct, self._whatif.base_ccy
        risk_now = self._outcome.current_risk_pct if self._outcome else None
        self._current = ctl.evaluate(self._repriced, self._face, fx, rates, base, risk_now)
        if self._outcome is not None and self._outcome.face is not None:
            self._optimised = ctl.evaluate(self._repriced, self._outcome.face, fx, rates, base, self._outcome.risk_pct)
        else:
            self._optimised = None
        if emit:
            self.analyticsChanged.emit()

    # -- what-if -------------------------------------------------------------------------------
    def set_value(self, name: str, value: Any) -> None:
        """One control moved: instant analytics, then a debounced re-optimisation."""
        self.set_whatif(self._whatif.with_value(name, value))

    def set_whatif(self, whatif: ctl.WhatIf) -> None:
        if whatif == self._whatif:
            return
        self._whatif = whatif
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
        self.set_whatif(ctl.whatif_from_preset(name, self._whatif, self._saved_presets))

    def want_sweep(self, wanted: bool) -> None:
        """The trade-off view is showing (or not): its sweeps run on the worker when it is idle."""
        self._sweep_wanted = wanted
        if wanted:
            self._maybe_sweep()

    def _maybe_sweep(self) -> None:
        """Run the trade-off sweeps for the latest optimum once no solve is waiting (never ahead of
        a slider's re-solve); the frontier arrives on the outcome with another ``solutionChanged``."""
        out, job = self._outcome, self._solved_job
        if (not self._sweep_wanted or out is None or out.face is None or out.frontier is not None or job is None
                or not self.idle or self._sweep_runner is None):
            return
        self._sweep_for = job
        self._sweep_runner.request(job, immediate=True)

    def _on_sweep(self, frontier: pd.DataFrame, _seconds: float) -> None:
        out = self._outcome
        if out is None or self._sweep_for is not self._solved_job:
            return  # swept an optimum that has since been replaced
        self._outcome = replace(out, frontier=frontier)
        self.solutionChanged.emit(self._outcome)

    def request_solve(self, immediate: bool = False) -> int:
        if self._current is None:
            return -1
        job = self.solve_job()
        self._requested_job = job
        return self.solver.request(job, immediate=immediate)

    def solve_job(self) -> ctl.SolveJob:
        """The optimisation of the current book on the current what-if (the worker's job; the
        exports turn its outcome into ALLOC and TRADES with :func:`desktop.controller.book_tables`)."""
        return ctl.solve_job(self._snapshot, self._universe, self._face, whatif=self._whatif,
                             allowed=self._allowed, saved_presets=dict(self._saved_presets))

    def _on_solved(self, outcome: ctl.SolveOutcome, seconds: float) -> None:
        self._outcome = outcome
        self._solved_job = self._requested_job  # stale results never arrive: this is the latest request
        self.adviceChanged.emit(outcome.advice)
        text = f"Optimiser: {outcome.status} in {outcome.solve_time_s * 1000:.0f} ms (worker {seconds:.2f} s)"
        if outcome.binding:
            text += " · binding: " + ", ".join(outcome.binding[:4])
        self.statusChanged.emit(text)
        self.recompute()
        self.solutionChanged.emit(outcome)
        QTimer.singleShot(0, self._maybe_sweep)  # after this event: a queued slider move goes first

    def run_scenarios(self, job: ScenarioJob) -> None:
        """Compute the Scenarios tab's ``job`` on the worker; :attr:`scenariosReady` brings the result."""
        self._scenario_runner.request(job, immediate=True)

    def _on_scenarios(self, result: Any, _seconds: float) -> None:
        self.scenariosReady.emit(result)

    def book_tables(self) -> ctl.BookTables | None:
        """ALLOC and TRADES of the latest optimisation (None while there is none)."""
        if self._outcome is None or self._outcome.face is None or self._solved_job is None:
            return None
        return ctl.book_tables(self._solved_job, self._outcome)

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
        self._face = np.asarray(face, float).copy()
        self._face_version += 1
        self.recompute()
        self.request_solve()

    def edit_face(self, row: int, amount: float) -> None:
        """Set one bond's face (undoable), rounded to its market's minimum denomination."""
        new = self._face.copy()
        new[row] = float(ctl.round_face(self._universe["market"].to_numpy()[row:row + 1], np.array([amount]))[0])
        label = self._universe["id"].iat[row]
        self.undo_stack.push(SetHoldings(self, self._face, new, f"Edit face of {label}"))

    def type_quote(self, row: int, clean_price: float) -> None:
        """A clean price typed for bond ``row``: quoted at the valuation date (undoable), data reloaded."""
        u = self._universe
        self.undo_stack.push(SetQuote(self, str(u["market"].iat[row]), str(u["id"].iat[row]), clean_price))

    def put_quote(self, market: str, bond_id: str, clean_price: float | None) -> None:
        """Store (or, with None, remove) the PM's typed quote for the valuation date, then reload."""
        from desktop.errors import LadderDeskError

        try:
            detail = ctl.type_quote(self._workspace, market, bond_id, price_date=self._snapshot.as_of,
                                    clean_price=clean_price)
        except LadderDeskError as exc:
            self.statusChanged.emit(f"Price not taken: {exc}")
            return
        self.note_import(detail)

    def set_holdings(self, face: np.ndarray, text: str) -> None:
        self.undo_stack.push(SetHoldings(self, self._face, face, text))

    def apply_optimisation(self) -> bool:
        if self._outcome is None or self._outcome.face is None:
            return False
        self.set_holdings(self._outcome.face, "Apply optimisation")
        return True

    def build_ladder(self, markets: list[str], rungs: range, notional: float, restrict: bool = False) -> ctl.LadderResult:
        """Build a ladder (undoable); with ``restrict`` the optimiser may only re-weight its bonds."""
        result = ctl.build_ladder(self._universe, markets, rungs, notional, self.fx)
        allowed = result.face > 0 if restrict else None
        ladder_view = {"rungs": (min(rungs), max(rungs)), "markets": tuple(markets)} if restrict else \
            {"rungs": None, "markets": None}
        before = (self._face, self._whatif, self._allowed)
        after = (result.face, replace(self._whatif, **ladder_view), allowed)
        self.undo_stack.push(SetBook(self, before, after, "Build ladder"))  # undo restores the limits too
        self.statusChanged.emit(result.message)
        return result

    def restore_book(self, face: np.ndarray, whatif: ctl.WhatIf, allowed: np.ndarray | None) -> None:
        """Set the book, the what-if and the builder's restriction together (undo commands)."""
        self._allowed = None if allowed is None else np.asarray(allowed, bool).copy()
        if whatif != self._whatif:
            self._whatif = whatif
            self.whatIfChanged.emit(whatif)
        self.replace_face(face)

    def _emit_title(self, _clean: bool = True) -> None:
        self.titleChanged.emit(self._portfolio_name + ("" if self.undo_stack.isClean() else " *"))

    # -- workspace: named portfolios (desktop.controller.workspace: names, checks, SQL) --------
    def portfolio_names(self) -> list[str]:
        return self._workspace.names("portfolio") if self._workspace is not None else []

    def save_portfolio(self, name: str, overwrite: bool = False) -> None:
        """Save the current holdings with a run card under ``name`` (one transaction); saving over
        another saved portfolio needs ``overwrite`` (re-saving the open one does not)."""
        card = ctl.run_card(self._snapshot, self._whatif, self._outcome)
        n = self._workspace.save_portfolio(name, self._universe, self._face, card,
                                           overwrite=overwrite or name == self._portfolio_name)
        self._portfolio_name = name
        self.undo_stack.setClean()
        self._emit_title()
        self.statusChanged.emit(f"Saved portfolio {name!r} ({n} holdings)")

    def open_portfolio(self, name: str) -> list[str]:
        """Load a saved portfolio (and its what-if settings); returns the lines no longer in the universe."""
        opened = self._workspace.open_portfolio(name, self._universe)
        self._portfolio_name = name
        self._whatif = ctl.whatif_from_card(opened.run_card)
        self.whatIfChanged.emit(self._whatif)
        self.undo_stack.clear()
        self.replace_face(opened.face)
        self.undo_stack.setClean()
        self._emit_title()
        missing = list(opened.left_out)
        note = f"; {len(missing)} holding(s) not in the universe: {', '.join(missing[:5])}" if missing else ""
        self.statusChanged.emit(f"Opened portfolio {name!r} (as of {opened.run_card.get('data_as_of', '?')}){note}")
        return missing

    def new_portfolio(self) -> None:
        self._portfolio_name = "Untitled ladder"
        self._allowed = None
        self._whatif = replace(self._whatif, rungs=None, markets=None)
        ladder = ctl.build_ladder(self._universe, list(self._snapshot.curves), DEFAULT_RUNGS, DEFAULT_NOTIONAL, self.fx)
        self.undo_stack.clear()
        self.replace_face(ladder.face)
        self._emit_title()

    def saved_face(self, name: str) -> np.ndarray:
        return self._workspace.open_portfolio(name, self._universe).face

    # -- workspace: the user's presets and scenarios ------------------------------------------
    def load_saved(self) -> None:
        """Read the saved presets and scenarios from the workspace (a damaged entry is skipped and
        reported by name, never fatal)."""
        self._saved_presets, self._saved_scenarios = {}, []
        if self._workspace is None:
            return
        saved = self._workspace.saved()
        self._saved_presets, self._saved_scenarios = dict(saved.presets), list(saved.scenarios)
        if saved.damaged:
            self.statusChanged.emit("Skipped damaged saved " + ", ".join(saved.damaged))
        self.savedChanged.emit()

    def save_preset(self, name: str, overwrite: bool = False) -> None:
        """Save the effective optimiser settings (preset limits + sliders) as preset ``name``
        (DataError for a bad name, NameTaken when it exists and ``overwrite`` is not given)."""
        payload = ctl.preset_payload_of(self._whatif, self._saved_presets)
        name = self._workspace.save_preset(name, payload, overwrite=overwrite)
        self._saved_presets[name] = payload
        self._whatif = replace(self._whatif, preset=name)
        self.whatIfChanged.emit(self._whatif)
        self.savedChanged.emit()
        self.statusChanged.emit(f"Saved preset {name!r}")

    def save_scenario(self, name: str, overwrite: bool = False) -> Any:
        """Save the what-if curve shifts as scenario ``name`` (shown in the Scenarios tab)."""
        from desktop.controller.workspace import check_name
        from desktop.errors import DataError

        scenario = ctl.scenario_of_whatif(check_name("scenario", name), self._whatif)
        if not scenario.curves:
            raise DataError("the what-if sliders shift no curve: move a curve slider first", field="what-if")
        self._workspace.save_scenario(scenario, overwrite=overwrite)
        self._saved_scenarios = [sc for sc in self._saved_scenarios if sc.name != name] + [scenario]
        self.savedChanged.emit()
        self.statusChanged.emit(f"Saved scenario {name!r}")
        return scenario

    def shutdown(self) -> None:
        self._coalesce.stop()
        self._charts.stop()
        self._scenario_runner.shutdown()
        if self._sweep_runner is not None:
            self._sweep_runner.shutdown()
        self.solver.shutdown()
        self._loader.shutdown()
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None
