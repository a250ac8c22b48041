"""Liabilities: what the PM owes and when, the cheapest hedged ladder that funds it, and rolling a
ladder forward. Used by ``ladderdesk match`` / ``ladderdesk roll`` and the window's Liabilities panel.

Needs (:func:`read_needs`, :func:`parse_needs`): a table ``date,amount`` or ``year,amount`` in the
base currency; a year means its last business day in the base currency's bond-market calendar
(:func:`desktop.markets.busday_calendar`: USD → US, JPY → JP, AUD → AU, GBP → UK). One line per
date; amounts > 0. Bad lines raise :class:`DataError` naming file, line and field.

:func:`match` runs :func:`desktop.optim.matching.match_liabilities` and, beside it, the same needs
funded by each single market alone (US Treasuries only, JGBs only, …): the market-mix limits (US
cap, market minima/maxima) cannot apply to one market and are dropped there; the per-bond maximum
is kept. ``saving_vs_us_base`` = US-only cost − the match's cost: the value of the hedged
four-market ladder in one number.

Liabilities are kept with the portfolio: :func:`liabilities_card` is stored under the run card's
``"liabilities"`` key (the existing portfolio JSON, no schema change).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.markets import MARKET_CODES, MARKETS, busday_calendar, settlement_date
from desktop.optim.errors import Infeasible
from desktop.optim.matching import CURVE_OF_CURRENCY, MatchResult, MatchSettings, match_liabilities

MAX_NEED = 1e15  # base ccy: beyond a quadrillion, a typo
TICKET_COLUMNS = ["trade_date", "settle_date", "side", "market", "id", "isin", "name", "currency", "face",
                  "clean_price", "accrued", "dirty_price", "cash_local", "cash_base"]
ALLOC_COLUMNS = ["market", "id", "isin", "name", "face", "dirty_price", "cost_base", "currency", "coupon_pct",
                 "maturity", "clean_price", "accrued", "spot_fx", "cost_weight", "mod_duration", "lp_face",
                 "is_generic"]
NEEDS_CARD_KEY = "liabilities"
__all__ = ["MatchSettings", "MatchResult", "LiabilityMatch", "RollResult", "match", "roll_ladder", "read_needs",
           "parse_needs", "ticket", "isin_of", "liabilities_card", "liabilities_of_card", "save_liabilities",
           "save_match", "check_save_name", "year_end_business_day", "comparison_table", "single_market_settings",
           "market_codes", "needs_csv_frame", "match_card", "cash_flows_of", "limit_warnings", "roll_limits", "TICKET_COLUMNS", "ALLOC_COLUMNS",
           "NEEDS_CARD_KEY"]  # MatchSettings re-exported: the window goes through the controller


# -- needs -----------------------------------------------------------------------------------
def year_end_business_day(year: int, base_ccy: str) -> date:
    """Last business day of ``year`` in the bond-market calendar of ``base_ccy``'s market."""
    cal = busday_calendar(CURVE_OF_CURRENCY[base_ccy])
    return np.busday_offset(np.datetime64(f"{year}-12-31"), 0, roll="backward", busdaycal=cal).astype(date)


def _amount(text: str) -> float:
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    return float(cleaned)  # ValueError for junk


