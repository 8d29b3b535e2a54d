"""How fast read_extract reads a large orders workbook, against pandas.read_excel with openpyxl and calamine.

Generates bench/out/orders_100k.xlsx (100,000 rows x 14 columns, synthetic) with xlsxwriter the first
time, then prints wall-clock seconds for each reader. Target: read_extract within about 1.3x of
pandas + calamine, although it also validates every value and reports rejected rows.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders import read_extract

ROWS = 100_000
OUT = Path(__file__).resolve().parent / "out" / "orders_100k.xlsx"
HEADERS = [
    "Case Ref",
    "Order Date",
    "Order Type",
    "Requirements",
    "Team",
    "Allocated Worker",
    "First Contact",
    "Induction Date",
    "UPW Start",
    "LS/CMI Completed",
    "LS/CMI Version",
    "Risk Level",
    "CMP Completed",
    "Exclusion Reason",
]


def generate(path: Path, rows: int = ROWS, seed: int = 2020) -> None:
    """Synthetic orders: real Excel dates, text case refs with leading zeros, some blank milestones."""
    rng = np.random.default_rng(seed)
    start = date(2019, 4, 1)
    order_offsets = rng.integers(0, 730, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Orders")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADERS)
    order_types = ["CPO", "DTTO", "Licence", "Structured Deferred Sentence"]
    requirements = ["Supervision", "Unpaid Work", "Supervision; Unpaid Work", "Other Activity"]
    risks = ["Very Low", "Low", "Medium", "High", "Very High"]
    milestone_days = rng.integers(0, 40, (rows, 5))
    blanks = rng.random((rows, 5)) < 0.1
    for i in range(rows):
        order_date = start + timedelta(days=int(order_offsets[i]))
        row = i + 1
        sheet.write_string(row, 0, f"{i:06d}")
        sheet.write_datetime(row, 1, order_date, date_format)
        sheet.write_string(row, 2, order_types[i % 4])
        sheet.write_string(row, 3, requirements[i % 4])
        sheet.write_string(row, 4, f"Team {i % 7}")
        sheet.write_string(row, 5, f"Worker {i % 53}")
        for j, column in enumerate((6, 7, 8, 9, 12)):
            if not blanks[i, j]:
                sheet.write_datetime(
                    row, column, order_date + timedelta(days=int(milestone_days[i, j])), date_format
                )
        sheet.write_string(row, 10, "Full" if i % 3 else "Short")
        sheet.write_string(row, 11, risks[i % 5])
        if i % 50 == 0:
            sheet.write_string(row, 13, "Transferred in")
    workbook.close()


def timed(label: str, action) -> float:
    began = time.perf_counter()
    action()
    seconds = time.perf_counter() - began
    print(f"{label:<34} {seconds:6.2f} s")
    return seconds


def main() -> None:
    if not OUT.exists():
        print(f"generating {OUT} ...")
        generate(OUT)
    content = OUT.read_bytes()
    timed("pandas.read_excel (openpyxl)", lambda: pd.read_excel(OUT, engine="openpyxl"))
    calamine = min(
        timed("pandas.read_excel (calamine)", lambda: pd.read_excel(OUT, engine="calamine")) for _ in range(2)
    )
    ours = min(timed("read_extract", lambda: read_extract(OUT.name, content)) for _ in range(2))
    print(f"read_extract / pandas+calamine = {ours / calamine:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
