"""The IPD's referee: one match between two players, round by round, both asked at once.

`make_referee(settings, seed, time_per_call)` makes the RefereeFunction the
game-free tournament manager awaits for each encounter. One match:

1. Both players hear `start_match(opponent)`, at the same time, each under
   `time_per_call`.
2. Rounds, with the fold `Common.ipd.match.Match` (its randomness keyed by
   the seed, the repetition, the two names and the meeting). In each round
   both players are asked `move(k, prev)` at the same time, each under
   "time per move", and the referee waits for both: nothing of round k+1
   starts before both replies of round k are settled.
   * no answer in time (a LATE failure): the round is forfeited, None to the
     fold; the ("forfeits allowed" + 1)-th forfeit of one match puts the
     player out (the fold says so, after scoring that round);
   * any other failure (an exception, a broken connection, an answer that is
     not exactly "C" or "D", a reply with a wrong round number): the player
     is out at once and the round is not scored. A LATE reply of the other
     player in that round still counts as its forfeit (so it may be out too).
3. `match_over(prev, totals, rounds)` to every player still in, at the same
   time, each under `time_per_call`; a failure puts that player out. A player
   that is out hears nothing more from the referee: the manager's kick notice
   comes next.

The outcome is `Scored` when nobody misbehaved; otherwise the irregular
outcome of `Common.ipd.standings.irregular_outcome`: `[A, B, "irregular"]`
with B the culprit, or both players in schedule order when both are out.
Every culprit is named in the result's `misbehaviours`, first player first,
with the reason (the words of the log and of the kick notice) and the kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour, RefereeFunction
from Admin.safe_call import LATE, Failure, safe_call
from Common.ipd.chance import MatchKey
from Common.ipd.match import Match
from Common.ipd.moves import is_move
from Common.ipd.names import Name
from Common.ipd.outcomes import Misbehaved
from Common.ipd.records import MoveLog
from Common.ipd.settings import IPDSettings
from Common.ipd.standings import irregular_outcome


class _ExactlyAMove(type):
    """The metaclass of a type whose instances are exactly the strings "C" and "D"."""

    def __instancecheck__(cls, value: object) -> bool:
        return is_move(value)


MOVE = _ExactlyAMove("Move", (), {"__doc__": 'What `safe_call(..., expect=MOVE)` accepts: exactly "C" or "D".'})
"""`expect` for a move: anything else (`"B"`, `"c"`, 1, None) is a MALFORMED failure `...which is not a Move`."""


def too_many_forfeits(forfeits: int, allowed: int) -> str:
    """The reason a player is out for forfeiting too often."""
    counted = "1 forfeit" if forfeits == 1 else f"{forfeits} forfeits"
    return f"move: {counted} in one match, more than the {allowed} allowed"


def make_referee(settings: IPDSettings, seed: int, time_per_call: float) -> RefereeFunction:
    """The referee of every match of a tournament under `settings`, whose seed is `seed` (drawn if the settings have none)."""
    return MatchReferee(settings, seed, time_per_call)


@attrs.frozen
class MatchReferee:
    """Referees one match per call; see the module's docstring."""

    settings: IPDSettings
    seed: int
    time_per_call: float

    async def __call__(self, first: Entrant, second: Entrant, encounter: Encounter = Encounter()) -> EncounterResult:
        """Play the match between `first` and `second` (listed first in its outcome) and say how it ended."""
        key = MatchKey(self.seed, encounter.repetition, first.name, second.name, encounter.meeting)
        match = Match(self.settings, key)
        out: dict[Name, Misbehaviour] = {}
        moves = MoveLog()
        players = (first, second)
        await self._tell_each(players, out, lambda entrant, opponent: (entrant.player.start_match, opponent.name))
        while not out and not match.over:
            await self._play_round(match, first, second, out, moves)
        await self._tell_each(
            players, out, lambda entrant, _: (entrant.player.match_over, *_match_over_arguments(match, entrant.name))
        )
        if not out:
            return EncounterResult(match.played(), record=moves)
        culprits = tuple(out[entrant.name] for entrant in players if entrant.name in out)
        outcome = irregular_outcome(Misbehaved(first.name, second.name, frozenset(out)))
        return EncounterResult(outcome, culprits, record=moves)

    async def _play_round(
        self, match: Match, first: Entrant, second: Entrant, out: dict[Name, Misbehaviour], moves: MoveLog
    ) -> None:
        """Ask both players for the next round at once; settle it (and log its moves), or put out whoever misbehaved."""
        answers: list[Any] = [None, None]
        first_request, second_request = match.request(first.name), match.request(second.name)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._ask_move, second, second_request.round, second_request.prev, answers, 1)
            await self._ask_move(first, first_request.round, first_request.prev, answers, 0)
        players = (first, second)
        late = [isinstance(answer, Failure) and answer.kind == LATE for answer in answers]
        for entrant, answer, forfeited in zip(players, answers, late):
            if isinstance(answer, Failure) and not forfeited:
                out[entrant.name] = Misbehaviour(entrant.name, answer.reason, answer.kind)
        allowed = self.settings.forfeits_allowed
        if out:  # the round is not scored; a forfeit in it counts all the same
            for entrant, forfeited in zip(players, late):
                forfeits = match.forfeits(entrant.name) + 1
                if forfeited and forfeits > allowed:
                    out[entrant.name] = Misbehaviour(entrant.name, too_many_forfeits(forfeits, allowed), LATE)
            return
        scored = match.settle(None if late[0] else answers[0], None if late[1] else answers[1])
        moves.append(scored.first, scored.second)
        culprits = match.culprits
        for entrant in players:
            if entrant.name in culprits:
                out[entrant.name] = Misbehaviour(entrant.name, too_many_forfeits(match.forfeits(entrant.name), allowed), LATE)

    async def _ask_move(self, entrant: Entrant, round_: int, prev: Any, answers: list[Any], index: int) -> None:
        answers[index] = await safe_call(
            entrant.player.move, round_, prev, time_limit=self.settings.time_per_move, expect=MOVE
        )

    async def _tell_each(
        self,
        players: tuple[Entrant, Entrant],
        out: dict[Name, Misbehaviour],
        call: Callable[[Entrant, Entrant], tuple[Callable[..., Awaitable[Any]], ...]],
    ) -> None:
        """Make `call` of each player still in, at the same time; a failure of any kind puts that player out."""
        failures: dict[Name, Failure] = {}

        async def tell(entrant: Entrant, opponent: Entrant) -> None:
            method, *arguments = call(entrant, opponent)
            answer = await safe_call(method, *arguments, time_limit=self.time_per_call)
            if isinstance(answer, Failure):
                failures[entrant.name] = answer

        first, second = players
        async with trio.open_nursery() as nursery:
            for entrant, opponent in ((first, second), (second, first)):
                if entrant.name not in out:
                    nursery.start_soon(tell, entrant, opponent)
        for entrant in players:
            failure = failures.get(entrant.name)
            if failure is not None:
                out[entrant.name] = Misbehaviour(entrant.name, failure.reason, failure.kind)


def _match_over_arguments(match: Match, player: Name) -> tuple[Any, ...]:
    over = match.match_over(player)
    return (over.prev, over.totals, over.rounds)
