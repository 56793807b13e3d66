"""Fish's configuration keys, read strictly: "rows", "columns", "fish" and "seed" (fish-design.md, spec section 1).

`"rows"` and `"columns"`: 2 to 9 each, default 5. `"fish"`: 1 to 5 fish on
every tile; absent, each tile gets a random number 1 to 5 drawn from the
tournament's `"seed"` (`chance.py`). `"seed"`: a whole number >= 0; absent,
the host draws one for the tournament and logs it, so the same boards can be
played again. n players place n * (6 - n) penguins (8, 9, 8 for n = 2, 3, 4),
so a board of fewer than 9 tiles is a configuration error, one line naming
the keys: `"rows" x "columns" must make at least 9 tiles, ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from Common.fish.board import MAX_FISH
from Common.strict import StructureError, register_json_object, strict_converter, whole_number
from Common.strict import seed as seed_number
from Common.strict import structure as structure_with

DEFAULT_ROWS = DEFAULT_COLUMNS = 5
MIN_SIDE, MAX_SIDE = 2, 9
MIN_TILES = 9
"""The most penguins a game places: 3 players x 3 penguins."""


@attrs.frozen
class FishSettings:
    """The board of every game: `rows` x `columns` tiles, each with `fish` fish or (None) a number drawn from `seed`."""

    rows: int = DEFAULT_ROWS
    columns: int = DEFAULT_COLUMNS
    fish: int | None = None
    seed: int | None = None


KEYS: dict[str, str] = {"rows": "rows", "columns": "columns", "fish": "fish", "seed": "seed"}
"""Each field's configuration key."""
CHECKS: dict[str, Callable[[Any], Any]] = {
    "rows": lambda value: whole_number(value, MIN_SIDE, MAX_SIDE),
    "columns": lambda value: whole_number(value, MIN_SIDE, MAX_SIDE),
    "fish": lambda value: whole_number(value, 1, MAX_FISH),
    "seed": seed_number,
}
"""The check of each field's value (structuring it)."""

_CONVERTER = strict_converter()
register_json_object(_CONVERTER, FishSettings, KEYS, CHECKS)


def read_settings(keys: Mapping[str, Any]) -> FishSettings:
    """The FishSettings of Fish's configuration keys (only those present); StructureError naming the key otherwise."""
    settings = structure_with(dict(keys), FishSettings, _CONVERTER)
    if settings.rows * settings.columns < MIN_TILES:
        made = f"{settings.rows} x {settings.columns}"
        raise StructureError(f'"rows" x "columns" must make at least {MIN_TILES} tiles (the penguins of 3 players), got {made} @ $')
    return settings


def settings_json(settings: FishSettings) -> dict[str, Any]:
    """The settings as configuration keys (those that are set): what the event log records and `read_settings` reads back."""
    fields = attrs.asdict(settings)
    return {KEYS[field]: value for field, value in fields.items() if value is not None}
