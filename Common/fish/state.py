"""A game's state: the board, and each player's colour, score and penguins, in turn order (spec section 2).

`players[0]` is the player whose turn it is; the others follow in seat order.
Each player's `places` are its penguins, the newest first. A State never
changes: placing, moving, rotating and removing return a new State. Every
penguin stands on a tile (never on a hole), no two on one tile.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from Common.fish.board import Board
from Common.fish.geometry import Action, Position, natural

MAX_PLAYERS = 4
MIN_PLAYERS = 2
PENGUINS_AND_PLAYERS = 6
"""n players have 6 - n penguins each."""


class Color(enum.Enum):
    """A player's colour; the referee hands them out in seat order: red, white, brown, black."""

    RED = "red"
    WHITE = "white"
    BROWN = "brown"
    BLACK = "black"


COLORS: tuple[Color, ...] = tuple(Color)
"""The colours in seat order."""


def penguins_per_player(players: int) -> int:
    """How many penguins each of `players` players places: 6 - n."""
    return PENGUINS_AND_PLAYERS - players


def _positions(places: Iterable[Position]) -> tuple[Position, ...]:
    return tuple(places)


def _all_positions(instance: object, attribute: attrs.Attribute, places: tuple[Position, ...]) -> None:
    for place in places:
        if not isinstance(place, Position):
            raise ValueError(f"{attribute.name} must hold positions, got {place!r}")


@attrs.frozen
class PlayerState:
    """One player in a game: its colour, the fish it has collected, its penguins (newest first)."""

    color: Color = attrs.field(validator=attrs.validators.instance_of(Color))
    score: int = attrs.field(default=0, validator=natural)
    places: tuple[Position, ...] = attrs.field(default=(), converter=_positions, validator=_all_positions)


def _players(players: Iterable[PlayerState]) -> tuple[PlayerState, ...]:
    return tuple(players)


def _consistent(state: State, attribute: attrs.Attribute, players: tuple[PlayerState, ...]) -> None:
    if not 1 <= len(players) <= MAX_PLAYERS:
        raise ValueError(f"a state holds 1 to {MAX_PLAYERS} players, got {len(players)}")
    colors = [player.color for player in players]
    if len(set(colors)) != len(colors):
        raise ValueError("two players have the same colour")
    places = [place for player in players for place in player.places]
    if len(set(places)) != len(places):
        raise ValueError("two penguins stand on one tile")
    for place in places:
        if not state.board.is_tile(place):
            raise ValueError(f"a penguin stands on {place}, which is not a tile")


@attrs.frozen
class State:
    """The board and the players still in the game, in turn order: the one to play first."""

    board: Board = attrs.field(validator=attrs.validators.instance_of(Board))
    players: tuple[PlayerState, ...] = attrs.field(converter=_players, validator=_consistent)

    @classmethod
    def start(cls, board: Board, colors: Iterable[Color]) -> State:
        """The state before any placement: `colors` in seat order, no penguins, no fish collected."""
        return cls(board, [PlayerState(color) for color in colors])

    @property
    def colors(self) -> tuple[Color, ...]:
        """The players' colours in turn order."""
        return tuple(player.color for player in self.players)

    @property
    def current(self) -> PlayerState:
        """The player whose turn it is."""
        return self.players[0]

    def player(self, color: Color) -> PlayerState:
        """The player of `color`; KeyError if none."""
        for player in self.players:
            if player.color is color:
                return player
        raise KeyError(color)

    def occupied(self) -> frozenset[Position]:
        """Where penguins stand."""
        return frozenset(place for player in self.players for place in player.places)

    def turn_of(self, color: Color) -> State:
        """This state with `color`'s turn: the players rotated (seat order kept) so that it is first."""
        index = self.colors.index(color)
        return attrs.evolve(self, players=self.players[index:] + self.players[:index])

    def rotated(self) -> State:
        """This state with the next player's turn: the first player goes last."""
        return attrs.evolve(self, players=self.players[1:] + self.players[:1])

    def without(self, color: Color) -> State:
        """This state without the player of `color` and its penguins (the others keep their order)."""
        return attrs.evolve(self, players=tuple(player for player in self.players if player.color is not color))

    def with_penguin(self, position: Position) -> State:
        """This state with a new penguin of the current player on `position` (no check of the rules)."""
        current = self.players[0]
        placed = attrs.evolve(current, places=(position, *current.places))
        return State(self.board, (placed, *self.players[1:]))

    def after(self, action: Action) -> State:
        """This state after the current player's penguin travels along `action` (no check of the rules):
        the tile it leaves becomes a hole, and its fish go to the mover; the moved penguin becomes the newest."""
        current = self.players[0]
        places = (action.target, *(place for place in current.places if place != action.source))
        mover = PlayerState(current.color, current.score + self.board.fish(action.source), places)
        return State(self.board.without(action.source), (mover, *self.players[1:]))
