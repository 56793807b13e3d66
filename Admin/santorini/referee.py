"""The referee: one best-of-N series of Santorini games between two players.

Each player first learns its opponent's name. Every game starts on an empty
board; the first player of game 1 is the one listed first, and the first
player alternates from game to game. The players place their workers
alternately (first, second, first, second), then take turns until one wins:
by reaching height 3, because the other gave up, or because the other has no
legal turn left. A player that misbehaves (see `safe_call`, plus illegal
placements and actions) loses the series at once, irregularly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour
from Admin.manager import DEFAULT_TIME_PER_CALL, TournamentRules
from Admin.safe_call import ILLEGAL, Failure, safe_call
from Common.santorini.actions import Action
from Common.santorini.board import WORKERS_PER_PLAYER, Board, WorkerPlace
from Common.santorini.geometry import Place
from Common.santorini.names import MAX_NAME_LENGTH, Name, Worker
from Common.santorini.results import EncounterOutcome, Results
from Common.santorini.rules import has_legal_turn, judge_turn, placement_error

DEFAULT_BEST_OF = 3


class Misbehaved(Exception):
    """Raised inside the referee when `culprit` broke the rules; ends the series. `kind`: see safe_call."""

    def __init__(self, culprit: Entrant, reason: str, kind: str = ILLEGAL) -> None:
        super().__init__(reason)
        self.culprit = culprit
        self.reason = reason
        self.kind = kind


@attrs.define
class Referee:
    """Referees series of `best_of` games, allowing each call `time_per_call` seconds."""

    best_of: int = DEFAULT_BEST_OF
    time_per_call: float = DEFAULT_TIME_PER_CALL

    async def __call__(self, first: Entrant, second: Entrant, encounter: Encounter = Encounter()) -> EncounterResult:
        """Play the series between `first` and `second` and say who won."""
        wins = {first.name: 0, second.name: 0}
        try:
            for entrant, opponent in ((first, second), (second, first)):
                await self._ask(entrant, entrant.player.start_encounter, opponent.name)
            game = 0
            while max(wins.values()) * 2 <= self.best_of:
                starter, other = (first, second) if game % 2 == 0 else (second, first)
                wins[await self._play_game(starter, other)] += 1
                game += 1
        except Misbehaved as misbehaviour:
            winner = second if misbehaviour.culprit is first else first
            outcome = EncounterOutcome(winner.name, misbehaviour.culprit.name, irregular=True)
            culprit = Misbehaviour(misbehaviour.culprit.name, misbehaviour.reason, misbehaviour.kind)
            return EncounterResult(outcome, (culprit,))
        winner, loser = (first, second) if wins[first.name] > wins[second.name] else (second, first)
        return EncounterResult(EncounterOutcome(winner.name, loser.name))

    async def _play_game(self, starter: Entrant, other: Entrant) -> Name:
        """Play one game; the name of its winner."""
        board = Board.empty()
        placed: list[WorkerPlace] = []
        for number in range(1, WORKERS_PER_PLAYER + 1):
            for entrant in (starter, other):
                place = await self._ask(entrant, entrant.player.place_worker, tuple(placed), expect=Place)
                error = placement_error(board, place)
                if error is not None:
                    raise Misbehaved(entrant, f"illegal placement: {error}")
                worker = WorkerPlace(Worker(entrant.name, number), place)
                placed.append(worker)
                board = board.with_worker(worker.worker, place)
        mover, waiting = starter, other
        while True:
            if not has_legal_turn(board, mover.name):
                return waiting.name
            action = await self._ask(mover, mover.player.take_turn, board, expect=Action)
            verdict = judge_turn(board, mover.name, action)
            if verdict.error is not None:
                raise Misbehaved(mover, f"illegal action: {verdict.error}")
            if verdict.gives_up:
                return waiting.name
            if verdict.wins:
                return mover.name
            board = verdict.board
            mover, waiting = waiting, mover

    async def _ask(self, entrant: Entrant, method: Callable[..., Awaitable[Any]], *args: Any, expect: Any = None) -> Any:
        """One safe call; raises Misbehaved on failure."""
        answer = await safe_call(method, *args, time_limit=self.time_per_call, expect=expect)
        if isinstance(answer, Failure):
            raise Misbehaved(entrant, answer.reason, answer.kind)
        return answer


def revise_outcome(earlier: EncounterOutcome, cheat: Name, misbehaved_before: frozenset[Name]) -> EncounterOutcome | None:
    """An earlier outcome after `cheat` misbehaved: a win of the cheat becomes its loser's, or is deleted
    if that loser had misbehaved before; any other outcome stays."""
    if earlier.winner != cheat:
        return earlier
    return None if earlier.loser in misbehaved_before else EncounterOutcome(earlier.loser, cheat)


def _results(revised: list[EncounterOutcome], names: object, misbehaved: object) -> Results:
    return tuple(revised)


RULES = TournamentRules(revise=revise_outcome, results=_results, max_name_length=MAX_NAME_LENGTH)
"""What the tournament manager needs to know of Santorini besides the referee: round robin, revisions, Results."""
