"""Bond identifiers: ISINs (ISO 6166 check digit), CUSIPs, AOFM line codes, and the aliases by which
a file may name a bond of the workspace.

* ISIN = 2-letter country + 9-character national code + 1 check digit. The check digit: letters
  become numbers (A = 10 … Z = 35), then the Luhn algorithm over the resulting digit string.
  A US Treasury's ISIN is ``"US" + CUSIP + check digit`` (e.g. CUSIP 037833100 → US0378331005).
* CUSIP = 8 characters + a check digit (modulus 10 "double-add-double").
* AOFM line codes (``TB142``) come from the bond's name ("… Treasury Bond (TB142)") or its id.
* A source's remark where it has no identifier ("(ISIN not found)", "n/a", "TBD", "-") is never an id
  (:func:`is_placeholder_id`); such a bond is given a readable id made of its market's ticker, coupon
  and maturity (:func:`derived_id`: ``ACGB 4.25 2036-03-21``), and no ISIN.

:func:`isin_of` never invents an ISIN: an id that is a valid ISIN, a US CUSIP turned into its ISIN,
otherwise ''. JGBs in the bundled data carry no ISIN, nor do AU bonds whose id is a line code.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_ISIN = re.compile(r"[A-Z]{2}[0-9A-Z]{9}[0-9]")
_CUSIP = re.compile(r"[0-9A-Z]{8}[0-9]")
_LINE = re.compile(r"\((TB\d{2,4})\)")
# A whole cell in brackets is a remark ("(ISIN not found)", "[none]"); these words alone, or the
# phrases anywhere, say that the identifier is missing; a cell of punctuation only says nothing.
_REMARK = re.compile(r"[(\[<{].*[)\]>}]")
_NO_ID_WORDS = {"NA", "N/A", "N.A.", "NONE", "NULL", "NAN", "NIL", "TBD", "TBA", "TBC", "UNKNOWN", "MISSING", "PENDING"}
_NO_ID_PHRASE = re.compile(r"NOT\s+(FOUND|KNOWN|AVAILABLE|ASSIGNED|YET)|NO\s+(ISIN|CUSIP|ID)\b|PLACEHOLDER", re.IGNORECASE)
#: Market tickers of the derived ids (the street's: ACGB, UKT, T, JGB).
TICKERS: dict[str, str] = {"AU": "ACGB", "UK": "UKT", "US": "T", "JP": "JGB"}


def _char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def isin_check_digit(body: str) -> int:
    """The ISIN check digit of the first 11 characters ``body`` (letters → 10..35, then Luhn)."""
    digits = "".join(str(_char_value(c)) for c in body.upper())
    total = 0
    for i, d in enumerate(reversed(digits)):
        v = int(d) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10


def is_isin(text: str) -> bool:
    ident = str(text).strip().upper()
    return bool(_ISIN.fullmatch(ident)) and isin_check_digit(ident[:11]) == int(ident[11])


def is_cusip(text: str) -> bool:
    ident = str(text).strip().upper()
    if not _CUSIP.fullmatch(ident):
        return False
    total = 0
    for i, c in enumerate(ident[:8]):
        v = _char_value(c) * (2 if i % 2 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10 == int(ident[8])


def isin_of(market: str, bond_id: str) -> str:
    """The bond's ISIN where the data gives one (module docstring); '' otherwise."""
    ident = str(bond_id).strip().upper()
    if is_isin(ident):
        return ident
    if market == "US" and is_cusip(ident):
        return f"US{ident}{isin_check_digit('US' + ident)}"
    return ""


def line_code_of(market: str, bond_id: str, name: str) -> str:
    """AOFM line code (``TB142``) of an AU bond from its id or name; '' elsewhere."""
    if market != "AU":
        return ""
    if re.fullmatch(r"TB\d{2,4}", str(bond_id).strip().upper()):
        return str(bond_id).strip().upper()
    m = _LINE.search(str(name))
    return m.group(1) if m else ""


def is_placeholder_id(text: object) -> bool:
    """True for text that stands where an identifier is missing: a remark in brackets ("(ISIN not
    found)"), "n/a", "TBD", "unknown", "not found" …, or punctuation only. Never a bond's id."""
    ident = str(text).strip()
    if not ident:
        return False  # empty is its own error ("required field is empty")
    return bool(
        _REMARK.fullmatch(ident)
        or ident.upper() in _NO_ID_WORDS
        or _NO_ID_PHRASE.search(ident)
        or not re.search(r"[0-9A-Za-z]", ident)
    )


def derived_id(market: str, coupon_pct: float, maturity: object) -> str:
    """A readable, honest id for a bond without an ISIN, CUSIP or line code: the market's ticker,
    the coupon (% a year) and the maturity, e.g. ``ACGB 4.25 2036-03-21`` (what a ticket can show;
    it claims no code the issuer did not publish)."""
    code = str(market).strip().upper()
    code = "UK" if code == "GB" else code
    ticker = TICKERS.get(code, code)
    return f"{ticker} {float(coupon_pct):g} {pd.Timestamp(maturity):%Y-%m-%d}"


def official_id(market: str, bond_id: str, name: str) -> str:
    """The identifier the market trades a bond by: CUSIP (US), AOFM line code (AU), JGB series (JP),
    ISIN (UK); the app's id where no other is known."""
    return line_code_of(market, bond_id, name) or str(bond_id)


def isins(frame: pd.DataFrame) -> np.ndarray:
    """ISIN per row of a frame with ``market`` and ``id`` (an ``isin`` column wins where filled)."""
    given = frame["isin"].fillna("").astype(str).to_numpy() if "isin" in frame else np.full(len(frame), "")
    out = [g if g else isin_of(m, i) for g, m, i in zip(given, frame["market"], frame["id"], strict=True)]
    return np.asarray(out, dtype=object)


def aliases(bonds: pd.DataFrame) -> pd.DataFrame:
    """Every name a file may use for each bond: DataFrame[market, alias (upper case), id] — the app's
    id, its ISIN, a US CUSIP, an AU line code. Aliases naming two bonds are kept twice (ambiguous)."""
    rows = []
    names = bonds["name"].fillna("").astype(str) if "name" in bonds else pd.Series([""] * len(bonds))
    for m, i, n in zip(bonds["market"].astype(str), bonds["id"].astype(str), names, strict=True):
        keys = {i.strip().upper(), isin_of(m, i), line_code_of(m, i, n)}
        if m == "US" and is_isin(i) and i.upper().startswith("US"):
            keys.add(i.upper()[2:11])  # the CUSIP inside a US ISIN
        rows += [(m, k, i) for k in keys if k]
    return pd.DataFrame(rows, columns=["market", "alias", "id"]).drop_duplicates()
