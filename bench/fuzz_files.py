"""Feed a few hundred damaged and hostile spreadsheets to read_extract_isolated: none may escape or kill us.

    python bench/fuzz_files.py [--files 200] [--seed 13]

Every file is built here from synthetic rows (no fixtures), mutated with a fixed seed: byte flips and
truncation of every format; .xlsx cells and dimensions at huge references written with either quote,
odd spacing, a namespace prefix or lower-case letters, sheet parts moved to a sub-folder, rows without
`r` attributes, impossible shared-string counts; .xls DIMENSIONS and cell records pointing far away;
.ods rows and cells repeated millions of times, also behind `</table:table >`; CSV with huge widths,
long fields and stray quotes. Pass 2 reads the hostile workbooks again with calamine opening every sheet
in the child before read_extract, as if every pre-scan in loaders.safety were bypassed. Each outcome is
counted: read, refused (LoadError; the "could not be read safely" refusals by reason) or escaped (any
other exception, or this process dying). Target: 0 escaped.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import resource
import struct
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter
import xlwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders import LoadError, isolated, read_extract_isolated

HEADER = ["Case Ref", "Order Date", "Order Type", "Team"]
SAFELY = "could not be read safely: "
SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HUGE_REFS = ["XFD1048576", "A1048576", "XFD1", "xfd1048576", "ZZZ99999999", "AAAA1"]
HUGE_COUNTS = [1_048_576, 16_384, 100_000_000, 2**31 - 1, 4_294_967_295]
HOSTILE_WORKBOOKS = {"xlsx huge reference", "xlsx shared strings", "xls far cells", "ods repeats"}
# Pass 2's child: calamine opens every sheet before read_extract runs, so the pre-scans in
# loaders.safety (whatever they catch today) cannot stop a hostile workbook reaching the parser.
RAW_CALAMINE_CHILD = """
import io, loaders.child, loaders.read, python_calamine
checked_read = loaders.read.read_extract
def read_extract(file_name, content, **options):
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # a damaged file; a panic (BaseException) or an abort goes on to the parent
        pass
    return checked_read(file_name, content, **options)
loaders.read.read_extract = read_extract
loaders.child.main()
"""


def synthetic_rows(rng: random.Random, count: int = 30) -> list[list[object]]:
    start = date(2019, 4, 1)
    return [
        [
            f"FUZZ-{i:05d}",
            start + timedelta(days=rng.randrange(700)),
            rng.choice(["CPO", "DTTO"]),
            f"Team {i % 3}",
        ]
        for i in range(count)
    ]


def make_xlsx(rows: list[list[object]]) -> bytes:
    """Written by xlsxwriter, which keeps text in a shared-strings part (openpyxl writes it inline)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Orders")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), dates)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def make_xls(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Orders")
    dates = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for c, text in enumerate(HEADER):
        sheet.write(0, c, text)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value, dates if isinstance(value, date) else xlwt.Style.default_style)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_row(values: list[object], attributes: str = "") -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        for value in values
    )
    return f"<table:table-row{attributes}>{cells}</table:table-row>"


def make_ods(body: str, table_end: str = "</table:table>") -> bytes:
    """An OpenDocument spreadsheet whose one table holds `body` (rows written by hand)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Orders">{body}{table_end}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        package.writestr("META-INF/manifest.xml", manifest)
        package.writestr("content.xml", content)
    return buffer.getvalue()


def make_csv(rows: list[list[object]]) -> bytes:
    lines = [",".join(HEADER)] + [
        ",".join(value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value) for value in row)
        for row in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def rezip(package: bytes, change: Callable[[str, bytes], tuple[str, bytes]]) -> bytes:
    """A copy of a zip package with each member passed through change(name, data) -> (name, data)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(*change(name, source.read(name)))
    return buffer.getvalue()


def flip_bytes(rng: random.Random, content: bytes) -> bytes:
    data = bytearray(content)
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(rng: random.Random, content: bytes) -> bytes:
    return content[: rng.randrange(1, len(content))]


