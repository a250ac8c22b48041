"""desktop.controller.liability_ticket: ISINs (check digits by the published algorithm, known ISINs)."""

from __future__ import annotations

from desktop.controller.liability_ticket import isin_of


def test_isin_check_digits():
    assert isin_of("US", "037833100") == "US0378331005"  # Apple Inc. (a published ISIN)
    assert isin_of("US", "594918104") == "US5949181045"  # Microsoft Corp. (a published ISIN)
    assert isin_of("UK", "GB00BL68HJ26") == "GB00BL68HJ26"
    assert isin_of("UK", "GB00BL68HJ27") == ""  # wrong check digit: not an ISIN
    assert isin_of("AU", "TB164") == "" and isin_of("JP", "JGB 10y #365") == ""
    assert isin_of("US", "91282CPB2") == ""  # wrong CUSIP check digit: no ISIN invented
