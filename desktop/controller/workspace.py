"""The workspace service: what the window and the CLIs do with the user's workspace — open it,
read its market data, save / open / rename / delete portfolios, presets and scenarios — with one
set of name rules and payload checks. Qt-free; the store (:mod:`desktop.store`) does the SQL.

Name rules (:func:`check_name`), the same for portfolios, presets and scenarios:

* a name is kept exactly as typed — never stripped — so two names that differ only in spaces or
  control characters can never collide; names with control characters (tab, CR, NUL …), bidi
  overrides or leading/trailing spaces are refused, as is an empty name or one over 120 characters;
* preset and scenario names may not be those of the built-in presets (case-insensitive);
* saving over an existing name needs ``overwrite=True`` (the window asks, the CLI wants
  ``--overwrite``): :class:`NameTaken` otherwise.

Damaged saved items (a preset or scenario that no longer validates) are skipped and reported by
name (:attr:`Saved.damaged`); they never break loading the others.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from desktop.controller.book import holdings_of, match_holdings
from desktop.errors import DataError, LadderDeskError

MAX_NAME = 120
KINDS = ("portfolio", "preset", "scenario")


class NameTaken(LadderDeskError):
    """A saved item of that kind and name exists and ``overwrite`` was not given."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"a {kind} named {name!r} already exists (choose another name, or overwrite it)")
        self.kind, self.name = kind, name


def _built_in(kind: str) -> set[str]:
    if kind == "preset":
        from desktop.optim.presets import BUILT_IN

        return {k.casefold() for k in BUILT_IN}
    if kind == "scenario":
        from desktop.scenarios.presets import preset_names

        return {n.casefold() for n in preset_names()}
    return set()


def check_name(kind: str, name: Any) -> str:
    """``name`` if it is a valid name for a saved ``kind`` (rules in the module docstring), else
    DataError saying what is wrong."""
    field_name = f"{kind} name"
    if not isinstance(name, str) or not name.strip():
        raise DataError(f"a {kind} needs a name", field=field_name, expected="some visible text")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise DataError(f"the {kind} name contains the control character U+{ord(bad[0]):04X}", field=field_name,
                        expected="letters, digits, spaces and punctuation only")
    if name != name.strip():
        raise DataError(f"the {kind} name {name!r} starts or ends with a space", field=field_name,
                        expected="no leading or trailing spaces")
    if len(name) > MAX_NAME:
        raise DataError(f"the {kind} name is {len(name)} characters long", field=field_name,
                        expected=f"at most {MAX_NAME} characters")
    if name.casefold() in _built_in(kind):
        raise DataError(f"{name!r} is a built-in {kind}", field=field_name, expected="a name of your own")
    return name


@dataclass(frozen=True)
class Saved:
    """The user's saved presets (name → OptimSettings dict) and scenarios, and what was skipped."""

    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scenarios: tuple[Any, ...] = ()
    damaged: tuple[str, ...] = ()  # "preset 'X'", "scenario 'Y'"


@dataclass(frozen=True)
class OpenedPortfolio:
    name: str
    face: np.ndarray  # local face over the universe
    run_card: Mapping[str, Any]
    left_out: tuple[str, ...]  # saved lines whose bond is no longer in the universe


