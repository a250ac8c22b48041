"""pyqtgraph charts. Items are created once and updated with setData/setOpts on every change."""
