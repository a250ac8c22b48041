"""The book: holdings tables ↔ face amounts over the universe, trades between two books, and the
allocation table. One rule each, used by the window and every CLI command.

Holdings rule (:func:`face_from_holdings`), for a file, a saved portfolio or ALLOC.csv fed back:

* columns are matched case-insensitively (a UTF-8 BOM is ignored): ``id`` and ``face`` are needed,
  ``market`` is optional (``GB`` is read as ``UK``); without it an id must name one bond only;
* a line whose bond is not in the universe is refused, naming the file and line — or, with
  ``unknown="report"`` (a saved book re-read after the data changed), left out and listed;
* two lines of the same bond are refused (naming both lines): a duplicate is a mistake to fix,
  never silently summed;
* a face must be a finite number ≥ 0 and ≤ :data:`MAX_FACE` (local currency) and a whole number of
  the market's minimum denomination (US $100, JGB ¥50,000, ACGB A$1,000, gilts £0.01); 0 lines are
  kept as 0.

Trades (:func:`trade_list`) move one book to another as an executable ticket: BUY/SELL face in
whole denominations, the official id and ISIN, clean / accrued / dirty price, cash to the cent in
local and base currency, each market's settlement date on its bond-market calendar
(:func:`desktop.markets.settlement_date`); trades worth less than ``min_trade_base`` are dropped and
the current holding kept (:func:`orders`), so rounding noise never becomes a ticket; curve-implied
generic bonds never reach a ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.finance import market_values_base, min_denominations
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
    accounts: pd.DataFrame | None = None  # account, market, id, face per account (files with an account column)


def match_holdings(universe: pd.DataFrame, holdings: pd.DataFrame, source: str = "holdings", *,
                   unknown: str = "refuse", lines: np.ndarray | None = None, lots: bool = True) -> HoldingsMatch:
    """Face per universe bond from a holdings table (rule in the module docstring).

    ``lines`` are the file lines of the table's rows (default 2, 3, … for a CSV with one header line);
    ``lots=False`` skips the denomination rule (a table of weights matched the same way).
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
    den = np.ones(len(face_col))
    den[known] = min_denominations(universe["market"].to_numpy()[pos[known]])
    n_lots = face_col / den
    odd = known & (np.abs(n_lots - np.round(n_lots)) > 1e-6 * np.maximum(1.0, np.abs(n_lots)))
    if lots and odd.any():
        k = int(np.flatnonzero(odd)[0])
        raise DataError(f"face {_plain(table['face'].iloc[k])} of {label[k]} is not a whole number of its market's "
                        f"minimum denomination ({_plain(den[k])})", file=source, line=int(lines[k]), field="face",
                        expected="a multiple of the denomination (US 100, JP 50,000, AU 1,000, UK 0.01)")
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


def face_from_holdings(universe: pd.DataFrame, holdings: pd.DataFrame, source: str = "holdings", *,
                       lots: bool = True) -> np.ndarray:
    """:func:`match_holdings` with unknown bonds refused: the face array over ``universe``."""
    return match_holdings(universe, holdings, source, lots=lots).face


#: header words of a holdings file (matched case-insensitively, spaces/underscores/dashes ignored)
ID_COLUMNS = ("id", "isin", "cusip", "securityid", "security", "instrumentid", "identifier", "linecode", "bond")
FACE_COLUMNS = ("face", "quantity", "qty", "par", "nominal", "facevalue", "faceamount", "parvalue", "paramount",
                "nominalvalue", "nominalamount", "holding", "position", "units")
ACCOUNT_COLUMNS = ("account", "accountid", "accountnumber", "acct", "accountname", "portfolio", "fund")


def _key(name: str) -> str:
    return "".join(ch for ch in name.strip().lstrip("\ufeff").lower() if ch.isalnum())


