"""Reference: the allocation problem as compiled before the linear-compile change (desktop/optim/problem.py at commit dba9a4c),
kept verbatim so tests can check the new formulation against it (same objective, same constraints).

Every per-bond figure (``mu``, ``ub``, ``w0``, ``allowed``) is an N-sized ``cp.Parameter`` here, which
makes cvxpy's compile quadratic in N: use it on small universes only. :func:`solve_reference` builds it,
assigns the values ``Optimiser.parameter_values`` returns and solves it with Clarabel (presolve off, as
the optimiser does).
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pandas as pd
from scipy import sparse

from desktop.markets import MARKET_CODES, market
from desktop.optim.risk import FX_CURRENCIES, RiskModel, currency_matrix, rate_exposures

BIG = 1e3  # stands in for "no limit" (weights ≤ 1, durations ≤ 50 y, so 1e3 never binds)
SLACK_GROUPS = ("duration", "us_cap", "market_min", "market_max", "rung_tolerance", "max_weight",
                "turnover_max", "te_max")


def indicator(labels: np.ndarray, levels: list) -> sparse.csr_matrix:
    """Rows = levels, columns = bonds: 1 where the bond's label equals the level."""
    pos = pd.Index(levels).get_indexer(labels)
    keep = pos >= 0
    return sparse.csr_matrix((np.ones(keep.sum()), (pos[keep], np.flatnonzero(keep))),
                             shape=(len(levels), len(labels)))


def benchmark_weights(universe: pd.DataFrame, market_mix: dict[str, float]) -> np.ndarray:
    """Benchmark weights: each market's share spread equally over its real (non-generic) bonds
    (all its bonds if it has no real ones), renormalised over the markets present."""
    w = np.zeros(len(universe))
    codes = universe["market"].to_numpy()
    real = ~universe["is_generic"].to_numpy(bool)
    for code, share in market_mix.items():
        sel = (codes == code) & real
        if not sel.any():
            sel = codes == code
        if sel.any():
            w[sel] = share / sel.sum()
    return w / w.sum() if w.sum() > 0 else w


