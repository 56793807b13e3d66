"""Replaying one recorded Fish game through the rules: the state and the outcome its events lead to.

A Fish referee reports a game as events (fish-design.md), each with its wire
values in the form of `wire.py`:

    {"type": "game-start", "players": [Name, ...], "colors": [Color, ...], "board": Board}
    {"type": "placement", "player": Name, "place": [r, c], "ms": 4}
    {"type": "turn", "player": Name, "action": [[r, c], [r, c]], "ms": 12}
    {"type": "removed", "player": Name}
    {"type": "game-end", "players": [...], "scores": [...], "winners": [...]}

(the event log adds "encounter", "game", "seq" and "t", which are not read;
`record_events` turns a game's record in games.ndjson back into these).
`replay_state` plays them from the game-start on and checks each step: the
right player (placements in rounds in seat order, turns in seat order with
the players who cannot move skipped), a legal placement or move, a removal
only of the player whose call was due (anyone's before the first placement,
while colours are handed out). A game-end, if there is one, must come last;
its values are not read. `replay` also demands that the game be over (nobody
can move, or at most one player left) and derives its Outcome, which a
caller compares with the recorded game-end.

A step that breaks these rules raises ValueError with one line naming it:
`step 7 (a placement of bob): a penguin already stands on [0, 0]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from Common.fish.board import Board
from Common.fish.geometry import Action, Position
from Common.fish.names import Name
from Common.fish.results import Outcome, winners_of
from Common.fish.rules import is_over, move_error, next_turn, placement_error, to_mover
from Common.fish.state import COLORS, MAX_PLAYERS, MIN_PLAYERS, State, penguins_per_player
from Common.fish.wire import name, structure
from Common.strict import array, each, show

GAME_START, PLACEMENT, TURN, REMOVED, GAME_END = "game-start", "placement", "turn", "removed", "game-end"
"""The types of a game's events."""


@attrs.frozen
class Replayed:
    """Where a game's events lead: the players in seat order, the state (None: nobody left), who was removed."""

    players: tuple[Name, ...]
    state: State | None
    removed: frozenset[Name]
    placing: bool
    """Whether placements were still due after the last event."""

    @property
    def over(self) -> bool:
        """Whether the game is over: at most one player left, or nobody can move after the placements."""
        return self.state is None or len(self.state.players) < 2 or (not self.placing and is_over(self.state))

    def outcome(self) -> Outcome:
        """The game's Outcome: the scores of the players left (None for the removed), and the winners."""
        scores: list[int | None] = []
        for seat, player in enumerate(self.players):
            if player in self.removed or self.state is None:
                scores.append(None)
            else:
                scores.append(self.state.player(COLORS[seat]).score)
        return Outcome(self.players, scores, winners_of(self.players, scores))


def replay(events: Sequence[Mapping[str, Any]]) -> Outcome:
    """The Outcome that a whole game's events lead to; ValueError naming the step if one breaks the rules or the
    game is not over after the last."""
    replayed = replay_state(events)
    if not replayed.over:
        raise ValueError(f"the game is not over after its last step ({len(events) - 1})")
    return replayed.outcome()


