"""What every format and the tournament manager agree on: stages of pairings, and encounters as a format sees them.

A *format* says who meets whom. It is pure (no I/O, no clock) and
game-free: it sees players as indices in sign-up order and an ended
encounter as a `Played`, a score for the player listed first. A format of
a game of more than two players a game (the course's knock-out) pairs
*tables* of two or more players and sees each ended one as a
`GroupPlayed`: its players, its winners and its culprits. An event
runs in *stages*: a stage is a list of pairings (and the byes of its
round), all known when it starts; the next stage is asked for only when
every encounter of the previous one has ended, so it is a function of the
outcomes so far and nothing else (not of the order in which concurrent
encounters happened to end). A round robin is one stage; a Swiss event of
R rounds is R stages; a knock-out's stages are its rounds; a gauntlet
stopped by a sequential test asks for one stage at a time until the test
decides.

So the format's state is a fold of what the event log already holds (the
roster, who was out before the event started, the outcomes of ended
encounters): a resumed event asks the format again for each stage and
gets the same pairings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs

WIN, DRAW, LOSS = 1.0, 0.5, 0.0
"""A Played's score for the player listed first."""


@attrs.frozen
class Played:
    """An ended encounter as a format sees it: its two players (sign-up indices, the one listed first first) and the first's score.

    `score` is WIN, DRAW or LOSS for `first` (the second scores 1 - score);
    None when nobody scores: the encounter was not played (a player was
    out before it), or both players misbehaved in it. `culprits` are the
    players put out by it (they take no further part in the event).
    """

    first: int
    second: int
    score: float | None
    culprits: frozenset[int] = frozenset()

    def score_of(self, player: int) -> float | None:
        """`player`'s score in this encounter (None: nobody scored)."""
        if self.score is None:
            return None
        return self.score if player == self.first else 1.0 - self.score

    def winner(self) -> int | None:
        """The player who won, or None for a draw or when nobody scored."""
        if self.score == WIN:
            return self.first
        if self.score == LOSS:
            return self.second
        return None


@attrs.frozen
class GroupPlayed:
    """An ended encounter of a table of two or more players as a format sees it (sign-up indices, in seat order).

    `winners` (in seat order) are the players that are no culprit and scored
    the most of those (the rules' `score`; ties: all of them); none when
    nobody scored. `culprits` are the players put out by it. `played` is
    False when the encounter was not played (a player was out before it):
    then it has neither winners nor culprits.
    """

    players: tuple[int, ...]
    winners: tuple[int, ...]
    culprits: frozenset[int] = frozenset()
    played: bool = True


def ended_as(
    table: tuple[int, ...], played: bool, culprits: frozenset[int], score: Callable[[int], float | None]
) -> tuple[Played | None, GroupPlayed]:
    """An ended encounter of `table` (sign-up indices, seat order) as a format sees it: a Played if it has two players
    (else None), and a GroupPlayed. `played` is False when it was not played; `culprits` the players it put out;
    `score(player)` is a player's score in its outcome (the rules' `score`; asked only when it was played)."""
    pair = None
    if len(table) == 2:
        first, second = table
        pair = Played(first, second, None if not played or len(culprits) == 2 else score(first), culprits)
    if not played:
        return pair, GroupPlayed(table, (), played=False)
    scores = {player: score(player) for player in table if player not in culprits}
    best = max((mine for mine in scores.values() if mine is not None), default=None)
    winners = () if best is None else tuple(player for player, mine in scores.items() if mine == best)
    return pair, GroupPlayed(table, winners, culprits)


@attrs.frozen
class Stage:
    """One stage of an event: its pairings (the player listed first starts), its byes, and what the log says of it.

    A pairing is a pair of players, or a table of more (in seat order) for a
    game of more than two players a game.

    `label` is what the organiser's log and the page call the stage:
    `Swiss round 3 of 7`, `knock-out round 2 of 4 (semi-finals)`. A bye is a
    player who plays no encounter in this stage and scores a win for it.
    """

    pairings: tuple[tuple[int, ...], ...]
    label: str
    byes: tuple[int, ...] = ()


@attrs.frozen
class StageResult:
    """A stage that has ended: the stage, and its encounters in the order of its pairings.

    `played` are its encounters of two players (every one, for a format of
    two-player games); `groups` are all of its encounters, each as a table
    (a format of tables reads these).
    """

    stage: Stage
    played: tuple[Played, ...]
    groups: tuple[GroupPlayed, ...] = ()


class Format(Protocol):
    """What the manager asks of every format."""

    def expected_encounters(self, players: int) -> int:
        """How many encounters the event will have among `players` players if nobody drops out (for the progress line)."""
        ...

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        """The stage after `stages` (every earlier stage, ended), or None when the event is over.

        `players` signed up (indices 0 .. players - 1 in sign-up order);
        `out` are those out of the event so far (they are paired no more);
        every culprit of an ended encounter is in `out`.
        """
        ...

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        """What results.json and the page say of the event in this format's terms, as JSON (ranks, scores, verdicts).

        `ratings` are the players' ratings at the end (sign-up order), for
        the tie-breaks that use them; None when there are none.
        """
        ...
