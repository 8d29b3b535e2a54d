"""Write benchmark input files into bench/out/ (git-ignored) from the synthetic demo data.

    python bench/make_data.py [--out DIR] [--orders-rows 100000] [--reviews-rows 1000000] [--seed 2020]

The files look like real case management extracts, so a benchmark exercises the same paths as an
upload: the orders workbook has a title and a "report run on" row above the header, SPEC synonyms
rather than canonical names as headers, and real Excel dates; the reviews CSV has dd/mm/yyyy text
dates and Yes/No answers. Only demo data ("DEMO-" case references) is ever written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from loaders.demo import ORDERS_PER_YEAR, demo_frames  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
EXTRACT_DATE = date(2021, 3, 31)
# Reviews need orders old enough to have had several: a six-year history gives about 2.5 per order.
REVIEWS_HISTORY_START = date(2015, 4, 1)

ORDER_HEADERS = {
    "case_ref": "Case Reference",
    "order_date": "Date of Order",
    "order_type": "Order Type",
    "requirements": "Requirement Types",
    "team": "Team Name",
    "worker": "Allocated Worker",
    "first_contact": "First Contact Date",
    "induction": "Induction Date",
    "upw_start": "Unpaid Work Start",
    "lscmi_completed": "LS/CMI Completed (dd/mm/yyyy)",
    "lscmi_version": "LS/CMI Version",
    "risk_level": "LS/CMI Risk Level",
    "cmp_completed": "Case Management Plan Completed",
    "exclusion_reason": "Exclusion Reason",
}
REVIEW_HEADERS = {
    "case_ref": "Case Ref",
    "review_due": "Review Due Date",
    "order_date": "Order Date",
    "review_number": "Review No",
    "order_type": "Order Type",
    "team": "Team",
    "worker": "Responsible Officer",
    "review_held": "Actual Review Date",
    "participated": "Service User Participated",
    "needs_tool": "CJ Needs Review",
    "recorded": "Date Recorded",
    "exclusion_reason": "Exclusion Reason",
}
EXCEL_EPOCH = np.datetime64("1899-12-30")


def demo_orders(rows: int, seed: int = 2020) -> pd.DataFrame:
    """The first `rows` demo orders over the default two financial years."""
    scale = rows / (2 * ORDERS_PER_YEAR) * 1.02
    orders = demo_frames(seed=seed, end=EXTRACT_DATE, scale=scale)["orders"]
    return orders.head(rows)


def demo_reviews(rows: int, seed: int = 2020) -> pd.DataFrame:
    """The first `rows` demo reviews from a six-year history (scaled up until there are enough)."""
    years = (EXTRACT_DATE - REVIEWS_HISTORY_START).days / 365.25
    scale = rows / (2.5 * ORDERS_PER_YEAR * years)
    while True:
        reviews = demo_frames(seed=seed, start=REVIEWS_HISTORY_START, end=EXTRACT_DATE, scale=scale)[
            "reviews"
        ]
        if len(reviews) >= rows:
            return reviews.head(rows)
        scale *= 1.25 * rows / max(len(reviews), 1)


def _excel_serials(dates: pd.Series) -> np.ndarray:
    """Dates as Excel serial day numbers (what a real Excel date cell stores); None where blank."""
    days = (dates.to_numpy("datetime64[D]") - EXCEL_EPOCH).astype("timedelta64[D]").astype(float)
    return np.where(dates.isna().to_numpy(), None, days).astype(object)


def write_orders_xlsx(path: Path, rows: int = 100_000, seed: int = 2020) -> Path:
    """An orders workbook like a real extract: title rows, then a synonym header, then `rows` rows."""
    orders = demo_orders(rows, seed)
    columns = []
    for name in orders.columns:
        if pd.api.types.is_datetime64_any_dtype(orders[name]):
            columns.append(_excel_serials(orders[name]))
        else:
            columns.append(orders[name].to_numpy(dtype=object))
    cells = np.column_stack(columns)

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("LSCMI Timescales")
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for position, name in enumerate(orders.columns):
        is_date = pd.api.types.is_datetime64_any_dtype(orders[name])
        sheet.set_column(position, position, 14 if is_date else 22, date_format if is_date else None)
    sheet.write(0, 0, "Order milestones - LS/CMI completion timescales (DEMO synthetic data)", bold)
    sheet.write(1, 0, f"Report run on {EXTRACT_DATE:%d/%m/%Y}")
    header_row = 3  # row 3 (Excel row 4), after a blank row, as real extracts do
    sheet.write_row(header_row, 0, [ORDER_HEADERS[name] for name in orders.columns], bold)
    # constant_memory mode streams rows to disk, so they must be written one after another, in order.
    for offset, values in enumerate(cells.tolist(), start=header_row + 1):
        sheet.write_row(offset, 0, values)
    workbook.close()
    return path


def write_reviews_csv(path: Path, rows: int = 1_000_000, seed: int = 2020) -> Path:
    """A reviews CSV with synonym headers, dd/mm/yyyy dates and Yes/No answers."""
    reviews = demo_reviews(rows, seed)
    for name in ("participated", "needs_tool"):
        reviews[name] = reviews[name].map({True: "Yes", False: "No"}, na_action="ignore")
    path.parent.mkdir(parents=True, exist_ok=True)
    reviews.rename(columns=REVIEW_HEADERS).to_csv(path, index=False, date_format="%d/%m/%Y")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the files (default bench/out)")
    parser.add_argument("--orders-rows", type=int, default=100_000)
    parser.add_argument("--reviews-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2020)
    arguments = parser.parse_args(argv)
    orders = write_orders_xlsx(arguments.out / "orders.xlsx", arguments.orders_rows, arguments.seed)
    print(f"wrote {orders} ({arguments.orders_rows:,} orders)")
    reviews = write_reviews_csv(arguments.out / "reviews.csv", arguments.reviews_rows, arguments.seed)
    print(f"wrote {reviews} ({arguments.reviews_rows:,} reviews)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
