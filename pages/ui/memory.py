"""Freed memory handed back to the operating system after each run, so the server's size follows its caches.

A page's run makes large temporaries (masks, cuts and copies of millions of status rows, file bytes) and
frees them; glibc's allocator keeps much of what was freed in its heaps, so without a trim the server's
resident size is its high-water mark rather than what its caches hold. `malloc_trim(0)` returns the free
pages at the top and in the middle of every heap. It runs in a thread of its own a moment after the run
(TRIM_DELAY_SECONDS), once for a burst of reruns: a trim walks every heap under the allocator's lock, a
tenth of a second on a big server, which competed with the next rerun and the browser's drawing when it
ran after each one. Elsewhere than glibc (macOS, musl) there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()
TRIM_DELAY_SECONDS = 1.0
_pending = threading.Lock()  # held from a trim being scheduled until it starts


def _trim() -> None:
    _pending.release()
    if _TRIM is not None:
        _TRIM(0)


def release_freed_memory() -> None:
    """Hand the memory the run freed back to the operating system, in the background, a moment later;
    a run that ends while a trim is already scheduled leaves it to that one."""
    if _TRIM is None or not _pending.acquire(blocking=False):
        return
    timer = threading.Timer(TRIM_DELAY_SECONDS, _trim)
    timer.name, timer.daemon = "malloc-trim", True
    timer.start()
