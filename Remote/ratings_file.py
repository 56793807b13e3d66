"""The ratings file: written at the end of a tournament ("ratings out"), read to seed a later knock-out ("seeding": "rating").

It holds what results.json's `ratings` hold, as one JSON array of rows
`{"name": ..., "rating": ..., "low": ..., "high": ..., "games": ..., "superiority": ...}`,
best first (Admin/ratings.py). Reading it is strict: a file that is not such an
array is refused with one line naming the file and what is wrong.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from Admin.observer import Observer
from Admin.ratings import read_ratings
from Common.strict import StructureError
from Remote.exports import write_atomically


def read_seeding(path: str | None) -> dict[str, float] | None:
    """The ratings by name in the file at `path` (None: no file); StructureError, one line naming the file, if it is not one."""
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StructureError(f"ratings file {path}: cannot be read: {getattr(error, 'strerror', None) or error}") from None
    try:
        return {entry.name: entry.rating for entry in read_ratings(text) if entry.rating is not None}
    except (StructureError, ValueError) as error:
        raise StructureError(f"ratings file {path}: {error}") from None


class RatingsFile(Observer):
    """Writes every tournament's ratings to `path` (replacing the file whole) when they are known, before the Results."""

    def __init__(self, path: Path, log: logging.Logger) -> None:
        self.path = path
        self.log = log

    def summarised(self, ratings: Sequence[dict[str, Any]], summary: dict[str, Any] | None) -> None:
        try:
            write_atomically(self.path, json.dumps(list(ratings), indent=1) + "\n")
        except OSError as error:
            self.log.error("ratings out: cannot write %s: %s", self.path, error.strerror or error)
