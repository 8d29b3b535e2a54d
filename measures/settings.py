"""The editable settings behind the measures: rules, targets, local holidays, the review schedule, and
for statistical process control (SPEC 7.1) the rule lengths, rebase periods and national benchmarks.

Settings travel as a JSON-safe document (stored by `store.save_settings`, imported from TOML by the
command line). `settings_from_document` is the one gate a document passes through: anything it cannot
use is a `SettingsError` whose message is one line naming the offending field, and anything missing is
filled from the defaults, so an old or partial document keeps working. Edits (`merge_documents`,
`apply_setting`) change a document only; the gate then judges the result.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from loaders.schedule import ReviewSchedule
from measures.access import SMALL_NUMBER_THRESHOLD
from measures.definitions import MEASURE_IDS, TIMESCALE_IDS
from measures.national import NATIONAL_BENCHMARKS
from measures.pack_texts import DEFAULT_PACK_TEXTS, PACK_TEXT_KEYS
from measures.quarters import label_for_quarter_month, parse_quarter

RuleUnit = Literal["working_days", "calendar_days", "weeks", "calendar_months"]
RULE_UNITS: tuple[str, ...] = ("working_days", "calendar_days", "weeks", "calendar_months")

# Large enough for any real rule, small enough that a due date cannot overflow datetime64[ns].
MAX_RULE_NUMBER = 999
MAX_SCHEDULE_MONTHS = 120
DEFAULT_TARGETS_FROM = date(2000, 1, 1)
DEFAULT_AMBER_MARGIN = 5.0
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_FINANCIAL_YEAR = re.compile(r"(\d{4})-(\d{2})")
DOCUMENT_PARTS: tuple[str, ...] = (
    "rules",
    "targets",
    "local_holidays",
    "review_schedule",
    "spc",
    "rebases",
    "benchmarks",
    "disclosure",
    "pack_texts",
)
# SPC run lengths: MDC's tool offers 6-8 and warns outside it; a little either side is allowed, no more.
SPC_LENGTH_RANGE = (5, 10)
MAX_TEXT = 300  # a rebase reason, a benchmark's source or label: one line, not an essay


class SettingsError(ValueError):
    """A settings document cannot be used; str() is one line naming the field at fault."""


@dataclass(frozen=True)
class Rule:
    """'Within `number` `unit`s of the from date' (SPEC 3.2)."""

    number: int
    unit: RuleUnit


@dataclass(frozen=True)
class Target:
    """A target percentage in force from `effective_from` until the next target's date."""

    effective_from: date
    target: float
    amber_margin: float = DEFAULT_AMBER_MARGIN


@dataclass(frozen=True)
class SpcRules:
    """The SPC settings SPEC 7.1 leaves to the service: the shift and trend lengths (MDC defaults 7 and 7)
    and whether moving ranges are screened for outliers (off, as MDC's tools; NHSRplotthedots screens)."""

    shift_length: int = 7
    trend_length: int = 7
    screen_moving_ranges: bool = False


@dataclass(frozen=True)
class Rebase:
    """A new SPC baseline from `start` (the first day of a month or quarter) because of a known change.

    `period` is as the user wrote it, made canonical ("2020-10" or "2020-21 Q3"); `set_by` and `set_on`
    record who set it and when, since moving a chart's limits changes what it says.
    """

    start: date
    period: str
    reason: str
    set_by: str = ""
    set_on: date | None = None


@dataclass(frozen=True)
class Benchmark:
    """A national figure for a measure in one financial year, with its source (drawn beside our rate)."""

    measure: str
    year: str  # financial year, "2019-20"
    rate: float  # percentage
    source: str
    label: str = "Scotland"

    @property
    def first_year(self) -> int:
        """The calendar year the financial year starts in (2019 for "2019-20")."""
        return int(self.year[:4])


@dataclass(frozen=True)
class Disclosure:
    """Statistical disclosure control thresholds for outputs that leave the service (exports.disclosure).

    A count from 1 to `low_count_max` is suppressed (0 is shown); a percentage is suppressed when its
    denominator is under `min_denominator` or its numerator or remainder is a low count; figures by team
    are published only where every team's denominator that quarter is at least `team_min_denominator`.
    Defaults are the notes' (spc-sdc-ijb.md section 2); the service's information governance may raise them.
    """

    low_count_max: int = 4
    min_denominator: int = SMALL_NUMBER_THRESHOLD
    team_min_denominator: int = SMALL_NUMBER_THRESHOLD


