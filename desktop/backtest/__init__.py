"""Walk-forward backtest of the optimiser presets and simple ladders (Qt-free).

``universe`` builds each month's curves and constant-maturity bonds from the month-end history;
``engine`` runs the monthly loop (rebalance at a month-end on data up to that month only, hold a
month, revalue on the next month-end's curves, add the FX hedge or spot move); ``report`` turns the
monthly returns into statistics. See :mod:`desktop.backtest.engine` for the method.
"""