def record_events(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events of a game's record, a line of the event log's games.ndjson (`players`, `colors`, `board`, `steps`,
    `end`), as `replay` takes them: the game-start, the steps, and the game-end if the record has one."""
    start = {"type": GAME_START, "players": record.get("players"), "colors": record.get("colors"), "board": record.get("board")}
    steps = record.get("steps")
    if not isinstance(steps, list):
        raise ValueError(f"expected a record's steps, a list, got {show(steps)}")
    end = record.get("end")
    return [start, *steps, *([{"type": GAME_END, **end}] if isinstance(end, Mapping) else [])]


def replay_state(events: Sequence[Mapping[str, Any]]) -> Replayed:
    """Where a game's events (the first its game-start) lead; ValueError naming the first step that breaks the rules."""
    if not events:
        raise ValueError("expected a game-start event, got no events")
    players, board = _start(events[0])
    game = _Game(players, board)
    for number, event in enumerate(events[1:], 1):
        if not isinstance(event, Mapping):
            raise ValueError(f"step {number}: expected an event (a JSON object), got {show(event)}")
        kind = event.get("type")
        if kind == GAME_END:
            if number != len(events) - 1:
                raise ValueError(f"step {number}: a game-end before the last step")
            break
        if kind not in (PLACEMENT, TURN, REMOVED):
            raise ValueError(f"step {number}: expected a placement, a turn, a removal or the game-end, got {show(kind)}")
        game.step(number, kind, event)
    return game.replayed()


def _start(event: Any) -> tuple[tuple[Name, ...], Board]:
    if not isinstance(event, Mapping) or event.get("type") != GAME_START:
        raise ValueError(f"expected a game-start event, got {show(event, 60)}")
    try:
        players = tuple(each(array(event.get("players"), "players", range(MIN_PLAYERS, MAX_PLAYERS + 1)), name, str))
        board = structure(event.get("board"), Board)
    except ValueError as error:
        raise ValueError(f"game-start: {error}") from None
    if len(set(players)) != len(players):
        raise ValueError(f"game-start: the players are not different names, got {show(list(players))}")
    colors = [color.value for color in COLORS[: len(players)]]
    if event.get("colors") != colors:
        raise ValueError(f"game-start: expected the colours {show(colors)}, got {show(event.get('colors'))}")
    return players, board


class _Game:
    """A game being replayed: its state, and whose step is due."""

    def __init__(self, players: tuple[Name, ...], board: Board) -> None:
        self.players = players
        self.color_of = {player: COLORS[seat] for seat, player in enumerate(players)}
        self.state: State | None = State.start(board, COLORS[: len(players)])
        self.removed: set[Name] = set()
        self.slots = [player for _ in range(penguins_per_player(len(players))) for player in players]
        """The placements due, in order, of every player (the removed players' are passed over)."""
        self.placed = 0
        """How many of `slots` are done or passed over."""
        self.moving = False

    def step(self, number: int, kind: str, event: Mapping[str, Any]) -> None:
        at = f"step {number} (a {kind} of {show(event.get('player'))})"
        player = event.get("player")
        if (
            kind == REMOVED
            and type(player) is str
            and player in self.color_of
            and player not in self.removed
            and not self.moving
            and self.placed == 0
        ):
            self._remove(Name(player))  # while colours are handed out, or at the first placement: anyone's
            return
        due = self._due()
        if due is None:
            raise ValueError(f"{at}: the game was over")
        if kind == REMOVED:
            if player != due:
                raise ValueError(f"{at}: expected a removal of {due}, whose call was due")
            self._remove(Name(player))
            return
        if player != due:
            raise ValueError(f"{at}: expected a {'turn' if self.moving else 'placement'} of {due}")
        if self.moving != (kind == TURN):
            raise ValueError(f"{at}: expected a {'turn' if self.moving else 'placement'}")
        assert self.state is not None  # a player is due
        if kind == PLACEMENT:
            place = self._value(event, "place", Position, at)
            state = self.state.turn_of(self.color_of[due])
            error = placement_error(state, place)
            if error is not None:
                raise ValueError(f"{at}: illegal placement: {error}")
            self.state = state.with_penguin(place)
            self.placed += 1
        else:
            action = self._value(event, "action", Action, at)
            error = move_error(self.state, action)
            if error is not None:
                raise ValueError(f"{at}: illegal move: {error}")
            self.state, _ = next_turn(self.state.after(action))

    def _due(self) -> Name | None:
        """The player whose step comes next; None when the game is over."""
        state = self.state
        if state is None or len(state.players) < 2:
            return None
        while not self.moving and self.placed < len(self.slots) and self.slots[self.placed] in self.removed:
            self.placed += 1
        if not self.moving and self.placed == len(self.slots):
            self.moving = True
            first = next(player for player in self.players if player not in self.removed)
            self.state, _ = to_mover(state.turn_of(self.color_of[first]))
            state = self.state
        if not self.moving:
            return self.slots[self.placed]
        if is_over(state):
            return None
        return self.players[COLORS.index(state.current.color)]

    def _remove(self, player: Name) -> None:
        assert self.state is not None
        self.removed.add(player)
        if len(self.removed) == len(self.players):
            self.state = None
            return
        self.state = self.state.without(self.color_of[player])
        if self.moving:
            self.state, _ = to_mover(self.state)

    @staticmethod
    def _value(event: Mapping[str, Any], key: str, type_: Any, at: str) -> Any:
        ms = event.get("ms")
        if type(ms) is not int or ms < 0:
            raise ValueError(f'{at}: expected "ms", a whole number >= 0, got {show(ms)}')
        try:
            return structure(event.get(key), type_)
        except ValueError as error:
            raise ValueError(f"{at}: {key}: {error}") from None

    def replayed(self) -> Replayed:
        self._due()  # moves on to the turns once the last placement is made
        placing = not self.moving
        return Replayed(self.players, self.state, frozenset(self.removed), placing)