DISCLOSURE_RANGES: dict[str, tuple[int, int]] = {
    "low_count_max": (0, 50),
    "min_denominator": (1, 1000),
    "team_min_denominator": (1, 1000),
}
MAX_PACK_TEXT = 4000  # a paragraph or a few: the pack's implications, editable in Word afterwards


@dataclass(frozen=True)
class Settings:
    rules: dict[str, Rule]  # timescale measure id -> rule
    targets: dict[str, list[Target]]  # measure id -> targets, oldest first
    local_holidays: list[date] = field(default_factory=list)  # the council's own non-working days
    review_schedule: ReviewSchedule = ReviewSchedule()
    spc: SpcRules = SpcRules()
    rebases: dict[str, list[Rebase]] = field(default_factory=dict)  # measure id -> rebases, oldest first
    benchmarks: list[Benchmark] = field(default_factory=list)
    disclosure: Disclosure = Disclosure()
    # The report pack's editable default texts (purpose, implications, ...): key -> text.
    pack_texts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PACK_TEXTS))


DEFAULT_RULES: dict[str, Rule] = {
    "first_contact": Rule(1, "working_days"),
    "induction": Rule(5, "working_days"),
    "upw_start": Rule(7, "working_days"),
    "lscmi": Rule(28, "calendar_days"),
    "cmp": Rule(28, "calendar_days"),
    "review_on_time": Rule(0, "working_days"),
    "review_recorded": Rule(5, "working_days"),
}
_DEFAULT_TARGET_PERCENT = {measure_id: 90.0 for measure_id in MEASURE_IDS} | {"audit_good": 80.0}


def default_settings() -> Settings:
    """SPEC defaults: national-guidance rules, placeholder targets of 90% (80% for audit_good)."""
    return Settings(
        rules=dict(DEFAULT_RULES),
        targets={
            measure_id: [Target(DEFAULT_TARGETS_FROM, _DEFAULT_TARGET_PERCENT[measure_id])]
            for measure_id in MEASURE_IDS
        },
        local_holidays=[],
        review_schedule=ReviewSchedule(),
        spc=SpcRules(),
        rebases={},
        benchmarks=default_benchmarks(),
        disclosure=Disclosure(),
        pack_texts=dict(DEFAULT_PACK_TEXTS),
    )


def default_benchmarks() -> list[Benchmark]:
    """The Scottish Government figures the benchmark table starts with (measures.national)."""
    return sorted((Benchmark(**entry) for entry in NATIONAL_BENCHMARKS), key=_benchmark_order)


def settings_to_document(settings: Settings) -> dict[str, Any]:
    """A JSON-safe document that `settings_from_document` turns back into equal settings."""
    schedule = settings.review_schedule
    return {
        "rules": {
            measure_id: {"number": rule.number, "unit": rule.unit}
            for measure_id, rule in settings.rules.items()
        },
        "targets": {
            measure_id: [
                {
                    "effective_from": target.effective_from.isoformat(),
                    "target": target.target,
                    "amber_margin": target.amber_margin,
                }
                for target in targets
            ]
            for measure_id, targets in settings.targets.items()
        },
        "local_holidays": [day.isoformat() for day in settings.local_holidays],
        "review_schedule": {
            "first_months": schedule.first_months,
            "second_months": schedule.second_months,
            "interval_months": schedule.interval_months,
        },
        "spc": {
            "shift_length": settings.spc.shift_length,
            "trend_length": settings.spc.trend_length,
            "screen_moving_ranges": settings.spc.screen_moving_ranges,
        },
        "rebases": {
            measure_id: [
                {
                    "period": rebase.period,
                    "reason": rebase.reason,
                    "set_by": rebase.set_by,
                    "set_on": rebase.set_on.isoformat() if rebase.set_on else None,
                }
                for rebase in rebases
            ]
            for measure_id, rebases in settings.rebases.items()
        },
        "benchmarks": [
            {
                "measure": benchmark.measure,
                "label": benchmark.label,
                "year": benchmark.year,
                "rate": benchmark.rate,
                "source": benchmark.source,
            }
            for benchmark in settings.benchmarks
        ],
        "disclosure": {
            "low_count_max": settings.disclosure.low_count_max,
            "min_denominator": settings.disclosure.min_denominator,
            "team_min_denominator": settings.disclosure.team_min_denominator,
        },
        "pack_texts": dict(settings.pack_texts),
    }


