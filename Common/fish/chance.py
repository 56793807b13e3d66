"""The boards of a tournament: every encounter's board drawn from the tournament's seed and the encounter's index.

When "fish" is not set, each tile of an encounter's board gets a number of
fish, 1 to 5, from a generator of its own (`random.Random`) seeded with
SHA-256 of a canonical JSON text of the tournament's seed and the
encounter's index (never Python's salted `hash`): the same in every process
and every run, whatever else happens in the tournament, so a resumed
tournament plays the boards an uninterrupted one plays. Tiles are drawn row
by row, west to east.
"""

from __future__ import annotations

import hashlib
import json
import random

from Common.fish.board import MAX_FISH, Board
from Common.fish.settings import FishSettings


def board_seed(seed: int, encounter: int) -> int:
    """The seed of encounter `encounter`'s generator: SHA-256 of the canonical JSON of both, as a 256-bit number."""
    text = json.dumps(["fish board", seed, encounter], ensure_ascii=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest(), "big")


def draw_board(rows: int, columns: int, seed: int, encounter: int) -> Board:
    """A `rows` x `columns` board, every tile 1 to 5 fish, drawn for encounter `encounter` of the tournament `seed`."""
    draw = random.Random(board_seed(seed, encounter)).randint
    return Board([[draw(1, MAX_FISH) for _ in range(columns)] for _ in range(rows)])


def board_of(settings: FishSettings, encounter: int) -> Board:
    """The board of encounter `encounter` under `settings`: `fish` fish on every tile, or drawn from the seed.

    ValueError when the fish are to be drawn and the settings have no seed (the host draws one first).
    """
    if settings.fish is not None:
        return Board.uniform(settings.rows, settings.columns, settings.fish)
    if settings.seed is None:
        raise ValueError("the fish of the board are to be drawn, but the settings have no seed")
    return draw_board(settings.rows, settings.columns, settings.seed, encounter)
