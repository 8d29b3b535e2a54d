"""Hard limits on what a loader will read, checked before any parser sees the bytes.

Numbers follow ../shared/notes/security.md 1.2-1.3: real extracts are small, so the limits sit far above
them while keeping a crafted file (zip bomb, a sheet claiming A1:XFD1048576) from exhausting memory.
python-calamine aborts the whole process when an allocation fails, so these checks must come first.
Read them as `limits.NAME` at call time so a test can lower one.
"""

from __future__ import annotations

from datetime import date

MAX_FILE_BYTES = 25 * 1024 * 1024  # a browser upload; matches server.maxUploadSize
# The command line serves scheduled jobs on the service's own machine: a full history of reviews
# (1,000,000 rows is about 100 MB of CSV) must load there. Zip and sheet limits still apply.
MAX_COMMAND_LINE_FILE_BYTES = 512 * 1024 * 1024
MAX_DATA_ROWS = 1_500_000  # non-blank rows below the header, per sheet

# Zip packages (.xlsx, .xlsm, .ods)
MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # uncompressed, one member
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, all members
MAX_COMPRESSION_RATIO = 200  # uncompressed / compressed ...
RATIO_CHECK_ABOVE_BYTES = 1024 * 1024  # ... checked only for members bigger than this

# Sheet shape: what the reader would allocate for one sheet (rows x columns of its used range).
MAX_SHEET_COLUMNS = 1024
MAX_SHEET_CELLS = 20_000_000  # more than a full 65,536 x 256 .xls grid; far less than A1:XFD1048576
MAX_MERGED_RANGES = 10_000

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
HEADER_SEARCH_ROWS = 30  # the header row is among the first 30 rows (SPEC 4)

# CSV text, bounded while it is parsed (a CSV has no used range to check first): a line of 50,000 commas
# would otherwise become 50,000 columns to classify. A record wider than MAX_SHEET_COLUMNS is refused at
# once; these bound what a file of short or empty lines can make the reader allocate.
MAX_CSV_RECORDS = 3_000_000  # data rows (MAX_DATA_ROWS) plus as many blank, title or note lines
MAX_CSV_FIELDS = 40_000_000  # MAX_DATA_ROWS rows of 26 columns; a full reviews extract has 12
# A quoted field may hold line breaks (a note), but a record spanning more lines than this is a quote
# left open by mistake (a shorter one is caught by the rows it takes in): its first line is rejected and
# reading resumes on the next line, so the rows it would have swallowed are kept. Past
# MAX_UNBALANCED_QUOTES such lines the file is refused.
MAX_RECORD_LINES = 100
MAX_UNBALANCED_QUOTES = 1_000

# Whole-number columns: a value outside its range is a typing slip and rejects the row. Review numbers
# count the reviews of one order, six-monthly by default (SPEC 2.4): a life licence supervised for 60
# years reaches about 120, so three digits hold any real order; 100000 or a 20-digit number is a slip
# (or another field pasted in) whose computed due date would lie centuries ahead. Other whole numbers
# must fit the store's 32-bit INTEGER column.
WHOLE_NUMBER_RANGES = {"review_number": (1, 999)}
WHOLE_NUMBER_RANGE = (-(2**31) + 1, 2**31 - 1)

# Dates outside this window are typing slips (year 2999, serial 0 = 1900-01-00), not real events.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2099, 12, 31)