def settings_from_document(document: dict[str, Any] | None) -> Settings:
    """Validated settings from a document; missing parts, measures and fields fall back to defaults.

    Unknown parts or measure ids are errors rather than ignored, so a typo in an imported file is
    reported instead of silently leaving the default in force.
    """
    if document is None:
        document = {}
    _expect(isinstance(document, dict), "settings: expected a table of parts")
    _reject_unknown(document, DOCUMENT_PARTS, "settings")
    defaults = default_settings()
    return Settings(
        rules=_rules(document.get("rules", {}), defaults.rules),
        targets=_targets(document.get("targets", {}), defaults.targets),
        local_holidays=_local_holidays(document.get("local_holidays", [])),
        review_schedule=_review_schedule(document.get("review_schedule", {})),
        spc=_spc_rules(document.get("spc", {})),
        rebases=_rebases(document.get("rebases", {})),
        # Missing: the seeded national figures; an empty list is a table the user emptied.
        benchmarks=(_benchmarks(document["benchmarks"]) if "benchmarks" in document else defaults.benchmarks),
        disclosure=_disclosure(document.get("disclosure", {})),
        pack_texts=_pack_texts(document.get("pack_texts", {})),
    )


def toml_document(text: str | bytes) -> dict[str, Any]:
    """A settings file's TOML as a document (unvalidated), for `cli.py settings import FILE` to merge.

    TOML dates may be written bare (`effective_from = 2021-04-01`) or quoted; the gate takes both.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SettingsError(f"settings file: not UTF-8 text ({error.reason})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"settings file: not valid TOML ({error})") from None
    return document


def merge_documents(document: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """`incoming` overriding `document` part by part: a file of one rule keeps every other rule."""
    merged = dict(document)
    for part, value in incoming.items():
        current = merged.get(part)
        merged[part] = (
            {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
        )
    return merged


SETTING_FORMS = (
    "rule MEASURE NUMBER UNIT            e.g. rule lscmi 20 working_days\n"
    "target MEASURE PERCENT FROM [MARGIN] e.g. target lscmi 85 2020-04-01 5\n"
    "holiday add|remove YYYY-MM-DD       e.g. holiday add 2021-04-05\n"
    "review-schedule FIRST SECOND EVERY  e.g. review-schedule 3 6 6"
)


class SettingFormError(SettingsError):
    """A one-setting change is not one of SETTING_FORMS, or a number in it is not a number.

    Said as typed rather than by field; the message for an unknown form lists the forms, one a line.
    """


def apply_setting(document: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """A copy of `document` with one change in a SETTING_FORMS form (`cli.py settings set ...`) applied.

    Only the shape of the change is checked here; `settings_from_document` judges the values, so a
    target of 150 is refused with the same message whichever way it arrived.
    """
    document = json.loads(json.dumps(document))  # a deep copy: the caller's document is left alone
    kind, rest = (values[0], values[1:]) if values else ("", [])
    if kind == "rule" and len(rest) == 3:
        measure, number, unit = rest
        document.setdefault("rules", {})[measure] = {"number": _whole_number_text(number), "unit": unit}
    elif kind == "target" and len(rest) in (3, 4):
        measure, percent, effective_from = rest[:3]
        margin = _number_text(rest[3]) if len(rest) == 4 else DEFAULT_AMBER_MARGIN
        targets = [
            target
            for target in document.setdefault("targets", {}).setdefault(measure, [])
            if target["effective_from"] != effective_from
        ]
        targets.append(
            {"effective_from": effective_from, "target": _number_text(percent), "amber_margin": margin}
        )
        document["targets"][measure] = sorted(targets, key=lambda target: target["effective_from"])
    elif kind == "holiday" and len(rest) == 2 and rest[0] in ("add", "remove"):
        holidays = set(document.get("local_holidays", []))
        holidays = holidays | {rest[1]} if rest[0] == "add" else holidays - {rest[1]}
        document["local_holidays"] = sorted(holidays)
    elif kind == "review-schedule" and len(rest) == 3:
        first, second, every = (_whole_number_text(value) for value in rest)
        document["review_schedule"] = {
            "first_months": first,
            "second_months": second,
            "interval_months": every,
        }
    else:
        raise SettingFormError(f"settings set takes one of:\n{SETTING_FORMS}")
    return document


def _number_text(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SettingFormError(f"'{text}' is not a number") from None


def _whole_number_text(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingFormError(f"'{text}' is not a whole number") from None


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SettingsError(message)


def _reject_unknown(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise SettingsError(f"{where}.{unknown[0]}: unknown field (expected {', '.join(allowed)})")


def _rules(part: Any, defaults: dict[str, Rule]) -> dict[str, Rule]:
    _expect(isinstance(part, dict), "rules: expected a table of measure ids")
    rules = dict(defaults)
    for measure_id, value in part.items():
        where = f"rules.{measure_id}"
        _expect(measure_id in TIMESCALE_IDS, f"{where}: not a timescale measure id")
        _expect(isinstance(value, dict), f"{where}: expected a table with number and unit")
        _reject_unknown(value, ("number", "unit"), where)
        _expect("number" in value and "unit" in value, f"{where}: needs both number and unit")
        number = _whole_number(value["number"], f"{where}.number", 0, MAX_RULE_NUMBER)
        unit = value["unit"]
        _expect(unit in RULE_UNITS, f"{where}.unit: {unit!r} is not one of {', '.join(RULE_UNITS)}")
        rules[measure_id] = Rule(number, unit)
    return rules


def _targets(part: Any, defaults: dict[str, list[Target]]) -> dict[str, list[Target]]:
    _expect(isinstance(part, dict), "targets: expected a table of measure ids")
    targets = {measure_id: list(values) for measure_id, values in defaults.items()}
    for measure_id, values in part.items():
        where = f"targets.{measure_id}"
        _expect(measure_id in MEASURE_IDS, f"{where}: unknown measure id")
        _expect(isinstance(values, list) and len(values) > 0, f"{where}: expected a list of targets")
        parsed = [_target(value, f"{where}[{index}]") for index, value in enumerate(values)]
        dates = [target.effective_from for target in parsed]
        _expect(len(set(dates)) == len(dates), f"{where}: two targets share an effective_from date")
        targets[measure_id] = sorted(parsed, key=lambda target: target.effective_from)
    return targets


def _target(value: Any, where: str) -> Target:
    _expect(isinstance(value, dict), f"{where}: expected a table with effective_from and target")
    _reject_unknown(value, ("effective_from", "target", "amber_margin"), where)
    _expect("effective_from" in value and "target" in value, f"{where}: needs effective_from and target")
    return Target(
        effective_from=_date(value["effective_from"], f"{where}.effective_from"),
        target=_percentage(value["target"], f"{where}.target"),
        amber_margin=_percentage(value.get("amber_margin", DEFAULT_AMBER_MARGIN), f"{where}.amber_margin"),
    )


def _local_holidays(part: Any) -> list[date]:
    _expect(isinstance(part, list), "local_holidays: expected a list of dates")
    days = {_date(value, f"local_holidays[{index}]") for index, value in enumerate(part)}
    return sorted(days)


def _review_schedule(part: Any) -> ReviewSchedule:
    _expect(isinstance(part, dict), "review_schedule: expected a table")
    names = ("first_months", "second_months", "interval_months")
    _reject_unknown(part, names, "review_schedule")
    default = ReviewSchedule()
    values = {
        name: _whole_number(
            part.get(name, getattr(default, name)), f"review_schedule.{name}", 1, MAX_SCHEDULE_MONTHS
        )
        for name in names
    }
    return ReviewSchedule(**values)


def _whole_number(value: Any, where: str, low: int, high: int) -> int:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    is_whole = is_number and math.isfinite(value) and float(value).is_integer()
    _expect(is_whole and low <= value <= high, f"{where}: expected a whole number from {low} to {high}")
    return int(value)


def _percentage(value: Any, where: str) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    _expect(
        is_number and math.isfinite(value) and 0 <= value <= 100, f"{where}: expected a number from 0 to 100"
    )
    return float(value)


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SettingsError(f"{where}: expected a date written YYYY-MM-DD")


def _spc_rules(part: Any) -> SpcRules:
    _expect(isinstance(part, dict), "spc: expected a table")
    names = ("shift_length", "trend_length", "screen_moving_ranges")
    _reject_unknown(part, names, "spc")
    default = SpcRules()
    low, high = SPC_LENGTH_RANGE
    screen = part.get("screen_moving_ranges", default.screen_moving_ranges)
    _expect(isinstance(screen, bool), "spc.screen_moving_ranges: expected true or false")
    return SpcRules(
        shift_length=_whole_number(
            part.get("shift_length", default.shift_length), "spc.shift_length", low, high
        ),
        trend_length=_whole_number(
            part.get("trend_length", default.trend_length), "spc.trend_length", low, high
        ),
        screen_moving_ranges=screen,
    )


def _disclosure(part: Any) -> Disclosure:
    _expect(isinstance(part, dict), "disclosure: expected a table")
    _reject_unknown(part, tuple(DISCLOSURE_RANGES), "disclosure")
    default = Disclosure()
    return Disclosure(
        **{
            name: _whole_number(part.get(name, getattr(default, name)), f"disclosure.{name}", low, high)
            for name, (low, high) in DISCLOSURE_RANGES.items()
        }
    )


def _pack_texts(part: Any) -> dict[str, str]:
    """The pack's texts: every key present (a missing one takes its default); paragraphs allowed."""
    _expect(isinstance(part, dict), "pack_texts: expected a table of texts")
    _reject_unknown(part, PACK_TEXT_KEYS, "pack_texts")
    texts = dict(DEFAULT_PACK_TEXTS)
    for key, value in part.items():
        where = f"pack_texts.{key}"
        _expect(isinstance(value, str), f"{where}: expected text")
        _expect(len(value) <= MAX_PACK_TEXT, f"{where}: at most {MAX_PACK_TEXT} characters")
        texts[key] = value.strip()
    return texts