def _read_delimited(path: str) -> tuple[list[str], list[list[str]], list[int], str]:
    """Header, rows and physical lines of a comma, semicolon or tab separated file (the delimiter is
    the one of the three the header line holds most of), read with the importers' limits."""
    import csv
    import io

    from desktop.importers.base import decode, read_bytes, unescape_cell

    text = decode(read_bytes(path), path).lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    rows, lines, end = [], [], 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in row):
                rows.append([unescape_cell(c.strip()) for c in row])  # '-0 (an exported -0) → -0
                lines.append(start)
    except csv.Error as exc:
        raise DataError(f"malformed file ({exc})", file=path, line=end + 1, expected="CSV / semicolon / tab text") from None
    if not rows:
        raise DataError("no rows in the file", file=path, line=1, expected="a header line and holdings lines")
    return rows[0], rows[1:], lines[1:], delim


def _face_text(cells: pd.Series, delim: str) -> pd.Series:
    """Face cells as plain numbers: thousands separators, spaces and underscores removed; in a
    semicolon file a decimal comma (``1.000.000,50``) is read as such."""
    text = cells.astype(str).str.strip().str.replace(r"[\s_'’]", "", regex=True)
    if delim == ";":
        euro = text.str.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+,\d+")
        text = text.where(~euro, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    return text.str.replace(",", "", regex=False)


def read_holdings_file(universe: pd.DataFrame, path: str, *, unknown: str = "refuse") -> HoldingsMatch:
    """A holdings file — ``market,id,face`` (ALLOC.csv works) or a custodian / broker layout — read
    with the importers' limits and matched by :func:`match_holdings` (the one rule):

    * comma, semicolon or tab separated; headers case-insensitive (``Nominal Value`` = ``nominal_value``);
    * the bond: ``id`` / ``isin`` / ``cusip`` / ``security id`` / ``line code`` … — an ISIN, a US CUSIP,
      an AOFM line code or the app's id (:func:`desktop.identifiers.aliases`); optional ``market``;
    * the amount: ``face`` / ``quantity`` / ``par`` / ``nominal`` … (local currency face);
    * optional ``currency`` (must be the bond's), ``price`` (ignored: prices come from quotes), ``account``.

    Refused, naming the line: unknown or matured ids (not in the universe), an id naming bonds in two
    markets, a face that is negative, not a number or above :data:`MAX_FACE`, a currency that is not
    the bond's, a bond listed twice in one account. Lines of one bond in several accounts are summed;
    ``accounts`` keeps each account's face."""
    from desktop.identifiers import aliases

    header, body, lines, delim = _read_delimited(path)
    if not body:
        raise DataError("no holdings in the file", file=path, line=2, expected="holdings lines under the header")
    keys = [_key(h) for h in header]
    width = len(header)
    for row, line in zip(body, lines, strict=True):
        if len(row) != width:
            raise DataError(f"{len(row)} fields where the header has {width}", file=path, line=line,
                            expected=f"{width} fields separated by {'tab' if delim == chr(9) else repr(delim)}")
    frame = pd.DataFrame(body, columns=range(width), dtype=str)

    def pick(names: tuple[str, ...]) -> int | None:
        return next((keys.index(n) for n in names if n in keys), None)

    id_col, face_col, acct_col = pick(ID_COLUMNS), pick(FACE_COLUMNS), pick(ACCOUNT_COLUMNS)
    for col, what, names in ((id_col, "the bond", ID_COLUMNS), (face_col, "the face amount", FACE_COLUMNS)):
        if col is None:
            raise DataError(f"no column names {what}", file=path, line=1, field=",".join(header)[:80],
                            expected="one of " + ", ".join(names[:6]) + " …")
    written = frame[id_col].str.strip()
    market = (frame[keys.index("market")].str.strip().str.upper().replace({"GB": "UK"}) if "market" in keys
              else pd.Series([""] * len(frame)))
    al = aliases(universe).merge(pd.DataFrame({"market": universe["market"].astype(str),
                                               "id": universe["id"].astype(str), "pos": np.arange(len(universe))}),
                                 on=["market", "id"])
    want = pd.DataFrame({"row": np.arange(len(frame)), "alias": written.str.upper(), "want": market})
    hits = want.merge(al, on="alias")
    hits = hits[(hits["want"] == "") | (hits["want"] == hits["market"])]
    n = hits.groupby("row")["pos"].nunique()
    if (n > 1).any():
        k = int(n[n > 1].index[0])
        raise DataError(f"id {written.iat[k]!r} names bonds in several markets", file=path, line=lines[k],
                        field="market", expected="a market column (US, JP, AU, UK) to tell them apart")
    pos = hits.drop_duplicates("row").set_index("row")["pos"].reindex(range(len(frame))).fillna(-1).to_numpy(int)
    known = pos >= 0
    table = pd.DataFrame({
        "market": np.where(known, universe["market"].to_numpy()[np.maximum(pos, 0)], market.to_numpy()),
        "id": np.where(known, universe["id"].to_numpy()[np.maximum(pos, 0)], written.to_numpy()),
        "face": _face_text(frame[face_col], delim).to_numpy(),
    })
    if "currency" in keys:
        ccy = frame[keys.index("currency")].str.strip().str.upper().to_numpy()
        bad = known & (ccy != "") & (ccy != universe["currency"].to_numpy()[np.maximum(pos, 0)])
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise DataError(f"currency {ccy[k]} is not the currency of {table['market'].iat[k]} {table['id'].iat[k]} "
                            f"({universe['currency'].iat[pos[k]]})", file=path, line=lines[k], field="currency",
                            expected="the bond's own currency")
    line_no = np.asarray(lines)
    if acct_col is None:
        return match_holdings(universe, table, path, unknown=unknown, lines=line_no)
    account = frame[acct_col].str.strip().to_numpy()
    total = np.zeros(len(universe))
    left: list[str] = []
    parts = []
    for name in pd.unique(account):
        mine = account == name
        m = match_holdings(universe, table[mine], path, unknown=unknown,
                           lines=line_no[mine])
        total += m.face
        left += list(m.unknown)
        held = np.flatnonzero(m.face > 0)
        parts.append(pd.DataFrame({"account": name, "market": universe["market"].to_numpy()[held],
                                   "id": universe["id"].to_numpy()[held], "face": m.face[held]}))
    accounts = pd.concat(parts, ignore_index=True) if parts else None
    return HoldingsMatch(total, tuple(left), accounts)


def holdings_of(universe: pd.DataFrame, face: np.ndarray) -> pd.DataFrame:
    """DataFrame[market, id, face] of the held bonds (the saved-portfolio and holdings-file shape)."""
    face = np.asarray(face, float)
    held = face > 0
    return pd.DataFrame(
        {"market": universe["market"].to_numpy()[held], "id": universe["id"].to_numpy()[held], "face": face[held]}
    )


TRADE_COLUMNS = ["trade_date", "settle_date", "side", "market", "id", "isin", "name", "currency", "face",
                 "clean_price", "accrued", "dirty_price", "cash_local", "cash_base"]


PRICE_DECIMALS = 6  # ticket prices per 100 face (as Tradeweb/FTSE publish them)


def ticket_faces(markets: np.ndarray, current_face: np.ndarray, target_face: np.ndarray) -> np.ndarray:
    """Signed trade faces (local): target − current rounded to whole multiples of each market's
    minimum denomination (UK: pennies, to the cent without float dust)."""
    from desktop.finance import min_denominations

    den = min_denominations(markets)
    units = np.round((np.asarray(target_face, float) - np.asarray(current_face, float)) / den)
    return np.round(units * den, 2)


def _moves(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray, fx: Mapping[str, float],
           min_trade_base: float, trade_date: date | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signed face per row rounded to denominations, mask of rows traded: ≥ one denomination, worth
    at least ``min_trade_base`` base ccy and not maturing by the trade's settlement; mask of rows that
    would trade but mature on or before their settlement date for ``trade_date``)."""
    delta = ticket_faces(universe["market"].to_numpy(), current_face, target_face)
    value = np.abs(market_values_base(universe, delta, fx))
    moved = (np.abs(delta) > 0) & (value >= max(min_trade_base, 1e-9))
    matured = np.zeros(len(universe), bool)
    if trade_date is not None and moved.any():
        codes = universe["market"].to_numpy()
        settle = {c: np.datetime64(settlement_date(str(c), trade_date), "ns") for c in np.unique(codes[moved])}
        when = np.array([settle.get(c, np.datetime64("NaT", "ns")) for c in codes], dtype="datetime64[ns]")
        matured = moved & (pd.to_datetime(universe["maturity"]).to_numpy("datetime64[ns]") <= when)
    return delta, moved & ~matured, matured


def accrued_at(rows: pd.DataFrame, settle: pd.Series) -> np.ndarray:
    """Accrued interest per 100 face of universe ``rows`` at ``settle`` (market convention, first
    coupon periods from the issue date, negative ex-dividend)."""
    from desktop.analytics import accrued

    if rows.empty:
        return np.zeros(0)
    cols = [c for c in ("market", "id", "coupon_pct", "maturity", "issue_date", "first_coupon") if c in rows]
    return accrued(rows[cols].reset_index(drop=True), settle.reset_index(drop=True))


def ticket_cash(face: np.ndarray, dirty: np.ndarray) -> np.ndarray:
    """Cash of each ticket line, local ccy: face × dirty / 100 rounded to the cent, half a cent away
    from zero, on the exact decimal product of the face (whole cents) and the price
    (:data:`PRICE_DECIMALS` decimals) — not on its binary float, which puts a tie (a JGB line every
    tenth time: ¥50,000 × a 6-decimal price / 100 has three decimals) on either side at random."""
    f = np.rint(np.asarray(face, float) * 100.0).astype(np.int64).tolist()  # cents
    p = np.rint(np.asarray(dirty, float) * 10.0**PRICE_DECIMALS).astype(np.int64).tolist()  # 1e-6 per 100 face
    scale = 10 ** (PRICE_DECIMALS + 2)  # face cents × price units / scale = cash cents
    cents = [(1 if a * b >= 0 else -1) * ((abs(a * b) + scale // 2) // scale) for a, b in zip(f, p, strict=True)]
    return np.asarray(cents, float) / 100.0


def ticket_prices(rows: pd.DataFrame, trade_date: date) -> pd.DataFrame:
    """What a ticket pays for universe ``rows`` traded on ``trade_date``, per 100 face to
    :data:`PRICE_DECIMALS` decimals: ``settle_date`` (the market's settlement date for the trade
    date, :func:`desktop.markets.settlement_date`), ``clean_price`` (the universe's: its quote, else
    the model), ``accrued`` at that settlement date (:func:`accrued_at`) and ``dirty_price`` = clean +
    accrued. Index = ``rows``' index. The one pricing rule of every ticket (:func:`trade_list`) and of
    sizing a purchase against cash (``desktop.controller.roll``)."""
    settle = {c: settlement_date(str(c), trade_date) for c in rows["market"].unique()}
    settle_col = pd.to_datetime(pd.Series([settle[c] for c in rows["market"]], index=rows.index, dtype=object))
    clean = np.round(rows["clean_price"].to_numpy(float), PRICE_DECIMALS)
    acc = np.round(accrued_at(rows, settle_col), PRICE_DECIMALS)  # the quote's clean; the settlement's accrued
    return pd.DataFrame({"settle_date": settle_col, "clean_price": clean, "accrued": acc,
                         "dirty_price": np.round(clean + acc, PRICE_DECIMALS)}, index=rows.index)


def trade_list(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray,
               fx: Mapping[str, float], trade_date: date, min_trade_base: float = 0.0, *,
               refuse_matured: bool = False) -> pd.DataFrame:
    """The ticket moving ``current_face`` to ``target_face`` (:data:`TRADE_COLUMNS`), one line per bond
    in universe order:

    * ``face`` = |target − current| in whole multiples of the market's minimum denomination
      (:func:`ticket_faces`); lines worth less than ``min_trade_base`` (base ccy) are left out;
    * ``id`` the official identifier (US CUSIP, AOFM line code, JGB series, gilt ISIN) and ``isin``
      where the data gives one (:mod:`desktop.identifiers`; never invented);
    * prices per 100 face to 6 decimals (:func:`ticket_prices`): the universe's clean price (its quote,
      else the model) and the accrued interest at the ticket's own settlement date; ``dirty_price`` =
      clean + accrued; ``cash_local`` = face × dirty / 100 to the cent (:func:`ticket_cash`: half a
      cent away from zero, on the exact decimal figures), ``cash_base`` =
      cash_local × FX to base (``fx``: base ccy per unit, :func:`desktop.finance.fx_to_base`) to the cent;
    * ``settle_date``: ``trade_date`` plus the market's settlement lag on its bond-market calendar;
      a bond maturing on or before its settlement date cannot be traded and is left out (see
      :func:`orders`, which lists it) — or, with ``refuse_matured`` (a ticket whose every line the
      book relies on: the liability match, the roll), refused with a DataError naming the bonds.

    Curve-implied generic bonds never reach a ticket: DataError naming them (see :func:`orders` for
    a book that may hold them)."""
    from desktop.identifiers import isins, official_id

    delta, moved, matured = _moves(universe, current_face, target_face, fx, min_trade_base, trade_date)
    if refuse_matured and matured.any():
        late = universe[matured]
        raise DataError(f"{len(late)} bond(s) to trade mature on or before the trade settles: "
                        + ", ".join(f"{m} {i} ({pd.Timestamp(d):%Y-%m-%d})" for m, i, d in
                                    list(zip(late["market"], late["id"], late["maturity"], strict=True))[:6]),
                        field="trade date",
                        expected=f"a trade date whose settlement is before these maturities (not {trade_date})")
    sub = universe[moved]
    generic = sub[sub["is_generic"].astype(bool)]
    if len(generic):
        raise DataError("curve-implied generic bonds cannot go on a ticket: " + ", ".join(generic["id"].astype(str)[:6])
                        + (f" and {len(generic) - 6} more" if len(generic) > 6 else ""), field="generic bonds",
                        expected="real bonds only (optimise without 'Include curve-implied bonds' / --allow-generic)")
    face = np.abs(delta[moved])
    px = ticket_prices(sub, trade_date)
    dirty = px["dirty_price"].to_numpy(float)
    cash_local = ticket_cash(face, dirty)
    rate = sub["currency"].map(fx).to_numpy(float)
    return pd.DataFrame({
        "trade_date": trade_date.isoformat(),
        "settle_date": px["settle_date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "side": np.where(delta[moved] > 0, "BUY", "SELL"),
        "market": sub["market"].to_numpy(),
        "id": [official_id(m, i, n) for m, i, n in zip(sub["market"], sub["id"], sub["name"], strict=True)],
        "isin": isins(sub),
        "name": sub["name"].to_numpy(),
        "currency": sub["currency"].to_numpy(),
        "face": face,
        "clean_price": px["clean_price"].to_numpy(float),
        "accrued": px["accrued"].to_numpy(float),
        "dirty_price": dirty,
        "cash_local": cash_local,
        "cash_base": np.round(cash_local * rate, 2),
    }, columns=TRADE_COLUMNS)


@dataclass(frozen=True)
class Orders:
    trades: pd.DataFrame  # TRADE_COLUMNS (real bonds only)
    face: np.ndarray  # the book after the trades (current + the rounded trade where traded, current elsewhere)
    generic: tuple[str, ...] = ()  # curve-implied bonds the target trades (left off the ticket: refused)
    matured: tuple[str, ...] = ()  # bonds the target trades that mature before the trade settles (left out)


def orders(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray, fx: Mapping[str, float],
           trade_date: date, min_trade_base: float) -> Orders:
    """The ticket from ``current_face`` to ``target_face`` above ``min_trade_base`` and the book it
    leaves (a dropped trade keeps the current holding). Trades in curve-implied generic bonds are
    listed in ``generic`` and kept out of ``trades`` (a ticket step refuses them); bonds maturing
    before the trade settles are listed in ``matured`` and not traded."""
    current = np.asarray(current_face, float)
    delta, moved, matured = _moves(universe, current, target_face, fx, min_trade_base, trade_date)
    generic = moved & universe["is_generic"].to_numpy(bool)
    real = moved & ~generic
    trades = trade_list(universe, current, np.where(real, target_face, current), fx, trade_date, min_trade_base)
    face = np.where(moved, np.round(current + delta, 2), current)
    ids = universe["id"].to_numpy().astype(str)
    return Orders(trades, face, tuple(ids[generic]), tuple(ids[matured]))


BOND_LIST_COLUMNS = ["market", "id", "isin", "name", "coupon_pct", "maturity", "issue_date", "is_generic",
                     "price_source", "price_date", "clean_price", "accrued", "dirty_price", "yield_pct",
                     "model_yield_pct", "spread_bp", "mod_duration", "stale", "extrapolated"]
HOLDINGS_COLUMNS = ["market", "id", "isin", "name", "face", "clean_price", "accrued", "dirty_price", "price_source",
                    "price_date", "market_value_local", "market_value_base"]


def _iso(col: pd.Series) -> np.ndarray:
    d = pd.to_datetime(col)
    return d.dt.strftime("%Y-%m-%d").where(d.notna(), "").to_numpy()


def bond_list(universe: pd.DataFrame) -> pd.DataFrame:
    """The universe as the app sees it (:data:`BOND_LIST_COLUMNS`; ``ladderdesk bonds``): prices per
    100 face from the quote or the model, ``price_source`` quote / model / extrapolated, spreads in bp
    (quoted yield − model yield), dates ISO."""
    from desktop.identifiers import isins

    out = universe.reindex(columns=BOND_LIST_COLUMNS).copy()
    out["isin"] = isins(universe)
    for col in ("maturity", "issue_date", "price_date"):
        out[col] = _iso(universe[col]) if col in universe else ""
    return out.reset_index(drop=True)


def valued_holdings(universe: pd.DataFrame, face: np.ndarray, fx: Mapping[str, float]) -> pd.DataFrame:
    """The book valued (:data:`HOLDINGS_COLUMNS`; ``ladderdesk holdings``): one line per bond held,
    market value (dirty) = face × dirty / 100 in local currency and × FX (``fx``: base per unit)."""
    from desktop.identifiers import isins

    face = np.asarray(face, float)
    held = face > 0
    sub = universe[held]
    local = face[held] * sub["dirty_price"].to_numpy(float) / 100.0
    return pd.DataFrame({
        "market": sub["market"].to_numpy(), "id": sub["id"].to_numpy(), "isin": isins(sub),
        "name": sub["name"].to_numpy(), "face": face[held], "clean_price": sub["clean_price"].to_numpy(float),
        "accrued": sub["accrued"].to_numpy(float), "dirty_price": sub["dirty_price"].to_numpy(float),
        "price_source": sub["price_source"].to_numpy(), "price_date": _iso(sub["price_date"]),
        "market_value_local": local, "market_value_base": market_values_base(sub, face[held], fx),
    }, columns=HOLDINGS_COLUMNS)


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


# -- prices (the window reaches the store through the controller) ------------------------------------
def import_price_file(workspace: object, path: str) -> dict:
    """Parse a price file (:mod:`desktop.importers.prices`) and store its quotes in ``workspace`` (a
    WorkspaceService or a store Workspace): the same as ``ladderdesk import prices FILE``."""
    from desktop.importers.prices import parse
    from desktop.store.prices import import_prices

    return import_prices(workspace, parse(path))


def type_quote(workspace: object, market: str, bond_id: str, *, price_date: object, clean_price: float | None = None,
               yield_pct: float | None = None) -> dict:
    """A clean price or yield typed by the PM (:func:`desktop.store.prices.put_quote`; no value = delete)."""
    from desktop.store.prices import put_quote

    return put_quote(workspace, market, bond_id, price_date=price_date, clean_price=clean_price, yield_pct=yield_pct)
