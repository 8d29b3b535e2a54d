"""read_extract in a child process, so a file that crashes its parser cannot take the server down.

python-calamine aborts the whole process when a crafted file makes it allocate too much, and raises
pyo3's PanicException (a BaseException) when it panics; the pre-scans in loaders.safety catch the
known shapes, and this module is the last line of defence when they miss one.

Each file is read by `python -m loaders.child`, started with subprocess (never fork: the Streamlit
server is multi-threaded) in an empty working directory, with an environment that holds no database
URL, and limited in memory, processor time, wall time, file writes and open files. Any crash, limit,
signal or malformed answer becomes one line: "'<file>' could not be read safely: <reason>".

The child's answer is untrusted: it is never unpickled. It is a JSON header followed by one Arrow IPC
stream per frame, each part prefixed by its length; the frames' dtypes are rebuilt from a short list
of the dtypes loaders produce. The child's stderr is kept only to recognise an allocation failure and
is never logged or shown: it could hold case data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders import safety
from loaders.result import LoadError, ReadResult, SheetResult
from loaders.schedule import ReviewSchedule
from loaders.schema import DATASET_NAMES, TEXT_DTYPE

# Limits, read at call time so a test can lower them. Memory is counted above the child's own baseline
# (about 140 MB of RLIMIT_DATA once pandas, pyarrow and calamine are imported). A typical upload gets
# about 1 GB, the largest browser upload (25 MB) 1.6 GB, and a 100 MB, 1,000,000-row CSV from the command
# line 3.4 GB: it peaks at about 600 MB above the baseline while being read and sent back (1.9 GB before
# the CSV reader shared equal cells). Left as it was: a workbook's grid per file byte is several times a
# CSV's (its XML is compressed), and this margin is what keeps a real extract from being refused.
MEMORY_HEADROOM_BYTES = 1024 * 1024 * 1024
MEMORY_PER_FILE_BYTE = 24
# Wall time from start to answer (the child's imports take about 0.6 s). A 25 MB upload gets 28 s,
# a 100 MB CSV (about 15 s of reading) 51 s. Processor time gets one second more.
WALL_SECONDS = 20.0
WALL_SECONDS_PER_MB = 0.3
OPEN_FILES = 16  # the child reads stdin and writes stdout; imports open one file at a time
CHILD_COMMAND: tuple[str, ...] = (sys.executable, "-B", "-s", "-m", "loaders.child")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_KEPT_ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ")
_CHUNK = 1024 * 1024
_STDERR_KEPT = 4096  # the tail, enough for Rust's "memory allocation of N bytes failed"
_LENGTH = struct.Struct(">Q")
OUT_OF_MEMORY = "the reader ran out of memory"


@dataclasses.dataclass(frozen=True)
class Budget:
    """What one child may use: bytes of memory above its baseline, and whole seconds of wall time
    (processor time gets one second more, so a busy reader meets the wall-time limit first)."""

    memory_bytes: int
    seconds: int

    @classmethod
    def for_size(cls, size: int) -> Budget:
        return cls(
            memory_bytes=MEMORY_HEADROOM_BYTES + MEMORY_PER_FILE_BYTE * size,
            seconds=max(1, round(WALL_SECONDS + WALL_SECONDS_PER_MB * size / 2**20)),
        )


def read_extract_isolated(
    file_name: str,
    content: bytes,
    *,
    dataset: str | None = None,
    sheet: str | None = None,
    review_schedule: ReviewSchedule = ReviewSchedule(),
    max_bytes: int | None = None,
) -> ReadResult:
    """loaders.read_extract, run in a limited child process (same arguments, result and LoadErrors).

    A LoadError raised in the child comes back with its message unchanged; a crash, signal, timeout,
    limit or BaseException in the child is LoadError("'<file>' could not be read safely: <reason>").
    """
    safety.check_size(file_name, content, max_bytes)  # no child for an empty or oversized file
    budget = Budget.for_size(len(content))
    request = {
        "file_name": file_name,
        "dataset": dataset,
        "sheet": sheet,
        "review_schedule": dataclasses.asdict(review_schedule),
        "max_bytes": max_bytes,
        "memory_bytes": budget.memory_bytes,
        "cpu_seconds": budget.seconds + 1,
        "open_files": OPEN_FILES,
    }
    try:
        outcome = _run_child(json.dumps(request).encode() + b"\n", content, budget)
    except OSError as error:  # no process or pipe to be had (the machine is out of them)
        raise LoadError(f"'{file_name}' could not be read safely: the reader could not be started") from error
    try:
        header, parts = _split_answer(outcome.answer) if outcome.answer else (None, [])
    except (ValueError, RecursionError):
        header, parts = None, []
    reason = _refusal(outcome, header, budget)
    if reason is None:
        assert header is not None  # _refusal refuses an answer without a header
        if header["status"] == "load_error" and isinstance(header.get("message"), str):
            raise LoadError(header["message"])
        try:
            return _result(file_name, content, header["result"], parts)
        except Exception:  # the answer is untrusted: any way it fails to decode means it is malformed
            reason = "the reader's answer was malformed"
    raise LoadError(f"'{file_name}' could not be read safely: {reason}")


@dataclasses.dataclass
class _Outcome:
    answer: bytearray
    stderr_tail: bytes
    returncode: int | None  # None: the child had to be killed (timeout or an oversized answer)
    timed_out: bool = False
    answer_too_large: bool = False


def _child_environment(workdir: str) -> dict[str, str]:
    """Only what Python needs: no database URL, no credentials, no PYTHON* settings from the server."""
    environment = {name: os.environ[name] for name in _KEPT_ENVIRONMENT if name in os.environ}
    environment.update(
        PYTHONPATH=str(PROJECT_ROOT),
        HOME=workdir,
        OPENBLAS_NUM_THREADS="1",  # each BLAS thread costs memory, and the reader needs none
        OMP_NUM_THREADS="1",
        # pyarrow's default mimalloc reserves a 1 GiB arena up front, which the memory limit counts
        ARROW_DEFAULT_MEMORY_POOL="system",
        # Arrays of 128 KiB or more are mapped and unmapped, so a freed array goes back to the system at
        # once. glibc otherwise raises this threshold as arrays are freed and keeps later ones in its
        # heap: reading a million-row CSV then held 400 MB freed long before, which the limit counts.
        MALLOC_MMAP_THRESHOLD_="131072",
    )
    return environment


def _run_child(request: bytes, content: bytes, budget: Budget) -> _Outcome:
    deadline = time.monotonic() + budget.seconds
    with tempfile.TemporaryDirectory(prefix="jsw-read-") as workdir:
        process = subprocess.Popen(
            CHILD_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=_child_environment(workdir),
            close_fds=True,
            start_new_session=True,  # a Ctrl-C meant for the server is not the child's
        )
        try:
            outcome = _exchange(process, [request, content], deadline, budget.memory_bytes)
            if not (outcome.timed_out or outcome.answer_too_large):
                try:
                    outcome.returncode = process.wait(max(deadline - time.monotonic(), 0))
                except subprocess.TimeoutExpired:
                    outcome.timed_out = True
            return outcome
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout, process.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()


def _exchange(
    process: subprocess.Popen[bytes], outgoing: list[bytes], deadline: float, max_answer: int
) -> _Outcome:
    """Write the request while reading the answer and stderr, until the child closes both or time is up."""
    pending = [memoryview(part) for part in outgoing if part]
    answer = bytearray()
    stderr_tail = b""
    stdin, stdout, stderr = process.stdin, process.stdout, process.stderr
    assert stdin is not None and stdout is not None and stderr is not None  # all three are pipes
    os.set_blocking(stdin.fileno(), False)
    with selectors.DefaultSelector() as selector:
        selector.register(stdin, selectors.EVENT_WRITE)
        selector.register(stdout, selectors.EVENT_READ)
        selector.register(stderr, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _Outcome(answer, stderr_tail, None, timed_out=True)
            for key, _ in selector.select(remaining):
                if key.fileobj is stdin:
                    try:
                        written = os.write(key.fd, pending[0][:_CHUNK])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the child stopped reading: its exit status tells why
                        pending = []
                        written = 0
                    if pending:
                        pending[0] = pending[0][written:]
                        pending = [part for part in pending if len(part)]
                    if not pending:
                        selector.unregister(stdin)
                        stdin.close()
                    continue
                data = os.read(key.fd, _CHUNK)
                if not data:
                    selector.unregister(key.fileobj)
                elif key.fileobj is stdout:
                    answer += data
                    if len(answer) > max_answer:
                        return _Outcome(bytearray(), stderr_tail, None, answer_too_large=True)
                else:
                    stderr_tail = (stderr_tail + data)[-_STDERR_KEPT:]
    return _Outcome(answer, stderr_tail, None)


def _refusal(outcome: _Outcome, header: dict[str, Any] | None, budget: Budget) -> str | None:
    """Why the child's outcome is a refusal, or None when its answer can be used."""
    if outcome.timed_out:
        return f"it took longer than {budget.seconds} seconds"
    if outcome.answer_too_large:
        return "the reader's answer was larger than it may be"
    code = outcome.returncode
    if code is not None and code < 0:
        return _signal_reason(-code, outcome.stderr_tail, budget)
    if header is not None and header.get("status") == "refused":
        return _one_line(header.get("reason"))
    if code != 0:
        return f"the reader stopped unexpectedly (exit status {code})"
    if header is None or header.get("status") not in ("ok", "load_error"):
        return "the reader's answer was malformed"
    return None


