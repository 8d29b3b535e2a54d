"""CSV bytes -> Grid: UTF-8 (BOM or not) or Windows-1252, line by line when a file mixes them; delimiter
sniffed from the header area; every cell kept as text so leading zeros and "N/A" survive until validation
decides what they mean.

Reading is bounded as it goes: a record wider than limits.MAX_SHEET_COLUMNS refuses the file at once
(a line of 50,000 commas would otherwise become 50,000 columns to classify), and so do more records or
fields than an upload can hold. A quote left open cannot swallow the rows below it: a record spanning
more than limits.MAX_RECORD_LINES lines, still open at the end, or taking in lines that read as rows of
their own has its first line rejected as an "unbalanced quote" (its cells split without quoting) and
reading resumes on the next line. A quoted note with line breaks is still one record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from operator import methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from loaders import limits
from loaders.grid import Grid, RowProblem
from loaders.result import LoadError
from loaders.values import visible_controls

_DELIMITERS = (",", ";", "\t")  # preference order when counts tie
_QUOTED = re.compile(r'"[^"]*"')
_QUOTED_ON_ONE_LINE = re.compile(r'"[^"\r\n]*"')
_UTF8_BOM = b"\xef\xbb\xbf"
_END = "\x00end of file\x00"  # fed after the last line: a quote still open at the end swallows it
_CHUNK_RECORDS = 8192  # records parsed between two checks of the limits
_PIECE_CHARS = 4 * 1024 * 1024  # characters handed to io.StringIO at a time (_lines)
_SHARED_TEXTS = 65_536  # distinct texts a column remembers (class _Columns)
_SHOWN_CHARS = 200
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NEVER_CLOSED = "unbalanced quote: a quoted field opens on this line and is never closed"
_TOO_LONG = "unbalanced quote: a quoted field opens on this line and is not closed within {} lines"
_SWALLOWS_ROWS = "unbalanced quote: a quoted field opens on this line and takes in the rows below it"


def decode_text(file_name: str, content: bytes) -> str:
    """UTF-8 (the BOM is dropped); failing that, each line UTF-8 if it decodes, else Windows-1252.

    Line by line because an extract edited in two programs mixes them ("Ó001" in both encodings), and
    decoding the whole file as Windows-1252 would turn its UTF-8 lines into mojibake. Strict both ways.
    """
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _holds_utf8_characters(content):
        try:
            return content.decode("cp1252")  # the same as line by line, and several times faster
        except UnicodeDecodeError:
            pass  # found line by line, to name the line
    return "\n".join(_decode_line(file_name, number, line) for number, line in _numbered(content))


def _holds_utf8_characters(content: bytes) -> bool:
    """Whether any non-ASCII character is valid UTF-8: each then decodes to one character from 2-4 bytes,
    while an invalid byte decodes to one stand-in character."""
    return len(content.decode("utf-8", "surrogateescape")) < len(content)


def _numbered(content: bytes) -> Iterator[tuple[int, bytes]]:
    return enumerate(content.split(b"\n"), start=1)


def _decode_line(file_name: str, number: int, line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError as error:
        raise LoadError(
            f"'{file_name}' line {number:,} is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8'"
        ) from error


def sniff_delimiter(text: str) -> str:
    """The delimiter used most on any one line of the header area (title rows have few, the header many)."""
    sample_lines = _QUOTED.sub("", text[: 64 * 1024]).splitlines()[: limits.HEADER_SEARCH_ROWS]
    best = max(
        _DELIMITERS,
        key=lambda delimiter: max((line.count(delimiter) for line in sample_lines), default=0),
    )
    return best


def read_csv_grid(file_name: str, content: bytes) -> Grid:
    text = decode_text(file_name, content)
    delimiter = sniff_delimiter(text)
    reading = _read_whole(file_name, text, delimiter) or _read_line_by_line(file_name, text, delimiter)
    return Grid(
        sheet=None,
        cells=reading.cells,
        excel_rows=reading.first_lines,
        field_counts=reading.field_counts,
        row_problems=reading.problems,
    )


@dataclass
class _Reading:
    cells: pd.DataFrame
    first_lines: np.ndarray  # int64: the physical line each record starts on
    field_counts: np.ndarray  # int64: how many fields each record has
    problems: list[RowProblem] = field(default_factory=list)


class _Columns:
    """Records gathered chunk by chunk into one grid of text, each distinct text of a column held once.

    A million-row reviews extract is 12 million cells, yet only its case references are (nearly) unique:
    dates, yes/no, teams and workers repeat. One str object per cell made its grid about 820 MB; one per
    distinct value of a column (a dict per column) and a pointer per cell make it about 260 MB. A dict
    is emptied when it outgrows _SHARED_TEXTS, so a column of unique case references costs no more than
    its cells. A record shorter than the widest ends in blanks (None).
    """

    def __init__(self) -> None:
        self.blocks: list[npt.NDArray[np.object_]] = []  # one (records, fields) array per chunk
        self.field_counts: list[np.ndarray] = []
        self.rows = 0
        self.seen: list[dict[str, str]] = []  # per column: text -> the object every equal cell shares

    def add(self, records: list[list[str]], field_counts: np.ndarray) -> None:
        width = int(field_counts.max(initial=0))
        self.seen += [{} for _ in range(width - len(self.seen))]
        padded: list[list[str | None]] | list[list[str]] = records
        if not (field_counts == width).all():
            padded = [record + [None] * (width - len(record)) for record in records]
        block = np.array(padded, dtype=object).reshape(len(records), width)
        for column in range(width):
            block[:, column] = self._shared(column, block[:, column])
        self.blocks.append(block)
        self.field_counts.append(field_counts)
        self.rows += len(records)

    def _shared(self, column: int, values: np.ndarray) -> np.ndarray:
        seen = self.seen[column]
        if len(seen) > _SHARED_TEXTS:
            seen.clear()
        codes, distinct = pd.factorize(values)  # a blank (None) is code -1: the None appended last
        return np.array([*map(seen.setdefault, distinct, distinct), None], dtype=object)[codes]

    def pop(self) -> list[str]:
        """Take off the last record (the end marker fed after the last line) and return it."""
        block, field_counts = self.blocks[-1], self.field_counts[-1]
        self.blocks[-1], self.field_counts[-1] = block[:-1], field_counts[:-1]
        self.rows -= 1
        return list(block[-1, : field_counts[-1]])

    def counts(self) -> np.ndarray:
        return np.concatenate([np.zeros(0, dtype=np.int64), *self.field_counts])

    def frame(self) -> pd.DataFrame:
        """The grid, built column-major as pandas keeps it; the chunks are let go as they are copied."""
        width = max((block.shape[1] for block in self.blocks), default=0)
        cells = np.full((width, self.rows), None, dtype=object)
        start = 0
        while self.blocks:
            block = self.blocks.pop(0)
            cells[: block.shape[1], start : start + len(block)] = block.T
            start += len(block)
        return pd.DataFrame(cells.T, dtype=object, copy=False)


def _field_counts(records: list[list[str]]) -> np.ndarray:
    return np.fromiter(map(len, records), dtype=np.int64, count=len(records))


def _read_whole(file_name: str, text: str, delimiter: str) -> _Reading | None:
    """The whole text in one pass of the C parser: the fast way for every file whose quotes balance.

    None when they may not: a quote still open at the end swallowed the end marker, a record spans more
    than MAX_RECORD_LINES lines or takes in rows, or a field outgrew the csv module's limit.
    """
    reader = csv.reader(chain(_lines(text), [_END]), delimiter=delimiter)
    try:
        records = _bounded_records(file_name, reader)
    except csv.Error:
        return None
    if records.pop() != [_END]:
        return None
    field_counts = records.counts()
    cells = records.frame()
    extra_lines = _extra_lines(cells, text)
    if extra_lines.size and extra_lines.max() >= limits.MAX_RECORD_LINES:
        return None
    typical = _typical_width(field_counts[extra_lines == 0])  # records that may have swallowed rows left out
    spanning = (cells.iloc[row].tolist()[: field_counts[row]] for row in np.flatnonzero(extra_lines))
    if any(_looks_swallowed(record, typical, delimiter) for record in spanning):
        return None
    first_lines = np.arange(1, len(cells) + 1, dtype=np.int64)
    first_lines[1:] += np.cumsum(extra_lines)[:-1]
    return _Reading(cells, first_lines, field_counts)


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` as io.StringIO(text, newline="") gives them (each with its "\\n", "\\r\\n" or
    lone "\\r"), a few megabytes at a time: StringIO keeps 4 bytes per character, 400 MB for a 100 MB file.

    Each piece ends just after a "\\n", so no line end is cut in two.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start + _PIECE_CHARS) + 1 or len(text)
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _bounded_records(file_name: str, reader: Any) -> _Columns:
    """Every record, in chunks parsed in C, refusing the file as soon as one passes a limit."""
    records = _Columns()
    fields = 0
    while True:
        lines_before = reader.line_num
        chunk = list(islice(reader, _CHUNK_RECORDS))
        if not chunk:
            return records
        counts = _field_counts(chunk)
        wide = np.flatnonzero(counts > limits.MAX_SHEET_COLUMNS)
        if wide.size:
            first = int(wide[0])
            breaks = sum(_line_breaks(value) for record in chunk[:first] for value in record)
            line = lines_before + 1 + first + breaks
            raise _too_wide(file_name, line, int(counts[first]))
        records.add(chunk, counts)
        fields += int(counts.sum())
        _check_size(file_name, records.rows, fields, reader.line_num)


def _too_wide(file_name: str, line: int, fields: int) -> LoadError:
    return LoadError(
        f"'{file_name}' line {line:,} has {fields:,} fields; "
        f"an extract has at most {limits.MAX_SHEET_COLUMNS:,} columns"
    )


def _check_size(file_name: str, records: int, fields: int, line: int) -> None:
    """Refuse a file holding more rows or cells than an upload may, before it is all in memory."""
    if records > limits.MAX_CSV_RECORDS:
        raise LoadError(
            f"'{file_name}' has more than {limits.MAX_CSV_RECORDS:,} rows by line {line:,}; "
            f"an upload holds at most {limits.MAX_DATA_ROWS:,} data rows"
        )
    if fields > limits.MAX_CSV_FIELDS:
        raise LoadError(
            f"'{file_name}' has more than {limits.MAX_CSV_FIELDS:,} cells by line {line:,}; "
            "split it into smaller files"
        )


def _line_breaks(text: str) -> int:
    """Line breaks as the reader counts them: "\\n", "\\r\\n" or a lone "\\r"."""
    returns = text.count("\r")
    return text.count("\n") + returns - text.count("\r\n") if returns else text.count("\n")


def _extra_lines(cells: pd.DataFrame, text: str) -> np.ndarray:
    """How many lines each record spans beyond its first: a quoted field may hold line breaks (a note)."""
    extra = np.zeros(len(cells), dtype=np.int64)
    line_count = _line_breaks(text) + (0 if text.endswith(("\n", "\r")) else 1)
    if line_count == len(cells):  # no field holds a line break: record i is on line i (the usual case)
        return extra
    for column in cells.columns:
        values = cells[column]
        if _line_breaks("".join(values.dropna())) == 0:
            continue
        extra += values.map(_line_breaks, na_action="ignore").fillna(0).to_numpy(dtype=np.int64)
    return extra


def _typical_width(field_counts: np.ndarray) -> int:
    """The most common number of fields among records of two or more (the data rows)."""
    counts = np.bincount(field_counts)
    return int(counts[2:].argmax()) + 2 if counts[2:].any() else 1


def _looks_swallowed(record: list[str], typical: int, delimiter: str) -> bool:
    """Whether a record spanning lines took in rows of its own through a quote left open: it has more
    fields than the usual row, or a line of a field spanning lines has as many delimiters as a usual row.

    A note's lines rarely hold that many delimiters; the lines of a swallowed row always do.
    """
    if len(record) > typical:
        return True
    pieces = (_LINE_BREAK.split(value) for value in record)
    return any(line.count(delimiter) >= typical - 1 for lines in pieces if len(lines) > 1 for line in lines)


class _Unbalanced(Exception):
    """A record cannot be what it reads as: the reason is why its first line is rejected."""


class _LineFeed:
    """Lines for csv.reader from `start` on, then the end marker; raises _Unbalanced when the record being
    read (from `record_start`) would take more than MAX_RECORD_LINES lines."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.next_line = start
        self.record_start = start
        self.ended = False

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self.next_line - self.record_start >= limits.MAX_RECORD_LINES:
            raise _Unbalanced(_TOO_LONG.format(limits.MAX_RECORD_LINES))
        if self.next_line < len(self.lines):
            self.next_line += 1
            return self.lines[self.next_line - 1]
        if self.ended:
            raise StopIteration
        self.ended = True
        return _END


