"""Data quality: the records that weaken the figures, listed so they can be put right at source.

SPEC 3.2 sends invalid records ("to" date before "from" date) here. Beside them: exclusions by reason,
the rows live uploads rejected, and blanks that shape the figures (orders with no team, worker or
requirements; reviews past due with nothing held). The sidebar filters apply wherever a record has
the thing filtered on; rejected rows were never stored as records, so they are always shown in full.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import exports
import store
from measures import MEASURES
from pages.ui import common, state

common.require_dashboard_frame()

MEASURE_TITLES: dict[str, str] = {measure.id: measure.title for measure in MEASURES}
# review_on_time has no invalid status: a review held before its due date is simply met (SPEC 3.2).
CAN_BE_INVALID: tuple[str, ...] = tuple(
    measure.id for measure in MEASURES if measure.kind == "timescale" and measure.id != "review_on_time"
)
INVALID_COLUMNS: dict[str, str] = {
    "case_ref": "Case ref",
    "measure": "Measure",
    "team": "Team",
    "worker": "Worker",
    "from_date": "From date",
    "to_date": "To date",
    "due_date": "Due date",
}
REJECT_COLUMNS: dict[str, str] = {
    "upload_id": "Upload",
    "file": "File",
    "sheet": "Sheet",
    "row": "Row",
    "column": "Column",
    "reason": "Reason",
}
# The date that places a dataset's record in the sidebar's quarter range (as on the Export page).
GAP_CASE_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "case_ref": "Case ref",
        "order_date": "Order date",
        "order_type": "Order type",
        "requirements": "Requirements",
        "team": "Team",
        "worker": "Worker",
    },
    "reviews": {
        "case_ref": "Case ref",
        "review_due": "Review due",
        "review_number": "Review number",
        "order_type": "Order type",
        "team": "Team",
        "worker": "Worker",
    },
}
# Each blank that weakens the figures, and why it does.
GAP_WHY: dict[str, str] = {
    "Orders with no team": "Left out of every team's breakdown and of a team filter.",
    "Orders with no worker": "Left out of every worker's breakdown and of a worker filter.",
    "Orders with no requirements": (
        "Requirements unknown, so every measure applies: unpaid work start, LS/CMI and CMP are all "
        "counted, and may be missed when the order has no such requirement."
    ),
    "Reviews past due with no review held": (
        "Missed on time, and absent from review recording, participation and needs tool until a held "
        "date is recorded (excluded reviews are left out)."
    ),
}


# --- (a) invalid records -----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def invalid_records(url: str, version: str, filters: common.Filters) -> pd.DataFrame:
    """Records whose "to" date is before their "from" date, in measure order, as the filters keep them."""
    statuses = common.filtered_statuses(url, version, filters, CAN_BE_INVALID)
    invalid = statuses.loc[statuses["status"] == "invalid", list(INVALID_COLUMNS)]
    invalid = invalid.sort_values(["measure", "from_date", "case_ref"], kind="stable")
    invalid = invalid.astype({"measure": "object", "team": "object", "worker": "object"})
    return invalid.assign(measure=invalid["measure"].map(MEASURE_TITLES)).reset_index(drop=True)


def invalid_counts(invalid: pd.DataFrame) -> pd.DataFrame:
    """Invalid records per measure, every measure that can have them listed (0 says it was checked)."""
    titles = [MEASURE_TITLES[measure_id] for measure_id in CAN_BE_INVALID]
    counts = invalid["measure"].value_counts().reindex(titles, fill_value=0)
    return pd.DataFrame({"Measure": titles, "Invalid records": counts.to_numpy(dtype="int64")})


# --- (b) exclusions ----------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def exclusions_by_reason(url: str, version: str, filters: common.Filters) -> pd.DataFrame:
    """Excluded records per exclusion reason (rows) and measure (columns), most common reason first.

    An excluded order counts once under each measure it would otherwise count in, as on the
    measure pages; the reason comes from the record itself (statuses carry only its id).
    """
    statuses = common.filtered_statuses(url, version, filters)
    excluded = statuses.loc[statuses["status"] == "excluded", ["measure", "record_id"]]
    parts = []
    for dataset, frame in common.frames_for(url, version).items():
        if "exclusion_reason" not in frame.columns or frame.empty:
            continue
        measure_ids = [measure.id for measure in MEASURES if measure.dataset == dataset]
        rows = excluded[excluded["measure"].isin(measure_ids)]
        reasons = frame.set_index("record_id")["exclusion_reason"]
        parts.append(
            pd.DataFrame(
                {
                    "reason": reasons.reindex(rows["record_id"]).astype("object").str.strip().to_numpy(),
                    "measure": rows["measure"].astype("object").to_numpy(),
                }
            )
        )
    pairs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if pairs.empty:
        return pd.DataFrame(columns=["Exclusion reason", "Total"])
    table = pairs.groupby(["reason", "measure"]).size().unstack(fill_value=0)
    table = table[[measure.id for measure in MEASURES if measure.id in table.columns]]
    table.columns = [MEASURE_TITLES[measure_id] for measure_id in table.columns]
    table.insert(0, "Total", table.sum(axis=1))
    table = table.sort_values("Total", ascending=False, kind="stable")
    return table.reset_index(names="Exclusion reason")


# --- (c) rejected rows -------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def live_rejects(url: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected-row counts per live upload, and the rejected rows themselves (upload, file, sheet, ...).

    Undone uploads are left out: their rows are no longer in any figure. The value of the rejected
    cell is left out too: the reason says what is wrong, and the Upload page showed the value once.
    """
    engine = common.engine_for(url)
    uploads = [info for info in common.uploads_for(url, version) if info.undone_at is None and info.rejected]
    counts = pd.DataFrame(
        {
            "Upload": [info.id for info in uploads],
            "When": [common.local_time(info.uploaded_at) for info in uploads],
            "File": [info.file_name for info in uploads],
            "Sheet": [info.sheet or "" for info in uploads],
            "Dataset": [info.dataset for info in uploads],
            "Rejected rows": [info.rejected for info in uploads],
        }
    )
    frames = [
        store.rejected_rows(engine, info.id).assign(upload_id=info.id, file=info.file_name)
        for info in uploads
    ]
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({column: pd.Series(dtype="object") for column in REJECT_COLUMNS})
    )
    return counts, rows[list(REJECT_COLUMNS)].rename(columns=REJECT_COLUMNS)


