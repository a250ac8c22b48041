"""Every market-data row of a workspace file, read directly with sqlite3 (read-only), for tests
that assert a command left the workspace exactly as it was (or changed only what it should)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

MARKET_TABLES = ("curves", "bonds", "series", "short_rates", "fx", "history", "policy_rates", "fx_history",
                 "provenance")


def dump(path: Path | str, tables: tuple[str, ...] = MARKET_TABLES) -> dict[str, list]:
    """Rows of each table in a fixed order (by its first three columns)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in tables}
    finally:
        conn.close()
