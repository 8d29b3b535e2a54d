"""read_extract_isolated: a file that crashes, hangs or exhausts its reader is one line, never a dead server.

Monkeypatching this process cannot reach the child, so misbehaving readers are made by pointing
loaders.isolated.CHILD_COMMAND at `python -c` code that patches the child before running its main().
All data is synthetic.
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import time
from datetime import datetime

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from loaders import LoadError, ReadResult, ReviewSchedule, isolated, read_extract, read_extract_isolated
from loaders.schema import DATASETS, KIND_DTYPES
from tests.loaders import build

SAFELY = "could not be read safely: "
ORDERS = [
    ["Orders extract (synthetic)"],
    [],
    ["Case Ref", "Order Date", "Order Type", "Requirements", "Team", "Notes"],
    ["00412", datetime(2020, 2, 3), "CPO", "Unpaid Work", "North", "x"],
    ["A2", "04/02/2020", "DTTO", None, "South", None],
    ["A3", "31/02/2020", "CPO", "Supervision", "North", "bad date"],
    [412, 43900, "CPO", "Supervision", "East", None],
    ["A2", "04/02/2020", "DTTO", "Supervision", "South", "repeat"],
    ["Total", 5],
]
REVIEWS_CSV = (
    "Case Ref,Order Date,Review No,Review Held,Participated,CJ Needs Review,Team\n"
    "R1,03/02/2020,1,04/05/2020,Yes,No,North\n"
    "R2,03/02/2020,2,,N,,South\n"
    "R3,,3,01/01/2021,maybe,Y,North\n"
    "R4,10/10/2019,x,,Y,Y,\n"
)


def _hostile_xlsx(quote: bytes) -> bytes:
    """A small orders workbook with one more cell at XFD1048576 (calamine would allocate 549 GB)."""
    book = openpyxl.Workbook()
    book.active.append(["Case Ref", "Order Date"])
    book.active.append(["A1", "03/02/2020"])
    buffer = io.BytesIO()
    book.save(buffer)
    cell = b"<row r=Q1048576Q><c r=QXFD1048576Q><v>1</v></c></row></sheetData>".replace(b"Q", quote)
    sheet = build.member(buffer.getvalue(), "xl/worksheets/sheet1.xml").replace(b"</sheetData>", cell)
    return build.rezip(buffer.getvalue(), replace={"xl/worksheets/sheet1.xml": sheet})


def _child_runs(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """The child runs `code` (with loaders.child and loaders.read imported) before its main()."""
    program = f"import loaders.child, loaders.read\n{code}\nloaders.child.main()\n"
    monkeypatch.setattr(isolated, "CHILD_COMMAND", (sys.executable, "-B", "-s", "-c", program))


def _refusal(content: bytes = b"Case Ref,Order Date\nA1,03/02/2020\n", name: str = "x.csv") -> str:
    with pytest.raises(LoadError) as caught:
        read_extract_isolated(name, content)
    message = str(caught.value)
    assert "\n" not in message
    return message


def assert_same_result(isolated_result: ReadResult, expected: ReadResult) -> None:
    assert isolated_result.file_name == expected.file_name
    assert isolated_result.sha256 == expected.sha256
    assert isolated_result.unread_sheets == expected.unread_sheets
    assert len(isolated_result.sheets) == len(expected.sheets)
    for got, want in zip(isolated_result.sheets, expected.sheets, strict=True):
        assert (got.sheet, got.dataset, got.header_row, got.skipped_rows) == (
            want.sheet,
            want.dataset,
            want.header_row,
            want.skipped_rows,
        )
        assert got.column_map == want.column_map
        assert got.ignored_columns == want.ignored_columns
        pd.testing.assert_frame_equal(got.records, want.records, check_exact=True)
        pd.testing.assert_frame_equal(got.rejects, want.rejects, check_exact=True)
        # The documented dtypes (docs/architecture.md), in process and across the child alike.
        assert {column.name: KIND_DTYPES[column.kind] for column in DATASETS[want.dataset].columns} == {
            name: str(dtype) for name, dtype in got.records.dtypes.items() if name != "source_row"
        }
        assert got.rejects.dtypes.astype(str).to_dict() == {
            **dict.fromkeys(["sheet", "column", "value", "reason", "team"], "object"),
            "row": "int64",
        }
        for frame in (got.records, got.rejects):
            text = frame.select_dtypes(object)
            assert text.map(lambda value: value is None or isinstance(value, str)).all().all()


def test_the_crash_workbook_is_refused_and_this_process_carries_on():
    began = time.monotonic()
    message = _refusal(_hostile_xlsx(b"'"), "crash.xlsx")
    # The pre-scan (loaders.safety) may refuse it first; if it misses, the child's crash is the refusal.
    assert message.startswith("'crash.xlsx' ")
    assert time.monotonic() - began < 30
    assert read_extract_isolated("ok.csv", b"Case Ref,Order Date\nA1,03/02/2020\n").sheets


def test_calamine_itself_is_contained_when_every_pre_scan_is_bypassed(monkeypatch):
    """The child hands the bytes straight to calamine, whatever loaders.safety would have caught."""
    _child_runs(
        monkeypatch,
        "import io, python_calamine\n"
        "def reader(file_name, content, **options):\n"
        "    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))\n"
        "    book.get_sheet_by_index(0).to_python(skip_empty_area=False)\n"
        "loaders.read.read_extract = reader",
    )
    for quote in (b'"', b"'"):
        message = _refusal(_hostile_xlsx(quote), "crash.xlsx")
        assert message == f"'crash.xlsx' {SAFELY}the reader ran out of memory"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("os.kill(os.getpid(), signal.SIGSEGV)", "the reader stopped unexpectedly (SIGSEGV)"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "the reader ran out of memory"),
        (
            "os.kill(os.getpid(), signal.SIGXCPU)",
            f"it needed more than {round(isolated.WALL_SECONDS) + 1} seconds of processor time",
        ),
        ("os._exit(3)", "the reader stopped unexpectedly (exit status 3)"),
        ("raise PanicException('boom')", "the reader stopped unexpectedly (PanicException)"),
        ("raise KeyboardInterrupt", "the reader stopped unexpectedly (KeyboardInterrupt)"),
        ("bytearray(512 * 2**20)", "the reader ran out of memory"),
    ],
)
def test_a_reader_that_dies_or_raises_a_base_exception_is_one_line(monkeypatch, code, reason):
    monkeypatch.setattr(isolated, "MEMORY_HEADROOM_BYTES", 256 * 2**20)
    monkeypatch.setattr(isolated, "MEMORY_PER_FILE_BYTE", 0)
    _child_runs(
        monkeypatch,
        "import os, signal\n"
        "class PanicException(BaseException): pass\n"
        f"def reader(*args, **kwargs):\n    {code}\n"
        "loaders.read.read_extract = reader",
    )
    assert _refusal() == f"'x.csv' {SAFELY}{reason}"


def test_a_reader_that_hangs_is_killed_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(isolated, "WALL_SECONDS", 2.0)
    _child_runs(
        monkeypatch, "import time\nloaders.read.read_extract = lambda *args, **kwargs: time.sleep(60)"
    )
    began = time.monotonic()
    assert _refusal() == f"'x.csv' {SAFELY}it took longer than 2 seconds"
    assert time.monotonic() - began < 10


@pytest.mark.parametrize(
    "code",
    [
        "loaders.child.write_answer = lambda stream, parts: stream.write(b'not an answer')",
        "loaders.child.frame_columns = lambda frame: [[str(name), 'float64'] for name in frame.columns]",
        "import pickle\nloaders.child.answer_parts = lambda header, frames: [pickle.dumps(header)]",
    ],
)
def test_a_malformed_answer_is_refused_never_unpickled(monkeypatch, code):
    _child_runs(monkeypatch, code)
    assert _refusal() == f"'x.csv' {SAFELY}the reader's answer was malformed"


def test_an_answer_larger_than_the_reader_may_hold_is_cut_off(monkeypatch):
    monkeypatch.setattr(isolated, "MEMORY_HEADROOM_BYTES", 8 * 2**20)
    _child_runs(
        monkeypatch,
        "def flood(stream, parts):\n    block = bytes(2**20)\n    for _ in range(64):\n"
        "        stream.write(block)\n"
        "loaders.child.write_answer = flood",
    )
    assert _refusal() == f"'x.csv' {SAFELY}the reader's answer was larger than it may be"


def test_the_child_sees_no_database_url_nor_the_project_folder_and_is_limited(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://synthetic@localhost/secret")
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://synthetic@localhost/test")
    _child_runs(
        monkeypatch,
        "import json, os, resource\nfrom loaders import LoadError\n"
        "def reader(*args, **kwargs):\n"
        "    limits = [resource.getrlimit(getattr(resource, 'RLIMIT_' + name))\n"
        "              for name in ('FSIZE', 'CORE', 'NOFILE', 'CPU', 'DATA')]\n"
        "    raise LoadError(json.dumps([sorted(os.environ), os.getcwd(), limits]))\n"
        "loaders.read.read_extract = reader",
    )
    names, cwd, limits = json.loads(_refusal())
    assert "DATABASE_URL" not in names and "TEST_DATABASE_URL" not in names
    assert "PYTHONPATH" in names
    assert os.path.realpath(cwd) != os.path.realpath(isolated.PROJECT_ROOT)
    fsize, core, nofile, cpu, data = limits
    assert fsize == core == [0, 0]
    assert nofile == [isolated.OPEN_FILES, isolated.OPEN_FILES]
    assert cpu == [round(isolated.WALL_SECONDS) + 1, round(isolated.WALL_SECONDS) + 2]
    assert isolated.MEMORY_HEADROOM_BYTES < data[0] < isolated.MEMORY_HEADROOM_BYTES + 2**30


def _multi_sheet_workbook() -> bytes:
    unreadable = [["Case Ref", "Team"], ["B1", "North"]]  # recognised, but no order date
    return build.xlsx(ORDERS, more={"Broken": unreadable, "Notes": [["just", "notes"]]})


@pytest.mark.parametrize(
    ("name", "content", "options"),
    [
        ("orders.xlsx", _multi_sheet_workbook(), {}),
        ("orders.xlsx", _multi_sheet_workbook(), {"sheet": "Orders", "dataset": "orders"}),
        ("reviews.csv", build.csv(REVIEWS_CSV), {}),
        ("reviews.csv", build.csv(REVIEWS_CSV), {"review_schedule": ReviewSchedule(1, 2, 3)}),
        ("reviews.csv", build.csv(REVIEWS_CSV, "cp1252"), {"max_bytes": 2**20}),
        ("orders.xls", build.xls([row for row in ORDERS if row]), {}),
        ("orders.ods", build.ods([ORDERS[2], *ORDERS[3:8]]), {}),
    ],
    ids=["xlsx", "xlsx-sheet-dataset", "csv", "csv-schedule", "csv-cp1252", "xls", "ods"],
)
def test_a_valid_file_reads_exactly_as_in_process(name, content, options):
    assert_same_result(
        read_extract_isolated(name, content, **options), read_extract(name, content, **options)
    )


def test_a_result_without_rows_keeps_its_dtypes():
    content = build.csv("Case Ref,Order Date,Team\n")
    assert_same_result(read_extract_isolated("empty.csv", content), read_extract("empty.csv", content))


@pytest.mark.parametrize(
    ("name", "content", "options"),
    [
        ("report.pdf", b"%PDF-1.7 synthetic", {}),
        ("x.csv", b"", {}),
        ("x.csv", b"a,b\n" * 300_000, {"max_bytes": 2**20}),
        ("x.csv", b"Case Ref,Order Date\nA1,03/02/2020\n", {"dataset": "nonsense"}),
        ("x.xlsx", _multi_sheet_workbook(), {"sheet": "Missing"}),
    ],
    ids=["pdf", "empty", "too-large", "unknown-dataset", "missing-sheet"],  # bytes differ per worker
)
def test_a_load_error_passes_through_unchanged(name, content, options):
    with pytest.raises(LoadError) as expected:
        read_extract(name, content, **options)
    with pytest.raises(LoadError) as got:
        read_extract_isolated(name, content, **options)
    assert str(got.value) == str(expected.value)


def test_the_budget_grows_with_the_file():
    small, large = isolated.Budget.for_size(5_000), isolated.Budget.for_size(100 * 2**20)
    assert small.memory_bytes < 1.1 * 2**30 and small.seconds < 25
    assert large.memory_bytes > 3 * 2**30 and large.seconds > 45


def test_equal_texts_in_the_answer_arrive_as_one_object():
    """A million reviews name a few teams: the parent must not hold a million copies of their names."""
    frame = pd.DataFrame({"team": pd.Series(["North", None, "South", "North", "", "South"], dtype=object)})
    buffer = io.BytesIO()
    isolated.write_answer(buffer, isolated.answer_parts({"columns": isolated.frame_columns(frame)}, [frame]))
    header, parts = isolated._split_answer(buffer.getvalue())
    teams = isolated._frame(parts[0], header["columns"])["team"].tolist()
    assert teams == ["North", None, "South", "North", "", "South"]
    assert teams[0] is teams[3] and teams[2] is teams[5]


def test_the_answer_round_trips_every_dtype_without_the_child():
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "ü"], dtype=object),
            "none": pd.Series([None, None, None], dtype=object),
            # pandas 3 parses text to microseconds: the frames' contract is nanoseconds (KIND_DTYPES)
            "date": pd.Series(pd.to_datetime(["2020-02-03", None, "1950-01-01"])).astype("datetime64[ns]"),
            "whole": pd.Series([1, None, 2**62], dtype="Int64"),
            "yesno": pd.Series([True, None, False], dtype="boolean"),
            "source_row": pd.Series([2, 3, 4], dtype="int64"),
        }
    )
    buffer = io.BytesIO()
    isolated.write_answer(buffer, isolated.answer_parts({"columns": isolated.frame_columns(frame)}, [frame]))
    header, parts = isolated._split_answer(buffer.getvalue())
    decoded = isolated._frame(parts[0], header["columns"])
    pd.testing.assert_frame_equal(decoded, frame, check_exact=True)
    assert decoded["text"].tolist() == ["a", None, "ü"] and decoded["none"].tolist() == [None] * 3
    assert decoded["date"].dtype == "datetime64[ns]"
    # The frame owns its memory, not the answer's read-only Arrow buffers: the store writes into frames.
    decoded.loc[1, ["date", "source_row"]] = [pd.Timestamp("2021-05-06"), 7]
    decoded.loc[0, "text"] = "b"
    assert decoded.loc[1, "date"] == pd.Timestamp("2021-05-06") and decoded["source_row"].tolist() == [
        2,
        7,
        4,
    ]


def test_every_frame_of_the_answer_starts_aligned_so_arrow_reads_it_in_place():
    """The JSON header is padded: an Arrow stream at an offset not a multiple of 8 is copied on reading."""
    frame = pd.DataFrame({"case_ref": pd.Series(["A-1", "B-22", None], dtype=object), "n": [1, 2, 3]})
    for header in ({"columns": isolated.frame_columns(frame)}, {"x": "é" * 5}, {}, {"status": "ok!"}):
        buffer = io.BytesIO()
        isolated.write_answer(buffer, isolated.answer_parts(header, [frame, frame.iloc[:0], frame]))
        answer = buffer.getvalue()
        starts, offset = [], 0
        while offset < len(answer):
            (length,) = struct.unpack_from(">Q", answer, offset)
            starts.append(offset + 8)
            offset += 8 + length
        assert len(starts) == 4
        assert [start % 8 for start in starts] == [0, 0, 0, 0]
        decoded_header, parts = isolated._split_answer(answer)
        assert decoded_header == header  # the padding is JSON whitespace
        pd.testing.assert_frame_equal(isolated._frame(parts[2], isolated.frame_columns(frame)), frame)


def test_text_columns_in_several_chunks_or_none_decode_alike():
    chunked = pa.chunked_array([pa.array(["North", None]), pa.array(["North", "South"])])
    empty = pa.chunked_array([], type=pa.string())

    assert isolated._texts(chunked).tolist() == ["North", None, "North", "South"]
    assert isolated._texts(empty).tolist() == []
