"""A scripted IPD player for testing the referee: it records what it hears and misbehaves on cue (not tests).

A ScriptedPlayer answers each move with a Decider (see ipd_strategies) and,
at the moves its script names (counted over its whole life, from 1), does
something else instead: hangs (a forfeit under the referee's time limit),
raises, or answers a value that is no move. No threads: it runs in the
test's event loop, so trio's autojump clock makes its hangs instant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import trio
from ipd_strategies import Decider

from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Common.ipd.player import Player

HANG, RAISE = "hang", "raise"
"""Script entries besides an answer to give: wait forever, or raise."""


def tit_for_tat(round_: int, prev: Prev | None) -> str:
    return "C" if prev is None or prev.theirs is None else prev.theirs


class ScriptedPlayer(Player):
    """Answers with `decide`; at its n-th move does `script[n]` instead (HANG, RAISE, or a value to answer)."""

    def __init__(
        self,
        name: Name,
        decide: Decider = tit_for_tat,
        script: Mapping[int, object] | None = None,
        fail_when_told: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.decide = decide
        self.script = dict(script or {})
        self.fail_when_told = dict(fail_when_told or {})  # method -> HANG or RAISE
        self.heard: list[tuple] = []
        self.moves = 0

    async def playing_as(self, name: Name) -> None:
        self.heard.append(("playing_as", name))
        await self._told("playing_as")
        self.name = name

    async def start_match(self, opponent: Name) -> None:
        self.heard.append(("start_match", opponent))
        await self._told("start_match")

    async def move(self, round: int, prev: Prev | None) -> str:
        self.heard.append(("move", round, prev))
        self.moves += 1
        if self.moves not in self.script:
            answer = self.decide(round, prev)
            if answer is None:  # the Decider forfeits this round
                await trio.sleep(math.inf)
            return answer
        return await _misbehave(self.script[self.moves])

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        self.heard.append(("match_over", prev, totals, rounds))
        await self._told("match_over")

    async def end_of_tournament(self, results: TournamentResults) -> None:
        self.heard.append(("end_of_tournament", results))
        await self._told("end_of_tournament")

    async def kicked(self, reason: str) -> None:
        self.heard.append(("kicked", reason))

    async def _told(self, method: str) -> None:
        if method in self.fail_when_told:
            await _misbehave(self.fail_when_told[method])

    def calls(self, method: str) -> list[tuple]:
        return [call[1:] for call in self.heard if call[0] == method]


async def _misbehave(how: object) -> object:
    if how == HANG:
        await trio.sleep(math.inf)
    if how == RAISE:
        raise RuntimeError("scripted failure")
    return how