def rebase_start(period: Any, where: str = "rebase period") -> tuple[date, str]:
    """(first day, canonical text) of a rebase period: a month "2020-10", a quarter "2020-21 Q3", or the
    first day of a month as a date. A rebase is a whole period, so a day within a month is refused."""
    if isinstance(period, datetime):
        period = period.date()
    if isinstance(period, date):
        _expect(period.day == 1, f"{where}: a rebase starts on the first day of a month or quarter")
        return period, f"{period:%Y-%m}"
    text = str(period).strip() if isinstance(period, str) else ""
    month = _MONTH.fullmatch(text)
    if month and 1 <= int(month[2]) <= 12:
        start = date(int(month[1]), int(month[2]), 1)
        return start, f"{start:%Y-%m}"
    if _ISO_DATE.fullmatch(text):
        return rebase_start(_date(text, where), where)
    try:
        start = parse_quarter(text)
    except ValueError:
        raise SettingsError(f"{where}: expected a month (2020-10) or a quarter (2020-21 Q3)") from None
    return start, label_for_quarter_month((start.year - 1970) * 12 + start.month - 1)


def _rebases(part: Any) -> dict[str, list[Rebase]]:
    _expect(isinstance(part, dict), "rebases: expected a table of measure ids")
    rebases: dict[str, list[Rebase]] = {}
    for measure_id, values in part.items():
        where = f"rebases.{measure_id}"
        _expect(measure_id in MEASURE_IDS, f"{where}: unknown measure id")
        _expect(isinstance(values, list), f"{where}: expected a list of rebases")
        parsed = [_rebase(value, f"{where}[{index}]") for index, value in enumerate(values)]
        starts = [rebase.start for rebase in parsed]
        _expect(len(set(starts)) == len(starts), f"{where}: two rebases start in the same period")
        if parsed:
            rebases[measure_id] = sorted(parsed, key=lambda rebase: rebase.start)
    return rebases


