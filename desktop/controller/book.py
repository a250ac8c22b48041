"""The book: holdings tables ↔ face amounts over the universe, trades between two books, and the
allocation table. One rule each, used by the window and every CLI command.

Holdings rule (:func:`face_from_holdings`), for a file, a saved portfolio or ALLOC.csv fed back:

* columns are matched case-insensitively (a UTF-8 BOM is ignored): ``id`` and ``face`` are needed,
  ``market`` is optional (``GB`` is read as ``UK``); without it an id must name one bond only;
* a line whose bond is not in the universe is refused, naming the file and line — or, with
  ``unknown="report"`` (a saved book re-read after the data changed), left out and listed;
* two lines of the same bond are refused (naming both lines): a duplicate is a mistake to fix,
  never silently summed;
* a face must be a finite number ≥ 0 and ≤ :data:`MAX_FACE` (local currency); 0 lines are kept as 0.

Trades (:func:`trade_list`) move one book to another: BUY/SELL face (local), value in base
currency at the universe's dirty prices, each market's settlement date for the trade date
(:func:`desktop.markets.settlement_date`); trades worth less than ``min_trade_base`` are dropped and
the current holding kept (:func:`orders`), so rounding noise never becomes a ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.finance import market_values_base
from desktop.markets import settlement_date

MAX_FACE = 1e13  # local currency: beyond ten trillion of any currency, a typo


def _plain(value: object) -> str:
    """A cell as the user wrote it (plain numbers, never numpy reprs)."""
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def normalise_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Column names stripped, BOM removed, lower case."""
    return table.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").strip().lower())


@dataclass(frozen=True)
class HoldingsMatch:
    face: np.ndarray  # local face per universe row
    unknown: tuple[str, ...]  # "line 7: JP JGB 2y #470" for lines left out (unknown="report" only)


def match_holdings(universe: pd.DataFrame, holdings: pd.DataFrame, source: str = "holdings", *,
                   unknown: str = "refuse", lines: np.ndarray | None = None) -> HoldingsMatch:
    """Face per universe bond from a holdings table (rule in the module docstring).

    ``lines`` are the file lines of the table's rows (default 2, 3, … for a CSV with one header line).
    """
    table = normalise_columns(holdings)
    for col in ("id", "face"):
        if col not in table.columns:
            raise DataError(f"missing column {col!r}", file=source, line=1, field=col, expected="market,id,face")
    if table.columns.duplicated().any():
        dup = table.columns[table.columns.duplicated()][0]
        raise DataError(f"column {dup!r} appears twice", file=source, line=1, field=dup,
                        expected="market,id,face, each once")
    ids = table["id"].astype(str).str.strip().to_numpy()
    lines = np.arange(len(table)) + 2 if lines is None else np.asarray(lines)
    if "market" in table.columns:
        codes = table["market"].astype(str).str.strip().str.upper().replace({"GB": "UK"}).to_numpy()
        key = pd.MultiIndex.from_arrays([universe["market"].astype(str), universe["id"].astype(str)])
        pos = key.get_indexer(pd.MultiIndex.from_arrays([codes, ids]))
        label = [f"{c} {i}" for c, i in zip(codes, ids, strict=True)]
    else:
        uid = universe["id"].astype(str)
        counts = uid.value_counts()
        pos = _unique_positions(uid, ids)
        label = list(ids)
        ambiguous = [k for k, i in enumerate(ids) if counts.get(i, 0) > 1]
        if ambiguous:
            k = ambiguous[0]
            raise DataError(f"id {ids[k]!r} names bonds in several markets", file=source, line=int(lines[k]),
                            field="market", expected="a market column (US, JP, AU, UK) to tell them apart")
    face_col = pd.to_numeric(table["face"], errors="coerce").to_numpy(float)
    bad = ~(np.isfinite(face_col) & (face_col >= 0) & (face_col <= MAX_FACE))
    known = pos >= 0
    if unknown == "refuse" and not known.all():
        k = int(np.flatnonzero(~known)[0])
        more = int((~known).sum()) - 1
        raise DataError(f"bond {label[k]} is not in the universe" + (f" (and {more} more line(s))" if more else ""),
                        file=source, line=int(lines[k]), field="id",
                        expected="a bond of the workspace's universe (see `ladderdesk bonds`)")
    if (bad & known).any():
        k = int(np.flatnonzero(bad & known)[0])
        raise DataError(f"face {_plain(table['face'].iloc[k])} is not a number from 0 to {MAX_FACE:,.0f}",
                        file=source, line=int(lines[k]), field="face", expected="face amount in local currency, ≥ 0")
    seen = pd.Series(pos[known]).duplicated(keep=False).to_numpy()
    if seen.any():
        rows = np.flatnonzero(known)[seen]
        first = rows[pos[rows] == pos[rows[0]]]
        raise DataError(f"bond {label[first[0]]} is listed twice (lines "
                        f"{', '.join(str(int(lines[r])) for r in first)})", file=source, line=int(lines[first[1]]),
                        field="id", expected="one line per bond")
    face = np.zeros(len(universe))
    face[pos[known]] = face_col[known]
    left_out = tuple(f"line {int(lines[k])}: {label[k]}" for k in np.flatnonzero(~known))
    return HoldingsMatch(face, left_out)