class LadderProblem:
    """One compiled cvxpy problem over a fixed universe (see module doc); set ``p`` values, solve."""

    def __init__(self, universe: pd.DataFrame, risk: RiskModel, benchmark: np.ndarray, *,
                 elastic: bool = False, turnover: bool = True) -> None:
        n = len(universe)
        self.n = n
        assert [market(c).currency for c in MARKET_CODES] == list(FX_CURRENCIES)  # m doubles as ccy mix
        self.elastic = elastic
        self.turnover = turnover
        self.D = universe["mod_duration"].to_numpy(float)
        codes = universe["market"].to_numpy()
        self.rung_levels = sorted(int(r) for r in np.unique(universe["rung"].to_numpy(int)))
        A = indicator(codes, list(MARKET_CODES))
        R = indicator(universe["rung"].to_numpy(int), self.rung_levels)
        k = len(self.rung_levels)
        B = rate_exposures(universe)
        C = currency_matrix(universe)
        self.B, self.C = B, C

        w = cp.Variable(n, nonneg=True, name="w")
        t = cp.Variable(n, nonneg=True, name="t") if turnover else None
        e = cp.Variable(B.shape[1], name="e")  # key-rate exposures Bᵀw (sparse rows: 4 per bond)
        y = cp.Variable(B.shape[1], name="y")
        m = cp.Variable(len(MARKET_CODES), name="m")  # market weights A w (= currency mix: one ccy each)
        d = cp.Variable(name="d")  # portfolio modified duration Dᵀw
        r = cp.Variable(k, name="r")  # rung weights R w
        y_fx = cp.Variable(len(FX_CURRENCIES), name="y_fx")
        self.w, self.t, self.e, self.y, self.m, self.d, self.r, self.y_fx = w, t, e, y, m, d, r, y_fx
        p = {
            "mu": cp.Parameter(n, name="mu"),
            "ub": cp.Parameter(n, nonneg=True, name="ub"),
            "w0": cp.Parameter(n, name="w0"),
            "d_lo": cp.Parameter(name="d_lo"),
            "d_hi": cp.Parameter(name="d_hi"),
            "us_cap": cp.Parameter(nonneg=True, name="us_cap"),
            "m_lo": cp.Parameter(len(MARKET_CODES), name="m_lo"),
            "m_hi": cp.Parameter(len(MARKET_CODES), name="m_hi"),
            "r_lo": cp.Parameter(k, name="r_lo"),
            "r_hi": cp.Parameter(k, name="r_hi"),
            "turnover_max": cp.Parameter(nonneg=True, name="turnover_max"),
            "turnover_cost": cp.Parameter(nonneg=True, name="turnover_cost"),
            "risk_weight": cp.Parameter(nonneg=True, name="risk_weight"),
            "fx_root": cp.Parameter((len(FX_CURRENCIES), len(FX_CURRENCIES)), name="fx_root"),
            "fx_base": cp.Parameter(len(FX_CURRENCIES), name="fx_base"),  # L_fxᵀ·onehot(base), folded
            "te_max": cp.Parameter(nonneg=True, name="te_max"),
        }
        self.p = p
        self.s: dict[str, cp.Variable] = {}
        if elastic:
            sizes: dict[str, tuple[int, ...]] = {
                "duration": (2,), "us_cap": (), "market_min": (4,), "market_max": (4,),
                "rung_tolerance": (2 * k,), "max_weight": (), "turnover_max": (), "te_max": ()}
            self.s = {g: cp.Variable(sizes[g], nonneg=True, name=f"slack_{g}") for g in SLACK_GROUPS}
            self.penalty = cp.Parameter(len(SLACK_GROUPS), nonneg=True, name="penalty")

        def slack(group: str, i: int | slice | None = None) -> cp.Expression | float:
            if not elastic:
                return 0.0
            return self.s[group] if i is None else self.s[group][i]

        us_duration = (self.D * (codes == "US")) @ w
        y_bench = risk.rate_root.T @ (B.T @ benchmark)
        fx_bench = C.T @ benchmark
        te_vec = cp.hstack([y - y_bench, p["fx_root"].T @ (m - fx_bench)])
        max_weight = w <= p["ub"]
        if elastic:
            p["allowed"] = cp.Parameter(n, nonneg=True, name="allowed")
            max_weight = w <= p["ub"] + p["allowed"] * self.s["max_weight"]
        self.cons: dict[str, cp.Constraint] = {
            "market_mix": m == A @ w,
            "duration_def": d == self.D @ w,
            "rung_mix": r == R @ w,
            "budget": cp.sum(m) == 1,
            "max_weight": max_weight,
            "duration_min": d >= p["d_lo"] - slack("duration", 0),
            "duration_max": d <= p["d_hi"] + slack("duration", 1),
            "us_cap": us_duration <= p["us_cap"] * d + slack("us_cap"),
            "market_min": m >= p["m_lo"] - slack("market_min"),
            "market_max": m <= p["m_hi"] + slack("market_max"),
            "rung_min": r >= p["r_lo"] - slack("rung_tolerance", slice(0, k)),
            "rung_max": r <= p["r_hi"] + slack("rung_tolerance", slice(k, 2 * k)),
            "exposures": e == B.T @ w,
            "factor_rates": y == risk.rate_root.T @ e,
            "factor_fx": y_fx == p["fx_root"].T @ m - p["fx_base"],
            "te_max": cp.norm(te_vec, 2) <= p["te_max"] + slack("te_max"),
        }
        turnover_cost: cp.Expression | float = 0.0
        if turnover:
            self.cons["turnover_up"] = t >= w - p["w0"]
            self.cons["turnover_down"] = t >= p["w0"] - w
            self.cons["turnover_max"] = cp.sum(t) <= p["turnover_max"] + slack("turnover_max")
            turnover_cost = p["turnover_cost"] * cp.sum(t)
        else:  # no current holdings: the turnover parameters are not part of this problem
            for name in ("w0", "turnover_max", "turnover_cost"):
                del p[name]
        if elastic:
            obj = cp.Minimize(self.penalty @ cp.hstack([cp.sum(self.s[g]) for g in SLACK_GROUPS]))
        else:
            variance = cp.sum_squares(y) + cp.sum_squares(y_fx)
            obj = cp.Maximize(p["mu"] @ w - p["risk_weight"] * variance - turnover_cost)
            self.variance = variance
        self.problem = cp.Problem(obj, list(self.cons.values()))


def solve_reference(universe: pd.DataFrame, risk: RiskModel, benchmark: np.ndarray, values: dict, *,
                    turnover: bool) -> LadderProblem:
    """Today's model built and solved for ``values`` (the old parameter names); returns the problem."""
    prob = LadderProblem(universe, risk, benchmark, turnover=turnover)
    for name, param in prob.p.items():
        param.value = values[name]
    prob.problem.solve(solver="CLARABEL", presolve_enable=False)
    return prob