def _rebase(value: Any, where: str) -> Rebase:
    _expect(isinstance(value, dict), f"{where}: expected a table with period and reason")
    _reject_unknown(value, ("period", "reason", "set_by", "set_on"), where)
    _expect("period" in value, f"{where}: needs a period")
    start, period = rebase_start(value["period"], f"{where}.period")
    reason = _text(value.get("reason"), f"{where}.reason", required=True)
    set_on = value.get("set_on")
    return Rebase(
        start=start,
        period=period,
        reason=reason,
        set_by=_text(value.get("set_by"), f"{where}.set_by", required=False),
        set_on=None if set_on in (None, "") else _date(set_on, f"{where}.set_on"),
    )


def _benchmarks(part: Any) -> list[Benchmark]:
    _expect(isinstance(part, list), "benchmarks: expected a list of national figures")
    parsed = [_benchmark(value, f"benchmarks[{index}]") for index, value in enumerate(part)]
    keys = [(benchmark.measure, benchmark.label, benchmark.year) for benchmark in parsed]
    for index, key in enumerate(keys):
        _expect(
            key not in keys[:index],
            f"benchmarks[{index}]: {key[0]} already has a {key[1]} figure for {key[2]}",
        )
    return sorted(parsed, key=_benchmark_order)


def _benchmark_order(benchmark: Benchmark) -> tuple[int, str, str]:
    """Measures in SPEC order, then label, then year: the order the table and the charts list them."""
    return MEASURE_IDS.index(benchmark.measure), benchmark.label, benchmark.year


