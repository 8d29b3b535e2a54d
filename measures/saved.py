"""What a saved copy of record statuses is named by, for everyone who reads one (issue 12).

The dashboard saves the statuses it works out beside the store (store.columnar, store.statuses_path) and
reads them back after a restart; `cli.py report` reads them too, moved to its own as-at date
(measures.incremental.redated_statuses). A copy may be read only where working the statuses out again
would give the same frame, so its name carries everything they depend on: the records version (the
store's part), the settings document, the as-at date and a digest of the code and libraries that work
statuses out, so a new release or new bank holidays never read an old file.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

import loaders
from measures.settings import Settings, settings_to_document


def statuses_key(settings: Settings, as_at: date) -> str:
    """The settings, as-at date and code a copy of statuses was worked out with, as one text."""
    parts = [settings_to_document(settings), as_at.isoformat(), code_mark()]
    return json.dumps(parts, sort_keys=True, default=str)


@functools.cache
def code_mark() -> str:
    """A digest of the code and libraries statuses depend on: a new release never reads an old file."""
    digest = hashlib.sha256()
    for package_folder in (Path(__file__).parent, Path(loaders.__file__).parent):
        for path in sorted(package_folder.glob("*.py")):
            digest.update(path.read_bytes())
    for module in (np, pd, holidays):
        digest.update(module.__version__.encode())
    return digest.hexdigest()[:16]