class _Collected:
    """Records read line by line, their first lines and the lines rejected, within the limits."""

    def __init__(self, file_name: str, delimiter: str) -> None:
        self.file_name = file_name
        self.delimiter = delimiter
        self.records = _Columns()
        self.pending: list[list[str]] = []  # records not yet in `records`: added a chunk at a time
        self.first_lines: list[int] = []
        self.problems: list[RowProblem] = []
        self.fields = 0

    def add(self, record: list[str], line_index: int) -> None:
        if len(record) > limits.MAX_SHEET_COLUMNS:
            raise _too_wide(self.file_name, line_index + 1, len(record))
        self.pending.append(record)
        if len(self.pending) == _CHUNK_RECORDS:
            self._add_pending()
        self.first_lines.append(line_index + 1)
        self.fields += len(record)
        _check_size(self.file_name, len(self.first_lines), self.fields, line_index + 1)

    def _add_pending(self) -> None:
        self.records.add(self.pending, _field_counts(self.pending))
        self.pending = []

    def reject(self, line: str, line_index: int, reason: str) -> None:
        """Keep the line's cells, split without quoting, as a row rejected for `reason`."""
        if len(self.problems) >= limits.MAX_UNBALANCED_QUOTES:
            first = self.first_lines[self.problems[0].position]
            raise LoadError(
                f"'{self.file_name}' has more than {limits.MAX_UNBALANCED_QUOTES:,} lines with unbalanced "
                f"quotes, the first on line {first:,}: check how it was saved"
            )
        self.add(line.rstrip("\r\n").split(self.delimiter), line_index)
        shown = visible_controls(line.strip())[:_SHOWN_CHARS]
        self.problems.append(RowProblem(len(self.first_lines) - 1, shown, reason))

    def reading(self) -> _Reading:
        self._add_pending()
        field_counts = self.records.counts()
        return _Reading(
            self.records.frame(), np.asarray(self.first_lines, dtype=np.int64), field_counts, self.problems
        )