# --- (d) gaps ----------------------------------------------------------------------------------------


def blank(column: pd.Series) -> pd.Series:
    """Blank as the measures see it: missing, or nothing but spaces."""
    return column.isna() | column.astype("object").astype(str).str.strip().eq("")


@st.cache_data(show_spinner=False, max_entries=16)
def gap_cases(url: str, version: str, filters: common.Filters) -> dict[str, pd.DataFrame]:
    """The cases behind each gap in GAP_WHY, oldest first, as the sidebar filters keep them."""
    frames = common.frames_for(url, version)
    orders = common.dataset_in_filters(frames["orders"], "orders", filters)
    reviews = common.dataset_in_filters(frames["reviews"], "reviews", filters)
    not_held = (
        reviews["review_held"].isna()
        & (reviews["review_due"] < pd.Timestamp(filters.as_at))
        & blank(reviews["exclusion_reason"])
    )
    chosen = {
        "Orders with no team": ("orders", orders, blank(orders["team"])),
        "Orders with no worker": ("orders", orders, blank(orders["worker"])),
        "Orders with no requirements": ("orders", orders, blank(orders["requirements"])),
        "Reviews past due with no review held": ("reviews", reviews, not_held),
    }
    return {
        title: frame.loc[keep, list(GAP_CASE_COLUMNS[dataset])]
        .sort_values([common.DATASET_QUARTER_DATE[dataset], "case_ref"], kind="stable")
        .rename(columns=GAP_CASE_COLUMNS[dataset])
        .reset_index(drop=True)
        for title, (dataset, frame, keep) in chosen.items()
    }