def _signal_reason(number: int, stderr_tail: bytes, budget: Budget) -> str:
    if number == signal.SIGXCPU:
        return f"it needed more than {budget.seconds + 1} seconds of processor time"
    if number == signal.SIGKILL or (number == signal.SIGABRT and b"memory allocation of" in stderr_tail):
        return OUT_OF_MEMORY  # SIGKILL: the kernel's out-of-memory killer (a timeout is reported above)
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"the reader stopped unexpectedly ({name})"


def _one_line(text: object) -> str:
    """A message from the child, as one line of bounded length (the child is not trusted)."""
    return " ".join(str(text).split())[:500]


# The answer: a JSON header, then one Arrow IPC stream per frame, each part prefixed by its length.
# Decoding it allocates its Arrow buffers from the system allocator, which gives a freed buffer back at
# once: pyarrow's default pool (mimalloc) kept about 60 MB of a million-row answer's temporaries, held
# at the parent's peak beside the answer and the frames made from it.
_DECODE_POOL = pa.system_memory_pool()
_ALIGNMENT = 8  # of each Arrow stream in the answer (answer_parts); the length prefixes are 8 bytes too
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
_ARROW_TYPES = {  # dtype of a loaders frame -> Arrow types it may arrive as
    "object": {pa.string(), pa.large_string(), pa.null()},  # text: str or None (never pandas' str dtype)
    "datetime64[ns]": {pa.timestamp("ns"), pa.null()},
    "Int64": {pa.int64(), pa.null()},
    "boolean": {pa.bool_(), pa.null()},
    "int64": {pa.int64()},
}


