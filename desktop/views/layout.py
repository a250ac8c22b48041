"""Window layout for laptop screens: the default dock arrangement for the window's width and the
View menu (show/hide each dock, legends on/off, reset the layout).

Below :data:`COMPACT_WIDTH` px the What-if and Summary docks share one tabbed dock on the left
(:data:`COMPACT_DOCK_PX` wide), so the charts keep at least 60 % of a 1280 px window; wider
windows show both, What-if on the left and Summary on the right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

if TYPE_CHECKING:
    from desktop.views.main_window import MainWindow

COMPACT_WIDTH = 1500
COMPACT_DOCK_PX = 350
WIDE_DOCK_PX = (380, 400)  # What-if, Summary
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def docks(window: MainWindow) -> dict[str, QDockWidget]:
    """The window's docks by title, in creation order."""
    return {d.windowTitle(): d for d in window.findChildren(QDockWidget)}


def default_layout(window: MainWindow, width: int | None = None) -> str:
    """Arrange the docks for a window ``width`` px wide (default: its width); returns "compact" or "wide"."""
    width = width or window.width()
    found = docks(window)
    whatif, summary = found.get("What-if"), found.get("Summary")
    if whatif is None or summary is None:
        return ""
    for dock in found.values():
        dock.setFloating(False)
        dock.show()
    if width < COMPACT_WIDTH:
        window.addDockWidget(LEFT, whatif)
        window.addDockWidget(LEFT, summary)
        window.tabifyDockWidget(whatif, summary)
        whatif.raise_()
        window.resizeDocks([whatif], [COMPACT_DOCK_PX], Qt.Orientation.Horizontal)
        return "compact"
    window.addDockWidget(LEFT, whatif)
    window.addDockWidget(RIGHT, summary)
    window.resizeDocks([whatif, summary], list(WIDE_DOCK_PX), Qt.Orientation.Horizontal)
    return "wide"


def set_legends_visible(window: MainWindow, visible: bool) -> None:
    """Show or hide every chart legend (they never hide data when off)."""
    for plot in window.findChildren(pg.PlotWidget):
        legend = plot.getPlotItem().legend
        if legend is not None:
            legend.setVisible(visible and bool(legend.items))


def build_view_menu(window: MainWindow, menu: QMenu) -> dict[str, QAction]:
    """The View menu: one check item per dock (Ctrl+1, Ctrl+2, …), legends, reset layout."""
    actions: dict[str, QAction] = {}
    for i, (title, dock) in enumerate(docks(window).items(), start=1):
        dock.setFeatures(dock.features() | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # else hide is refused
        toggle = dock.toggleViewAction()
        toggle.setText(f"&{title} panel")
        if i <= 9:
            toggle.setShortcut(QKeySequence(f"Ctrl+{i}"))
        menu.addAction(toggle)
        actions[title] = toggle
    menu.addSeparator()
    legends = QAction("Chart &legends", window)
    legends.setCheckable(True)
    legends.setChecked(True)
    legends.toggled.connect(lambda on, w=window: set_legends_visible(w, on))
    menu.addAction(legends)
    actions["legends"] = legends
    reset = QAction("&Reset layout", window)
    reset.triggered.connect(lambda _checked=False, w=window: default_layout(w))
    menu.addAction(reset)
    actions["reset"] = reset
    return actions
