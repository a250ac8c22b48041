"""What-if controls: float sliders with spin boxes, hedging, base currency, presets."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from desktop.analytics import KEY_TENORS
from desktop.controller import WhatIf
from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.views.session import Session

KEY_RANGE_BP = 200.0

SCALE = 100  # slider ticks per unit (the QSlider is int; values travel as float)


class FloatSlider(QWidget):
    """A QSlider scaled ×100 bound to a QDoubleSpinBox; ``valueChanged(float)`` on user moves."""

    valueChanged = Signal(float)

    def __init__(self, lo: float, hi: float, step: float, suffix: str, decimals: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(lo * SCALE), round(hi * SCALE))
        self.slider.setSingleStep(max(1, round(step * SCALE)))
        self.slider.setPageStep(max(1, round(step * SCALE * 10)))
        self.spin = QDoubleSpinBox()
        self.spin.setRange(lo, hi)
        self.spin.setSingleStep(step)
        self.spin.setDecimals(decimals)
        self.spin.setSuffix(suffix)
        self.spin.setKeyboardTracking(False)
        self.spin.setMinimumWidth(84)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)

    def value(self) -> float:
        return float(self.spin.value())

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt naming
        """Set silently (model → widget sync); an unchanged value touches nothing (no repaint)."""
        if self.spin.value() == round(value, self.spin.decimals()) and self.slider.value() == round(value * SCALE):
            return
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.slider.setValue(round(value * SCALE))
            self.spin.setValue(value)

    def _from_slider(self, ticks: int) -> None:
        value = ticks / SCALE
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        self.valueChanged.emit(float(value))

    def _from_spin(self, value: float) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(round(value * SCALE))
        self.valueChanged.emit(float(value))


class _Bound:
    """Connects one FloatSlider to one WhatIf field (bound method, no lambda)."""

    def __init__(self, session: Session, name: str, widget: FloatSlider, scale: float) -> None:
        self.session, self.name, self.widget, self.scale = session, name, widget, scale
        widget.valueChanged.connect(self.on_value)

    def on_value(self, value: float) -> None:
        self.session.set_value(self.name, value / self.scale)

    def sync(self, whatif: WhatIf) -> None:
        if ":" in self.name:
            kind, code = self.name.split(":")
            value = getattr(whatif, f"{kind}_bp").get(code, 0.0)
        else:
            value = getattr(whatif, self.name)
        self.widget.setValue(float(value) * self.scale)


def with_key_view(whatif: WhatIf, code: str, tenor: float, bp: float) -> WhatIf:
    """``whatif`` with market ``code``'s key-rate view at ``tenor`` years set to ``bp``."""
    keys = {c: dict(v) for c, v in whatif.key_bp.items()}
    market = keys.setdefault(code, {})
    market[float(tenor)] = float(bp)
    if not any(market.values()):
        keys.pop(code)
    return replace(whatif, key_bp=keys)


def horizon_months(whatif: WhatIf, saved: object = None) -> int:
    """The preset's horizon (months): the views are bp by then (desktop.controller.horizon_months)."""
    from desktop.controller import horizon_months as of_preset

    return of_preset(whatif, saved)  # type: ignore[arg-type]