def answer_parts(header: dict[str, Any], frames: Sequence[pd.DataFrame]) -> list[bytes | pa.Buffer]:
    """The child's answer in parts (header first) for write_answer. Text columns must hold str or None.

    The header is padded with spaces (JSON ignores them) to a multiple of 8 bytes, so every Arrow stream
    after it starts 8-byte aligned in the parent's buffer, as its streams are themselves multiples of 8.
    Arrow reads aligned buffers in place; it copied every unaligned one of a million-row answer.
    """
    text = json.dumps(header).encode()
    parts: list[bytes | pa.Buffer] = [text + b" " * (-len(text) % _ALIGNMENT)]
    for frame in frames:
        table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1).replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        parts.append(sink.getvalue())
    return parts


def write_answer(stream: BinaryIO, parts: Sequence[bytes | pa.Buffer]) -> None:
    for part in parts:
        stream.write(_LENGTH.pack(len(part) if isinstance(part, bytes) else part.size))
        stream.write(part)
    stream.flush()


def frame_columns(frame: pd.DataFrame) -> list[list[str]]:
    """[name, dtype] of each column, for the header: the parent rebuilds exactly these dtypes."""
    return [[str(name), str(dtype)] for name, dtype in frame.dtypes.items()]


def _split_answer(answer: bytes | bytearray) -> tuple[dict[str, Any], list[memoryview]]:
    view = memoryview(answer)
    parts: list[memoryview] = []
    offset = 0
    while offset < len(view):
        if offset + _LENGTH.size > len(view):
            raise ValueError("truncated answer")
        (length,) = _LENGTH.unpack_from(view, offset)
        offset += _LENGTH.size
        if length > len(view) - offset:
            raise ValueError("truncated answer")
        parts.append(view[offset : offset + length])
        offset += length
    if not parts:
        raise ValueError("empty answer")
    header = json.loads(bytes(parts[0]))
    if not isinstance(header, dict):
        raise ValueError("answer header is not an object")
    return header, parts[1:]


