"""Scripted players for testing the administrators: they record what they hear and fail on cue.

A ScriptedPlayer plays the first legal action (the first free square when
placing) and can be told to misbehave at its n-th placement or n-th turn, in
one of several ways. It records every call, so tests can check what a player
saw and in which order.
"""

from __future__ import annotations

import math

import trio

from Common.santorini.actions import Action, GiveUp, MoveAndBuild
from Common.santorini.board import Board
from Common.santorini.geometry import DIRECTIONS, PLACES, Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import Results
from Common.santorini.rules import legal_actions

RAISE, HANG, ILLEGAL, WRONG_TYPE, GIVE_UP = "raise", "hang", "illegal", "wrong type", "give up"


class ScriptedPlayer(Player):
    """Plays the first legal choice; misbehaves in `how` at its `at_placement`-th placement or `at_turn`-th turn."""

    def __init__(
        self,
        name: Name,
        *,
        at_placement: int | None = None,
        at_turn: int | None = None,
        how: str = RAISE,
        fail_when_told: set[str] = frozenset(),
    ) -> None:
        self.name = name
        self.at_placement, self.at_turn, self.how = at_placement, at_turn, how
        self.fail_when_told = fail_when_told
        self.heard: list[tuple[str, object]] = []
        self.placements = self.turns = 0

    async def playing_as(self, name: Name) -> None:
        self.heard.append(("playing_as", name))
        await self._maybe_fail_when_told("playing_as")
        self.name = name

    async def start_encounter(self, opponent: Name) -> None:
        self.heard.append(("start_encounter", opponent))
        await self._maybe_fail_when_told("start_encounter")

    async def place_worker(self, placement: tuple) -> Place:
        self.heard.append(("place_worker", placement))
        self.placements += 1
        if self.placements == self.at_placement:
            return await self._misbehave(occupied=placement[0].place if placement else None)
        taken = {wp.place for wp in placement}
        return next(place for place in PLACES if place not in taken)

    async def take_turn(self, board: Board) -> Action:
        self.heard.append(("take_turn", board))
        self.turns += 1
        if self.turns == self.at_turn:
            return await self._misbehave(board=board)
        if self.how == GIVE_UP and self.at_turn is None and self.at_placement is None:
            return GiveUp(self.name)
        return next(legal_actions(board, self.name))

    async def end_of_tournament(self, results: Results) -> None:
        self.heard.append(("end_of_tournament", results))
        await self._maybe_fail_when_told("end_of_tournament")

    async def kicked(self, reason: str) -> None:
        self.heard.append(("kicked", reason))

    async def _misbehave(self, occupied: Place | None = None, board: Board | None = None):
        if self.how == RAISE:
            raise RuntimeError("scripted failure")
        if self.how == HANG:
            await trio.sleep(math.inf)
        if self.how == WRONG_TYPE:
            return "nowhere"
        if self.how == GIVE_UP:
            return GiveUp(self.name)
        if occupied is not None:
            return occupied
        someone_elses = next(wp.worker for wp in board.workers if wp.worker.owner != self.name)
        return MoveAndBuild(someone_elses, DIRECTIONS[0], DIRECTIONS[0])

    async def _maybe_fail_when_told(self, message: str) -> None:
        if message in self.fail_when_told:
            raise ConnectionResetError(f"scripted failure on {message}")

    def calls(self, method: str) -> list[object]:
        return [argument for name, argument in self.heard if name == method]