def parse_needs(header: Sequence[str], rows: Sequence[Sequence[str]], lines: Sequence[int], source: str,
                base_ccy: str = "USD", as_of: date | None = None) -> pd.DataFrame:
    """DataFrame[date (datetime64), amount (base ccy)] sorted by date, from ``date,amount`` or
    ``year,amount`` rows (module docstring); ``as_of``: needs must fall after it."""
    names = [str(h).strip().lstrip("\ufeff").strip().lower() for h in header]
    when = "date" if "date" in names else "year" if "year" in names else None
    if when is None or "amount" not in names:
        raise DataError("the header must name a date (or year) column and an amount column", file=source, line=1,
                        field=",".join(names) or "header", expected="date,amount or year,amount")
    iw, ia = names.index(when), names.index("amount")
    dates, amounts, seen = [], [], {}
    for row, line in zip(rows, lines, strict=True):
        if len(row) != len(names):
            raise DataError(f"{len(row)} fields where the header has {len(names)}", file=source, line=line,
                            expected=",".join(names))
        cell = str(row[iw]).strip()
        try:
            if when == "year":
                year = int(cell)
                if not 1900 <= year <= 2199:
                    raise ValueError(cell)
                d = year_end_business_day(year, base_ccy)
            else:
                d = date.fromisoformat(cell)
        except ValueError:
            raise DataError(f"{cell!r} is not a {when}", file=source, line=line, field=when,
                            expected="a year such as 2031" if when == "year" else "a date YYYY-MM-DD") from None
        if as_of is not None and d <= as_of:
            raise DataError(f"the need on {d} is not after the valuation date {as_of}", file=source, line=line,
                            field=when, expected=f"a date after {as_of}")
        try:
            a = _amount(str(row[ia]))
        except ValueError:
            a = float("nan")
        if not (np.isfinite(a) and 0 < a <= MAX_NEED):
            raise DataError(f"amount {str(row[ia]).strip()!r} is not a positive number", file=source, line=line,
                            field="amount", expected=f"an amount in {base_ccy} > 0 and ≤ {MAX_NEED:,.0f}")
        if d in seen:
            raise DataError(f"{d} is listed twice (lines {seen[d]}, {line})", file=source, line=line, field=when,
                            expected="one line per date (add the amounts up)")
        seen[d] = line
        dates.append(d)
        amounts.append(a)
    if not dates:
        raise DataError("no needs in the table", file=source, line=2, expected="date,amount lines")
    out = pd.DataFrame({"date": pd.to_datetime(dates), "amount": amounts})
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def read_needs(path: str, base_ccy: str = "USD", as_of: date | None = None) -> pd.DataFrame:
    """NEEDS.csv (``date,amount`` or ``year,amount``) read strictly (capped size, strict CSV)."""
    from desktop.importers.base import read_table

    table = read_table(path)
    if not table.rows:
        raise DataError("the file is empty", file=path, line=1, expected="date,amount or year,amount")
    return parse_needs(table.rows[0], table.rows[1:], table.lines[1:], path, base_ccy, as_of)


def needs_csv_frame(needs: pd.DataFrame) -> pd.DataFrame:
    """Needs as written back to a CSV: date (YYYY-MM-DD), amount."""
    return pd.DataFrame({"date": pd.to_datetime(needs["date"]).dt.strftime("%Y-%m-%d"),
                         "amount": needs["amount"].to_numpy(float)})


# -- identifiers -------------------------------------------------------------------------------
def _char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def _luhn_isin_digit(body: str) -> int:
    digits = "".join(str(_char_value(c)) for c in body)
    total = 0
    for i, d in enumerate(reversed(digits)):
        v = int(d) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10


