"""Clearly labelled synthetic extracts, so the dashboard can be shown and tested without case data.

`demo_frames` returns orders, reviews and audits in the canonical shape of `loaders.schema` (the shape
`read_extract` hands on), as a case management system would export them on `end`. Every case reference
starts "DEMO-" and every team, worker and auditor name ends "(demo)", so demo records can never be
mistaken for real ones. The numbers tell a plausible story: most timescales are met, unpaid work runs
near the national ~70% (worse in the 2020 lockdown), and LS/CMI/CMP timescales and audit grades start
poor and improve after the inspection. Generation is vectorised (numpy Generator, one seed), so the
same call always gives the same frames and `scale=` can build benchmark-sized data in seconds.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.schedule import add_months, review_due_dates, scottish_bank_holidays
from loaders.schema import DATASETS, KIND_DTYPES, RISK_LEVELS, Kind

ORDERS_PER_YEAR = 600
AUDITS_PER_QUARTER = 25

TEAMS = ("North Team (demo)", "South Team (demo)", "East Team (demo)", "Throughcare (demo)")
THROUGHCARE = TEAMS.index("Throughcare (demo)")
# Four workers per team, in TEAMS order; the names are placeholders nobody is called.
WORKERS = np.array(
    [
        "Alex Example (demo)",
        "Bea Sample (demo)",
        "Cal Placeholder (demo)",
        "Dee Fictional (demo)",
        "Eli Madeup (demo)",
        "Fay Notreal (demo)",
        "Gus Testcase (demo)",
        "Hal Mockup (demo)",
        "Ida Dummy (demo)",
        "Jo Pretend (demo)",
        "Kit Standin (demo)",
        "Lou Invented (demo)",
        "Max Imaginary (demo)",
        "Nia Synthetic (demo)",
        "Oz Specimen (demo)",
        "Pat Template (demo)",
    ],
    dtype=object,
)
WORKERS_PER_TEAM = 4
AUDITORS = np.array(["Quinn Auditor (demo)", "Rae Checker (demo)", "Sol Reviewer (demo)"], dtype=object)

ORDER_TYPES = np.array(["CPO", "DTTO", "Licence", "Structured Deferred Sentence"], dtype=object)
ORDER_TYPE_SHARES = (0.74, 0.08, 0.12, 0.06)
# Order length in months, per order type, to decide how many reviews fall due while it runs.
ORDER_MONTHS = {
    "CPO": ((6, 12, 18, 24, 36), (0.15, 0.35, 0.2, 0.2, 0.1)),
    "DTTO": ((12, 18, 24), (0.3, 0.3, 0.4)),
    "Licence": ((12, 24, 36, 48), (0.3, 0.3, 0.25, 0.15)),
    "Structured Deferred Sentence": ((3, 6), (0.5, 0.5)),
}
CPO_REQUIREMENTS = np.array(["Supervision", "Unpaid Work", "Supervision; Unpaid Work", None], dtype=object)
CPO_REQUIREMENT_SHARES = (0.30, 0.40, 0.25, 0.05)
OTHER_REQUIREMENT_BLANK_SHARE = 0.07  # DTTO, licence and SDS carry "Supervision" unless blank

ORDER_EXCLUSIONS = np.array(["Transferred in", "Warrant", "Did not comply"], dtype=object)
REVIEW_EXCLUSIONS = np.array(["Order ended early", "Warrant", "Transferred out"], dtype=object)
RISK_SHARES = (0.05, 0.25, 0.40, 0.22, 0.08)  # RISK_LEVELS order: Very Low .. Very High

# Audit grade 1..6 shares at the start and at the end of the period (quality improves in between).
GRADE_SHARES_EARLY = np.array([0.05, 0.13, 0.32, 0.32, 0.14, 0.04])
GRADE_SHARES_LATE = np.array([0.01, 0.03, 0.09, 0.42, 0.33, 0.12])

# The first coronavirus lockdown: unpaid work placements largely stopped (national 2020-21: 49.3%).
LOCKDOWN = (np.datetime64("2020-03-23"), np.datetime64("2020-09-30"))

BLANK_SHARE = 0.015  # an event never recorded
EXCLUDED_SHARE = 0.03
REVIEW_EXCLUDED_SHARE = 0.02
KEYED_BEFORE_ORDER_SHARE = 0.004  # LS/CMI date keyed before the order date: shows on data quality


def demo_frames(
    seed: int = 2020,
    start: date = date(2019, 4, 1),
    end: date = date(2021, 3, 31),
    *,
    scale: float = 1,
) -> dict[str, pd.DataFrame]:
    """Synthetic "orders", "reviews" and "audits" frames as extracted on `end`.

    About 600 orders a year between `start` and `end` (times `scale`); reviews follow the default
    schedule (3, 6, then every 6 months) while each order runs, up to `end`; about 25 audits a quarter
    (times `scale`). Events that would happen after `end` are blank, as in a real extract.
    """
    if end <= start:
        raise ValueError("end must be after start")
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = np.random.default_rng(seed)
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    bank_holidays = np.array(scottish_bank_holidays(range(start.year, end.year + 2)), dtype="datetime64[D]")
    span_days = int((last - first).astype(int)) + 1
    order_count = max(1, round(ORDERS_PER_YEAR * scale * span_days / 365.25))

    orders, running_until = _orders(rng, first, last, order_count, bank_holidays)
    reviews = _reviews(rng, orders, running_until, first, last, bank_holidays)
    audits = _audits(rng, orders, first, last, AUDITS_PER_QUARTER * scale, bank_holidays)
    return {
        name: _canonical(frame, name)
        for name, frame in (("orders", orders), ("reviews", reviews), ("audits", audits))
    }


def _working_days_between(first: np.datetime64, last: np.datetime64, bank_holidays: np.ndarray) -> np.ndarray:
    days = np.arange(first, last + 1, dtype="datetime64[D]")
    return days[np.is_busday(days, holidays=bank_holidays)]


def _progress(days: np.ndarray, first: np.datetime64, last: np.datetime64) -> np.ndarray:
    """0 at the start of the period, 1 at its end: drives the improvement over time."""
    return (days - first).astype(float) / max(float((last - first).astype(int)), 1.0)


def _improving(progress: np.ndarray, before: float, after: float) -> np.ndarray:
    """A share that moves from `before` (start of the period) to `after` (its end): the service improving."""
    return before + (after - before) * progress


def _delays(
    rng: np.random.Generator,
    late_share: np.ndarray,
    on_time: tuple[int, int],
    late: tuple[int, int],
) -> np.ndarray:
    """Days taken: inside `on_time` (inclusive range), or inside `late` for a `late_share` of records."""
    size = len(late_share)
    is_late = rng.random(size) < late_share
    return np.where(
        is_late,
        rng.integers(late[0], late[1] + 1, size),
        rng.integers(on_time[0], on_time[1] + 1, size),
    )


def _after_working_days(days: np.ndarray, delays: np.ndarray, bank_holidays: np.ndarray) -> np.ndarray:
    return np.busday_offset(days, delays, roll="forward", holidays=bank_holidays)


def _as_recorded(
    rng: np.random.Generator, events: np.ndarray, applies: np.ndarray, last: np.datetime64
) -> np.ndarray:
    """Event dates as the extract shows them: blank when not applicable, never recorded, or after `last`."""
    blank = ~applies | (rng.random(len(events)) < BLANK_SHARE) | (events > last)
    return np.where(blank, np.datetime64("NaT"), events)


def _pick(
    rng: np.random.Generator, values: np.ndarray, shares: tuple[float, ...] | None, size: int
) -> np.ndarray:
    return values[rng.choice(len(values), size=size, p=shares)]


def _orders(
    rng: np.random.Generator,
    first: np.datetime64,
    last: np.datetime64,
    count: int,
    bank_holidays: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The orders frame, and the day each order stops running (reviews fall due only before it)."""
    order_days = np.sort(rng.choice(_working_days_between(first, last, bank_holidays), size=count))
    progress = _progress(order_days, first, last)
    order_types = _pick(rng, ORDER_TYPES, ORDER_TYPE_SHARES, count)
    is_cpo = order_types == "CPO"

    requirements = np.where(
        is_cpo,
        _pick(rng, CPO_REQUIREMENTS, CPO_REQUIREMENT_SHARES, count),
        np.where(rng.random(count) < OTHER_REQUIREMENT_BLANK_SHARE, None, "Supervision").astype(object),  # type: ignore[call-overload]  # stubs reject None as a value
    )
    known = pd.notna(requirements)
    has_unpaid_work = ~known | (np.char.find(requirements.astype(str), "Unpaid Work") >= 0)
    has_supervision = ~known | (np.char.find(requirements.astype(str), "Supervision") >= 0)

    team_index = np.where(order_types == "Licence", THROUGHCARE, rng.integers(0, THROUGHCARE, count))
    worker_index = team_index * WORKERS_PER_TEAM + rng.integers(0, WORKERS_PER_TEAM, count)

    first_contact = _after_working_days(
        order_days, _delays(rng, _improving(progress, 0.14, 0.03), (0, 1), (2, 6)), bank_holidays
    )
    induction = _after_working_days(
        order_days, _delays(rng, _improving(progress, 0.18, 0.04), (1, 5), (6, 15)), bank_holidays
    )
    in_lockdown = (order_days >= LOCKDOWN[0]) & (order_days <= LOCKDOWN[1])
    upw_start = _after_working_days(
        order_days,
        _delays(rng, np.where(in_lockdown, 0.60, _improving(progress, 0.30, 0.15)), (0, 7), (8, 25)),
        bank_holidays,
    )
    lscmi_days = _delays(rng, _improving(progress, 0.40, 0.04), (7, 28), (29, 70))
    lscmi_completed = order_days + lscmi_days
    # The plan follows the assessment, so it is late whenever the assessment is, and sometimes on its own.
    cmp_completed = order_days + np.maximum(
        lscmi_days, _delays(rng, _improving(progress, 0.20, 0.02), (7, 28), (29, 60))
    )
    keyed_before_order = rng.random(count) < KEYED_BEFORE_ORDER_SHARE
    lscmi_completed = np.where(keyed_before_order, order_days - rng.integers(1, 30, count), lscmi_completed)

    excluded = rng.random(count) < EXCLUDED_SHARE
    months_choice = np.zeros(count, dtype=int)
    for order_type, (months, shares) in ORDER_MONTHS.items():  # one vectorised draw per order type
        of_type = order_types == order_type
        months_choice[of_type] = rng.choice(months, size=int(of_type.sum()), p=shares)

    orders = pd.DataFrame(
        {
            "case_ref": _case_refs(count),
            "order_date": order_days,
            "order_type": order_types,
            "requirements": requirements,
            "team": np.array(TEAMS, dtype=object)[team_index],
            "worker": WORKERS[worker_index],
            "first_contact": _as_recorded(rng, first_contact, np.ones(count, bool), last),
            "induction": _as_recorded(rng, induction, np.ones(count, bool), last),
            "upw_start": _as_recorded(rng, upw_start, has_unpaid_work, last),
            "lscmi_completed": _as_recorded(rng, lscmi_completed, has_supervision, last),
            "lscmi_version": np.where(  # type: ignore[call-overload]  # stubs reject None as a value
                has_supervision, np.where(rng.random(count) < 0.8, "Full", "Short"), None
            ),
            "risk_level": np.where(  # type: ignore[call-overload]  # stubs reject None as a value
                has_supervision, _pick(rng, np.array(RISK_LEVELS, dtype=object), RISK_SHARES, count), None
            ),
            "cmp_completed": _as_recorded(rng, cmp_completed, has_supervision, last),
            "exclusion_reason": np.where(excluded, _pick(rng, ORDER_EXCLUSIONS, None, count), None),  # type: ignore[call-overload]  # stubs reject None as a value
        }
    )
    running_until = add_months(pd.Series(order_days), months_choice).to_numpy("datetime64[D]")
    return orders, running_until


