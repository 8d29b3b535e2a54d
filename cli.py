"""Command line for scheduled jobs and scripted checks (SPEC section 6).

    python cli.py ingest FILE [FILE ...] [--dataset orders|reviews|audits] [--sheet NAME] [--rejects OUT.csv]
    python cli.py report [--as-at YYYY-MM-DD] [--measure ID ...] [--from "2019-20 Q1"] [--to "2020-21 Q4"]
                         [--team NAME] [--format table|csv|json]
    python cli.py due [--as-at YYYY-MM-DD] [--within N] [--team NAME] [--worker NAME] [--format table|csv]
    python cli.py spc --measure ID [--period month|quarter] [--as-at YYYY-MM-DD] [--team NAME]
                      [--format csv|json]
    python cli.py uploads
    python cli.py undo UPLOAD_ID
    python cli.py demo [--if-empty]
    python cli.py settings show | set ... | import FILE.toml
    python cli.py users list | add EMAIL --role ROLE [--team NAME ...] | remove EMAIL
    python cli.py audit [--since YYYY-MM-DD] [--user EMAIL] [--action NAME] [--format table|csv]
    python cli.py audit-purge [--older-than-years N]
    python cli.py pack --quarter "2020-21 Q3" [--as-at YYYY-MM-DD] --out FILE.docx|FILE.xlsx

Heavy modules are imported inside each command so that `ingest` starts quickly. Errors a user can act on
are printed as one line on stderr; nothing ever prints a traceback unless --debug is given. Exit codes:
0 done, 1 unexpected failure, 2 a file could not be read (nothing stored), 3 the store stayed busy,
4 the request was refused, 5 the database failed (disk full, read-only, unreachable; nothing changed).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_UNREADABLE = 2
EXIT_BUSY = 3
EXIT_REFUSED = 4
EXIT_STORE_FAILED = 5  # the database failed (disk full, read-only, unreachable); nothing was changed

DEMO_FILE_NAME = "SYNTHETIC DEMO DATA (not real people)"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")  # SPEC 4


class CliError(Exception):
    """A one-line message for the user, with the exit code to leave with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _user(args: argparse.Namespace) -> str:
    if getattr(args, "user", None):
        return args.user
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a container); still record something honest
        return "unknown"


def _engine(args: argparse.Namespace, *, create: bool = False):
    """The store the command works on. A --db (or $DATABASE_URL) naming an SQLite file that does not
    exist is a typing slip unless the command creates the store on purpose (`create`: ingest, demo and
    the first `users add`); silently starting an empty store would hide every upload."""
    import store

    url = store.resolve_url(args.db)
    missing = None if create else store.missing_sqlite_file(url)
    if missing is not None:
        raise CliError(
            f"there is no store at {missing}; check --db, or create it with `cli.py ingest` or `cli.py demo`",
            EXIT_REFUSED,
        )
    return store.connect(url)


def _settings(engine):
    import store
    from measures import settings_from_document

    return settings_from_document(store.load_settings(engine))


# --- ingest -----------------------------------------------------------------------------------------


def _uploads_of_unchanged_file(engine, sha256: str, args: argparse.Namespace) -> list:
    """The uploads that already hold this file, when storing it again would change nothing.

    Lets a scheduled job that offers the same extract again finish in a moment instead of parsing it.
    Only when no --dataset or --sheet asks for something other than what was stored.
    """
    import store

    uploads = store.uploads_still_current(engine, sha256)
    if args.sheet is not None:
        uploads = [upload for upload in uploads if upload.sheet == args.sheet]
    if args.dataset is not None and any(upload.dataset != args.dataset for upload in uploads):
        return []
    return uploads


