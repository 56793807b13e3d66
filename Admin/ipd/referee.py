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

Through `note` the referee reports the match (one game, `game` 0) as it
happens, as plain dicts (the event log's game events; it adds `seq` and
`t`), wire values in the form of `Common/ipd/wire.py`:

    {"type": "game-start", "encounter": 3, "game": 0, "players": ["alice", "bob"]}
    {"type": "round", "encounter": 3, "game": 0, "round": 1,
     "moves": ["C", null], "scored": ["D", null], "ms": [5, 1000]}
    {"type": "game-end", "encounter": 3, "game": 0, "rounds": 1, "totals": [3, 0],
     "how": "misbehaved", "culprits": ["bob"]}

`game-start` comes before `start_match`, so every match reports a game.
A `round` is reported for every scored round: `moves` as submitted (null: a
forfeit), `scored` as the fold scored them (after noise), `ms` the whole
milliseconds each player's call took. A round in which a player was put out
at once is not scored and not reported. `game-end` comes last, after
`match_over`: the rounds scored, the totals (first's, second's), `how`
("completed" or "misbehaved") and the culprits in schedule order ([] when
completed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour, Note, RefereeFunction, ignore
from Admin.safe_call import LATE, Expect, Failure, ask_all
from Common.ipd.chance import MatchKey
from Common.ipd.match import Match
from Common.ipd.moves import is_move
from Common.ipd.names import Name
from Common.ipd.outcomes import Misbehaved
from Common.ipd.records import MoveLog
from Common.ipd.replay import COMPLETED, MISBEHAVED
from Common.ipd.settings import IPDSettings
from Common.ipd.standings import irregular_outcome

MOVE = Expect("Move", is_move)
"""What a move call must answer: exactly "C" or "D"; anything else (`"B"`, `"c"`, 1, None) is a MALFORMED
failure `...which is not a Move`."""


def too_many_forfeits(forfeits: int, allowed: int) -> str:
    """The reason a player is out for forfeiting too often."""
    counted = "1 forfeit" if forfeits == 1 else f"{forfeits} forfeits"
    return f"move: {counted} in one match, more than the {allowed} allowed"


def make_referee(settings: IPDSettings, seed: int, time_per_call: float, note: Note = ignore) -> RefereeFunction:
    """The referee of every match of a tournament under `settings`, whose seed is `seed` (drawn if the settings have none).

    It tells `note` each game event (see the module's docstring).
    """
    return MatchReferee(settings, seed, time_per_call, note)


@attrs.frozen
class MatchReferee:
    """Referees one match per call; see the module's docstring."""

    settings: IPDSettings
    seed: int
    time_per_call: float
    note: Note = ignore

    async def __call__(self, first: Entrant, second: Entrant, encounter: Encounter = Encounter()) -> EncounterResult:
        """Play the match between `first` and `second` (listed first in its outcome) and say how it ended."""
        key = MatchKey(self.seed, encounter.repetition, first.name, second.name, encounter.meeting)
        match = Match(self.settings, key)
        out: dict[Name, Misbehaviour] = {}
        moves = MoveLog()
        players = (first, second)
        note = None if self.note is ignore else self.note
        if note is not None:
            note({"type": "game-start", "encounter": encounter.index, "game": 0, "players": [first.name, second.name]})
        await self._tell_each(players, out, "start_match", lambda entrant, opponent: (opponent.name,))
        await self._play_rounds(_Playing(match, first, second, out, moves, note, encounter.index))
        await self._tell_each(players, out, "match_over", lambda entrant, _: _match_over_arguments(match, entrant.name))
        culprits = tuple(out[entrant.name] for entrant in players if entrant.name in out)
        if note is not None:
            totals = match.totals(first.name)
            note(
                {
                    "type": "game-end",
                    "encounter": encounter.index,
                    "game": 0,
                    "rounds": match.rounds_played,
                    "totals": [totals.mine, totals.theirs],
                    "how": MISBEHAVED if culprits else COMPLETED,
                    "culprits": [culprit.name for culprit in culprits],
                }
            )
        if not culprits:
            return EncounterResult(match.played(), record=moves)
        outcome = irregular_outcome(Misbehaved(first.name, second.name, frozenset(out)))
        return EncounterResult(outcome, culprits, record=moves)

    async def _play_rounds(self, playing: _Playing) -> None:
        """Play round after round until the match is over or a player is out."""
        match, out = playing.match, playing.out
        first_player, second_player = playing.first.player, playing.second.player
        time_per_move = self.settings.time_per_move
        while not out and not match.over:
            round_, first_prev, second_prev = match.next_round()
            asked = await ask_all(
                [(first_player, "move", (round_, first_prev)), (second_player, "move", (round_, second_prev))], time_per_move, MOVE
            )
            (first_answer, first_seconds), (second_answer, second_seconds) = asked
            if not isinstance(first_answer, Failure) and not isinstance(second_answer, Failure):  # as in almost every round
                self._settle(playing, first_answer, second_answer, first_seconds, second_seconds)
            else:
                self._settle_failures(playing, [first_answer, second_answer], [first_seconds, second_seconds])

    def _settle_failures(self, playing: _Playing, answers: list[Any], seconds: list[float]) -> None:
        """A round in which a call failed: put out whoever misbehaved (the round is not scored), or score the forfeits."""
        match, first, second, out = playing.match, playing.first, playing.second, playing.out
        players = (first, second)
        late = [isinstance(answer, Failure) and answer.kind == LATE for answer in answers]
        for entrant, answer, forfeited in zip(players, answers, late, strict=True):
            if isinstance(answer, Failure) and not forfeited:
                out[entrant.name] = Misbehaviour(entrant.name, answer.reason, answer.kind)
        allowed = self.settings.forfeits_allowed
        if out:  # the round is not scored; a forfeit in it counts all the same
            for entrant, forfeited in zip(players, late, strict=True):
                forfeits = match.forfeits(entrant.name) + 1
                if forfeited and forfeits > allowed:
                    out[entrant.name] = Misbehaviour(entrant.name, too_many_forfeits(forfeits, allowed), LATE)
            return
        self._settle(playing, None if late[0] else answers[0], None if late[1] else answers[1], seconds[0], seconds[1])

    def _settle(self, playing: _Playing, first: Any, second: Any, first_seconds: float, second_seconds: float) -> None:
        """Score a round of the moves submitted (None: a forfeit), log and report it, and put out whoever forfeited too often."""
        match = playing.match
        scored = match.settle(first, second)
        playing.moves.append(scored.first, scored.second)
        if playing.note is not None:
            playing.note(
                {
                    "type": "round",
                    "encounter": playing.encounter,
                    "game": 0,
                    "round": scored.round,
                    "moves": [first, second],
                    "scored": [scored.first, scored.second],
                    "ms": [round(first_seconds * 1000), round(second_seconds * 1000)],
                }
            )
        culprits = match.culprits if first is None or second is None else None  # only a forfeit makes one
        if culprits:
            for entrant in (playing.first, playing.second):
                if entrant.name in culprits:
                    forfeits = too_many_forfeits(match.forfeits(entrant.name), self.settings.forfeits_allowed)
                    playing.out[entrant.name] = Misbehaviour(entrant.name, forfeits, LATE)

    async def _tell_each(
        self,
        players: tuple[Entrant, Entrant],
        out: dict[Name, Misbehaviour],
        method: str,
        arguments: Callable[[Entrant, Entrant], tuple[Any, ...]],
    ) -> None:
        """Call `method` of each player still in, at the same time, with its `arguments`; a failure of any kind puts that player out."""
        first, second = players
        told = [(entrant, opponent) for entrant, opponent in ((first, second), (second, first)) if entrant.name not in out]
        asked = await ask_all([(entrant.player, method, arguments(entrant, opponent)) for entrant, opponent in told], self.time_per_call)
        for (entrant, _), one in zip(told, asked, strict=True):
            if isinstance(one.answer, Failure):
                out[entrant.name] = Misbehaviour(entrant.name, one.answer.reason, one.answer.kind)


@attrs.define
class _Playing:
    """One match in play: its fold, its players, who is out, its moves, and where its game events go (None: nowhere)."""

    match: Match
    first: Entrant
    second: Entrant
    out: dict[Name, Misbehaviour]
    moves: MoveLog
    note: Note | None
    encounter: int


def _match_over_arguments(match: Match, player: Name) -> tuple[Any, ...]:
    over = match.match_over(player)
    return (over.prev, over.totals, over.rounds)
