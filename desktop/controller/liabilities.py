"""The liability match workflow: the cheapest hedged ladder that funds what the PM owes, what it is
worth against single markets, and the matched book saved. Used by ``ladderdesk match`` and the
window's Liabilities panel. The needs themselves: :mod:`desktop.controller.needs`; the ticket: the
allocator's (:func:`desktop.controller.book.trade_list`); rolling a ladder: :mod:`desktop.controller.roll`.

:func:`match` runs :func:`desktop.optim.matching.match_liabilities` and, beside it, the same needs
funded by each single market alone (US Treasuries only, JGBs only, …): the market-mix limits (US
cap, market minima/maxima) cannot apply to one market and are dropped there; the per-bond maximum
is kept. ``saving_vs_us_base`` = US-only cost − the match's cost (base ccy): the value of the hedged
four-market ladder in one number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.controller.book import trade_list
from desktop.controller.needs import NEEDS_CARD_KEY, liabilities_card
from desktop.errors import DataError
from desktop.finance import fx_to_base, market_values_base
from desktop.identifiers import isins
from desktop.markets import MARKET_CODES, MARKETS
from desktop.optim.errors import Infeasible
from desktop.optim.match_settings import MatchSettings
from desktop.optim.matching import MatchResult, match_liabilities

#: ALLOC.csv of ``ladderdesk match`` (the allocator's ALLOC.csv is :data:`desktop.controller.book.ALLOC_COLUMNS`)
MATCH_ALLOC_COLUMNS = ["market", "id", "isin", "name", "face", "dirty_price", "cost_base", "currency", "coupon_pct",
                       "maturity", "clean_price", "accrued", "spot_fx", "cost_weight", "mod_duration", "lp_face",
                       "is_generic"]
__all__ = ["MatchSettings", "MatchResult", "LiabilityMatch", "match", "comparison_table", "single_market_settings",
           "match_card", "save_match", "check_save_name", "market_codes",
           "MATCH_ALLOC_COLUMNS"]  # MatchSettings re-exported: the window goes through the controller


@dataclass(frozen=True, eq=False)
class LiabilityMatch:
    """A funded schedule and what the PM compares it with (amounts base ccy).

    ``alloc`` (:data:`MATCH_ALLOC_COLUMNS`), ``flows`` (date, need, funded, surplus, one column per market,
    carried_in, marginal_cost), ``hedges``, ``rounding`` and ``top_ups`` as
    :class:`~desktop.optim.matching.MatchResult`; ``comparison``: funding, markets, cost_base,
    extra_vs_match_base, extra_vs_match_bp, bonds, note — the match first, then each single market;
    :meth:`trades`: the ticket (:data:`~desktop.controller.book.TRADE_COLUMNS`) from the current
    book to the match.
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
        """The ticket from the current book (nothing, without one) to the match: the allocator's
        :func:`~desktop.controller.book.trade_list` (official id and ISIN, accrued at each market's
        settlement date for ``trade_date``, default the match's), every trade kept (no minimum size:
        the needs rely on each); a bond maturing before its trade settles is refused (DataError)."""
        return trade_list(self.universe, self.current_face, self.result.face,
                          fx_to_base(self.fx_usd_per_unit, self.result.settings.base_ccy),
                          trade_date or self.trade_date, refuse_matured=True)

    @property
    def turnover_base(self) -> float:
        """Value bought + sold (base ccy, today's dirty prices at spot)."""
        delta = np.abs(self.result.face - self.current_face)
        fx = fx_to_base(self.fx_usd_per_unit, self.result.settings.base_ccy)
        return float(market_values_base(self.universe, delta, fx).sum())

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
    """The match's ALLOC (:data:`MATCH_ALLOC_COLUMNS`): the result's rows with each bond's ISIN
    (:func:`desktop.identifiers.isins` of its universe row; never invented)."""
    a = result.alloc.copy()
    key = pd.MultiIndex.from_frame(universe[["market", "id"]])
    a["isin"] = isins(universe.iloc[key.get_indexer(pd.MultiIndex.from_frame(a[["market", "id"]]))])
    return a[MATCH_ALLOC_COLUMNS]


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


def match_card(lm: LiabilityMatch) -> dict[str, Any]:
    """Run card of a matched book: data as-of, the liabilities, costs and binding limits."""
    r = lm.result
    return {"data_as_of": str(lm.as_of), "kind": "liability match",
            NEEDS_CARD_KEY: liabilities_card(lm.needs, r.settings),
            "cost_base": r.cost_base, "us_only_cost_base": lm.us_only_cost_base,
            "solver_status": r.status, "solve_time_s": round(r.solve_time_s, 4),
            "binding": [b.text for b in r.binding]}


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