def _unique_positions(uid: pd.Series, ids: np.ndarray) -> np.ndarray:
    """Universe row per id (−1 when absent) where universe ids repeat across markets."""
    first = pd.Series(np.arange(len(uid)), index=uid.to_numpy())
    first = first[~first.index.duplicated()]
    return first.reindex(ids).fillna(-1).to_numpy(int)


def face_from_holdings(universe: pd.DataFrame, holdings: pd.DataFrame, source: str = "holdings") -> np.ndarray:
    """:func:`match_holdings` with unknown bonds refused: the face array over ``universe``."""
    return match_holdings(universe, holdings, source).face


def read_holdings_file(universe: pd.DataFrame, path: str, *, unknown: str = "refuse") -> HoldingsMatch:
    """A holdings CSV (``market,id,face``; ALLOC.csv works) read with the importers' limits (a
    regular file, capped size, strict CSV) and matched by :func:`match_holdings`."""
    from desktop.importers.base import read_table

    table = read_table(path)
    header, body = table.rows[0], table.rows[1:]
    if not body:
        raise DataError("no holdings in the file", file=path, line=2, expected="market,id,face lines")
    width = len(header)
    for row, line in zip(body, table.lines[1:], strict=True):
        if len(row) != width:
            raise DataError(f"{len(row)} fields where the header has {width}", file=path, line=line,
                            expected="market,id,face on every line")
    frame = pd.DataFrame(body, columns=header, dtype=str)
    return match_holdings(universe, frame, path, unknown=unknown, lines=np.asarray(table.lines[1:]))


def holdings_of(universe: pd.DataFrame, face: np.ndarray) -> pd.DataFrame:
    """DataFrame[market, id, face] of the held bonds (the saved-portfolio and holdings-file shape)."""
    face = np.asarray(face, float)
    held = face > 0
    return pd.DataFrame(
        {"market": universe["market"].to_numpy()[held], "id": universe["id"].to_numpy()[held], "face": face[held]}
    )


TRADE_COLUMNS = ["market", "id", "name", "side", "face", "currency", "clean_price", "market_value_base",
                 "trade_date", "settle_date", "current_face", "target_face"]


