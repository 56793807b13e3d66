"""The referee: one best-of-N series of Santorini games between two players.

Each player first learns its opponent's name. Every game starts on an empty
board; the first player of game 1 is the one listed first, and the first
player alternates from game to game. The players place their workers
alternately (first, second, first, second), then take turns until one wins:
by reaching height 3, because the other gave up, or because the other has no
legal turn left. A player that misbehaves (see `safe_call`, plus illegal
placements and actions) loses the series at once, irregularly. A series
played out reports its score (games won by the winner, by the loser).

Through `note` the referee reports each game as it happens, as plain dicts
(the event log's game events; it adds `seq` and `t`), every wire value in
the form of `Common/santorini/wire.py`:

    {"type": "game-start", "encounter": 3, "game": 0, "players": ["alice", "bob"]}
    {"type": "placement", "encounter": 3, "game": 0, "player": "alice", "place": [0, 0], "ms": 4}
    {"type": "turn", "encounter": 3, "game": 0, "player": "alice",
     "action": ["alice1", "EAST", "PUT", "EAST", "PUT"], "ms": 12}
    {"type": "game-end", "encounter": 3, "game": 0, "winner": "alice", "how": "height 3"}

`players` puts the player who places first first; `place` is `[x, y]`, as
the converter writes a Place; `ms` is the whole milliseconds the call took.
`how` is "height 3", "gave up", "no legal turn", or "misbehaved" (then
`winner` is null and `culprit` names the player whose answer was due).
Only legal placements and turns are reported: an illegal one, like any
other failure, is reported by the game's end alone (the misbehaviour and
its reason are the tournament's to log). A series that ends before its
first game (a player failed to hear its opponent's name) reports nothing.
"""

from __future__ import annotations

from typing import Any

import attrs

from Admin import two_player
from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour, Note, ignore
from Admin.manager import DEFAULT_TIME_PER_CALL
from Admin.safe_call import ILLEGAL, Failure, safe_call
from Admin.time_limits import now
from Common.santorini.actions import Action
from Common.santorini.board import WORKERS_PER_PLAYER, Board, WorkerPlace
from Common.santorini.geometry import Place
from Common.santorini.names import MAX_NAME_LENGTH, Name, Worker
from Common.santorini.player import Player
from Common.santorini.replay import GAVE_UP, HEIGHT_3, MISBEHAVED, NO_LEGAL_TURN
from Common.santorini.results import EncounterOutcome
from Common.santorini.rules import has_legal_turn, judge_turn, placement_error
from Common.santorini.wire import WIRE, action_to_json

DEFAULT_BEST_OF = 3

_place_to_json = WIRE.get_unstructure_hook(Place)

SantoriniEntrant = Entrant[Name, Player]


