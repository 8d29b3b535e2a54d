"""The child process of loaders.isolated: `python -m loaders.child` reads one untrusted file.

stdin carries a JSON request line and then the file's bytes; stdout carries one answer
(loaders.isolated.answer_parts). The process limits itself before it reads the first byte of the file:
the (trusted) reader is imported first so that the memory limit counts from the real baseline. Every
outcome it can still speak for, a BaseException included (a Rust panic in calamine surfaces as pyo3's
PanicException), becomes an answer; an abort or a signal is read by the parent from the exit status.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from loaders import read
from loaders.isolated import OUT_OF_MEMORY, answer_parts, frame_columns, write_answer
from loaders.result import LoadError, ReadResult
from loaders.schedule import ReviewSchedule
from loaders.schema import TEXT_DTYPE

if TYPE_CHECKING:
    import pyarrow as pa


def main() -> None:
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into the answer
    sys.stdout = sys.stderr
    request = json.loads(sys.stdin.buffer.readline())
    _limit_self(request)
    write_answer(answer, _answer(request))


def _limit_self(request: dict[str, Any]) -> None:
    """No core dumps, no file writes, few open files, bounded processor time and memory.

    Memory is RLIMIT_DATA (heap and private writable mappings: what an allocation bomb consumes) above
    the current use; RLIMIT_AS would also count address space merely reserved, which grows with the
    machine's core count (a malloc arena per thread). Soft and hard limits are equal, so they cannot be
    raised again; processor time gets SIGXCPU at the limit and SIGKILL a second later.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (request["open_files"],) * 2)
    seconds = request["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    memory = _data_bytes() + request["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))


def _data_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmData not found in /proc/self/status")


def _answer(request: dict[str, Any]) -> list[bytes | pa.Buffer]:
    try:
        content = sys.stdin.buffer.read()
        result = read.read_extract(
            request["file_name"],
            content,
            dataset=request["dataset"],
            sheet=request["sheet"],
            review_schedule=ReviewSchedule(**request["review_schedule"]),
            max_bytes=request["max_bytes"],
        )
        del content  # its memory is needed for the answer (a 100 MB CSV)
        return _encode(result)
    except LoadError as error:
        if isinstance(error.__cause__, MemoryError):  # read_extract's "too large": here, the limit
            return _refused(OUT_OF_MEMORY)
        return answer_parts({"status": "load_error", "message": str(error)}, [])
    except MemoryError:
        return _refused(OUT_OF_MEMORY)
    except BaseException as error:  # PanicException, SystemExit, KeyboardInterrupt...: a refusal
        return _refused(f"the reader stopped unexpectedly ({type(error).__name__})")


def _refused(reason: str) -> list[bytes | pa.Buffer]:
    return answer_parts({"status": "refused", "reason": reason}, [])


def _encode(result: ReadResult) -> list[bytes | pa.Buffer]:
    """The answer's parts: everything but the frames as JSON (file name and sha256 are the parent's own)."""
    sheets, frames = [], []
    for sheet in result.sheets:
        rejects = _text_rejects(sheet.rejects)
        frames += [sheet.records, rejects]
        sheets.append(
            {
                "sheet": sheet.sheet,
                "dataset": sheet.dataset,
                "header_row": int(sheet.header_row),
                "column_map": sheet.column_map,
                "ignored_columns": sheet.ignored_columns,
                "skipped_rows": int(sheet.skipped_rows),
                "report_date": sheet.report_date.isoformat() if sheet.report_date else None,
                "records": frame_columns(sheet.records),
                "rejects": frame_columns(rejects),
            }
        )
    body = {"sheets": sheets, "unread_sheets": result.unread_sheets}
    return answer_parts({"status": "ok", "result": body}, frames)


def _text_rejects(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects with every text column as str or None (a value may be a number or date as read)."""
    text = rejects.select_dtypes(object)
    # Not Series.map: pandas 3 would infer its string dtype from the result and turn None into NaN.
    as_text = np.frompyfunc(_text, 1, 1)
    return rejects.assign(
        **{
            name: pd.Series(as_text(text[name].to_numpy()), index=rejects.index, dtype=TEXT_DTYPE)
            for name in text.columns
        }
    )


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    # is_scalar has checked that pd.isna gets a scalar; the stubs accept only named scalar types.
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
