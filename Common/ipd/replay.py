"""Replaying one recorded IPD match through the fold: the end that its rounds lead to.

A match's record (one line of the event log's `games.ndjson`; a match is
game 0 of its encounter) is

    {"encounter": 3, "game": 0, "players": ["alice", "bob"],
     "steps": [{"type": "round", "round": 1, "moves": ["C", null], "scored": ["D", null], "ms": [5, 1000]}, ...],
     "end": {"rounds": 1, "totals": [3, 0], "how": "misbehaved", "culprits": ["bob"]}}

`moves` are the moves as submitted (null: a forfeit), `scored` the moves as
the fold scored them, after noise. The noise and the hidden length come from
the match's generator, so `replay(line, settings, key)` needs the settings
the tournament ran under (`Match` reads the payoffs, the horizon, the noise
and "forfeits allowed") and the match's `MatchKey`: the tournament's seed
(the drawn one, if the configuration had none), the encounter's repetition
and meeting, and the two players in schedule order. It settles the rounds
through `Match` and derives the rounds, the totals and, when the fold ends
the match, how: "completed", or "misbehaved" with the players that forfeited
too often.

What the moves cannot show is a misbehaviour the fold does not see: an
exception, a broken connection, an answer that is no move (the round is not
scored, so it is not recorded), or a failure of `start_match` or
`match_over`. So when the recorded end says "misbehaved", `replay` returns
the recorded culprits, after checking that they are players of the match,
in schedule order, and include everyone the fold put out. When it does not,
the culprits are the fold's, and steps that stop before the fold ends the
match are an error.

A round the fold contradicts (a wrong round number, `scored` other than the
noise makes of `moves`, a round after the end) or a record of the wrong
shape raises ValueError with one line naming the step (`match of encounter
3, step 2 (round 2): ...`). A caller compares the result with the recorded
end: wrong totals, rounds or `how` show as a difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from Common.ipd.chance import MatchKey
from Common.ipd.match import Match
from Common.ipd.names import Name
from Common.ipd.settings import IPDSettings
from Common.ipd.wire import recorded
from Common.strict import show

COMPLETED, MISBEHAVED = "completed", "misbehaved"
"""How a match ends: a game-end's `how`."""

ROUND = "round"
"""The type of a match's steps."""


def replay(line: Mapping[str, Any], settings: IPDSettings, key: MatchKey) -> dict[str, Any]:
    """The end that the rounds of the match record `line` lead to: `{"rounds", "totals", "how", "culprits"}`.

    `settings` and `key` are the match's (see the module's docstring); the
    culprits of a recorded "misbehaved" end are taken from `line["end"]`.
    """
    if not isinstance(line, Mapping):
        raise ValueError(f"expected a match record (a JSON object), got {show(line)}")
    where = f"match of encounter {show(line.get('encounter'))}"
    players = [key.first, key.second]
    if line.get("players") != players:
        raise ValueError(f"{where}: expected players {show(players)} (the match key's), got {show(line.get('players'))}")
    steps = line.get("steps")
    if type(steps) is not list:
        raise ValueError(f"{where}: expected a list of steps, got {show(steps)}")
    match = Match(settings, key)
    for number, step in enumerate(steps, 1):
        at = f"{where}, step {number} (round {match.round})"
        if match.over:
            raise ValueError(f"{at}: the match was over after {match.rounds_played} rounds")
        if not isinstance(step, Mapping) or step.get("type") != ROUND:
            raise ValueError(f"{at}: expected a round, got {show(step, 60)}")
        if step.get("round") != match.round or type(step.get("round")) is not int:
            raise ValueError(f"{at}: expected round {match.round}, got {show(step.get('round'))}")
        first, second = _pair(step, "moves", recorded, at)
        _pair(step, "ms", _milliseconds, at)
        result = match.settle(first, second)
        scored = [result.first, result.second]
        if _pair(step, "scored", recorded, at) != scored:
            raise ValueError(
                f"{at}: the moves {show([first, second])} are scored {show(scored)} under this seed and noise,"
                f" not {show(step.get('scored'))}"
            )
    culprits = _culprits(line, match, players, where)
    if not culprits and not match.over:
        raise ValueError(f"{where}: the steps stop after round {match.rounds_played}, before the match's end, and nobody misbehaved")
    totals = match.totals(key.first)
    return {
        "rounds": match.rounds_played,
        "totals": [totals.mine, totals.theirs],
        "how": MISBEHAVED if culprits else COMPLETED,
        "culprits": culprits,
    }


def _culprits(line: Mapping[str, Any], match: Match, players: list[Name], where: str) -> list[Name]:
    """The recorded culprits of a "misbehaved" end, checked against the fold; the fold's otherwise."""
    put_out = [player for player in players if player in match.culprits]
    end = line.get("end")
    if not isinstance(end, Mapping) or end.get("how") != MISBEHAVED:
        return put_out
    named = end.get("culprits")
    if type(named) is not list or not named or named not in ([players[0]], [players[1]], players):
        raise ValueError(f"{where}: expected culprits, players of the match in schedule order, got {show(named)}")
    missing = [player for player in put_out if player not in named]
    if missing:
        raise ValueError(f"{where}: {', '.join(missing)} forfeited too often but is not among the culprits {show(named)}")
    return list(named)


def _milliseconds(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"expected whole milliseconds >= 0, got {show(value)}")
    return value


def _pair(step: Mapping[str, Any], key: str, check: Any, at: str) -> list[Any]:
    """The two values of `step[key]`, first's and second's, each passed through `check`; ValueError naming the step otherwise."""
    value = step.get(key)
    if type(value) is not list or len(value) != 2:
        raise ValueError(f"{at}: {key}: expected [first's, second's], got {show(value)}")
    try:
        return [check(value[0]), check(value[1])]
    except ValueError as error:
        raise ValueError(f"{at}: {key}: {error}") from None
