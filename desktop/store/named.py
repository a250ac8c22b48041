"""The user's named items: portfolios (holdings + run card), scenarios and presets (JSON payloads).

A portfolio is a ``portfolios`` row (name, created, updated, run_card JSON) plus its
``portfolio_holdings`` rows (id, market, face in local-currency face amount), written in one
transaction: a reader sees either the old or the new version, never a mix.
"""

from __future__ import annotations

import json
import math
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from desktop.errors import DataError, WorkspaceError
from desktop.store.schema import transaction

HOLDING_COLUMNS = ["id", "market", "face"]
MAX_FACE = 1e13  # local currency, the same bound as desktop.controller.book.MAX_FACE (beyond: a typo)
_PAYLOAD_TABLES = ("scenarios", "presets")


@dataclass(frozen=True, eq=False)
class Portfolio:
    """A saved portfolio: ``holdings`` DataFrame[id, market, face] and its ``run_card`` dict."""

    name: str
    holdings: pd.DataFrame
    run_card: dict[str, Any]
    created: str
    updated: str


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Series):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def to_json(payload: Any, what: str) -> str:
    """Deterministic JSON (sorted keys); DataError if ``payload`` cannot be stored."""
    try:
        return json.dumps(payload, sort_keys=True, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} cannot be saved as JSON: {exc}") from None


def _check_name(name: str) -> str:
    """``name`` unchanged if valid: visible text, no control / format / line-separator characters
    (a tab, CR, NUL or a bidi override such as U+202E), no leading or trailing space. Names are never
    stripped or altered, so two different names never collide."""
    if not isinstance(name, str) or not name.strip():
        raise DataError("a name is required (non-empty text)", field="name", expected="some visible text")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise DataError(f"the name {name!r} contains the control character U+{ord(bad[0]):04X}", field="name",
                        expected="letters, digits, spaces and punctuation only")
    if name != name.strip():
        raise DataError(f"the name {name!r} starts or ends with a space", field="name",
                        expected="no leading or trailing spaces")
    return name


def _holdings_rows(name: str, holdings: pd.DataFrame) -> list[tuple]:
    missing = [c for c in HOLDING_COLUMNS if c not in holdings.columns]
    if missing:
        raise DataError(f"holdings lack columns {missing}", field=missing[0], expected="id, market, face")
    rows = []
    for pos, (bond_id, market, face) in enumerate(holdings[HOLDING_COLUMNS].itertuples(index=False, name=None)):
        try:
            f = float(face)
        except (TypeError, ValueError):
            raise DataError(f"face of {bond_id} is not a number", field="face") from None
        if not (math.isfinite(f) and 0.0 <= f <= MAX_FACE):
            raise DataError(f"face {f:,.10g} of {bond_id} is out of bounds", field="face",
                            expected=f"a face amount in local currency from 0 to {MAX_FACE:,.0f}")
        rows.append((name, pos, str(bond_id), str(market), f))
    return rows


