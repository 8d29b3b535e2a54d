"""Warming the big caches in the background, so that no person waits for them after a write.

Reading 1.2 million records and working out 4.7 million statuses takes seconds. Whoever first opened a
page after an upload, an undo or a settings change used to wait for it. Now each server process runs one
thread per store that reads the store's data version every few seconds and, when it has changed (an
upload through this server, another server on the same PostgreSQL, or `cli.py ingest`), reads the
records and works out the statuses for the as-at date pages last asked for, into the same
st.cache_resource entries the pages use, and saves them for the next server start. After an upload only
the records it wrote are worked out and put in place (pages.ui.data._brought_up_to_date,
measures.incremental): a fraction of a second for 1,000 changed orders among 1.2 million records. A page
opened meanwhile waits for that one computation (the cache's per-key lock) instead of starting its own.
The thread starts with the server (dashboard.py's st.App lifespan), before anyone opens a page, for the
store the server is configured with and the as-at date pages open with; the saved copies on disk
(store/snapshot.py, pages.ui.data.statuses_file) make that first read quick. A page run for another
store (a session's own URL) starts one for that store too.

`JSW_WARM_SECONDS` sets the interval; 0 turns warming off (the page tests do, so no thread outlives
its test's store).
"""

from __future__ import annotations

import logging
import os
import threading
import time

import store
from pages.ui import data

DEFAULT_SECONDS = 2.0

_log = logging.getLogger(__name__)
_watching: set[str] = set()
_lock = threading.Lock()


def watch(url: str) -> None:
    """Keep this store's caches warm from now on (once per store and server process)."""
    seconds = float(os.environ.get("JSW_WARM_SECONDS", DEFAULT_SECONDS))
    if seconds <= 0:
        return
    with _lock:
        if url in _watching:
            return
        _watching.add(url)
    threading.Thread(target=_keep_warm, args=(url, seconds), name="warm caches", daemon=True).start()


def _keep_warm(url: str, seconds: float) -> None:
    warmed: str | None = None
    while True:
        try:
            version = store.data_version(data.engine_for(url))
            if version != warmed:
                data.warm(url, version)
                warmed = version
        except Exception as error:  # a store that is down now may answer later; never case data in logs
            _log.warning("warming the caches failed: %s", type(error).__name__)
        time.sleep(seconds)
