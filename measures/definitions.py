"""The ten measures of SPEC section 3, in the order every table and report lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MeasureKind = Literal["timescale", "proportion"]
MeasureArea = Literal["assessment", "reviews", "quality"]


@dataclass(frozen=True)
class MeasureDef:
    """One measure.

    For a timescale measure `from_column` and `to_column` are the two dates the rule is measured
    between. For a proportion measure `from_column` is the date that places the record in a quarter
    (review_held, audit_date) and `to_column` is the column that decides met / missed
    (participated, needs_tool, grade).
    """

    id: str
    title: str
    dataset: str
    kind: MeasureKind
    from_column: str
    to_column: str
    area: MeasureArea
    # SPEC 3.2: a review held before its due date is simply met, never "invalid".
    early_is_met: bool = False
    # What an IJB member reads on a tile or a matrix cell: short, no jargon (the id goes in help text).
    plain_name: str = ""


MEASURES: tuple[MeasureDef, ...] = (
    MeasureDef(
        "first_contact",
        "First contact",
        "orders",
        "timescale",
        "order_date",
        "first_contact",
        "assessment",
        plain_name="First contact made on time",
    ),
    MeasureDef(
        "induction",
        "Induction",
        "orders",
        "timescale",
        "order_date",
        "induction",
        "assessment",
        plain_name="Induction held on time",
    ),
    MeasureDef(
        "upw_start",
        "Unpaid work start",
        "orders",
        "timescale",
        "order_date",
        "upw_start",
        "assessment",
        plain_name="Unpaid work started on time",
    ),
    MeasureDef(
        "lscmi",
        "LS/CMI assessment completed",
        "orders",
        "timescale",
        "order_date",
        "lscmi_completed",
        "assessment",
        plain_name="Risk assessment (LS/CMI) on time",
    ),
    MeasureDef(
        "cmp",
        "Case management plan completed",
        "orders",
        "timescale",
        "order_date",
        "cmp_completed",
        "assessment",
        plain_name="Case plan completed on time",
    ),
    MeasureDef(
        "review_on_time",
        "Review held on time",
        "reviews",
        "timescale",
        "review_due",
        "review_held",
        "reviews",
        early_is_met=True,
        plain_name="Review held on time",
    ),
    MeasureDef(
        "review_recorded",
        "Review recorded on time",
        "reviews",
        "timescale",
        "review_held",
        "recorded",
        "reviews",
        plain_name="Review written up on time",
    ),
    MeasureDef(
        "review_participation",
        "Person took part in review",
        "reviews",
        "proportion",
        "review_held",
        "participated",
        "reviews",
        plain_name="Person took part in review",
    ),
    MeasureDef(
        "review_needs_tool",
        "Needs review tool completed",
        "reviews",
        "proportion",
        "review_held",
        "needs_tool",
        "reviews",
        plain_name="Needs review tool completed",
    ),
    MeasureDef(
        "audit_good",
        "Case recording audit graded Good or better",
        "audits",
        "proportion",
        "audit_date",
        "grade",
        "quality",
        plain_name="Audit graded good or better",
    ),
)

MEASURE_IDS: tuple[str, ...] = tuple(measure.id for measure in MEASURES)
MEASURES_BY_ID: dict[str, MeasureDef] = {measure.id: measure for measure in MEASURES}
TIMESCALE_IDS: tuple[str, ...] = tuple(m.id for m in MEASURES if m.kind == "timescale")
# SPEC 3.2: a timescale record is invalid when its "to" date is before its "from" date, except where
# an early "to" date is simply met (a review held before it was due).
CAN_BE_INVALID: tuple[str, ...] = tuple(
    m.id for m in MEASURES if m.kind == "timescale" and not m.early_is_met
)

# Precedence order of SPEC 3.2: the first that applies wins.
STATUSES: tuple[str, ...] = ("excluded", "invalid", "met", "missed", "pending")

# A grade of 4 (Good) or better meets audit_good (SPEC 3.3).
GOOD_GRADE = 4