class WorkspaceService:
    """The one way the application reads and writes the workspace (wraps :class:`desktop.store.Workspace`)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    @classmethod
    def open(cls, path: str | None, *, readonly_fallback: bool = False) -> WorkspaceService:
        """Open ``path`` (created from the bundled snapshot when missing; None = the user's). With
        ``readonly_fallback`` a workspace on a read-only file, folder or mount is opened read-only
        (reading works, every save is refused with "read-only") instead of refused."""
        from desktop.store import Workspace
        from desktop.store.faults import WorkspaceReadOnlyError

        try:
            return cls(Workspace.open(path))
        except WorkspaceReadOnlyError:
            if not readonly_fallback:
                raise
            service = cls(Workspace.open(path, readonly=True))
            service.readonly = True
            return service

    readonly = False  # opened read-only (see open)

    @property
    def path(self) -> Any:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> WorkspaceService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- market data ---------------------------------------------------------------------------
    def snapshot(self) -> Any:
        return self.store.load_snapshot()

    def tables(self) -> Any:
        """The workspace's market-data tables (desktop.snapshot.SnapshotTables: curves, history, FX…)."""
        return self.store.tables()

    def apply_import(self, result: Any, *, force: bool = False, replace: bool = False) -> dict[str, Any]:
        """Write a parsed file in one transaction (bounds checked; ``replace`` a stored curve, or an
        FX month-end of an ECB import, that differs; ``force`` an FX jump beyond the band)."""
        return self.store.apply_import(result, force=force, replace=replace)

    def undo_import(self) -> dict[str, Any]:
        """Restore the data exactly as it was before the latest import (DataError if there is none)."""
        return self.store.undo_import()

    def output_conflict(self, path: str) -> str | None:
        """Why an export to ``path`` would destroy the workspace (its file or a sidecar), else None."""
        from desktop.store.paths import output_conflict

        return output_conflict(path, workspace=self.path)

    # -- names ---------------------------------------------------------------------------------
    def names(self, kind: str) -> list[str]:
        if kind == "portfolio":
            return list(self.store.list_portfolios()["name"])
        return list(self.store.list_presets() if kind == "preset" else self.store.list_scenarios())

    def exists(self, kind: str, name: str) -> bool:
        return name in self.names(kind)

    def _claim(self, kind: str, name: str, overwrite: bool) -> str:
        name = check_name(kind, name)
        if not overwrite and self.exists(kind, name):
            raise NameTaken(kind, name)
        return name

    def delete(self, kind: str, name: str) -> bool:
        store = self.store
        return {"portfolio": store.delete_portfolio, "preset": store.delete_preset,
                "scenario": store.delete_scenario}[kind](name)

    def rename(self, kind: str, old: str, new: str) -> None:
        new = check_name(kind, new)
        if kind == "portfolio":
            self.store.rename_portfolio(old, new)
        else:
            self.store.rename_payload(f"{kind}s", old, new)

    # -- portfolios ----------------------------------------------------------------------------
    def save_portfolio(self, name: str, universe: pd.DataFrame, face: np.ndarray, run_card: Mapping[str, Any], *,
                       overwrite: bool = False) -> int:
        """Save the book ``face`` (local face over ``universe``) with its run card; returns the
        number of holdings saved."""
        name = self._claim("portfolio", name, overwrite)
        holdings = holdings_of(universe, face)
        self.store.save_portfolio(name, holdings, dict(run_card))
        return len(holdings)

    def open_portfolio(self, name: str, universe: pd.DataFrame) -> OpenedPortfolio:
        """A saved book matched to ``universe`` by the one holdings rule; lines whose bond left
        the universe (matured, removed by an import) are left out and listed."""
        saved = self.store.load_portfolio(name)
        match = match_holdings(universe, saved.holdings, f"portfolio {name!r}", unknown="report")
        return OpenedPortfolio(name, match.face, saved.run_card, match.unknown)

    # -- presets and scenarios -------------------------------------------------------------------
    def saved(self) -> Saved:
        """Every saved preset and scenario that validates; the others are named in ``damaged``."""
        from desktop.optim.settings import OptimSettings
        from desktop.scenarios.model import Scenario

        presets: dict[str, Mapping[str, Any]] = {}
        scenarios: list[Any] = []
        damaged: list[str] = []
        for name in self.store.list_presets():
            try:
                payload = self.store.load_preset(name)
                OptimSettings.from_dict(payload).validate()
            except (LadderDeskError, TypeError, ValueError, AttributeError):
                damaged.append(f"preset {name!r}")
                continue
            presets[name] = payload
        for name in self.store.list_scenarios():
            try:
                scenarios.append(Scenario.from_dict(self.store.load_scenario(name)))
            except (LadderDeskError, TypeError, ValueError, AttributeError):
                damaged.append(f"scenario {name!r}")
        return Saved(presets, tuple(scenarios), tuple(damaged))

    def save_preset(self, name: str, payload: Mapping[str, Any], *, overwrite: bool = False) -> str:
        """Save optimiser settings (``OptimSettings.to_dict()`` shape, validated first)."""
        from desktop.optim.settings import OptimSettings

        name = self._claim("preset", name, overwrite)
        OptimSettings.from_dict(dict(payload)).validate()
        self.store.save_preset(name, dict(payload))
        return name

    def save_scenario(self, scenario: Any, *, overwrite: bool = False) -> str:
        """Save a :class:`desktop.scenarios.model.Scenario` under its own name."""
        name = self._claim("scenario", scenario.name, overwrite)
        self.store.save_scenario(name, scenario.to_dict())
        return name
