"""Rounding a match to whole denominations: the LP's faces
(:class:`desktop.optim.match_lp.MatchProblem`) are rounded to each market's minimum denomination
(nearest multiple: US $100, JGB ¥50,000, ACGB A$1,000, gilts £0.01; in a rebalance the trades are
rounded, not the book); a need left short by rounding is topped up by the cheapest extra face (one
bond, the smallest multiple of its denomination that closes the gap; a held bond wins a tie), need by
need in date order, so no need is ever short.

:func:`coverage` is the sequential funding rule of the LP (base ccy, each need's flows plus the
surplus carried from the need before) applied to given faces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop.optim.match_lp import MatchProblem

SHORT_TOL = 1e-6  # base ccy: a need funded to within a millionth of a unit counts as met


def coverage(A: np.ndarray, carry: np.ndarray, need: np.ndarray, face: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sequential funding of each need by ``face``: (received, carried_in, funded, surplus) per need."""
    received = A @ face
    kk = len(need)
    carried_in, funded, surplus = np.zeros(kk), np.zeros(kk), np.zeros(kk)
    prev = 0.0
    for k in range(kk):
        carried_in[k] = prev * (carry[k - 1] if k else 0.0)
        funded[k] = carried_in[k] + received[k]
        surplus[k] = funded[k] - need[k]
        prev = max(surplus[k], 0.0)
    return received, carried_in, funded, surplus


def round_and_top_up(mp: MatchProblem, face: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Round candidate faces to the nearest denomination, then close any need left short with the
    cheapest extra face (module docstring). Returns the faces and the top-up lines."""
    start = np.zeros_like(face) if mp.current is None else mp.current  # trades are whole denominations
    rounded = np.maximum(start + np.round((face - start) / mp.den) * mp.den, 0.0)
    rows = []
    growth = np.concatenate([[1.0], mp.carry])
    for _ in range(len(mp.need) * 4):
        *_, surplus = coverage(mp.A, mp.carry, mp.need, rounded)
        short = np.flatnonzero(surplus < -SHORT_TOL)
        if not short.size:
            break
        k = int(short[0])
        # what 1 face of each bond adds to the surplus at need k (its flows to d_k, carried)
        reach = np.zeros(len(rounded))
        for j in range(k + 1):
            reach += mp.A[j] * np.prod(growth[j + 1:k + 1])
        ok = reach > 0
        extra = np.where(ok, np.ceil(-surplus[k] / np.where(ok, reach, 1.0) / mp.den) * mp.den, np.inf)
        cost = extra * mp.cost_per_face + (rounded == 0) * 1e-9  # a held bond wins a tie
        pick = int(np.argmin(cost))
        rounded[pick] += extra[pick]
        rows.append({"market": mp.market[pick], "id": mp.universe["id"].iat[mp.rows[pick]],
                     "need_date": str(mp.dates[k]), "extra_face": extra[pick],
                     "extra_cost_base": extra[pick] * mp.cost_per_face[pick]})
    rounded = np.round(rounded, 2)  # whole denominations (the smallest is £0.01) without float dust
    return rounded, pd.DataFrame(rows, columns=["market", "id", "need_date", "extra_face", "extra_cost_base"])