def _cusip_ok(cusip: str) -> bool:
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9]", cusip):
        return False
    total = 0
    for i, c in enumerate(cusip[:8]):
        v = _char_value(c) * (2 if i % 2 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10 == int(cusip[8])


def isin_of(market: str, bond_id: str) -> str:
    """The bond's ISIN where the data gives one: an id that is a valid ISIN, or a US CUSIP turned
    into ``US`` + CUSIP + check digit; otherwise '' (never an invented one)."""
    ident = str(bond_id).strip().upper()
    if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{9}[0-9]", ident) and _luhn_isin_digit(ident[:11]) == int(ident[11]):
        return ident
    if market == "US" and _cusip_ok(ident):
        return f"US{ident}{_luhn_isin_digit('US' + ident)}"
    return ""


def _isins(universe: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    given = None
    if "isin" in universe.columns:
        given = universe.set_index(["market", "id"])["isin"]
    out = []
    for m, i in zip(rows["market"], rows["id"], strict=True):
        value = given.get((m, i), "") if given is not None else ""
        out.append(str(value) if isinstance(value, str) and value else isin_of(m, i))
    return out


# -- match -------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LiabilityMatch:
    """A funded schedule and what the PM compares it with (amounts base ccy).

    ``alloc`` (:data:`ALLOC_COLUMNS`), ``flows`` (date, need, funded, surplus, one column per market,
    carried_in, marginal_cost), ``hedges``, ``rounding`` and ``top_ups`` as
    :class:`~desktop.optim.matching.MatchResult`; ``comparison``: funding, markets, cost_base,
    extra_vs_match_base, extra_vs_match_bp, bonds, note — the match first, then each single market;
    :meth:`trades`: the ticket (:data:`TICKET_COLUMNS`) from the current book to the match.
    """

    result: MatchResult
    needs: pd.DataFrame
    alloc: pd.DataFrame
    comparison: pd.DataFrame
    as_of: date  # the data's (prices') date
    trade_date: date
    universe: pd.DataFrame
    current_face: np.ndarray
    fx_usd_per_unit: Mapping[str, float]

    def trades(self, trade_date: date | None = None) -> pd.DataFrame:
        """The ticket from the current book (nothing, without one) to the match (:func:`ticket`)."""
        return ticket(self.universe, self.current_face, self.result.face, self.fx_usd_per_unit,
                      self.result.settings.base_ccy, trade_date or self.trade_date)

    @property
    def turnover_base(self) -> float:
        """Value bought + sold (base ccy, today's dirty prices at spot)."""
        u = self.universe
        spot = u["currency"].map(lambda c: self.fx_usd_per_unit[c] / self.fx_usd_per_unit[self.result.settings.base_ccy])
        delta = np.abs(self.result.face - self.current_face)
        return float((delta * u["dirty_price"].to_numpy(float) / 100.0 * spot.to_numpy(float)).sum())

    @property
    def flows(self) -> pd.DataFrame:
        return self.result.flows

    @property
    def hedges(self) -> pd.DataFrame:
        return self.result.hedges

    @property
    def cost_base(self) -> float:
        return self.result.cost_base

    @property
    def us_only_cost_base(self) -> float:
        row = self.comparison[self.comparison["funding"] == "US only"]
        return float(row["cost_base"].iat[0]) if len(row) else float("nan")

    @property
    def saving_vs_us_base(self) -> float:
        return self.us_only_cost_base - self.cost_base

    def summary(self) -> dict[str, Any]:
        r, s = self.result, self.result.settings
        return {
            "as_of": str(self.as_of), "base_ccy": s.base_ccy, "markets": list(s.markets), "status": r.status,
            "solver": r.solver, "solve_time_ms": round(r.solve_time_s * 1e3, 2),
            "needs": int(len(self.needs)), "needs_total_base": float(self.needs["amount"].sum()),
            "cost_base": r.cost_base, "lp_cost_base": r.lp_cost_base,
            "rounding_cost_base": r.cost_base - r.lp_cost_base,
            "surplus_last_base": float(r.flows["surplus"].iat[-1]),
            "after_last_need_base": r.after_last_need_base, "bonds": int(len(self.alloc)),
            "us_only_cost_base": _num(self.us_only_cost_base), "saving_vs_us_base": _num(self.saving_vs_us_base),
            "saving_vs_us_bp": _num(self.saving_vs_us_base / r.cost_base * 1e4 if r.cost_base else float("nan")),
            "comparison": [{k: _num(v) for k, v in row.items()} for row in self.comparison.to_dict(orient="records")],
            "binding": [{"constraint": b.constraint, "shadow_bp": b.shadow_bp, "step": b.step, "text": b.text}
                        for b in r.binding],
            "top_ups": r.top_ups.to_dict(orient="records"), "hedges": int(len(r.hedges)),
            "turnover_base": self.turnover_base, "warnings": list(r.warnings), "settings": s.to_dict(),
        }


def _num(value: Any) -> Any:
    """NaN → None (JSON has no NaN); everything else unchanged."""
    return None if isinstance(value, float) and not np.isfinite(value) else value


def _alloc_table(universe: pd.DataFrame, result: MatchResult) -> pd.DataFrame:
    a = result.alloc.copy()
    a["isin"] = _isins(universe, a)
    return a[ALLOC_COLUMNS]


def ticket(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray,
           fx_usd_per_unit: Mapping[str, float], base_ccy: str, trade_date: date,
           prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Trade ticket (:data:`TICKET_COLUMNS`) moving ``current_face`` to ``target_face`` (local face per
    universe row) at the universe's prices (or ``prices``: clean_price, accrued, dirty_price per row);
    cash_local = face × dirty / 100 to the cent, cash_base at spot; settlement per market for
    ``trade_date``. Curve-implied generic bonds never reach a ticket (DataError naming them)."""
    delta = np.asarray(target_face, float) - np.asarray(current_face, float)
    moved = np.abs(delta) > 1e-9
    sub = universe[moved]
    generic = sub[sub["is_generic"].astype(bool)]
    if len(generic):
        raise DataError("curve-implied generic bonds cannot be traded: " + ", ".join(generic["id"].astype(str)[:5]),
                        field="--allow-generic", expected="real bonds only on a ticket (drop --allow-generic)")
    px = prices[moved] if prices is not None else sub
    face = np.abs(delta[moved])
    dirty = px["dirty_price"].to_numpy(float)
    cash_local = np.round(face * dirty / 100.0, 2)
    spot = sub["currency"].map(lambda c: fx_usd_per_unit[c] / fx_usd_per_unit[base_ccy]).to_numpy(float)
    settle = {c: settlement_date(str(c), trade_date) for c in sub["market"].unique()}
    out = pd.DataFrame({
        "trade_date": trade_date.isoformat(), "settle_date": [settle[c].isoformat() for c in sub["market"]],
        "side": np.where(delta[moved] > 0, "BUY", "SELL"), "market": sub["market"].to_numpy(),
        "id": sub["id"].to_numpy(), "isin": _isins(universe, sub), "name": sub["name"].to_numpy(),
        "currency": sub["currency"].to_numpy(), "face": face, "clean_price": px["clean_price"].to_numpy(float),
        "accrued": px["accrued"].to_numpy(float), "dirty_price": dirty, "cash_local": cash_local,
        "cash_base": np.round(cash_local * spot, 2),
    }, columns=TICKET_COLUMNS)
    return out.sort_values(["side", "market", "id"], kind="stable").reset_index(drop=True)


def single_market_settings(settings: MatchSettings, code: str) -> MatchSettings:
    """``settings`` for one market alone: market-mix limits dropped, per-bond maximum kept."""
    return replace(settings, markets=(code,), us_cap=1.0, market_min={}, market_max={})


def comparison_table(universe: pd.DataFrame, curves: Mapping[str, Any], fx_usd_per_unit: Mapping[str, float],
                     needs: pd.DataFrame, settings: MatchSettings, result: MatchResult) -> pd.DataFrame:
    """The match's cost beside each single market's (module docstring); infeasible → NaN + why."""
    rows = [{"funding": "match", "markets": "+".join(settings.markets), "cost_base": result.cost_base,
             "bonds": int((result.face > 0).sum()), "note": ""}]
    for code in MARKET_CODES:
        label = "US only" if code == "US" else f"{code} only"
        try:
            r = match_liabilities(universe, curves, fx_usd_per_unit, needs, single_market_settings(settings, code))
            rows.append({"funding": label, "markets": code, "cost_base": r.cost_base,
                         "bonds": int((r.face > 0).sum()), "note": "; ".join(r.warnings)})
        except Infeasible as exc:
            rows.append({"funding": label, "markets": code, "cost_base": float("nan"), "bonds": 0,
                         "note": f"infeasible: {exc}"})
    out = pd.DataFrame(rows)
    out["extra_vs_match_base"] = out["cost_base"] - result.cost_base
    out["extra_vs_match_bp"] = out["extra_vs_match_base"] / result.cost_base * 1e4
    return out[["funding", "markets", "cost_base", "extra_vs_match_base", "extra_vs_match_bp", "bonds", "note"]]


def match(snapshot: Any, needs: pd.DataFrame, settings: MatchSettings | None = None, *,
          universe: pd.DataFrame | None = None, current_face: np.ndarray | None = None,
          trade_date: date | None = None, compare: bool = True) -> LiabilityMatch:
    """Fund ``needs`` (DataFrame[date, amount], base ccy) from the snapshot's bonds (module docstring).

    ``current_face`` (local face per universe row): rebalance that book at minimum turnover instead
    of buying from cash; the ticket goes from it (from nothing without it). ``trade_date`` defaults
    to the snapshot's as-of (the date of its prices). Raises Infeasible with the smallest relaxation.
    """
    if universe is None:
        from desktop.universe import build_universe

        universe = build_universe(snapshot)
    s = (settings or MatchSettings()).validate()
    res = match_liabilities(universe, snapshot.curves, snapshot.fx_usd_per_unit, needs, s,
                            current_face=current_face)
    comparison = (comparison_table(universe, snapshot.curves, snapshot.fx_usd_per_unit, needs, s, res) if compare
                  else pd.DataFrame(columns=["funding", "markets", "cost_base", "extra_vs_match_base",
                                             "extra_vs_match_bp", "bonds", "note"]))
    current = np.zeros(len(universe)) if current_face is None else np.asarray(current_face, float)
    return LiabilityMatch(result=res, needs=needs.reset_index(drop=True), alloc=_alloc_table(universe, res),
                          comparison=comparison, as_of=snapshot.as_of, trade_date=trade_date or snapshot.as_of,
                          universe=universe, current_face=current, fx_usd_per_unit=dict(snapshot.fx_usd_per_unit))


# -- the workspace ---------------------------------------------------------------------------
def liabilities_card(needs: pd.DataFrame, settings: MatchSettings) -> dict[str, Any]:
    """What is stored with a portfolio (under the run card's ``"liabilities"`` key)."""
    return {"needs": needs_csv_frame(needs).to_dict(orient="records"), "settings": settings.to_dict()}


def liabilities_of_card(card: Mapping[str, Any], source: str = "portfolio") -> tuple[pd.DataFrame, MatchSettings] | None:
    """(needs, settings) kept with a portfolio, or None when it has none."""
    entry = card.get(NEEDS_CARD_KEY) if isinstance(card, Mapping) else None
    if not entry:
        return None
    try:
        rows = [(str(r["date"]), str(r["amount"])) for r in entry["needs"]]
        settings = MatchSettings.from_dict(entry.get("settings", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the stored liabilities are damaged ({exc})", file=source, field=NEEDS_CARD_KEY) from None
    needs = parse_needs(["date", "amount"], rows, list(range(2, len(rows) + 2)), source, settings.base_ccy)
    return needs, settings


def match_card(lm: LiabilityMatch) -> dict[str, Any]:
    """Run card of a matched book: data as-of, the liabilities, costs and binding limits."""
    r = lm.result
    return {"data_as_of": str(lm.as_of), "kind": "liability match",
            NEEDS_CARD_KEY: liabilities_card(lm.needs, r.settings),
            "cost_base": r.cost_base, "us_only_cost_base": lm.us_only_cost_base,
            "solver_status": r.status, "solve_time_s": round(r.solve_time_s, 4),
            "binding": [b.text for b in r.binding]}


def save_liabilities(ws: Any, portfolio: str, needs: pd.DataFrame, settings: MatchSettings) -> None:
    """Keep ``needs`` with saved portfolio ``portfolio`` (holdings untouched, one transaction)."""
    p = ws.load_portfolio(portfolio)
    card = dict(p.run_card)
    card[NEEDS_CARD_KEY] = liabilities_card(needs, settings)
    ws.save_portfolio(p.name, p.holdings, card)


def check_save_name(ws: Any, name: str, overwrite: bool) -> str:
    """``name`` if a portfolio may be saved under it (name rules; NameTaken without ``overwrite``)."""
    from desktop.controller.workspace import NameTaken, check_name

    name = check_name("portfolio", name)
    if not overwrite and name in set(ws.list_portfolios()["name"]):
        raise NameTaken("portfolio", name)
    return name


def save_match(ws: Any, name: str, lm: LiabilityMatch, universe: pd.DataFrame, *, overwrite: bool = False) -> None:
    """Save the matched book as portfolio ``name`` with its liabilities in the run card (the
    workspace's name rules; an existing name needs ``overwrite``)."""
    name = check_save_name(ws, name, overwrite)
    held = lm.result.face > 0
    holdings = pd.DataFrame({"id": universe["id"].to_numpy()[held], "market": universe["market"].to_numpy()[held],
                             "face": lm.result.face[held]})
    ws.save_portfolio(name, holdings, match_card(lm))


def market_codes(text: str) -> tuple[str, ...]:
    """'US,JP' → ('US', 'JP') (GB read as UK); DataError naming a wrong code."""
    codes = tuple(dict.fromkeys(c.strip().upper().replace("GB", "UK") for c in text.split(",") if c.strip()))
    bad = [c for c in codes if c not in MARKETS]
    if bad or not codes:
        raise DataError(f"unknown market {', '.join(bad) or text!r}", field="--markets",
                        expected="a comma-separated list of " + ", ".join(MARKET_CODES))
    return codes


# -- roll ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RollResult:
    """A ladder rolled to ``to_date``. ``trades``: the ticket (BUYs only, :data:`TICKET_COLUMNS`);
    ``face``: the book after the roll (local face per universe row); ``cash``: per market — currency,
    redeemed, coupons, reinvested, left (local ccy); ``rungs``: matured bond → bond bought (market,
    matured_id, matured, target, bought_id, bought_maturity); ``length_years`` the ladder's length."""

    trades: pd.DataFrame
    face: np.ndarray
    cash: pd.DataFrame
    rungs: pd.DataFrame
    length_years: int
    warnings: tuple[str, ...]


def roll_ladder(snapshot: Any, face: np.ndarray, to_date: date, *, universe: pd.DataFrame | None = None,
                base_ccy: str = "USD", limits: MatchSettings | None = None) -> RollResult:
    """Reinvest what the book ``face`` receives up to ``to_date`` at the far end of its ladder.

    Rule: the ladder's length ``L`` = last rung − first rung + 1 whole years (universe rungs). Each
    bond maturing on or before ``to_date`` is replaced, in its own market, by the real bond maturing
    nearest ``its maturity + L`` years, so the rung reappears at the far end and the ladder keeps its
    length and shape; a market's coupons received up to ``to_date`` go with its redemptions (pro rata),
    or, where nothing of that market matures, into the bond nearest one year beyond its longest
    holding. Minimum turnover: nothing is sold; only cash received is spent, face rounded down to the
    denomination (what is left stays as cash). Priced at the workspace's prices (the data's date); the
    ticket's trade date is ``to_date``. The rolled book is checked against ``limits`` (default: the
    allocator's defaults) and each breach is a warning (:func:`limit_warnings`).
    """
    if universe is None:
        from desktop.universe import build_universe

        universe = build_universe(snapshot)
    face = np.asarray(face, float)
    held = np.flatnonzero(face > 0)
    if held.size == 0:
        raise DataError("the portfolio holds nothing to roll", field="--portfolio", expected="a book with holdings")
    when = pd.Timestamp(to_date)
    maturity = pd.to_datetime(universe["maturity"])
    if when <= pd.Timestamp(snapshot.as_of):
        raise DataError(f"the roll date {to_date} is not after the data's date {snapshot.as_of}", field="--to",
                        expected=f"a date after {snapshot.as_of}")
    sub = universe.iloc[held]
    fl = cash_flows_of(sub)
    got = fl["pay_date"] <= when
    local = fl["amount"].to_numpy(float) / 100.0 * face[held][fl["bond_pos"].to_numpy()]
    rung = universe["rung"].to_numpy(int)[held]
    length = int(rung.max() - rung.min() + 1)
    matured = held[(maturity.iloc[held] <= when).to_numpy()]
    if matured.size == 0:
        raise DataError(f"nothing in the book matures by {to_date} (first maturity "
                        f"{maturity.iloc[held].min():%Y-%m-%d})", field="--to", expected="a later roll date")
    real = ~universe["is_generic"].to_numpy(bool) & (maturity > when).to_numpy()
    after = face.copy()
    after[matured] = 0.0
    buy = np.zeros(len(universe))
    cash_rows, rung_rows, warnings = [], [], []
    markets = universe["market"].to_numpy()
    for code in pd.unique(markets[held]):
        mine = held[markets[held] == code]
        principal_mask = got.to_numpy() & (fl["principal"].to_numpy() > 0) & (markets[held][fl["bond_pos"]] == code)
        coupon_mask = got.to_numpy() & (markets[held][fl["bond_pos"]] == code)
        redeemed = float((fl["principal"].to_numpy() / 100.0 * face[held][fl["bond_pos"].to_numpy()])[principal_mask]
                         .sum())
        coupons = float(local[coupon_mask].sum()) - redeemed
        done = [i for i in matured if markets[i] == code]
        targets = [(i, maturity.iat[i] + pd.DateOffset(years=length)) for i in done]
        weights = np.array([face[i] for i in done], float)
        if not targets:  # coupons only: one year beyond the market's longest holding
            targets = [(None, maturity.iloc[mine].max() + pd.DateOffset(years=1))]
            weights = np.array([1.0])
        spend = (redeemed + coupons) * weights / weights.sum()
        reinvested = 0.0
        den = MARKETS[code].min_denomination
        candidates = np.flatnonzero(real & (markets == code))
        for (src, target), amount in zip(targets, spend, strict=True):
            if candidates.size == 0:
                warnings.append(f"no real {code} bond to reinvest in: {amount:,.2f} kept as cash")
                continue
            gap = np.abs((maturity.iloc[candidates] - target).dt.days.to_numpy())
            pick = int(candidates[np.argmin(gap)])
            if maturity.iat[pick] <= maturity.iloc[mine].max():
                warnings.append(f"no {code} bond matures near {target:%Y-%m-%d}: reinvested in {universe['id'].iat[pick]} "
                                f"({maturity.iat[pick]:%Y-%m-%d}), inside the ladder")
            units = np.floor(amount / (universe["dirty_price"].iat[pick] / 100.0) / den + 1e-9)
            buy[pick] += units * den
            reinvested += units * den * universe["dirty_price"].iat[pick] / 100.0
            rung_rows.append({"market": code, "matured_id": universe["id"].iat[src] if src is not None else "",
                              "matured": f"{maturity.iat[src]:%Y-%m-%d}" if src is not None else "",
                              "target": f"{target:%Y-%m-%d}", "bought_id": universe["id"].iat[pick],
                              "bought_maturity": f"{maturity.iat[pick]:%Y-%m-%d}", "face": units * den})
        cash_rows.append({"market": code, "currency": MARKETS[code].currency, "redeemed": redeemed,
                          "coupons": coupons, "reinvested": reinvested, "left": redeemed + coupons - reinvested})
    trades = ticket(universe, np.zeros(len(universe)), buy, snapshot.fx_usd_per_unit, base_ccy, to_date)
    warnings += limit_warnings(universe, after + buy, snapshot.fx_usd_per_unit, limits or MatchSettings(base_ccy=base_ccy))
    if np.busday_count(snapshot.as_of, to_date) > 5:
        warnings.append(f"priced at the data's date {snapshot.as_of}: re-price the ticket on {to_date}")
    return RollResult(trades=trades, face=after + buy, cash=pd.DataFrame(cash_rows), rungs=pd.DataFrame(rung_rows),
                      length_years=length, warnings=tuple(warnings))


def roll_limits(card: Mapping[str, Any], base_ccy: str) -> MatchSettings:
    """The limits a saved portfolio was built under: its liabilities' match settings, else the
    optimiser run card's US cap, else the allocator's defaults."""
    kept = liabilities_of_card(card) if card.get(NEEDS_CARD_KEY) else None
    if kept is not None:
        return replace(kept[1], base_ccy=base_ccy)
    settings = card.get("settings") if isinstance(card.get("settings"), Mapping) else {}
    cap = settings.get("us_cap")
    ok = isinstance(cap, int | float) and not isinstance(cap, bool) and 0 <= cap <= 1
    return MatchSettings(base_ccy=base_ccy, us_cap=float(cap) if ok else MatchSettings().us_cap)


def limit_warnings(universe: pd.DataFrame, face: np.ndarray, fx_usd_per_unit: Mapping[str, float],
                   limits: MatchSettings) -> list[str]:
    """The book's breaches of the limits (US share of duration, market weights, per-bond maximum),
    at today's prices, in the PM's words (empty when within)."""
    spot = universe["currency"].map(lambda c: fx_usd_per_unit[c] / fx_usd_per_unit[limits.base_ccy]).to_numpy(float)
    value = np.asarray(face, float) * universe["dirty_price"].to_numpy(float) / 100.0 * spot
    total = value.sum()
    if total <= 0:
        return []
    out = []
    dur = value * universe["mod_duration"].to_numpy(float)
    us = float(dur[(universe["market"] == "US").to_numpy()].sum() / dur.sum()) if dur.sum() > 0 else 0.0
    if us > limits.us_cap + 1e-4:
        out.append(f"after the roll the US share of duration is {us:.1%} (limit {limits.us_cap:.0%})")
    by_market = pd.Series(value, index=universe["market"].to_numpy()).groupby(level=0).sum() / total
    for code, lo in limits.market_min.items():
        if by_market.get(code, 0.0) < lo - 1e-4:
            out.append(f"after the roll {code} is {by_market.get(code, 0.0):.1%} of the book (minimum {lo:.0%})")
    for code, hi in limits.market_max.items():
        if by_market.get(code, 0.0) > hi + 1e-4:
            out.append(f"after the roll {code} is {by_market.get(code, 0.0):.1%} of the book (maximum {hi:.0%})")
    w = value / total
    if w.max() > limits.max_weight + 1e-4:
        k = int(np.argmax(w))
        out.append(f"after the roll {universe['market'].iat[k]} {universe['id'].iat[k]} is {w[k]:.1%} of the book "
                   f"(limit {limits.max_weight:.0%} per bond)")
    return out


def cash_flows_of(rows: pd.DataFrame) -> pd.DataFrame:
    """:func:`desktop.analytics.cash_flows` of universe ``rows`` with ``bond_pos`` = position in ``rows``."""
    from desktop.analytics import cash_flows

    fl = cash_flows(rows[["market", "coupon_pct", "maturity"]].reset_index(drop=True),
                    rows["settle_date"].reset_index(drop=True))
    fl["bond_pos"] = fl["bond"].to_numpy(int)
    return fl
