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
    gaps: list[str]  # "JP 35y" = no JP bond on the 35-year rung

    @property
    def message(self) -> str:
        n = len(self.chosen)
        text = f"Ladder: {n} bonds"
        if self.gaps:
            text += f"; {len(self.gaps)} empty rung(s): " + ", ".join(self.gaps)
        return text


def build_ladder(
    universe: pd.DataFrame,
    markets: Iterable[str],
    rungs: Iterable[int],
    notional_base: float,
    fx: Mapping[str, float],
) -> LadderResult:
    """One bond per rung per market (rule in the :mod:`desktop.controller` docstring), equal split
    of ``notional_base``."""
    markets = [m for m in markets if m in set(universe["market"])]
    rungs = sorted({int(r) for r in rungs})
    years = universe["years_to_maturity"].to_numpy(float)
    rung_of = universe["rung"].to_numpy(int)
    generic = universe["is_generic"].to_numpy(bool)
    mkt = universe["market"].to_numpy()
    picks: list[tuple[str, int, int]] = []
    gaps: list[str] = []
    for code in markets:
        for r in rungs:
            dist = np.abs(years - r)
            ok = (mkt == code) & (rung_of == r)
            if not ok.any():
                gaps.append(f"{code} {r}y")
                continue
            key = np.where(ok, dist + generic * 10.0, np.inf)
            picks.append((code, r, int(np.argmin(key))))
    value = np.zeros(len(universe))
    filled = {code: sum(1 for p in picks if p[0] == code) for code in markets}
    per_market = notional_base / max(sum(1 for c in markets if filled[c]), 1)
    for code, _r, pos in picks:
        value[pos] += per_market / filled[code]
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
        ]
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