def _report_waiting(seconds: float) -> None:
    """A scheduled job's log says why an ingest is slow: it queues behind another writer."""
    if int(seconds) % 30 == 0:
        print(f"waiting for another upload to finish ({seconds:.0f} s)…", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    import hashlib

    import pandas as pd

    import store
    from loaders import LoadError, read_extract_isolated
    from loaders.limits import MAX_COMMAND_LINE_FILE_BYTES
    from store import StoreBusy

    engine = _engine(args, create=True)
    schedule = _settings(engine).review_schedule

    # Read every file before storing anything: one unreadable file means nothing is stored.
    results = []
    rejects = []
    unchanged_files = []
    for path in args.files:
        file_path = Path(path)
        if file_path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            raise CliError(
                f"{file_path.name}: not a spreadsheet (expected {', '.join(SPREADSHEET_SUFFIXES)}); "
                "nothing was stored",
                EXIT_UNREADABLE,
            )
        try:
            content = file_path.read_bytes()
        except OSError as error:
            raise CliError(
                f"{file_path.name}: cannot open the file ({error.strerror})", EXIT_UNREADABLE
            ) from None
        unchanged = _uploads_of_unchanged_file(engine, hashlib.sha256(content).hexdigest(), args)
        if unchanged:
            unchanged_files.append((file_path.name, unchanged))
            continue
        try:
            result = read_extract_isolated(  # a crafted file cannot crash this process
                file_path.name,
                content,
                dataset=args.dataset,
                sheet=args.sheet,
                review_schedule=schedule,
                max_bytes=MAX_COMMAND_LINE_FILE_BYTES,
            )
        except LoadError as error:
            raise CliError(f"{file_path.name}: {error}; nothing was stored", EXIT_UNREADABLE) from None
        results.append(result)
        for problem in result.unread_sheets:
            print(f"warning: {problem}; that sheet was not stored", file=sys.stderr)
    # The last file's bytes are read and hashed: storing needs only its frames, and 100 MB less held
    # while a million records are written keeps the command's peak memory down.
    del content

    for file_name, uploads in unchanged_files:
        for upload in uploads:
            where = file_name + (f" [{upload.sheet}]" if upload.sheet else "")
            print(f"{where}: {upload.dataset}: already loaded as upload {upload.id}; nothing changed")
            if args.rejects:
                rejects.append(store.rejected_rows(engine, upload.id).assign(file=file_name))
    user = _user(args)
    for result in results:
        for sheet in result.sheets:
            where = result.file_name + (f" [{sheet.sheet}]" if sheet.sheet else "")
            try:
                summary = store.store_sheet(
                    engine,
                    sheet,
                    file_name=result.file_name,
                    sha256=result.sha256,
                    user=user,
                    on_wait=_report_waiting,
                    refuse_older=not args.allow_older,
                )
            except StoreBusy as error:
                raise CliError(f"{where}: {error}", EXIT_BUSY) from None
            except store.OlderExtract as error:
                # A scheduled job must not roll the figures back by re-running an old file unnoticed;
                # earlier files and sheets of this run stay stored (each sheet is its own upload).
                raise CliError(
                    f"{where}: not stored: {error}. Run again with --allow-older to store it anyway",
                    EXIT_REFUSED,
                ) from None
            if len(sheet.rejects):
                rejects.append(sheet.rejects.assign(file=result.file_name))
            if summary.already_loaded is not None:
                print(
                    f"{where}: {sheet.dataset}: already loaded as upload {summary.already_loaded}; "
                    "nothing changed"
                )
                continue
            stored = summary.new + summary.updated + summary.unchanged
            print(
                f"{where}: {sheet.dataset}: {stored} rows stored "
                f"({summary.new} new / {summary.updated} updated / {summary.unchanged} unchanged), "
                f"{summary.rejected} rejected; upload {summary.upload_id}"
            )
    if args.rejects:
        from exports import to_csv_bytes
        from loaders import REJECT_COLUMNS

        frame = (
            pd.concat(rejects, ignore_index=True)
            if rejects
            else pd.DataFrame(columns=["file", *REJECT_COLUMNS])
        )
        Path(args.rejects).write_bytes(to_csv_bytes(frame[["file", *REJECT_COLUMNS]]))
        print(f"{len(frame)} rejected-row reasons written to {args.rejects}")
    return EXIT_OK


# --- choosing by name ---------------------------------------------------------------------------------


def same_name(values, wanted: str, what: str):
    """Which rows name `wanted` (any case or spacing, as groups are formed); a name no row holds is
    refused, so a typing slip never reads as a team with nothing to report."""
    from measures.filters import same_group

    found = same_group(values, (wanted,))  # per distinct name, not per row
    if not found.any():
        known = sorted({str(value) for value in values.dropna().unique()})
        choices = f"; {what}s in the store: {', '.join(known)}" if what == "team" and known else ""
        raise CliError(f"no {what} called '{wanted}'{choices}", EXIT_REFUSED)
    return found


# --- report -----------------------------------------------------------------------------------------

REPORT_COLUMNS = [
    "measure",
    "quarter",
    "met",
    "missed",
    "pending",
    "excluded",
    "invalid",
    "rate",
    "target",
    "rag",
]


def _report_frame(args: argparse.Namespace):
    import pandas as pd

    import store
    from loaders import DATASET_NAMES
    from measures import MEASURES, parse_quarter, quarterly_compliance, record_statuses
    from measures.statuses import columns_read

    known = [measure.id for measure in MEASURES]
    unknown = [measure for measure in args.measure or [] if measure not in known]
    if unknown:
        raise CliError(f"unknown measure {', '.join(unknown)}; choose from {', '.join(known)}", EXIT_REFUSED)
    try:
        start = parse_quarter(args.from_quarter) if args.from_quarter else None
        end = parse_quarter(args.to_quarter) if args.to_quarter else None
    except ValueError as error:
        raise CliError(str(error), EXIT_REFUSED) from None
    if start is not None and end is not None and start > end:
        raise CliError(
            f"--from {args.from_quarter} comes after --to {args.to_quarter}; give the earlier quarter first",
            EXIT_REFUSED,
        )

    engine = _engine(args)
    settings = _settings(engine)
    # The report counts; of the drill-down text columns it needs only team, and only to filter by it,
    # so only the columns the statuses are worked out from are read.
    text_columns = ("team",) if args.team else ()
    statuses = _saved_statuses(engine, settings, args.as_at, text_columns)
    if statuses is None:
        frames = {
            name: store.read_dataset(engine, name, columns_read(name, text_columns)) for name in DATASET_NAMES
        }
        statuses = record_statuses(frames, settings, args.as_at, text_columns=text_columns)
    if args.measure:
        statuses = statuses[statuses["measure"].isin(args.measure)]
    if args.team:
        statuses = statuses[same_name(statuses["team"], args.team, "team")]
    table = quarterly_compliance(statuses, settings)
    if start is not None:
        table = table[table["quarter_start"] >= pd.Timestamp(start)]
    if end is not None:
        table = table[table["quarter_start"] <= pd.Timestamp(end)]
    return table.reset_index(drop=True)


# The statuses' columns the report counts from (quarterly_compliance) and moves to its date with.
_REPORT_COLUMNS = ("measure", "status", "to_date", "due_date", "quarter_start")


def _saved_statuses(engine, settings, as_at: date, text_columns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """The statuses a dashboard server saved beside the store for these very records and settings (for
    the as-at date, or for the date the dashboard opens with: the newest data date), moved to `as_at`;
    None when there is no such copy, and the report works them out itself.

    Only the columns counted are read from the memory-mapped file, so the report skips reading a
    million records and working out millions of statuses (the same figures: measures.saved)."""
    import store
    import store.columnar
    from measures.incremental import redated_statuses
    from measures.saved import statuses_key

    versions = store.records_versions(engine)
    newest = store.newest_data(engine)
    dates = [as_at, *([newest.data_date] if newest is not None and newest.data_date else [])]
    for saved_at in dict.fromkeys(dates):
        path = store.statuses_path(engine.url, versions, statuses_key(settings, saved_at))
        if path is None or not path.exists():
            continue
        saved = store.columnar.load_frame(path, (*_REPORT_COLUMNS, *text_columns))
        moved = None if saved is None else redated_statuses(saved, saved_at, as_at)
        if moved is not None:
            return moved
    return None


def _csv_rows(table) -> list[list[str]]:
    from measures import rate_text

    rows = []
    for record in table.to_dict("records"):
        target = record["target"]
        target_text = "" if target != target else f"{target:g}"
        rows.append(
            [
                record["measure"],
                record["quarter"],
                *(str(int(record[name])) for name in ("met", "missed", "pending", "excluded", "invalid")),
                rate_text(record["rate"]),  # halves up, as every page and export shows it
                target_text,
                record["rag"],
            ]
        )
    return rows


def cmd_report(args: argparse.Namespace) -> int:
    import csv

    table = _report_frame(args)
    rows = _csv_rows(table)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(rows)
    elif args.format == "json":
        records = [dict(zip(REPORT_COLUMNS, row, strict=True)) for row in rows]
        for record in records:
            for name in ("met", "missed", "pending", "excluded", "invalid"):
                record[name] = int(record[name])
            record["rate"] = float(record["rate"]) if record["rate"] else None
            record["target"] = float(record["target"]) if record["target"] else None
        json.dump({"as_at": args.as_at.isoformat(), "rows": records}, sys.stdout, indent=2)
        print()
    else:
        _print_table(rows, args.as_at)
    return EXIT_OK


def _print_table(rows: list[list[str]], as_at: date) -> None:
    if not rows:
        print(f"No records as at {as_at:%d/%m/%Y} for this selection.")
        return
    header = ["measure", "quarter", "met", "missed", "pend", "excl", "inval", "rate %", "target", "RAG"]
    display = [[*row[:9], row[9].upper()] for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *display, strict=True)]
    numeric = set(range(2, 9))

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print(f"Compliance as at {as_at:%d/%m/%Y}")
    print(line(header))
    print(line(["-" * width for width in widths]))
    previous = None
    for row in display:
        if previous is not None and row[0] != previous:
            print()
        print(line(row))
        previous = row[0]


# --- due (the worklist, SPEC 7.2) ------------------------------------------------------------------


def _worklist(args: argparse.Namespace):
    import store
    from measures import record_statuses
    from measures.filters import same_group
    from measures.worklist import open_work

    if args.within < 0:
        raise CliError("--within must be 0 or more working days", EXIT_REFUSED)
    engine = _engine(args)
    settings = _settings(engine)
    frames = {name: store.read_dataset(engine, name) for name in ("orders", "reviews")}
    statuses = record_statuses(frames, settings, args.as_at, text_columns=("case_ref", "team", "worker"))
    work = open_work(statuses, frames["reviews"], settings, args.as_at, args.within)
    for column, wanted in (("team", args.team), ("worker", args.worker)):
        if wanted:
            same_name(statuses[column], wanted, column)  # refused when no record names it at all
            work = work[same_group(work[column], (wanted,))]
    return engine, work.reset_index(drop=True)


def cmd_due(args: argparse.Namespace) -> int:
    import csv
    import hashlib
    import io

    from exports import neutralise_frame
    from measures.worklist import WORKLIST_COLUMNS

    engine, work = _worklist(args)
    if args.format == "csv":
        table = work.loc[:, list(WORKLIST_COLUMNS)]
        for column in ("order_date", "review_due", "due_date"):
            table[column] = table[column].dt.strftime("%Y-%m-%d").fillna("")
        buffer = io.StringIO()
        # Names and references come from uploaded files: neutralised, as every export is.
        neutralise_frame(table).to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        text = buffer.getvalue()
        sys.stdout.write(text)
    else:
        text = _worklist_text(work, args)
        print(text, end="")
    filters = {
        "as_at": args.as_at.isoformat(),
        "within": args.within,
        "team": args.team,
        "worker": args.worker,
    }
    import store

    store.record_export(  # case rows left the store: logged like every export (never the rows themselves)
        engine,
        user=_user(args),
        what="Worklist (cli.py due)",
        filters=filters,
        rows=len(work),
        file_format=args.format,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return EXIT_OK


def _worklist_text(work, args: argparse.Namespace) -> str:
    from exports import neutralise

    heading = f"Due within {args.within} working days of {args.as_at:%d/%m/%Y}, overdue first"
    if work.empty:
        return f"{heading}: nothing open.\n"
    header = ["due", "left", "measure", "case", "team", "worker"]
    rows = [
        [
            f"{record['due_date']:%d/%m/%Y}",
            str(record["working_days_left"]),
            record["measure_title"],
            *(str(neutralise(record[name]) or "") for name in ("case_ref", "team", "worker")),
        ]
        for record in work.to_dict("records")
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index == 1 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [f"{heading}: {len(work)} open", line(header), line(["-" * width for width in widths])]
    lines.extend(line(row) for row in rows)
    return "\n".join(lines) + "\n"


# --- spc (statistical process control, SPEC 7.1) -------------------------------------------------------

SPC_COLUMNS = [
    "measure",
    "period",
    "met",
    "denominator",
    "rate",
    "chart",
    "centre",
    "lower",
    "upper",
    "flag",
    "rules",
    "variation",
    "assurance",
]


def _spc_chart(args: argparse.Namespace):
    """One measure's XmR or run chart from the store, as the dashboard draws it (measures.spc)."""
    import store
    from measures import MEASURES, MEASURES_BY_ID, record_statuses, spc

    if args.measure not in MEASURES_BY_ID:
        known = ", ".join(measure.id for measure in MEASURES)
        raise CliError(f"unknown measure {args.measure}; choose from {known}", EXIT_REFUSED)
    engine = _engine(args)
    settings = _settings(engine)
    dataset = MEASURES_BY_ID[args.measure].dataset  # a measure's statuses come from its own dataset only
    frames = {dataset: store.read_dataset(engine, dataset)}
    statuses = record_statuses(frames, settings, args.as_at, text_columns=("team",) if args.team else ())
    keep = statuses["measure"] == args.measure
    if args.team:
        keep &= same_name(statuses["team"], args.team, "team")
    counts = spc.period_counts(spc.monthly_counts(statuses, keep.to_numpy()), args.period, args.as_at)
    return spc.spc_chart(
        counts[counts["measure"] == args.measure],
        measure=args.measure,
        period=args.period,
        targets=settings.targets.get(args.measure, []),
        rebases=settings.rebases.get(args.measure, []),
        rules=settings.spc,
    )


def _spc_rows(chart) -> list[list[str]]:
    from measures import rate_text

    with_limits = chart.chart == "xmr"
    rows = []
    for point in chart.points.to_dict("records"):
        rows.append(
            [
                chart.measure,
                point["period"],
                str(int(point["met"])),
                str(int(point["denominator"])),
                rate_text(point["rate"]),  # halves up, as every page shows it
                chart.chart,
                rate_text(point["centre"]),
                rate_text(point["lower"]) if with_limits else "",
                rate_text(point["upper"]) if with_limits else "",
                point["flag"],
                point["rules"],
                chart.variation or "",
                chart.assurance or "",
            ]
        )
    return rows


def cmd_spc(args: argparse.Namespace) -> int:
    import csv

    chart = _spc_chart(args)
    rows = _spc_rows(chart)
    if args.format == "json":
        records = [dict(zip(SPC_COLUMNS, row, strict=True)) for row in rows]
        for record in records:
            for name in ("met", "denominator"):
                record[name] = int(record[name])
            for name in ("rate", "centre", "lower", "upper"):
                record[name] = float(record[name]) if record[name] else None
            for name in ("flag", "assurance"):
                record[name] = record[name] or None
            record["rules"] = record["rules"].split(";") if record["rules"] else []
        document = {
            "as_at": args.as_at.isoformat(),
            "measure": args.measure,
            "period": args.period,
            "team": args.team,
            "rows": records,
        }
        json.dump(document, sys.stdout, indent=2)
        print()
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(SPC_COLUMNS)
        writer.writerows(rows)
    return EXIT_OK


# --- uploads, undo, demo ----------------------------------------------------------------------------


def cmd_uploads(args: argparse.Namespace) -> int:
    import store

    uploads = store.list_uploads(_engine(args))
    if not uploads:
        print("No uploads yet.")
        return EXIT_OK
    for upload in uploads:
        sheet = f" [{upload.sheet}]" if upload.sheet else ""
        state = f"  UNDONE {upload.undone_at:%Y-%m-%d %H:%M}" if upload.undone_at else ""
        demo = "  (demo)" if upload.is_demo else ""
        data_date = f"data as at {upload.data_date:%Y-%m-%d}" if upload.data_date else "no data date"
        print(
            f"{upload.id}  {upload.uploaded_at:%Y-%m-%d %H:%M:%S}  {upload.user}  {upload.file_name}{sheet}  "
            f"{upload.dataset}  {data_date}  new {upload.new} / updated {upload.updated} / "
            f"unchanged {upload.unchanged} / rejected {upload.rejected}  "
            f"sha256 {upload.sha256[:12]}{demo}{state}"
        )
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    import store
    from store import StoreBusy, UndoError

    try:
        summary = store.undo_upload(_engine(args), args.upload_id, user=_user(args))
    except UndoError as error:
        raise CliError(str(error), EXIT_REFUSED) from None
    except StoreBusy as error:
        raise CliError(str(error), EXIT_BUSY) from None
    print(
        f"upload {args.upload_id} undone: {summary.new} records removed, "
        f"{summary.updated} records restored to their earlier values"
    )
    return EXIT_OK


def demo_period(today: date) -> tuple[date, date]:
    """Three financial years up to today, so the demo has complete quarters and cases still pending."""
    first_year = today.year - 3 if today.month >= 4 else today.year - 4
    return date(first_year, 4, 1), today


def cmd_demo(args: argparse.Namespace) -> int:
    import hashlib

    import store
    from loaders import sheet_from_frame
    from loaders.demo import demo_frames

    engine = _engine(args, create=True)
    if store.holds_real_uploads(engine):
        raise CliError(
            "the store holds real uploads; demo data is only added to an empty store", EXIT_REFUSED
        )
    if store.holds_demo_data(engine):
        if not args.if_empty:
            print("the store already holds the demo data; nothing changed")
        return EXIT_OK
    start, end = demo_period(date.today())
    frames = demo_frames(start=start, end=end)
    for name, frame in frames.items():
        sheet = sheet_from_frame(name, frame)
        fingerprint = hashlib.sha256(f"demo:{name}:{start}:{end}".encode()).hexdigest()
        summary = store.store_sheet(
            engine, sheet, file_name=DEMO_FILE_NAME, sha256=fingerprint, user="demo", is_demo=True
        )
        print(f"demo {name}: {summary.new} synthetic records stored (upload {summary.upload_id})")
    added = store.seed_example_plan(engine, "demo", today=end)
    print(f"demo action plan: {added} example actions added (replace them with the service's own plan)")
    return EXIT_OK


# --- settings ---------------------------------------------------------------------------------------


# How `settings set` names each part of a setting (its forms in measures.settings.SETTING_FORMS).
_FORM_WORDS = {
    "number": "NUMBER",
    "unit": "UNIT",
    "target": "PERCENT",
    "effective_from": "FROM",
    "amber_margin": "MARGIN",
    "first_months": "FIRST",
    "second_months": "SECOND",
    "interval_months": "EVERY",
}
_LIST_INDEX = re.compile(r"\[\d+\]")


def setting_message(message: str, values: list[str] | None, file_name: str | None) -> str:
    """A settings error as the user wrote the setting, not as the stored document's path names it.

    "targets.lscmi[1].target: expected a number from 0 to 100" becomes, for `settings set target lscmi
    200 2020-04-01`, "target lscmi 200 2020-04-01: PERCENT must be a number from 0 to 100"; for an
    imported file, "s.toml: targets.lscmi target must be ...". List positions mean nothing to a user.
    """
    path, _, reason = message.partition(": ")
    if not reason:
        return message
    reason = reason.replace("expected ", "must be ", 1) if reason.startswith("expected ") else reason
    parts = _LIST_INDEX.sub("", path).split(".")
    field = parts[-1] if len(parts) > 2 or parts[-1] in _FORM_WORDS else None
    if values is not None:
        if field in _FORM_WORDS:
            return f"{' '.join(values)}: {_FORM_WORDS[field]} {reason}"
        if path.startswith("local_holidays"):
            return f"{' '.join(values)}: the date {reason}"
        measure = values[1] if len(values) > 1 else ""
        return (
            f"{' '.join(values)}: '{measure}' is {reason}"
            if reason.startswith("not ")
            else (f"{' '.join(values)}: '{measure}': {reason}")
        )
    section = ".".join(parts[:-1]) if field else ".".join(parts)
    return f"{file_name}: {section}{' ' + field if field else ''} {reason}"


def _checked_set_values(values: list[str]) -> list[str]:
    """`settings set` values with measure ids in any case, and impossible dates named as such."""
    checked = list(values)
    if len(checked) > 1 and checked[0] in ("rule", "target"):
        checked[1] = _measure_id(checked[1])
    for value in checked:
        match = _ISO_DATE.match(value)
        if match:
            try:
                _real_date(*(int(part) for part in match.groups()))
            except argparse.ArgumentTypeError as error:
                raise CliError(f"settings not saved: {error}", EXIT_REFUSED) from None
    return checked


def cmd_settings(args: argparse.Namespace) -> int:
    import store
    from measures import (
        SettingFormError,
        SettingsError,
        apply_setting,
        merge_documents,
        settings_from_document,
        settings_to_document,
        toml_document,
    )

    engine = _engine(args)
    document = settings_to_document(_settings(engine))
    if args.settings_command == "show":
        print(json.dumps(document, indent=2))
        return EXIT_OK
    values = _checked_set_values(args.values) if args.settings_command == "set" else None
    file_name = Path(args.file).name if args.settings_command == "import" else None
    try:
        if values is None:
            try:
                incoming = toml_document(Path(args.file).read_bytes())
            except OSError as error:
                raise CliError(
                    f"{args.file}: cannot open the file ({error.strerror})", EXIT_REFUSED
                ) from None
            document = merge_documents(document, incoming)
        else:
            document = apply_setting(document, values)
        settings = settings_from_document(document)
    except SettingFormError as error:  # the request's shape: say what is wrong with it, as typed
        raise CliError(str(error), EXIT_REFUSED) from None
    except SettingsError as error:
        message = setting_message(str(error), values, file_name)
        raise CliError(f"settings not saved: {message}", EXIT_REFUSED) from None
    store.save_settings(engine, settings_to_document(settings), user=_user(args))
    print("settings saved")
    return EXIT_OK


# --- people and the audit trail (SPEC 7.4) -----------------------------------------------------------

RETENTION_ENVIRONMENT = "JSW_AUDIT_RETENTION_YEARS"  # the retention setting, in whole years


def cmd_users(args: argparse.Namespace) -> int:
    import store
    from measures.access import AccessError, checked_person

    engine = _engine(args, create=args.users_command == "add")
    if args.users_command == "list":
        people = store.list_people(engine)
        if not people:
            print("No one has a role yet. Add the first admin: python cli.py users add EMAIL --role admin")
        for person in people:
            teams = f"  teams: {', '.join(person.teams)}" if person.teams else ""
            added = f"added {person.added_at:%Y-%m-%d} by {person.added_by}"
            print(f"{person.email}  {person.role}{teams}  ({added})")
        return EXIT_OK
    try:
        if args.users_command == "add":
            person = checked_person(args.email, args.role, args.team or [])
            saved = store.add_person(engine, person.email, person.role, person.teams, _user(args))
            teams = f" for {', '.join(saved.teams)}" if saved.teams else ""
            print(f"{saved.email} is {saved.role}{teams}")
        else:
            store.remove_person(engine, args.email, _user(args))
            print(f"{args.email.strip().lower()} no longer has a role")
    except (AccessError, store.PeopleError) as error:
        raise CliError(str(error), EXIT_REFUSED) from None
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    import csv

    import store
    from exports import neutralise_frame

    rows = store.list_audit(_engine(args), since=args.since, user=args.audit_user, action=args.action)
    table = store.audit_csv_frame(rows)
    if args.format == "csv":
        # Names and details can echo text from files and sign-ins: neutralised, as every export is.
        neutralise_frame(table).to_csv(
            sys.stdout, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        return EXIT_OK
    if table.empty:
        print("No audit entries for this selection.")
        return EXIT_OK
    for record in table.to_dict("records"):
        count = "" if record["rows"] is None else f"  rows {record['rows']}"
        print(f"{record['at']}  {record['user']}  {record['action']}{count}  {record['detail']}")
    return EXIT_OK


def retention_years() -> int:
    """The audit trail's retention in years: $JSW_AUDIT_RETENTION_YEARS, else the default (6)."""
    from measures.access import DEFAULT_AUDIT_RETENTION_YEARS

    text = os.environ.get(RETENTION_ENVIRONMENT, "").strip()
    if not text:
        return DEFAULT_AUDIT_RETENTION_YEARS
    if not text.isdigit() or int(text) < 1:
        raise CliError(f"{RETENTION_ENVIRONMENT} must be a whole number of years, 1 or more", EXIT_REFUSED)
    return int(text)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def cmd_audit_purge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    import store

    years = args.older_than_years if args.older_than_years is not None else retention_years()
    if years < 1:
        raise CliError("--older-than-years must be 1 or more", EXIT_REFUSED)
    cut_off = years_before(datetime.now(UTC).date(), years)
    removed = store.purge_audit(_engine(args), cut_off, _user(args))
    print(f"{removed} audit entries from before {cut_off.isoformat()} removed; the purge is recorded")
    return EXIT_OK


def add_people_commands(commands: argparse._SubParsersAction) -> None:
    """`users`, `audit` and `audit-purge` (SPEC 7.4). `--db` may also follow the subcommand."""
    from measures.access import ROLES
    from store.audit import AUDIT_ACTIONS

    users = add_command(commands, "users", help="who may use the dashboard, and in which role")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add_command(users_commands, "list", help="everyone with a role")
    adder = add_command(
        users_commands,
        "add",
        help="give someone a role, or change it (creates the store for the first admin)",
    )
    adder.add_argument("email", metavar="EMAIL", help="their sign-in email address")
    adder.add_argument("--role", required=True, choices=ROLES, help="what they may see and do")
    adder.add_argument(
        "--team", action="extend", nargs="+", metavar="NAME", help="the teams a team leader sees"
    )
    remover = add_command(users_commands, "remove", help="take someone's role away")
    remover.add_argument("email", metavar="EMAIL", help="their sign-in email address")
    users.set_defaults(handler=cmd_users)

    audit = add_command(commands, "audit", help="the audit trail, oldest first")
    audit.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD", help="only entries from this day on")
    audit.add_argument("--user", dest="audit_user", metavar="EMAIL", help="only this person's entries")
    audit.add_argument("--action", choices=AUDIT_ACTIONS, metavar="NAME", help=", ".join(AUDIT_ACTIONS))
    audit.add_argument(
        "--format", choices=["table", "csv"], default="table", help="output format (default: table)"
    )
    audit.set_defaults(handler=cmd_audit)

    purge = add_command(commands, "audit-purge", help="remove audit entries older than the retention period")
    purge.add_argument(
        "--older-than-years",
        type=int,
        metavar="N",
        help=f"default: ${RETENTION_ENVIRONMENT}, else 6",
    )
    purge.set_defaults(handler=cmd_audit_purge)


# --- pack (the quarterly report pack, SPEC 7.3) -------------------------------------------------------

PACK_FORMATS = (".docx", ".xlsx")


def cmd_pack(args: argparse.Namespace) -> int:
    """Write the Word pack or its Excel annex; every figure passes disclosure control (exports.pack)."""
    from exports.disclosure import DisclosureError
    from exports.pack import build_pack, pack_docx, pack_xlsx
    from exports.pack.images import ChartSession
    from exports.pack.source import inputs_from_store, record_pack
    from measures import parse_quarter

    out = Path(args.out)
    if out.suffix.lower() not in PACK_FORMATS:
        raise CliError(
            "--out must name a .docx (the Word pack) or .xlsx (its Excel annex) file", EXIT_REFUSED
        )
    try:
        parse_quarter(args.quarter)
    except ValueError as error:
        raise CliError(str(error), EXIT_REFUSED) from None
    engine = _engine(args)
    # Chromium starts now, in the background, while the store is read (the Word pack's charts).
    session = ChartSession() if out.suffix.lower() == ".docx" else None
    try:
        inputs = inputs_from_store(engine, args.quarter, args.as_at, _user(args))
        pack = build_pack(inputs)
        if session is not None:
            images = session.render({s.measure: s.figure for s in pack.sections if s.figure is not None})
            content = pack_docx(pack, images)
            if images.left_out:
                print(f"warning: charts left out: {images.left_out}", file=sys.stderr)
        else:
            content = pack_xlsx(pack)
    except DisclosureError as error:
        raise CliError(f"pack not written: {error}", EXIT_REFUSED) from None
    finally:
        if session is not None:
            session.close()
    try:
        out.write_bytes(content)
    except OSError as error:
        raise CliError(f"{out}: cannot write the file ({error.strerror})", EXIT_REFUSED) from None
    cells = len(pack.suppressed_cells)
    record_pack(engine, inputs, out.suffix.lower().lstrip("."), content, cells)
    print(f"{out}: report pack for {args.quarter} as at {args.as_at:%d/%m/%Y}; {cells} figures withheld")
    return EXIT_OK


def add_pack_command(commands: argparse._SubParsersAction) -> None:
    """`pack --quarter "2020-21 Q3" [--as-at DATE] --out FILE.docx|FILE.xlsx`; `--db` may follow it."""
    pack = add_command(commands, "pack", help="the quarterly report pack (Word) or its annex (Excel)")
    pack.add_argument(
        "--quarter", required=True, metavar='"2020-21 Q3"', help="the financial quarter the pack reports on"
    )
    pack.add_argument(
        "--as-at",
        type=_iso_date,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="the date statuses are worked out at (default: today)",
    )
    pack.add_argument(
        "--out",
        required=True,
        metavar="FILE.docx|FILE.xlsx",
        help="where to write: .docx for the Word pack, .xlsx for its Excel annex",
    )
    pack.set_defaults(handler=cmd_pack)


# --- argument parsing ---------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _iso_date(text: str) -> date:
    """A YYYY-MM-DD date; a date that does not exist is named as a person would say it."""
    match = _ISO_DATE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD")
    return _real_date(*(int(part) for part in match.groups()))


def _real_date(year: int, month: int, day: int) -> date:
    from measures.as_at import AsAtError, checked_date

    try:
        return checked_date(year, month, day)
    except AsAtError as error:  # "30 February 2021 does not exist"
        raise argparse.ArgumentTypeError(str(error)) from None


def database_option() -> argparse.ArgumentParser:
    """The parent every subcommand takes, so `--db URL` may also follow the subcommand (SPEC 6).

    SUPPRESS keeps a --db given before the subcommand when none follows it.
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="database URL (default: $DATABASE_URL, else the SQLite file under data/)",
    )
    return parent


def add_command(
    commands: argparse._SubParsersAction, name: str, *, help: str, **options: object
) -> argparse.ArgumentParser:
    """A subcommand (or a sub-subcommand) that accepts --db after it; every command is added this way."""
    return commands.add_parser(name, help=help, description=help, parents=[database_option()], **options)


def _measure_id(text: str) -> str:
    """Measure ids are matched whatever their case (LSCMI is lscmi); unknown ids are refused later,
    in one line, by the command."""
    return text.strip().casefold()


def build_parser() -> argparse.ArgumentParser:
    from measures.settings import SETTING_FORMS  # ingest loads measures anyway (its review schedule)

    parser = argparse.ArgumentParser(prog="cli.py", description="Justice social work compliance dashboard")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $DATABASE_URL, else the SQLite file under data/)"
    )
    parser.add_argument("--user", help="who to record as doing this (default: your login name)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = add_command(
        commands, "ingest", help="read extracts into the store (creates the store if needed)"
    )
    ingest.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .xlsm, .xls, .ods or .csv extracts")
    ingest.add_argument(
        "--dataset",
        choices=["orders", "reviews", "audits"],
        help="force the dataset (default: from the headers)",
    )
    ingest.add_argument("--sheet", metavar="NAME", help="read only this sheet of a workbook")
    ingest.add_argument("--rejects", metavar="OUT.csv", help="write every rejected row and its reason here")
    ingest.add_argument(
        "--allow-older",
        action="store_true",
        help="store an extract even when its data date is older than the stored data it would change back",
    )
    ingest.set_defaults(handler=cmd_ingest)

    report = add_command(commands, "report", help="quarterly compliance against targets")
    report.add_argument(
        "--as-at",
        type=_iso_date,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="report date (default: today)",
    )
    report.add_argument(
        "--measure", nargs="+", type=_measure_id, metavar="ID", help="only these measures (any case)"
    )
    report.add_argument("--from", dest="from_quarter", metavar='"2019-20 Q1"', help="first quarter shown")
    report.add_argument("--to", dest="to_quarter", metavar='"2020-21 Q4"', help="last quarter shown")
    report.add_argument("--team", metavar="NAME", help="one team's records (any case)")
    report.add_argument(
        "--format", choices=["table", "csv", "json"], default="table", help="output format (default: table)"
    )
    report.set_defaults(handler=cmd_report)

    due = add_command(commands, "due", help="open cases due soon, overdue first (the worklist)")
    due.add_argument(
        "--as-at",
        type=_iso_date,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="report date (default: today)",
    )
    due.add_argument("--within", type=int, default=10, metavar="N", help="working days ahead (default 10)")
    due.add_argument("--team", metavar="NAME", help="one team's cases (any case)")
    due.add_argument("--worker", metavar="NAME", help="one worker's cases (any case)")
    due.add_argument(
        "--format", choices=["table", "csv"], default="table", help="output format (default: table)"
    )
    due.set_defaults(handler=cmd_due)

    spc = add_command(commands, "spc", help="statistical process control points of one measure (SPEC 7.1)")
    spc.add_argument(
        "--measure", required=True, type=_measure_id, metavar="ID", help="the measure (any case)"
    )
    spc.add_argument(
        "--period",
        choices=["month", "quarter"],
        default="month",
        help="points per month or quarter (default: month)",
    )
    spc.add_argument(
        "--as-at",
        type=_iso_date,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="report date (default: today)",
    )
    spc.add_argument("--team", metavar="NAME", help="one team's records (any case)")
    spc.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default: csv)")
    spc.set_defaults(handler=cmd_spc)

    add_command(commands, "uploads", help="upload history, newest first").set_defaults(handler=cmd_uploads)

    undo = add_command(commands, "undo", help="take one upload back: its new records go, changed ones return")
    undo.add_argument(
        "upload_id", type=int, metavar="UPLOAD_ID", help="the upload's number, as `uploads` lists it"
    )
    undo.set_defaults(handler=cmd_undo)

    demo = add_command(
        commands, "demo", help="fill an empty store with clearly labelled synthetic data (creates the store)"
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing, quietly, if demo data is already there"
    )
    demo.set_defaults(handler=cmd_demo)

    settings = add_command(
        commands, "settings", help="show or change rules, targets, holidays, review schedule"
    )
    settings_commands = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    add_command(settings_commands, "show", help="print the settings in force as JSON")
    setter = add_command(
        settings_commands,
        "set",
        help="change one setting",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=SETTING_FORMS,
    )
    setter.add_argument("values", nargs="*", metavar="VALUE", help="one of the forms below")
    importer = add_command(settings_commands, "import", help="merge settings from a TOML file")
    importer.add_argument("file", metavar="FILE.toml", help="settings written as `settings show` names them")
    settings.set_defaults(handler=cmd_settings)
    add_people_commands(commands)
    add_pack_command(commands)
    return parser


def _quiet_stdout() -> None:
    """The reader of our output has gone (`| head`): send what is left nowhere, without a word."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, so a reader that has gone is met inside the handling below
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.debug or os.environ.get("JSW_DEBUG"):
            raise
        from store.engine import StoreBusy, StoreError

        if isinstance(error, StoreError):  # one plain line, already free of case data
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BUSY if isinstance(error, StoreBusy) else EXIT_STORE_FAILED
        # The class only: an exception message may quote case data.
        print(
            f"error: unexpected {type(error).__name__}; the step in progress was rolled back. "
            "Re-run with --debug for details.",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