def _result(file_name: str, content: bytes, body: dict[str, Any], parts: list[memoryview]) -> ReadResult:
    sheets = body["sheets"]
    if not isinstance(sheets, list) or len(parts) != 2 * len(sheets):
        raise ValueError("the answer's frames do not match its sheets")
    return ReadResult(
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),  # computed here: the child is not trusted
        sheets=[_sheet(sheet, parts[2 * index], parts[2 * index + 1]) for index, sheet in enumerate(sheets)],
        unread_sheets=_strings(body["unread_sheets"]),
    )


def _sheet(body: dict[str, Any], records: memoryview, rejects: memoryview) -> SheetResult:
    column_map = body["column_map"]
    if not isinstance(column_map, dict) or body["dataset"] not in DATASET_NAMES:
        raise ValueError("malformed sheet")
    return SheetResult(
        sheet=None if body["sheet"] is None else _string(body["sheet"]),
        dataset=body["dataset"],
        header_row=_integer(body["header_row"]),
        column_map={_string(key): _string(value) for key, value in column_map.items()},
        ignored_columns=_strings(body["ignored_columns"]),
        records=_frame(records, body["records"]),
        rejects=_frame(rejects, body["rejects"]),
        skipped_rows=_integer(body["skipped_rows"]),
        report_date=_optional_date(body.get("report_date")),
    )


def _frame(part: memoryview, columns: list[Any]) -> pd.DataFrame:
    """An Arrow IPC stream -> a frame with exactly the dtypes the header names (from a short list)."""
    table = pa.ipc.open_stream(pa.py_buffer(part), memory_pool=_DECODE_POOL).read_all()
    table.validate(full=True)
    names = [_string(name) for name, _ in columns]
    if table.column_names != names:
        raise ValueError("the frame's columns do not match the header")
    data = {}
    for (name, dtype), column in zip(columns, table.columns, strict=True):
        if column.type not in _ARROW_TYPES[dtype]:
            raise ValueError("a column arrived with an unexpected type")
        if dtype == TEXT_DTYPE:
            data[name] = pd.Series(_texts(column), dtype=TEXT_DTYPE)
        else:
            # astype copies, so no array is a read-only view of the answer's buffer
            data[name] = column.to_pandas(memory_pool=_DECODE_POOL, types_mapper=_NULLABLE.get).astype(dtype)
    return pd.DataFrame(data, index=pd.RangeIndex(table.num_rows))


def _texts(column: pa.ChunkedArray) -> np.ndarray:
    """A text column as str or None, one str object per distinct text (shared by every equal cell).

    Not to_pandas: under pandas 3 it gives pandas' string dtype, whose blanks are NaN, not None; and
    not to_numpy alone, which makes a str per cell: a million reviews' teams, workers and order types
    would be three million strings (about 200 MB) where a few hundred do.
    """
    # one chunk as it is: combine_chunks copies even one (and not from the pool it is given)
    whole = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks(memory_pool=_DECODE_POOL)
    encoded = pc.dictionary_encode(whole, memory_pool=_DECODE_POOL)
    texts = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last stays None: a blank is code -1
    texts[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    codes = pc.coalesce(encoded.indices, pa.scalar(-1, encoded.indices.type), memory_pool=_DECODE_POOL)
    rows: np.ndarray = texts[codes.to_numpy()]
    return rows


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _strings(values: object) -> list[str]:
    if not isinstance(values, list):
        raise TypeError("expected a list")
    return [_string(value) for value in values]


def _optional_date(value: object) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(_string(value))


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value
