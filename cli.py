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


def _engine(args: argparse.Namespace):
    import store

    return store.connect(store.resolve_url(args.db))


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

    engine = _engine(args)
    schedule = _settings(engine).review_schedule

    # Read every file before storing anything: one unreadable file means nothing is stored.
    results = []
    rejects = []
    unchanged_files = []
    for path in args.files:
        file_path = Path(path)
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
                )
            except StoreBusy as error:
                raise CliError(f"{where}: {error}", EXIT_BUSY) from None
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

    engine = _engine(args)
    settings = _settings(engine)
    # The report counts; of the drill-down text columns it needs only team, and only to filter by it,
    # so only the columns the statuses are worked out from are read.
    text_columns = ("team",) if args.team else ()
    frames = {
        name: store.read_dataset(engine, name, columns_read(name, text_columns)) for name in DATASET_NAMES
    }
    statuses = record_statuses(frames, settings, args.as_at, text_columns=text_columns)
    if args.measure:
        statuses = statuses[statuses["measure"].isin(args.measure)]
    if args.team:
        statuses = statuses[statuses["team"].str.casefold() == args.team.casefold()]
    table = quarterly_compliance(statuses, settings)
    if start is not None:
        table = table[table["quarter_start"] >= pd.Timestamp(start)]
    if end is not None:
        table = table[table["quarter_start"] <= pd.Timestamp(end)]
    return table.reset_index(drop=True)


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
            work = work[work[column].fillna("").str.casefold() == wanted.casefold()]
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
        keep &= statuses["team"].str.casefold() == args.team.casefold()
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
        print(
            f"{upload.id}  {upload.uploaded_at:%Y-%m-%d %H:%M:%S}  {upload.user}  {upload.file_name}{sheet}  "
            f"{upload.dataset}  new {upload.new} / updated {upload.updated} / unchanged {upload.unchanged} / "
            f"rejected {upload.rejected}  sha256 {upload.sha256[:12]}{demo}{state}"
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

    engine = _engine(args)
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
    try:
        if args.settings_command == "import":
            try:
                incoming = toml_document(Path(args.file).read_bytes())
            except OSError as error:
                raise CliError(
                    f"{args.file}: cannot open the file ({error.strerror})", EXIT_REFUSED
                ) from None
            document = merge_documents(document, incoming)
        else:
            document = apply_setting(document, args.values)
        settings = settings_from_document(document)
    except SettingFormError as error:  # the request's shape: say what is wrong with it, as typed
        raise CliError(str(error), EXIT_REFUSED) from None
    except SettingsError as error:
        raise CliError(f"settings not saved: {error}", EXIT_REFUSED) from None
    store.save_settings(engine, settings_to_document(settings), user=_user(args))
    print("settings saved")
    return EXIT_OK


# --- people and the audit trail (SPEC 7.4) -----------------------------------------------------------

RETENTION_ENVIRONMENT = "JSW_AUDIT_RETENTION_YEARS"  # the retention setting, in whole years


def cmd_users(args: argparse.Namespace) -> int:
    import store
    from measures.access import AccessError, checked_person

    engine = _engine(args)
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

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--db", default=argparse.SUPPRESS, help="database URL")
    users = commands.add_parser("users", help="who may use the dashboard, and in which role")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    users_commands.add_parser("list", parents=[database])
    adder = users_commands.add_parser("add", parents=[database], help="give someone a role, or change it")
    adder.add_argument("email", metavar="EMAIL")
    adder.add_argument("--role", required=True, choices=ROLES)
    adder.add_argument(
        "--team", action="extend", nargs="+", metavar="NAME", help="the teams a team leader sees"
    )
    remover = users_commands.add_parser("remove", parents=[database], help="take someone's role away")
    remover.add_argument("email", metavar="EMAIL")
    users.set_defaults(handler=cmd_users)

    audit = commands.add_parser("audit", parents=[database], help="the audit trail, oldest first")
    audit.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD")
    audit.add_argument("--user", dest="audit_user", metavar="EMAIL", help="only this person's entries")
    audit.add_argument("--action", choices=AUDIT_ACTIONS, metavar="NAME", help=", ".join(AUDIT_ACTIONS))
    audit.add_argument("--format", choices=["table", "csv"], default="table")
    audit.set_defaults(handler=cmd_audit)

    purge = commands.add_parser(
        "audit-purge", parents=[database], help="remove audit entries older than the retention period"
    )
    purge.add_argument(
        "--older-than-years",
        type=int,
        metavar="N",
        help=f"default: ${RETENTION_ENVIRONMENT}, else 6",
    )
    purge.set_defaults(handler=cmd_audit_purge)


# --- argument parsing ---------------------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    from measures.settings import SETTING_FORMS  # ingest loads measures anyway (its review schedule)

    parser = argparse.ArgumentParser(prog="cli.py", description="Justice social work compliance dashboard")
    parser.add_argument(
        "--db", help="database URL (default: $DATABASE_URL, else the SQLite file under data/)"
    )
    parser.add_argument("--user", help="who to record as doing this (default: your login name)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="read extracts into the store")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--dataset", choices=["orders", "reviews", "audits"])
    ingest.add_argument("--sheet", metavar="NAME")
    ingest.add_argument("--rejects", metavar="OUT.csv", help="write every rejected row and its reason here")
    ingest.set_defaults(handler=cmd_ingest)

    report = commands.add_parser("report", help="quarterly compliance against targets")
    report.add_argument("--as-at", type=_iso_date, default=date.today(), metavar="YYYY-MM-DD")
    report.add_argument("--measure", nargs="+", metavar="ID")
    report.add_argument("--from", dest="from_quarter", metavar='"2019-20 Q1"')
    report.add_argument("--to", dest="to_quarter", metavar='"2020-21 Q4"')
    report.add_argument("--team", metavar="NAME")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.set_defaults(handler=cmd_report)

    due = commands.add_parser("due", help="open cases due soon, overdue first (the worklist)")
    due.add_argument("--as-at", type=_iso_date, default=date.today(), metavar="YYYY-MM-DD")
    due.add_argument("--within", type=int, default=10, metavar="N", help="working days ahead (default 10)")
    due.add_argument("--team", metavar="NAME")
    due.add_argument("--worker", metavar="NAME")
    due.add_argument("--format", choices=["table", "csv"], default="table")
    due.set_defaults(handler=cmd_due)

    spc = commands.add_parser("spc", help="statistical process control points of one measure (SPEC 7.1)")
    spc.add_argument("--measure", required=True, metavar="ID")
    spc.add_argument("--period", choices=["month", "quarter"], default="month")
    spc.add_argument("--as-at", type=_iso_date, default=date.today(), metavar="YYYY-MM-DD")
    spc.add_argument("--team", metavar="NAME", help="one team's records (any case)")
    spc.add_argument("--format", choices=["csv", "json"], default="csv")
    # SPEC 6: --db may stand after the subcommand too (SUPPRESS keeps a --db given before it).
    spc.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    spc.set_defaults(handler=cmd_spc)

    commands.add_parser("uploads", help="upload history").set_defaults(handler=cmd_uploads)

    undo = commands.add_parser("undo", help="take one upload back")
    undo.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    undo.set_defaults(handler=cmd_undo)

    demo = commands.add_parser("demo", help="fill an empty store with clearly labelled synthetic data")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing, quietly, if demo data is already there"
    )
    demo.set_defaults(handler=cmd_demo)

    settings = commands.add_parser(
        "settings", help="show or change rules, targets, holidays, review schedule"
    )
    settings_commands = settings.add_subparsers(dest="settings_command", required=True)
    settings_commands.add_parser("show")
    setter = settings_commands.add_parser(
        "set",
        help="change one setting",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=SETTING_FORMS,
    )
    setter.add_argument("values", nargs="*")
    importer = settings_commands.add_parser("import", help="merge settings from a TOML file")
    importer.add_argument("file", metavar="FILE.toml")
    settings.set_defaults(handler=cmd_settings)
    add_people_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
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