def trade_list(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray,
               fx: Mapping[str, float], trade_date: date, min_trade_base: float = 0.0) -> pd.DataFrame:
    """Orders moving ``current_face`` to ``target_face`` (:data:`TRADE_COLUMNS`): face in local
    currency, ``market_value_base`` at the universe's dirty prices, each market's settlement date
    for ``trade_date``; trades worth less than ``min_trade_base`` (base ccy) are left out."""
    delta = np.asarray(target_face, float) - np.asarray(current_face, float)
    value = np.abs(market_values_base(universe, delta, fx))
    moved = (np.abs(delta) > 1e-9) & (value >= max(min_trade_base, 1e-9))
    sub = universe[moved]
    settle = {c: settlement_date(str(c), trade_date) for c in sub["market"].unique()}
    return pd.DataFrame({
        "market": sub["market"].to_numpy(),
        "id": sub["id"].to_numpy(),
        "name": sub["name"].to_numpy(),
        "side": np.where(delta[moved] > 0, "BUY", "SELL"),
        "face": np.abs(delta[moved]),
        "currency": sub["currency"].to_numpy(),
        "clean_price": sub["clean_price"].to_numpy(float),
        "market_value_base": value[moved],
        "trade_date": trade_date.isoformat(),
        "settle_date": [settle[c].isoformat() for c in sub["market"]],
        "current_face": np.asarray(current_face, float)[moved],
        "target_face": np.asarray(target_face, float)[moved],
    }, columns=TRADE_COLUMNS)


@dataclass(frozen=True)
class Orders:
    trades: pd.DataFrame  # TRADE_COLUMNS
    face: np.ndarray  # the book after the trades (target where traded, current where a trade was dropped)


def orders(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray, fx: Mapping[str, float],
           trade_date: date, min_trade_base: float) -> Orders:
    """The trades from ``current_face`` to ``target_face`` above ``min_trade_base`` and the book they
    leave (a dropped trade keeps the current holding)."""
    trades = trade_list(universe, current_face, target_face, fx, trade_date, min_trade_base)
    key = pd.MultiIndex.from_arrays([universe["market"], universe["id"]])
    traded = key.isin(pd.MultiIndex.from_frame(trades[["market", "id"]])) if len(trades) else np.zeros(len(key), bool)
    face = np.where(traded, np.asarray(target_face, float), np.asarray(current_face, float))
    return Orders(trades, face)


ALLOC_COLUMNS = ["market", "id", "name", "coupon_pct", "maturity", "rung", "weight", "face", "market_value_base",
                 "yield_pct", "hedged_yield_pct", "expected_return_pct", "mod_duration", "duration_contribution",
                 "dv01_base"]


def allocation_table(universe: pd.DataFrame, weights: np.ndarray, face: np.ndarray, expected_return_pct: np.ndarray,
                     hedged_yield_pct: np.ndarray, fx: Mapping[str, float],
                     include_zero: bool = False) -> pd.DataFrame:
    """ALLOC.csv rows (:data:`ALLOC_COLUMNS`): one per bond held, i.e. face > 0 after rounding (every
    bond of the universe with ``include_zero``).

    ``weight`` is the optimiser's weight; ``face`` the rounded order size; ``market_value_base`` and
    ``dv01_base`` (base ccy per bp) follow the rounded face; ``duration_contribution`` = weight · D;
    ``expected_return_pct`` is the bond's coefficient in the objective (% over the horizon).
    """
    w = np.asarray(weights, float)
    face = np.asarray(face, float)
    value = market_values_base(universe, face, fx)
    dirty = universe["dirty_price"].to_numpy(float)
    out = pd.DataFrame({
        "market": universe["market"].to_numpy(),
        "id": universe["id"].to_numpy(),
        "name": universe["name"].to_numpy(),
        "coupon_pct": universe["coupon_pct"].to_numpy(float),
        "maturity": pd.to_datetime(universe["maturity"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "rung": universe["rung"].to_numpy(int),
        "weight": w,
        "face": face,
        "market_value_base": value,
        "yield_pct": universe["yield_pct"].to_numpy(float),
        "hedged_yield_pct": np.asarray(hedged_yield_pct, float),
        "expected_return_pct": np.asarray(expected_return_pct, float),
        "mod_duration": universe["mod_duration"].to_numpy(float),
        "duration_contribution": w * universe["mod_duration"].to_numpy(float),
        "dv01_base": universe["dv01"].to_numpy(float) / dirty * value,
    }, columns=ALLOC_COLUMNS)
    return out if include_zero else out[out["face"] > 0].reset_index(drop=True)