# --- drawing -----------------------------------------------------------------------------------------


def show_capped(frame: pd.DataFrame, what: str) -> None:
    """A table of at most common.CASES_SHOWN rows, saying when more exist."""
    if len(frame) > common.CASES_SHOWN:
        st.caption(f"The first {common.CASES_SHOWN:,} of {len(frame):,} {what}.")
    common.show_table(frame.head(common.CASES_SHOWN))


def invalid_section(url: str, version: str, filters: common.Filters) -> None:
    st.subheader("Invalid records")
    st.markdown(
        'A record is invalid when its "to" date is earlier than its "from" date (for example an '
        "LS/CMI completed before the order date). It counts in no rate until it is corrected."
    )
    invalid = invalid_records(url, version, filters)
    common.show_table(invalid_counts(invalid))
    if invalid.empty:
        st.markdown("No invalid records match the filters.")
        return
    st.markdown("The cases")
    show_capped(invalid.rename(columns=INVALID_COLUMNS), "invalid records")


def exclusions_section(url: str, version: str, filters: common.Filters) -> None:
    st.subheader("Excluded records")
    table = exclusions_by_reason(url, version, filters)
    if table.empty:
        st.markdown("No excluded records match the filters.")
        return
    st.markdown(
        "Records with an exclusion reason leave every rate's denominator. An excluded order counts "
        "once under each measure it would otherwise count in."
    )
    common.show_table(table)


def rejects_section(url: str, version: str) -> None:
    st.subheader("Rejected rows of live uploads")
    counts, rows = live_rejects(url, version)
    if counts.empty:
        st.markdown("No live upload has rejected rows.")
        return
    st.markdown(
        "Rows an upload could not store, with the spreadsheet row and the reason. Correct them in the "
        "case management system and upload the extract again. The sidebar filters do not apply."
    )
    common.show_table(counts)
    with st.expander(f"The rejected rows and why ({len(rows):,} lines)"):
        show_capped(rows, "problems")
    data = exports.to_csv_bytes(rows)
    st.download_button(
        "Download rejected rows (CSV)",
        data,
        file_name=exports.export_file_name("rejected_rows", {}, "csv"),
        mime="text/csv",
        key=state.DATA_QUALITY_REJECTS_DOWNLOAD,
        # The rows name cases, so their download is logged like any export.
        on_click=common.log_export,
        args=("rejected rows of live uploads", {}, len(rows), "csv", data),
    )


def gaps_section(url: str, version: str, filters: common.Filters) -> None:
    st.subheader("Gaps that weaken the figures")
    found = gap_cases(url, version, filters)
    common.show_table(
        pd.DataFrame(
            {
                "Gap": list(found),
                "Records": [len(cases) for cases in found.values()],
                "Why it matters": [GAP_WHY[title] for title in found],
            }
        )
    )
    for title, cases in found.items():
        if len(cases):
            with st.expander(f"{title} ({len(cases):,})"):
                show_capped(cases, "records")


def main() -> None:
    st.title("Data quality")
    url, version = common.store_url(), common.data_version()
    if common.store_is_empty(url, version):
        common.show_get_started()
        return
    filters = common.current_filters()
    st.markdown(
        "Records that weaken the figures, so they can be corrected at source. The sidebar filters "
        "apply: invalid and excluded records fall in the quarter they are due, as on the measure pages; "
        "orders in the quarter of the order date and reviews in the quarter of their due date."
    )
    invalid_section(url, version, filters)
    exclusions_section(url, version, filters)
    rejects_section(url, version)
    gaps_section(url, version, filters)


main()
