"""The optimiser: FX-hedged (or unhedged) allocation of a bond ladder across US/JP/AU/UK.

Import cost: this package imports nothing; ``settings``, ``presets`` and ``solution`` are light
(no cvxpy), ``solve`` imports cvxpy — import it in the worker, not at GUI start-up.

    from desktop.optim.inputs import OptimInputs
    from desktop.optim.settings import OptimSettings, CurveView
    from desktop.optim.solve import Optimiser

    opt = Optimiser(OptimInputs.from_snapshot(snapshot))       # compile once per universe
    sol = opt.solve(OptimSettings(us_cap=0.3), current_weights=w0)   # then only parameter values

Modules: ``settings`` (OptimSettings, CurveView), ``inputs`` (OptimInputs), ``returns`` (expected
return per bond), ``risk`` (factor model), ``problem`` (the compiled cvxpy problem), ``solve``
(Optimiser, status checks, fallback), ``direct`` (the re-solve straight into Clarabel), ``solution``
(Solution, Figures, Binding), ``explain`` (shadow prices, infeasibility diagnosis), ``presets``,
the liability match (``match_settings``, ``match_lp`` the LP, ``match_rounding``,
``match_diagnosis``, ``matching`` the whole match), ``errors``.
Trade-off sweeps, face amounts, trades and the ALLOC table are the application layer's
(:mod:`desktop.controller`); the money formulas are :mod:`desktop.finance`; the command line is
:mod:`desktop.cli.optimize`.
"""