@attrs.define
class Referee:
    """Referees series of `best_of` games, allowing each call `time_per_call` seconds; tells `note` each game event.

    A player's failure is a value all the way: `_ask` returns the answer or
    the Misbehaviour (the Failure and whose it is), and so does each step
    after it, until the series ends with it.
    """

    best_of: int = DEFAULT_BEST_OF
    time_per_call: float = DEFAULT_TIME_PER_CALL
    note: Note = ignore

    async def __call__(self, first: SantoriniEntrant, second: SantoriniEntrant, encounter: Encounter = Encounter()) -> EncounterResult:
        """Play the series between `first` and `second` and say who won."""
        wins = {first.name: 0, second.name: 0}
        for entrant, opponent in ((first, second), (second, first)):
            told = await self._ask(entrant, "start_encounter", opponent.name)
            if isinstance(told, Misbehaviour):
                return _forfeited(told, first, second)
        game = 0
        while max(wins.values()) * 2 <= self.best_of:
            starter, other = (first, second) if game % 2 == 0 else (second, first)
            events = None if self.note is ignore else _GameEvents(self.note, encounter.index, game)
            if events is not None:
                events.start(starter.name, other.name)
            ended = await self._play_game(starter, other, events)
            if isinstance(ended, Misbehaviour):
                if events is not None:
                    events.end(None, MISBEHAVED, Name(ended.name))
                return _forfeited(ended, first, second)
            wins[ended] += 1
            game += 1
        winner, loser = (first, second) if wins[first.name] > wins[second.name] else (second, first)
        return EncounterResult(EncounterOutcome(winner.name, loser.name), score=(wins[winner.name], wins[loser.name]))

    async def _play_game(self, starter: SantoriniEntrant, other: SantoriniEntrant, events: _GameEvents | None) -> Name | Misbehaviour:
        """Play one game, telling `events` (None: nobody listens) of each step and of a regular end: the winner's name,
        or the Misbehaviour that ended it."""
        board = Board.empty()
        placed: list[WorkerPlace] = []
        for number in range(1, WORKERS_PER_PLAYER + 1):
            for entrant in (starter, other):
                asked = now() if events is not None else 0.0  # timed only for the game events
                place = await self._ask(entrant, "place_worker", tuple(placed), expect=Place)
                if isinstance(place, Misbehaviour):
                    return place
                answered = now() if events is not None else 0.0
                error = placement_error(board, place)
                if error is not None:
                    return Misbehaviour(entrant.name, f"illegal placement: {error}", ILLEGAL)
                if events is not None:
                    events.placement(entrant.name, place, answered - asked)
                worker = WorkerPlace(Worker(entrant.name, number), place)
                placed.append(worker)
                board = board.with_worker(worker.worker, place)
        mover, waiting = starter, other
        while True:
            if not has_legal_turn(board, mover.name):
                return _ended(events, waiting.name, NO_LEGAL_TURN)
            asked = now() if events is not None else 0.0  # timed only for the game events
            action = await self._ask(mover, "take_turn", board, expect=Action)
            if isinstance(action, Misbehaviour):
                return action
            answered = now() if events is not None else 0.0
            verdict = judge_turn(board, mover.name, action)
            if verdict.error is not None:
                return Misbehaviour(mover.name, f"illegal action: {verdict.error}", ILLEGAL)
            if events is not None:
                events.turn(mover.name, action, answered - asked)
            if verdict.gives_up:
                return _ended(events, waiting.name, GAVE_UP)
            if verdict.wins:
                return _ended(events, mover.name, HEIGHT_3)
            assert verdict.board is not None  # a legal turn that neither gives up nor wins leaves a board
            board = verdict.board
            mover, waiting = waiting, mover

    async def _ask(self, entrant: SantoriniEntrant, method: str, *args: Any, expect: Any = None) -> Any:
        """One safe call of `entrant`'s `method`: the answer, or the Misbehaviour its Failure makes."""
        answer = await safe_call(getattr(entrant.player, method), *args, time_limit=self.time_per_call, expect=expect)
        if isinstance(answer, Failure):
            return Misbehaviour(entrant.name, answer.reason, answer.kind)
        return answer


def _forfeited(culprit: Misbehaviour, first: SantoriniEntrant, second: SantoriniEntrant) -> EncounterResult:
    """The series ends irregularly: `culprit` loses it to the other player."""
    winner, loser = (second, first) if culprit.name == first.name else (first, second)
    return EncounterResult(EncounterOutcome(winner.name, loser.name, irregular=True), (culprit,))


def _ended(events: _GameEvents | None, winner: Name, how: str) -> Name:
    if events is not None:
        events.end(winner, how)
    return winner


class _GameEvents:
    """Builds the events of game `game` of encounter `encounter`, once each, and hands them to `note`."""

    __slots__ = ("_encounter", "_game", "_note")

    def __init__(self, note: Note, encounter: int, game: int) -> None:
        self._note, self._encounter, self._game = note, encounter, game

    def start(self, starter: Name, other: Name) -> None:
        self._note({"type": "game-start", "encounter": self._encounter, "game": self._game, "players": [starter, other]})

    def placement(self, player: Name, place: Place, seconds: float) -> None:
        self._note(
            {
                "type": "placement",
                "encounter": self._encounter,
                "game": self._game,
                "player": player,
                "place": _place_to_json(place),
                "ms": round(seconds * 1000),
            }
        )

    def turn(self, player: Name, action: Action, seconds: float) -> None:
        self._note(
            {
                "type": "turn",
                "encounter": self._encounter,
                "game": self._game,
                "player": player,
                "action": action_to_json(action),
                "ms": round(seconds * 1000),
            }
        )

    def end(self, winner: Name | None, how: str, culprit: Name | None = None) -> None:
        event = {"type": "game-end", "encounter": self._encounter, "game": self._game, "winner": winner, "how": how}
        if culprit is not None:
            event["culprit"] = culprit
        self._note(event)


RULES = two_player.rules(MAX_NAME_LENGTH)
"""What the tournament manager needs to know of Santorini besides the referee: round robin, revisions, Results."""
