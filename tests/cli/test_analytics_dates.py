"""``ladderdesk analytics`` with per-row ``issue_date`` and ``settle_date`` columns, against Tradeweb.

The rows are Tradeweb/FTSE closes of the 3 3/4% Treasury Gilt 2027 (``Tradeweb_FTSE_ClosePrices_TS27``):
first issued 2024-01-11, each row at its own T+1 settlement date; Tradeweb's accrued and dirty price
(6 dp) are the reference.
"""

from __future__ import annotations

import pandas as pd
import pytest

from desktop.cli import main
from tests.support.paths import require_shared


@pytest.fixture
def ts27_csv(tmp_path):
    raw = pd.read_csv(require_shared("uk/Tradeweb_FTSE_ClosePrices_TS27.csv"), encoding="utf-8-sig", dtype=str)
    rows = raw.iloc[[0, 1, 30, 40, 69]]
    close = pd.to_datetime(rows["Close of Business Date"], format="%d/%m/%Y")
    from desktop.markets import settlement_date

    settle = [settlement_date("UK", d.date()).isoformat() for d in close]
    text = "market,id,coupon_pct,maturity,clean_price,issue_date,settle_date\n" + "".join(
        f"UK,TS27-{i},3.75,2027-03-07,{p},2024-01-11,{s}\n" for i, (p, s) in enumerate(zip(rows["Clean Price"], settle,
                                                                                           strict=True)))
    path = tmp_path / "ts27.csv"
    path.write_text(text)
    return path, rows


def test_per_row_settle_and_issue_dates_match_tradeweb(ts27_csv, tmp_path):
    path, rows = ts27_csv
    out = tmp_path / "out.csv"
    assert main(["analytics", "--bonds", str(path), "--out", str(out)]) == 0  # no --settle: every row has one
    got = pd.read_csv(out)
    assert got["settle_date"].tolist()[:2] == ["2024-01-12", "2024-01-15"]
    assert got["accrued"].to_numpy() == pytest.approx(rows["Accrued Interest"].astype(float).to_numpy(), abs=1e-6)
    assert got["dirty_price"].to_numpy() == pytest.approx(rows["Dirty Price"].astype(float).to_numpy(), abs=1e-6)
    assert got["yield_pct"].to_numpy() == pytest.approx(rows["Yield"].astype(float).to_numpy(), abs=1e-3 / 100)


def test_without_issue_date_accrued_is_the_regular_schedule(ts27_csv, tmp_path):
    path, _ = ts27_csv
    text = path.read_text().replace(",issue_date,", ",,").replace(",2024-01-11,", ",,")
    lines = [ln.replace(",,", ",", 1) for ln in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    assert main(["analytics", "--bonds", str(path), "--settle", "2024-01-12", "--out", str(out)]) == 0
    assert pd.read_csv(out)["accrued"].iloc[0] == pytest.approx(1.3083, abs=1e-4)  # the issue's wrong figure


def test_a_row_without_any_settlement_date_is_refused_naming_its_line(ts27_csv, tmp_path, capsys):
    path, _ = ts27_csv
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ","
    path.write_text("\n".join(lines) + "\n")
    assert main(["analytics", "--bonds", str(path), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "line 4" in err and "settle_date" in err and "ts27.csv" in err
    # with --settle the row falls back to it
    assert main(["analytics", "--bonds", str(path), "--settle", "2024-03-01", "--out", str(tmp_path / "o.csv")]) == 0
    assert pd.read_csv(tmp_path / "o.csv")["settle_date"].iloc[2] == "2024-03-01"
