"""CSV / XLSX exports of the risk and tactics pages (issue 13 item 10): what the page shows,
with a cell a spreadsheet would read as a formula neutralised."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def test_the_risk_export_neutralises_a_formula_in_a_name(client_for, lee, scored, ledger):
    squeezer = ledger["squeezer"]
    squeezer.name = "=SUM(1,2)"
    squeezer.save(update_fields=["name"])
    client = client_for(lee)
    text = client.get("/risk/export.csv").content.decode("utf-8-sig")
    assert "Probability of loss" in text.splitlines()[0]
    assert "'=SUM" in text and '"=SUM' not in text
    book = load_workbook(io.BytesIO(client.get("/risk/export.xlsx").content))
    names = [row[1].value for row in book.active.iter_rows(min_row=2)]
    assert "'=SUM(1,2)" in names and len(names) == 15
    assert client.get("/risk/export.pdf").status_code == 404