def _benchmark(value: Any, where: str) -> Benchmark:
    _expect(isinstance(value, dict), f"{where}: expected a table with measure, year, rate and source")
    _reject_unknown(value, ("measure", "label", "year", "rate", "source"), where)
    measure = value.get("measure")
    _expect(measure in MEASURE_IDS, f"{where}.measure: {measure!r} is not a measure id")
    year = value.get("year")
    match = _FINANCIAL_YEAR.fullmatch(year.strip()) if isinstance(year, str) else None
    _expect(
        match is not None and (int(match[1]) + 1) % 100 == int(match[2]),
        f"{where}.year: expected a financial year such as 2019-20",
    )
    label = _text(value.get("label"), f"{where}.label", required=False) or "Scotland"
    return Benchmark(
        measure=str(measure),
        year=str(year).strip(),
        rate=_percentage(value.get("rate"), f"{where}.rate"),
        source=_text(value.get("source"), f"{where}.source", required=True),
        label=label,
    )


def _text(value: Any, where: str, *, required: bool) -> str:
    """One line of text: blank is an error when required, else ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    _expect(isinstance(value, str), f"{where}: expected text")
    text = " ".join(value.split())  # one line: a line break would break a chart label or a CSV cell
    _expect(bool(text) or not required, f"{where}: must not be blank")
    _expect(len(text) <= MAX_TEXT, f"{where}: at most {MAX_TEXT} characters")
    return text


def stamp_rebases(
    previous: dict[str, Any], edited: dict[str, Any], *, user: str, today: date
) -> dict[str, list[dict[str, Any]]]:
    """The edited rebases part of a document, each entry saying who set it and when.

    An entry the user left as it was (same measure, period and reason) keeps its original author and
    date; a new or changed one is recorded as set by `user` today. Values are not judged here: the
    settings gate does that, with its one-line reasons.
    """

    def key(entry: dict[str, Any]) -> tuple[str, str]:
        try:
            period = rebase_start(entry.get("period"))[1]
        except SettingsError:
            period = str(entry.get("period"))
        return period, " ".join(str(entry.get("reason") or "").split())

    stamped: dict[str, list[dict[str, Any]]] = {}
    for measure_id, entries in edited.items():
        before = {key(entry): entry for entry in previous.get(measure_id, []) if isinstance(entry, dict)}
        rows = []
        for entry in entries:
            kept = before.get(key(entry))
            if kept is None:
                rows.append({**entry, "set_by": user, "set_on": today.isoformat()})
            else:
                rows.append({**entry, "set_by": kept.get("set_by", ""), "set_on": kept.get("set_on")})
        stamped[measure_id] = rows
    return stamped
