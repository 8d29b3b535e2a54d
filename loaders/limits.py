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

# Dates outside this window are typing slips (year 2999, serial 0 = 1900-01-00), not real events.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2099, 12, 31)