def _case_refs(count: int) -> np.ndarray:
    width = max(5, len(str(count)))
    numbers = np.char.zfill(np.arange(1, count + 1).astype(str), width)
    return np.char.add("DEMO-", numbers).astype(object)


def _month_index(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(int)


def _reviews(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    running_until: np.ndarray,
    first: np.datetime64,
    last: np.datetime64,
    bank_holidays: np.ndarray,
) -> pd.DataFrame:
    """Every review due while its order runs and no later than `last`, with how it went."""
    order_days = orders["order_date"].to_numpy("datetime64[D]")
    horizon = np.minimum(running_until - 1, last)
    # Upper bound on reviews per order from whole months available (3, 6, 12, 18 ... months).
    months = _month_index(horizon) - _month_index(order_days)
    bound = np.where(months < 3, 0, np.where(months < 6, 1, 2 + (months - 6) // 6)).clip(min=0)
    order_index = np.repeat(np.arange(len(orders)), bound)
    group_start = np.repeat(np.cumsum(bound) - bound, bound)
    review_number = np.arange(len(order_index)) - group_start + 1

    due = review_due_dates(
        pd.Series(order_days[order_index]).astype("datetime64[ns]"), pd.Series(review_number)
    ).to_numpy("datetime64[D]")
    falls_due = due <= horizon[order_index]
    order_index, review_number, due = order_index[falls_due], review_number[falls_due], due[falls_due]
    count = len(order_index)
    progress = _progress(due, first, last)

    is_late = rng.random(count) < _improving(progress, 0.35, 0.05)
    held = np.where(
        is_late,
        np.busday_offset(due + rng.integers(1, 31, count), 0, roll="forward", holidays=bank_holidays),
        np.busday_offset(due - rng.integers(0, 11, count), 0, roll="backward", holidays=bank_holidays),
    )
    held = _as_recorded(rng, held, np.ones(count, bool), last)
    was_held = ~np.isnat(held)
    recorded = _after_working_days(
        np.where(was_held, held, due),
        _delays(rng, _improving(progress, 0.22, 0.04), (0, 5), (6, 20)),
        bank_holidays,
    )
    recorded = _as_recorded(rng, recorded, was_held, last)

    source = orders.iloc[order_index].reset_index(drop=True)
    return pd.DataFrame(
        {
            "case_ref": source["case_ref"],
            "review_due": due,
            "order_date": source["order_date"],
            "review_number": review_number,
            "order_type": source["order_type"],
            "team": source["team"],
            "worker": source["worker"],
            "review_held": held,
            "participated": _yes_no(
                rng, was_held, _improving(progress, 0.84, 0.97), _improving(progress, 0.05, 0.01)
            ),
            "needs_tool": _yes_no(
                rng, was_held, _improving(progress, 0.72, 0.95), _improving(progress, 0.08, 0.01)
            ),
            "recorded": recorded,
            "exclusion_reason": np.where(  # type: ignore[call-overload]  # stubs reject None as a value
                rng.random(count) < REVIEW_EXCLUDED_SHARE, _pick(rng, REVIEW_EXCLUSIONS, None, count), None
            ),
        }
    )


def _yes_no(
    rng: np.random.Generator, applies: np.ndarray, yes_share: np.ndarray, blank_share: np.ndarray
) -> pd.arrays.BooleanArray:
    """Yes/no answers for held reviews; blank (not evidenced) for a share, and where not held."""
    size = len(applies)
    answers = pd.array(rng.random(size) < yes_share, dtype="boolean")
    answers[~applies | (rng.random(size) < blank_share)] = pd.NA
    return answers


def _audits(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    first: np.datetime64,
    last: np.datetime64,
    per_quarter: float,
    bank_holidays: np.ndarray,
) -> pd.DataFrame:
    """About `per_quarter` audits in every quarter, each of an order made at least four weeks before.

    Audits are spread evenly over quarters (a quality team audits a set number a quarter), so every
    quarter has enough for its rate to mean something; a quarter only partly inside the period gets
    its share.
    """
    order_days = orders["order_date"].to_numpy("datetime64[D]")
    all_days = np.arange(first, last + 1, dtype="datetime64[D]")
    quarter_of_day = _month_index(all_days) // 3  # calendar quarters coincide with financial quarters
    quarters, days_in_period = np.unique(quarter_of_day, return_counts=True)
    audits_per_quarter = np.rint(per_quarter * days_in_period / (365.25 / 4)).astype(int)

    candidates = _working_days_between(max(first, order_days[0] + 28), last, bank_holidays)
    candidate_quarter = _month_index(candidates) // 3
    first_candidate = np.searchsorted(candidate_quarter, quarters, side="left")
    candidate_count = np.searchsorted(candidate_quarter, quarters, side="right") - first_candidate
    audits_per_quarter = np.where(candidate_count > 0, audits_per_quarter, 0)
    quarter_slot = np.repeat(np.arange(len(quarters)), audits_per_quarter)
    count = len(quarter_slot)
    offset = (rng.random(count) * candidate_count[quarter_slot]).astype(int)
    audit_days = candidates[first_candidate[quarter_slot] + offset]

    eligible = np.searchsorted(order_days, audit_days - 28, side="right")
    order_index = (rng.random(count) * eligible).astype(int)

    progress = _progress(audit_days, first, last)[:, None]
    cumulative = np.cumsum((1 - progress) * GRADE_SHARES_EARLY + progress * GRADE_SHARES_LATE, axis=1)
    grades = (rng.random(count)[:, None] > cumulative[:, :-1]).sum(axis=1) + 1

    source = orders.iloc[order_index].reset_index(drop=True)
    audits = pd.DataFrame(
        {
            "case_ref": source["case_ref"],
            "audit_date": audit_days,
            "grade": grades,
            "auditor": _pick(rng, AUDITORS, None, count),
            "team": source["team"],
            "worker": source["worker"],
        }
    )
    natural_key = list(DATASETS["audits"].natural_key)
    return (
        audits.drop_duplicates(subset=natural_key)
        .sort_values("audit_date", kind="stable")
        .reset_index(drop=True)
    )


def _canonical(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Columns in schema order with the documented dtypes; text blanks are None, never NaN."""
    columns = {}
    for column in DATASETS[dataset].columns:
        values = frame[column.name].astype(KIND_DTYPES[column.kind])
        if column.kind is Kind.TEXT:
            values = values.where(values.notna(), None)
        columns[column.name] = values
    return pd.DataFrame(columns)