def huge_cell(rng: random.Random, base: bytes) -> bytes:
    """A cell (or dimension) at a far reference, with either quote, odd spacing, prefixes or case."""
    quote = rng.choice(["'", '"'])
    reference = rng.choice(HUGE_REFS)
    row = "".join(filter(str.isdigit, reference)) or "1"
    space = rng.choice(["", " ", "\n", "\t "])
    kind = rng.choice(["cell", "prefixed", "dimension", "rowless", "sub-folder"])

    def attribute(name: str, value: str) -> str:
        return f"{space} {name}{space}={space}{quote}{value}{quote}"

    cell = f"<c{attribute('r', reference)}><v>1</v></c>"
    if kind == "prefixed":
        cell = f"<x:c xmlns:x={quote}{MAIN_NS}{quote}{attribute('r', reference)}><x:v>1</x:v></x:c>"
    addition = f"<row{attribute('r', row)}>{cell}</row>"
    if kind == "rowless":
        addition = "<row><c><v>2</v></c></row>" * rng.randint(1, 50) + f"<row>{cell}</row>"

    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name == SHEET_PART:
            if kind == "dimension":
                start = data.find(b"<dimension")
                end = data.find(b"/>", start) + 2
                data = (
                    data[:start] + f"<dimension{attribute('ref', 'A1:' + reference)}/>".encode() + data[end:]
                )
            else:
                data = data.replace(b"</sheetData>", addition.encode() + b"</sheetData>")
            if kind == "sub-folder":
                name = "xl/worksheets/deep/sheet1.xml"
        elif kind == "sub-folder" and name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            data = data.replace(b"worksheets/sheet1.xml", b"worksheets/deep/sheet1.xml")
        return name, data

    return rezip(base, change)


def shared_strings_count(rng: random.Random, base: bytes) -> bytes:
    count = rng.choice(HUGE_COUNTS)
    quote = rng.choice(["'", '"'])

    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/sharedStrings.xml":
            declared = f"uniqueCount={quote}{count}{quote}".encode()
            data = re.sub(rb"uniqueCount=\"[0-9]+\"", declared, data, count=1)
        return name, data

    return rezip(base, change)


def xls_records(content: bytes) -> list[tuple[int, int, int]]:
    """(offset, record id, length) of each BIFF record of xlwt's Workbook stream (stored contiguously)."""
    records, offset = [], content.find(b"\x09\x08")
    while offset >= 0 and offset + 4 <= len(content):
        record, length = struct.unpack_from("<HH", content, offset)
        if record == 0 and length == 0:
            break
        records.append((offset, record, length))
        offset += 4 + length
    return records


def xls_far(rng: random.Random, base: bytes) -> bytes:
    """DIMENSIONS claiming a vast sheet, or cell records moved to the far corner."""
    data = bytearray(base)
    for offset, record, length in xls_records(base):
        if record == 0x0200 and length == 14:
            struct.pack_into(
                "<IIHH",
                data,
                offset + 4,
                rng.choice([0, 1]),
                rng.choice([65_536, 1_048_576, 2**31 - 1, 2**32 - 1]),
                0,
                rng.choice([256, 16_384, 65_535]),
            )
        elif record in (0x00FD, 0x0203, 0x027E) and rng.random() < 0.2:
            struct.pack_into(
                "<HH", data, offset + 4, rng.choice([65_535, 60_000, 1]), rng.choice([255, 254, 0])
            )
    return bytes(data)


def ods_repeats(rng: random.Random, rows: list[list[object]]) -> bytes:
    quote = rng.choice(["'", '"'])
    space = rng.choice(["", " ", "\n"])
    count = rng.choice(HUGE_COUNTS)
    body = ods_row(HEADER) + "".join(ods_row([row[0], row[1].strftime("%d/%m/%Y")]) for row in rows[:5])
    if rng.random() < 0.5:
        body += ods_row(["x", "y"], f" table:number-rows-repeated{space}={space}{quote}{count}{quote}")
    else:
        cell = (
            f"<table:table-cell table:number-columns-repeated{space}={space}{quote}{count}{quote} "
            'office:value-type="string"><text:p>x</text:p></table:table-cell>'
        )
        body += f"<table:table-row>{cell}</table:table-row>"
    body += ods_row(["last", "row"])
    return make_ods(body, rng.choice(["</table:table>", "</table:table >", "</table:table\n>"]))


def csv_hostile(rng: random.Random, base: bytes) -> bytes:
    kind = rng.choice(["wide", "long field", "stray quotes", "many columns"])
    if kind == "wide":
        return base + b"A1," + b"," * rng.choice([10_000, 200_000, 2_000_000]) + b"x\n"
    if kind == "long field":
        return base + b"A2,03/02/2020," + b"y" * rng.choice([100_000, 1_000_000, 5_000_000]) + b"\n"
    if kind == "stray quotes":
        data = bytearray(base)
        for _ in range(rng.randint(1, 5)):
            data.insert(rng.randrange(len(data)), ord('"'))
        return bytes(data)
    columns = rng.choice([1_000, 20_000])
    line = b",".join(b"%d" % i for i in range(columns)) + b"\n"
    return b"Case Ref,Order Date," + line + line * rng.randint(2, 200)


