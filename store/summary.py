"""What a write to the store reports back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoreSummary:
    """Counts of one store_sheet or undo_upload.

    For store_sheet: records new / updated / unchanged and rows rejected by the loader.
    For undo_upload: `new` records removed, `updated` records given their previous values back,
    `unchanged` and `rejected` as the undone upload recorded them.
    """

    upload_id: int | None  # None when already_loaded
    dataset: str
    new: int
    updated: int
    unchanged: int
    rejected: int
    # id of the dataset's newest live upload when it had the same sha256 + sheet (nothing was stored)
    already_loaded: int | None = None
