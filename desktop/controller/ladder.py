"""The ladder builder (:func:`build_ladder`, rule in the :mod:`desktop.controller` docstring) and
the holdings' cash flows (yearly ladder and payment schedule). Holdings ↔ face and trades are in
:mod:`desktop.controller.book`; value → face in :mod:`desktop.finance`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.analytics import cash_flows
from desktop.finance import face_from_values


@dataclass(frozen=True)
class LadderResult:
    face: np.ndarray  # local-currency face per universe row (0 = not held)
    chosen: pd.DataFrame  # market, rung, id, years_to_maturity, value_base
    gaps: list[str]  # "JP 35y" = no (real) JP bond on the 35-year rung: its money went to the other markets

    @property
    def message(self) -> str:
        n = len(self.chosen)
        text = f"Ladder: {n} bonds"
        if self.gaps:
            text += (f"; {len(self.gaps)} empty rung(s) with no real bond, their money put in the markets "
                     "that have one: " + ", ".join(self.gaps[:12]) + (" …" if len(self.gaps) > 12 else ""))
        return text


def build_ladder(
    universe: pd.DataFrame,
    markets: Iterable[str],
    rungs: Iterable[int],
    notional_base: float,
    fx: Mapping[str, float],
    *,
    allow_generic: bool = False,
) -> LadderResult:
    """One bond per rung per market, the notional split equally across the rungs and each rung's share
    equally across the markets that have a bond there.

    Bonds: those the optimiser may buy (:func:`desktop.universe.tradable`: real bonds, priced by a
    quote or inside their curve); with ``allow_generic`` curve-implied generics fill the rungs with no
    real bond. On a rung, a market's pick is its bond maturing nearest the rung's end. A market without
    a bond on a rung is listed in ``gaps`` and that rung's money goes to the markets that have one; a
    rung no market fills is listed for each market and left empty."""
    from desktop.universe import tradable

    markets = [m for m in markets if m in set(universe["market"])]
    rungs = sorted({int(r) for r in rungs})
    years = universe["years_to_maturity"].to_numpy(float)
    rung_of = universe["rung"].to_numpy(int)
    generic = universe["is_generic"].to_numpy(bool)
    usable = tradable(universe, allow_generic=allow_generic)
    real_first = tradable(universe)
    mkt = universe["market"].to_numpy()
    picks: list[tuple[str, int, int]] = []
    gaps: list[str] = []
    for code in markets:
        for r in rungs:
            ok = (mkt == code) & (rung_of == r) & usable
            if not ok.any():
                gaps.append(f"{code} {r}y")
                continue
            key = np.where(ok, np.abs(years - r) + (~real_first | generic) * 10.0, np.inf)
            picks.append((code, r, int(np.argmin(key))))
    value = np.zeros(len(universe))
    filled_rungs = sorted({r for _c, r, _p in picks})
    per_rung = notional_base / max(len(filled_rungs), 1)
    for r in filled_rungs:
        here = [p for p in picks if p[1] == r]
        for _code, _r, pos in here:
            value[pos] += per_rung / len(here)
    face = face_from_values(universe, value, fx)
    chosen = pd.DataFrame(
        [
            {
                "market": code,
                "rung": r,
                "id": universe["id"].iat[pos],
                "years_to_maturity": years[pos],
                "value_base": value[pos],
            }
            for code, r, pos in picks
        ],
        columns=["market", "rung", "id", "years_to_maturity", "value_base"],
    )
    return LadderResult(face=face, chosen=chosen, gaps=gaps)


def _held_flows(universe: pd.DataFrame, face: np.ndarray
                ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray] | None:
    """The held bonds' remaining flows (per 100 face): (held rows, flows, row of each flow in the
    held rows, local face held of each flow's bond); None when nothing is held."""
    face = np.asarray(face, float)
    held = np.flatnonzero(face > 0)
    if held.size == 0:
        return None
    sub = universe.iloc[held]
    flows = cash_flows(sub, sub["settle_date"])  # full rows: issue dates give first coupon periods
    pos = pd.Index(sub.index).get_indexer(flows["bond"])
    return sub, flows, pos, face[held][pos]


def cash_flow_ladder(universe: pd.DataFrame, face: np.ndarray, fx: Mapping[str, float] | None) -> pd.DataFrame:
    """Coupons + principal received per calendar year: year × currency (local amounts) or, with
    ``fx``, year × currency converted to base currency (stackable)."""
    held = _held_flows(universe, face)
    if held is None:
        return pd.DataFrame(dtype=float)
    sub, flows, pos, held_face = held
    amount = flows["amount"].to_numpy(float) * held_face / 100.0
    ccy = sub["currency"].to_numpy()[pos]
    if fx is not None:
        amount = amount * pd.Series(ccy).map(fx).to_numpy(float)
    table = pd.DataFrame({"year": flows["pay_date"].dt.year.to_numpy(), "ccy": ccy, "v": amount})
    return table.pivot_table(index="year", columns="ccy", values="v", aggfunc="sum", fill_value=0.0)


def cash_flow_schedule(universe: pd.DataFrame, face: np.ndarray, fx: Mapping[str, float]) -> pd.DataFrame:
    """Every coupon and principal payment of the holdings ``face`` (local face per bond): one row per
    bond and pay date, amounts in local currency and in base currency (``fx``: base per unit).
    Ex-dividend coupons a buyer settling today would not receive are left out."""
    columns = ["pay_date", "market", "id", "name", "currency", "face", "coupon", "principal", "amount",
               "amount_base"]
    held = _held_flows(universe, face)
    if held is None:
        return pd.DataFrame(columns=columns)
    sub, flows, pos, held_face = held
    scale = held_face / 100.0  # flows are per 100 face
    ccy = sub["currency"].to_numpy()[pos]
    amount = flows["amount"].to_numpy(float) * scale
    out = pd.DataFrame({
        "pay_date": flows["pay_date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "market": sub["market"].to_numpy()[pos],
        "id": sub["id"].to_numpy()[pos],
        "name": sub["name"].to_numpy()[pos],
        "currency": ccy,
        "face": held_face,
        "coupon": flows["coupon"].to_numpy(float) * scale,
        "principal": flows["principal"].to_numpy(float) * scale,
        "amount": amount,
        "amount_base": amount * pd.Series(ccy).map(fx).to_numpy(float),
    })
    return out.sort_values(["pay_date", "market", "id"], kind="stable").reset_index(drop=True)[columns]