def generate(count: int, seed: int) -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of `count` mutated files, the same every run for a seed."""
    rng = random.Random(seed)
    rows = synthetic_rows(rng)
    bases = {"xlsx": make_xlsx(rows), "xls": make_xls(rows), "csv": make_csv(rows)}
    bases["ods"] = make_ods(
        ods_row(HEADER) + "".join(ods_row([row[0], row[1].strftime("%d/%m/%Y")]) for row in rows)
    )
    mutations: list[tuple[str, str, Callable[[], bytes]]] = [
        (f"{kind} {how}", kind, action)
        for kind, base in bases.items()
        for how, action in (
            ("byte flips", lambda base=base: flip_bytes(rng, base)),
            ("truncated", lambda base=base: truncate(rng, base)),
        )
    ]
    mutations += [
        ("xlsx huge reference", "xlsx", lambda: huge_cell(rng, bases["xlsx"])),
        ("xlsx huge reference", "xlsx", lambda: huge_cell(rng, bases["xlsx"])),
        ("xlsx shared strings", "xlsx", lambda: shared_strings_count(rng, bases["xlsx"])),
        ("xls far cells", "xls", lambda: xls_far(rng, bases["xls"])),
        ("xls far cells", "xls", lambda: xls_far(rng, bases["xls"])),
        ("ods repeats", "ods", lambda: ods_repeats(rng, rows)),
        ("ods repeats", "ods", lambda: ods_repeats(rng, rows)),
        ("csv hostile", "csv", lambda: csv_hostile(rng, bases["csv"])),
    ]
    files = []
    for number in range(count):
        what, kind, action = mutations[number % len(mutations)]
        files.append((what, f"fuzz-{number:03d}.{kind}", action()))
    return files


def read_one(what: str, name: str, content: bytes) -> tuple[str, str, str, float]:
    """(what, outcome, detail, seconds) of one file; outcome "read", "refused" (detail: the reason when
    it could not be read safely, else "") or "escaped" (detail: the exception's class)."""
    started = time.perf_counter()
    try:
        read_extract_isolated(name, content)
        outcome, detail = "read", ""
    except LoadError as error:
        outcome, detail = "refused", str(error).split(SAFELY, 1)[1] if SAFELY in str(error) else ""
    except Exception as error:  # the one thing that must not happen
        outcome, detail = "escaped", type(error).__name__
    return what, outcome, detail, time.perf_counter() - started


def read_all(files: list[tuple[str, str, bytes]], workers: int) -> bool:
    """Read the files through read_extract_isolated, `workers` at a time (as concurrent uploads in the
    multi-threaded server would be), and print the outcomes; True when none escaped."""
    began = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda file: read_one(*file), files))
    outcomes = Counter(outcome for _, outcome, _, _ in results)
    details = Counter((outcome, f"{what}: {detail}") for what, outcome, detail, _ in results if detail)
    seconds, slowest = max((seconds, what) for what, _, _, seconds in results)
    print(f"  {len(files)} files in {time.perf_counter() - began:.0f} s, {workers} at a time")
    print(
        f"  read: {outcomes['read']}, refused with LoadError: {outcomes['refused']}, "
        f"escaped: {outcomes['escaped']}"
    )
    unsafe = sum(count for (outcome, _), count in details.items() if outcome == "refused")
    print(f"  of the refusals, 'could not be read safely': {unsafe}")
    for (outcome, reason), count in sorted(details.items()):
        print(f"    {count:4d}  {'ESCAPED ' if outcome == 'escaped' else ''}{reason}")
    print(f"  slowest file: {seconds:.1f} s ({slowest})")
    return not outcomes["escaped"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args(argv)
    files = generate(arguments.files, arguments.seed)
    print(f"Pass 1: every file through read_extract_isolated (seed {arguments.seed})")
    safe = read_all(files, arguments.workers)
    print("Pass 2: the hostile workbooks again, each first opened by calamine directly in the child")
    isolated.CHILD_COMMAND = (sys.executable, "-B", "-s", "-c", RAW_CALAMINE_CHILD)
    safe = read_all([file for file in files if file[0] in HOSTILE_WORKBOOKS], arguments.workers) and safe
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"Largest child peak memory (RUSAGE_CHILDREN maxrss): {peak:.0f} MB")
    print(f"Target: 0 escaped and this process alive -> {'met' if safe else 'MISSED'}")
    return 0 if safe else 1


if __name__ == "__main__":
    sys.exit(main())
