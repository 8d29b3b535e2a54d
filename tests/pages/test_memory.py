"""Freed memory handed back after runs (pages/ui/memory.py): once per burst of reruns, a moment later."""

from __future__ import annotations

import time

import pytest

from pages.ui import memory


def test_a_burst_of_reruns_trims_once_after_it_and_a_later_run_trims_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert memory._pending.acquire(timeout=5)  # a trim an earlier test's run scheduled has started
    memory._pending.release()
    trims: list[float] = []
    monkeypatch.setattr(memory, "_TRIM", lambda pad: trims.append(time.monotonic()) or 1)
    monkeypatch.setattr(memory, "TRIM_DELAY_SECONDS", 0.2)

    started = time.monotonic()
    for _ in range(5):  # five reruns in quick succession, as typing in a filter makes
        memory.release_freed_memory()
    assert trims == []  # nothing while the reruns may still be drawing
    time.sleep(0.6)
    assert len(trims) == 1 and trims[0] - started >= 0.2

    memory.release_freed_memory()
    time.sleep(0.6)
    assert len(trims) == 2