class NamedItemsMixin:
    """Portfolio / scenario / preset CRUD for :class:`desktop.store.Workspace`."""

    conn: sqlite3.Connection

    # -- portfolios ------------------------------------------------------------------------
    def save_portfolio(self, name: str, holdings: pd.DataFrame, run_card: dict[str, Any]) -> None:
        """Create or replace portfolio ``name`` (holdings and run card together, one transaction)."""
        from desktop.store.workspace import now_iso

        name = _check_name(name)
        rows = _holdings_rows(name, holdings)
        card = to_json(run_card, "run card")
        stamp = now_iso()
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO portfolios (name, created, updated, run_card) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET updated = excluded.updated, run_card = excluded.run_card",
                (name, stamp, stamp, card),
            )
            self.conn.execute("DELETE FROM portfolio_holdings WHERE portfolio = ?", (name,))
            self.conn.executemany(
                "INSERT INTO portfolio_holdings (portfolio, position, id, market, face) VALUES (?, ?, ?, ?, ?)", rows
            )

    def load_portfolio(self, name: str) -> Portfolio:
        """The saved portfolio ``name`` (WorkspaceError if there is none)."""
        # one read transaction so the header and holdings come from the same commit
        self.conn.execute("BEGIN")
        try:
            row = self.conn.execute(
                "SELECT name, created, updated, run_card FROM portfolios WHERE name = ?", (name,)
            ).fetchone()
            holdings = pd.read_sql_query(
                "SELECT id, market, face FROM portfolio_holdings WHERE portfolio = ? ORDER BY position",
                self.conn,
                params=(name,),
            )
        finally:
            self.conn.execute("COMMIT")
        if row is None:
            raise WorkspaceError(f"no portfolio named {name!r}")
        holdings["face"] = holdings["face"].astype(float)
        return Portfolio(row[0], holdings, json.loads(row[3]), row[1], row[2])

    def list_portfolios(self) -> pd.DataFrame:
        """DataFrame[name, created, updated, holdings] (holdings = number of lines), by name."""
        return pd.read_sql_query(
            "SELECT p.name, p.created, p.updated, COUNT(h.position) AS holdings FROM portfolios p "
            "LEFT JOIN portfolio_holdings h ON h.portfolio = p.name GROUP BY p.name ORDER BY p.name",
            self.conn,
        )

    def delete_portfolio(self, name: str) -> bool:
        """Delete portfolio ``name``; True if it existed."""
        with transaction(self.conn):
            self.conn.execute("DELETE FROM portfolio_holdings WHERE portfolio = ?", (name,))
            cur = self.conn.execute("DELETE FROM portfolios WHERE name = ?", (name,))
        return cur.rowcount > 0

    # -- scenarios / presets (JSON payloads) -----------------------------------------------
    def _save_payload(self, table: str, name: str, payload: Any) -> None:
        from desktop.store.workspace import now_iso

        assert table in _PAYLOAD_TABLES
        name = _check_name(name)
        text = to_json(payload, table[:-1])
        stamp = now_iso()
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO {table} (name, created, updated, payload) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET updated = excluded.updated, payload = excluded.payload",
                (name, stamp, stamp, text),
            )

    def _load_payload(self, table: str, name: str) -> Any:
        assert table in _PAYLOAD_TABLES
        row = self.conn.execute(f"SELECT payload FROM {table} WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no {table[:-1]} named {name!r}")
        try:
            return json.loads(row[0])
        except (TypeError, ValueError, RecursionError):
            raise DataError(f"saved {table[:-1]} {name!r} is damaged (its stored payload is not JSON)",
                            field=name, expected=f"re-save it, or delete it (a damaged {table[:-1]} is skipped "
                                                 "in lists)") from None

    def _list_payloads(self, table: str) -> list[str]:
        """Names of the saved items whose payload is readable JSON; a damaged one is skipped with a
        message naming it (via :func:`desktop.store.faults.report`), so it never breaks a command
        that merely lists or loads every item (e.g. ``optimize`` reading the saved presets)."""
        assert table in _PAYLOAD_TABLES
        names, damaged = [], []
        for name, payload in self.conn.execute(f"SELECT name, payload FROM {table} ORDER BY name"):
            try:
                json.loads(payload)
            except (TypeError, ValueError, RecursionError):
                damaged.append(name)
                continue
            names.append(name)
        if damaged:
            from desktop.store.faults import report

            report(f"ladderdesk: skipped damaged saved {table[:-1]}(s) {', '.join(map(repr, damaged))} "
                        f"(stored payload is not JSON; re-save or delete it)")
        return names

    def damaged_items(self, table: str) -> list[str]:
        """Names of saved ``scenarios`` / ``presets`` whose payload is not JSON (for the window's list)."""
        assert table in _PAYLOAD_TABLES
        out = []
        for name, payload in self.conn.execute(f"SELECT name, payload FROM {table} ORDER BY name"):
            try:
                json.loads(payload)
            except (TypeError, ValueError, RecursionError):
                out.append(name)
        return out

    def _delete_payload(self, table: str, name: str) -> bool:
        assert table in _PAYLOAD_TABLES
        with transaction(self.conn):
            cur = self.conn.execute(f"DELETE FROM {table} WHERE name = ?", (name,))
        return cur.rowcount > 0

    def save_scenario(self, name: str, payload: Any) -> None:
        """Create or replace scenario ``name`` (any JSON-able payload)."""
        self._save_payload("scenarios", name, payload)

    def load_scenario(self, name: str) -> Any:
        """The payload of scenario ``name``."""
        return self._load_payload("scenarios", name)

    def list_scenarios(self) -> list[str]:
        """Scenario names, sorted."""
        return self._list_payloads("scenarios")

    def delete_scenario(self, name: str) -> bool:
        """Delete scenario ``name``; True if it existed."""
        return self._delete_payload("scenarios", name)

    def save_preset(self, name: str, payload: Any) -> None:
        """Create or replace preset ``name`` (any JSON-able payload)."""
        self._save_payload("presets", name, payload)

    def load_preset(self, name: str) -> Any:
        """The payload of preset ``name``."""
        return self._load_payload("presets", name)

    def list_presets(self) -> list[str]:
        """Preset names, sorted."""
        return self._list_payloads("presets")

    def delete_preset(self, name: str) -> bool:
        """Delete preset ``name``; True if it existed."""
        return self._delete_payload("presets", name)

    # -- renames (one transaction each; the new name must be free) ----------------------------
    def rename_portfolio(self, old: str, new: str) -> None:
        """Rename portfolio ``old`` to ``new`` with its holdings (WorkspaceError if ``old`` is
        missing or ``new`` is taken)."""
        new = _check_name(new)
        with transaction(self.conn):
            if self.conn.execute("SELECT 1 FROM portfolios WHERE name = ?", (new,)).fetchone():
                raise WorkspaceError(f"a portfolio named {new!r} already exists")
            cur = self.conn.execute("UPDATE portfolios SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise WorkspaceError(f"no portfolio named {old!r}")
            self.conn.execute("UPDATE portfolio_holdings SET portfolio = ? WHERE portfolio = ?", (new, old))

    def rename_payload(self, table: str, old: str, new: str) -> None:
        """Rename scenario or preset ``old`` (``table`` "scenarios" | "presets") to ``new``."""
        assert table in _PAYLOAD_TABLES
        new = _check_name(new)
        with transaction(self.conn):
            if self.conn.execute(f"SELECT 1 FROM {table} WHERE name = ?", (new,)).fetchone():
                raise WorkspaceError(f"a {table[:-1]} named {new!r} already exists")
            cur = self.conn.execute(f"UPDATE {table} SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise WorkspaceError(f"no {table[:-1]} named {old!r}")
