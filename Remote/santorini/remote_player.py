"""The server's stand-in for a Santorini player on another machine: the player interface over a connection.

A RemotePlayer turns each call into the message of the protocol's section 4
(`docs/santorini-protocol.md`) and, where a reply is due, converts the one
value that comes back with the strict converter; everything else (failing
once, the kick notice, values nobody asked for, statistics) is the game-free
RemoteParticipant's.
"""

from __future__ import annotations

from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import PlayingAs, Results
from Common.santorini.wire import board_to_json, structure, unstructure
from Remote.remote_participant import RemoteParticipant, UnexpectedMessage

__all__ = ["RemotePlayer", "UnexpectedMessage"]


def _place(reply: object) -> Place:
    return structure(reply, Place)


def _action(reply: object) -> Action:
    return structure(reply, Action)


class RemotePlayer(RemoteParticipant, Player):
    """A Santorini player whose moves come over `channel`."""

    async def playing_as(self, name: Name) -> None:
        await self._exchange(unstructure(PlayingAs(name)))

    async def start_encounter(self, opponent: Name) -> None:
        await self._exchange(opponent)

    async def place_worker(self, placement: Placement) -> Place:
        return await self._exchange(unstructure(placement), _place)  # type: ignore[return-value]  # None only without a converter

    async def take_turn(self, board: Board) -> Action:
        return await self._exchange(board_to_json(board), _action)  # type: ignore[return-value]  # None only without a converter

    async def end_of_tournament(self, results: Results) -> None:
        try:
            await self._exchange(unstructure(results))
        finally:
            await self.aclose("the tournament is over")