def _read_line_by_line(file_name: str, text: str, delimiter: str) -> _Reading:
    """Record by record, so an unbalanced quote costs one rejected line instead of the rest of the file.

    Only for files _read_whole cannot take: a Python step per record is slower than the C parser alone.
    """
    lines = list(_lines(text))
    typical = _typical_line_width(lines, delimiter)
    collected = _Collected(file_name, delimiter)
    start: int | None = 0
    while start is not None:
        start = _read_from(lines, start, typical, collected)
    return collected.reading()


def _typical_line_width(lines: list[str], delimiter: str) -> int:
    """The usual number of fields on a line, counting delimiters outside quotes closed on that line."""
    unquoted = map(partial(_QUOTED_ON_ONE_LINE.sub, ""), lines)
    delimiters = map(methodcaller("count", delimiter), unquoted)
    return _typical_width(np.fromiter(delimiters, dtype=np.int64, count=len(lines)) + 1)


def _read_from(lines: list[str], start: int, typical: int, collected: _Collected) -> int | None:
    """Records from line index `start` into `collected`; the line to resume from after a rejected
    line, or None at the end of the file."""
    feed = _LineFeed(lines, start)
    reader = csv.reader(feed, delimiter=collected.delimiter)
    try:
        for record in reader:
            if feed.ended:  # this record took the end marker
                if record == [_END]:
                    return None
                raise _Unbalanced(_NEVER_CLOSED)
            spans_lines = feed.next_line - feed.record_start > 1
            if spans_lines and _looks_swallowed(record, typical, collected.delimiter):
                raise _Unbalanced(_SWALLOWS_ROWS)
            collected.add(record, feed.record_start)
            feed.record_start = feed.next_line
        return None  # not reached: the reader always returns the end marker
    except _Unbalanced as error:
        reason = str(error)
    except csv.Error as error:
        reason = f"could not be read as CSV: {error}"
    collected.reject(lines[feed.record_start], feed.record_start, reason)
    return feed.record_start + 1
