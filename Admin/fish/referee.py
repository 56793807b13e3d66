"""The referee: one game of Fish among two to four players, seated in the order the manager gives them.

Each player learns its colour (`assigned_color`, red, white, brown, black in
seat order) and then the others' colours (`other_colors`, in seat order).
Then come 6 - n rounds of placements in seat order (n players seated), then
turns in seat order until nobody can move; a player that cannot move while
another can is skipped without being asked. Each call passes the State with
the players in turn order, the caller first; a turn passes, too, the Actions
since that player's previous turn (a skip counts as one), oldest first,
"skip" for a skipped player: all of them before its first turn, so [] for
the first mover.

A player that misbehaves (see `safe_call`, plus an illegal placement or
move, Failure kind ILLEGAL) is removed at once: its penguins come off the
board, it gets no further call, and the game goes on in seat order (spec
section 7: nobody places twice for it). When one player is left, the game
ends and that player wins; when none is left, nobody wins.

Through `note` the referee reports the game as it happens (only when `note`
is not `ignore`), as plain dicts with every wire value in the form of
`Common/fish/wire.py` (the event log adds `seq` and `t`):

    {"type": "game-start", "encounter": 3, "game": 0, "players": [Name...], "colors": [Color...], "board": Board}
    {"type": "placement", "encounter": 3, "game": 0, "player": Name, "place": [r, c], "ms": 4}
    {"type": "turn", "encounter": 3, "game": 0, "player": Name, "action": [[r, c], [r, c]], "ms": 12}
    {"type": "removed", "encounter": 3, "game": 0, "player": Name}
    {"type": "game-end", "encounter": 3, "game": 0, "players": [...], "scores": [...], "winners": [...]}

Only legal placements and moves are reported; skips are not events (they
follow from the state). `Common/fish/replay.py` replays these events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import attrs

from Admin.encounter import Encounter, EncounterResult, Entrant, GroupRefereeFunction, Misbehaviour, Note, ignore
from Admin.safe_call import ILLEGAL, Failure, safe_call
from Admin.time_limits import now
from Common.fish.board import Board
from Common.fish.chance import board_of
from Common.fish.geometry import SKIP, Action, Position, Skip
from Common.fish.names import Name
from Common.fish.player import Player
from Common.fish.replay import GAME_END, GAME_START, PLACEMENT, REMOVED, TURN
from Common.fish.results import Outcome, winners_of
from Common.fish.rules import is_over, move_error, next_turn, placement_error, to_mover
from Common.fish.settings import FishSettings
from Common.fish.state import COLORS, Color, State, penguins_per_player
from Common.fish.wire import action_to_json, board_to_json, outcome_to_json, position_to_json
from Common.strict import show

DEFAULT_TIME_PER_CALL = 10.0
"""Seconds a Fish player has for each call unless the configuration says otherwise (the reference's)."""

FishEntrant = Entrant[Name, Player]


@attrs.define
class Referee:
    """Referees games on the board `board_of(encounter index)`, allowing each call `time_per_call` seconds;
    tells `note` each game event."""

    board_of: Callable[[int], Board]
    time_per_call: float = DEFAULT_TIME_PER_CALL
    note: Note = ignore

    async def __call__(self, entrants: Sequence[FishEntrant], encounter: Encounter = Encounter()) -> EncounterResult:
        """Play one game among `entrants` (seat order) and say how it ended."""
        game = _Game(self, list(entrants), self.board_of(encounter.index), encounter.index)
        return await game.play()


def make_referee(settings: FishSettings, time_per_call: float = DEFAULT_TIME_PER_CALL, note: Note = ignore) -> GroupRefereeFunction:
    """The referee of a tournament under `settings` (the manager's group referee): each encounter's board from the
    settings and its index."""
    return Referee(partial(board_of, settings), time_per_call, note)


class _Game:
    """One game as it is played: the seats, the state of those still in, and what has happened."""

    def __init__(self, referee: Referee, seats: list[FishEntrant], board: Board, encounter: int) -> None:
        self.referee = referee
        self.seats = seats
        self.colors = COLORS[: len(seats)]
        self.entrant_of = dict(zip(self.colors, seats, strict=True))
        self.state: State | None = State.start(board, self.colors)
        self.removed: set[Color] = set()
        self.misbehaviours: list[Misbehaviour] = []
        self.events = None if referee.note is ignore else _GameEvents(referee.note, encounter)
        if self.events is not None:
            self.events.start([entrant.name for entrant in seats], self.colors, board)

    @property
    def left(self) -> int:
        return len(self.seats) - len(self.removed)

    async def play(self) -> EncounterResult:
        await self._tell_colors()
        await self._placements()
        if self.state is not None and self.left >= 2:
            await self._turns()
        return self._end()

    async def _tell_colors(self) -> None:
        for color, entrant in self.entrant_of.items():
            others = tuple(other for other in self.colors if other is not color)
            told = await self._ask(entrant, "assigned_color", color)
            if not isinstance(told, Misbehaviour):
                told = await self._ask(entrant, "other_colors", others)
            if isinstance(told, Misbehaviour):
                self._remove(color, told)

    async def _placements(self) -> None:
        for _ in range(penguins_per_player(len(self.seats))):
            for color, entrant in self.entrant_of.items():
                if color in self.removed:
                    continue
                if self.state is None or self.left < 2:
                    return
                state = self.state.turn_of(color)
                asked = now()
                place = await self._ask(entrant, "place", state, expect=Position)
                if isinstance(place, Misbehaviour):
                    self._remove(color, place)
                    continue
                answered = now()
                error = placement_error(state, place)
                if error is not None:
                    reason = f"illegal placement {show(position_to_json(place))}: {error}"
                    self._remove(color, Misbehaviour(entrant.name, reason, ILLEGAL))
                    continue
                if self.events is not None:
                    self.events.placement(entrant.name, place, answered - asked)
                self.state = state.with_penguin(place)

    async def _turns(self) -> None:
        assert self.state is not None
        first = next(color for color in self.colors if color not in self.removed)
        history: list[Action | Skip] = []
        after_slot: dict[Color, int] = {}  # for each player, the length of `history` after its latest turn or skip

        def skipped(colors: Sequence[Color]) -> None:
            for color in colors:
                history.append(SKIP)
                after_slot[color] = len(history)

        self.state, skips = to_mover(self.state.turn_of(first))
        skipped(skips)
        while self.state is not None and self.left >= 2 and not is_over(self.state):
            state = self.state
            color = state.current.color
            entrant = self.entrant_of[color]
            actions = tuple(history[after_slot.get(color, 0) :])
            asked = now()
            action = await self._ask(entrant, "move", state, actions, expect=Action)
            answered = now()
            if not isinstance(action, Misbehaviour):
                error = move_error(state, action)
                if error is not None:
                    action = Misbehaviour(entrant.name, f"illegal move {show(action_to_json(action))}: {error}", ILLEGAL)
            if isinstance(action, Misbehaviour):
                self._remove(color, action)
                if self.state is not None:
                    self.state, skips = to_mover(self.state)
                    skipped(skips)
                continue
            if self.events is not None:
                self.events.turn(entrant.name, action, answered - asked)
            history.append(action)
            after_slot[color] = len(history)
            self.state, skips = next_turn(state.after(action))
            skipped(skips)

    def _remove(self, color: Color, misbehaviour: Misbehaviour) -> None:
        """Take the player of `color` out of the game at once: its penguins off the board, no further call."""
        self.removed.add(color)
        self.misbehaviours.append(misbehaviour)
        if self.events is not None:
            self.events.removed(self.entrant_of[color].name)
        if self.state is not None:
            self.state = self.state.without(color) if self.left > 0 else None

    def _end(self) -> EncounterResult:
        players = tuple(entrant.name for entrant in self.seats)
        scores = [None if color in self.removed or self.state is None else self.state.player(color).score for color in self.colors]
        outcome = Outcome(players, scores, winners_of(players, scores))
        if self.events is not None:
            self.events.end(outcome)
        return EncounterResult(outcome, tuple(self.misbehaviours))

    async def _ask(self, entrant: FishEntrant, method: str, *args: Any, expect: Any = None) -> Any:
        """One safe call of `entrant`'s `method`: the answer, or the Misbehaviour its Failure makes."""
        answer = await safe_call(getattr(entrant.player, method), *args, time_limit=self.referee.time_per_call, expect=expect)
        if isinstance(answer, Failure):
            return Misbehaviour(entrant.name, answer.reason, answer.kind)
        return answer


class _GameEvents:
    """Builds the events of the game of encounter `encounter` (Fish plays one game an encounter) and hands them to `note`."""

    __slots__ = ("_encounter", "_note")

    GAME = 0

    def __init__(self, note: Note, encounter: int) -> None:
        self._note, self._encounter = note, encounter

    def _event(self, kind: str, **fields: Any) -> None:
        self._note({"type": kind, "encounter": self._encounter, "game": self.GAME, **fields})

    def start(self, players: list[Name], colors: Sequence[Color], board: Board) -> None:
        self._event(GAME_START, players=players, colors=[color.value for color in colors], board=board_to_json(board))

    def placement(self, player: Name, place: Position, seconds: float) -> None:
        self._event(PLACEMENT, player=player, place=position_to_json(place), ms=round(seconds * 1000))

    def turn(self, player: Name, action: Action, seconds: float) -> None:
        self._event(TURN, player=player, action=action_to_json(action), ms=round(seconds * 1000))

    def removed(self, player: Name) -> None:
        self._event(REMOVED, player=player)

    def end(self, outcome: Outcome) -> None:
        self._event(GAME_END, **outcome_to_json(outcome))
