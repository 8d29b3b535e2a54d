"""Freed memory handed back to the operating system after each run, so the server's size follows its caches.

A page's run makes large temporaries (masks, cuts and copies of millions of status rows, file bytes) and
frees them; glibc's allocator keeps much of what was freed in its heaps, so without a trim the server's
resident size is its high-water mark rather than what its caches hold. `malloc_trim(0)` returns the free
pages at the top and in the middle of every heap. It runs in a thread of its own after the run, so no
page waits for it; elsewhere than glibc (macOS, musl) there is nothing to call and nothing is done.
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
_trimming = threading.Lock()


def _trim() -> None:
    if _TRIM is not None and _trimming.acquire(blocking=False):  # one trim at a time is enough
        try:
            _TRIM(0)
        finally:
            _trimming.release()


def release_freed_memory() -> None:
    """Hand the memory the run freed back to the operating system, in the background."""
    if _TRIM is not None:
        threading.Thread(target=_trim, name="malloc-trim", daemon=True).start()
