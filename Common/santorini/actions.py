"""What a player answers: a Place in the placement phase, an Action on its turn.

An Action is one of
* GiveUp: the player resigns, naming itself;
* WinningMove: a worker steps onto a height-3 square; no build follows;
* MoveAndBuild: a worker steps, then builds next to its new square.
A Placement tells a player where the workers placed so far in a game stand.
"""

from __future__ import annotations

import attrs

from Common.santorini.board import WorkerPlace
from Common.santorini.geometry import Direction, Place
from Common.santorini.names import Name, Worker, name_validator

MAX_PLACED_BEFORE_A_PLACEMENT = 3

Placement = tuple[WorkerPlace, ...]
"""The workers placed so far in this game, 0 to 3 of them."""


@attrs.frozen
class GiveUp:
    """The player named `name` resigns the game."""

    name: Name = attrs.field(validator=name_validator)


@attrs.frozen
class WinningMove:
    """`worker` steps in `move`'s direction onto height 3 and wins."""

    worker: Worker = attrs.field(validator=attrs.validators.instance_of(Worker))
    move: Direction = attrs.field(validator=attrs.validators.instance_of(Direction))


@attrs.frozen
class MoveAndBuild:
    """`worker` steps in `move`'s direction, then builds in `build`'s direction from there."""

    worker: Worker = attrs.field(validator=attrs.validators.instance_of(Worker))
    move: Direction = attrs.field(validator=attrs.validators.instance_of(Direction))
    build: Direction = attrs.field(validator=attrs.validators.instance_of(Direction))


Action = GiveUp | WinningMove | MoveAndBuild

__all__ = ["Action", "GiveUp", "MoveAndBuild", "Place", "Placement", "WinningMove"]