class KeyRateViews(QWidget):
    """Per market, the key-rate views at 2/5/10/30 y (bp, on top of parallel and 2s10s): the preset's
    views shown and editable; a change goes to the session like a slider move."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.spins: dict[tuple[str, float], QDoubleSpinBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        grid.addWidget(QLabel("bp at"), 0, 0)
        for j, tenor in enumerate(KEY_TENORS):
            head = QLabel(f"{tenor:g} y")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, j + 1)
        for i, code in enumerate(MARKET_CODES):
            grid.addWidget(QLabel(code), i + 1, 0)
            for j, tenor in enumerate(KEY_TENORS):
                spin = QDoubleSpinBox()
                spin.setRange(-KEY_RANGE_BP, KEY_RANGE_BP)
                spin.setDecimals(0)
                spin.setSingleStep(1.0)
                spin.setKeyboardTracking(False)
                spin.setAlignment(Qt.AlignmentFlag.AlignRight)
                spin.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
                spin.setMinimumWidth(44)
                spin.setObjectName(f"key_{code}_{tenor:g}")
                spin.setToolTip(f"{code} key-rate view at {tenor:g} y: bp of zero-rate change by the horizon "
                                "(added to parallel and 2s10s; linear between key tenors, flat beyond)")
                spin.valueChanged.connect(self._changed)
                grid.addWidget(spin, i + 1, j + 1)
                self.spins[(code, float(tenor))] = spin

    def _changed(self, _value: float) -> None:
        spin = self.sender()
        for (code, tenor), box in self.spins.items():
            if box is spin:
                self.session.set_whatif(with_key_view(self.session.whatif, code, tenor, float(box.value())))
                return

    def sync(self, whatif: WhatIf) -> None:
        for (code, tenor), spin in self.spins.items():
            value = float(whatif.key_bp.get(code, {}).get(tenor, 0.0))
            if spin.value() != value:
                with QSignalBlocker(spin):
                    spin.setValue(value)


class WhatIfPanel(QWidget):
    """The left dock: optimiser settings, curve shifts per market, hedging, base currency, preset."""

    def __init__(self, session: Session, presets: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bound: dict[str, _Bound] = {}
        opt = QGroupBox("Optimiser")
        form = QFormLayout(opt)
        self.preset = QComboBox()
        self.preset.addItems(presets)
        self.preset.setToolTip("Optimiser preset (sets the sliders)")
        form.addRow("Preset", self.preset)
        for name, label, lo, hi, step, suffix, scale in (
            ("target_duration", "Target duration", 0.5, 15.0, 0.1, " y", 1.0),
            ("us_cap", "US cap", 0.0, 100.0, 1.0, " %", 100.0),
            ("risk_aversion", "Risk aversion", 0.0, 20.0, 0.1, "", 1.0),
            ("turnover_limit", "Turnover limit", 0.0, 200.0, 1.0, " %", 100.0),  # 200 % = no limit
        ):
            w = FloatSlider(lo, hi, step, suffix)
            w.setObjectName(name)
            form.addRow(label, w)
            self.bound[name] = _Bound(session, name, w, scale)
        self.hedged = QCheckBox("FX-hedged returns")
        self.base = QComboBox()
        self.base.addItems(list(CURRENCIES))
        form.addRow(self.hedged)
        self.allow_generic = QCheckBox("Include curve-implied bonds")
        self.allow_generic.setToolTip("Let the optimiser buy generic bonds priced off the curve (and unquoted bonds "
                                      "beyond their curve's points): a what-if only, never on a ticket")
        form.addRow(self.allow_generic)
        form.addRow("Base currency", self.base)
        curves = QGroupBox("Curve views (bp on zero rates)")
        cform = QFormLayout(curves)
        self.horizon = QLabel()
        self.horizon.setWordWrap(True)
        self.horizon.setStyleSheet("color: #444444;")
        cform.addRow(self.horizon)
        for code in MARKET_CODES:
            for kind, label in (("parallel", "parallel"), ("slope", "2s10s")):
                w = FloatSlider(-100.0, 100.0, 1.0, " bp", decimals=0)
                w.setObjectName(f"{kind}_{code}")
                cform.addRow(f"{code} {label}", w)
                self.bound[f"{kind}:{code}"] = _Bound(session, f"{kind}:{code}", w, 1.0)
        self.key_views = KeyRateViews(session)
        key_note = QLabel("Key-rate views, added to the above (or drag a ● on the Curves tab):")
        key_note.setWordWrap(True)
        cform.addRow(key_note)
        cform.addRow(self.key_views)
        lay = QVBoxLayout(self)
        lay.addWidget(opt)
        lay.addWidget(curves)
        lay.addStretch(1)
        self.preset.currentTextChanged.connect(session.apply_preset)
        self.hedged.toggled.connect(self._on_hedged)
        self.allow_generic.toggled.connect(self._on_allow_generic)
        self.base.currentTextChanged.connect(self._on_base)
        session.whatIfChanged.connect(self.sync)
        self._built_in = list(presets)
        session.savedChanged.connect(self._saved_changed)
        self.sync(session.whatif)

    def _saved_changed(self) -> None:
        """The picker lists the built-in presets, then the user's saved ones (alphabetical)."""
        names = self._built_in + sorted(n for n in self.session.saved_presets if n not in self._built_in)
        if [self.preset.itemText(i) for i in range(self.preset.count())] == names:
            return
        with QSignalBlocker(self.preset):
            self.preset.clear()
            self.preset.addItems(names)
            if self.preset.findText(self.session.whatif.preset) >= 0:
                self.preset.setCurrentText(self.session.whatif.preset)

    def sliders(self) -> list[FloatSlider]:
        return [b.widget for b in self.bound.values()]

    def _on_hedged(self, checked: bool) -> None:
        self.session.set_value("hedged", bool(checked))

    def _on_allow_generic(self, checked: bool) -> None:
        self.session.set_value("allow_generic", bool(checked))

    def _on_base(self, ccy: str) -> None:
        self.session.set_value("base_ccy", ccy)

    def sync(self, whatif: WhatIf) -> None:
        for b in self.bound.values():
            b.sync(whatif)
        self.key_views.sync(whatif)
        if getattr(self, "_horizon_of", None) != whatif.preset:  # (a slider move keeps the preset: no lookup)
            self._horizon_of = whatif.preset
            months = horizon_months(whatif, self.session.saved_presets)
            text = (f"Views are bp of zero-rate change by the horizon, {months} months (the preset's); "
                    "the what-if reprices today's book by the full move.")
            if self.horizon.text() != text:
                self.horizon.setText(text)
        with QSignalBlocker(self.hedged), QSignalBlocker(self.base), QSignalBlocker(self.preset), \
                QSignalBlocker(self.allow_generic):
            self.hedged.setChecked(whatif.hedged)
            self.allow_generic.setChecked(bool(whatif.allow_generic))
            self.base.setCurrentText(whatif.base_ccy)
            if self.preset.findText(whatif.preset) >= 0:
                self.preset.setCurrentText(whatif.preset)
