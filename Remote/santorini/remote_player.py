"""The server's stand-in for a Santorini player on another machine: the player interface over a connection.

A RemotePlayer turns each call into the message of the protocol's section 4
(`docs/santorini-protocol.md`) and, where a reply is due, says how the strict
converter reads the one value that comes back; each call ends as its answer
or its Failure. Everything else (failing once, the kick notice, values
nobody asked for, statistics) is the game-free RemoteParticipant's.
"""

from __future__ import annotations

from Common.santorini.actions import Action, Placement
from Common.santorini.board import MAX_HEIGHT, Board
from Common.santorini.geometry import SIZE, Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import PlayingAs, Results
from Common.santorini.wire import placement_to_json, read_action, read_place, unstructure
from Remote.remote_participant import CallPlan, RemoteParticipant

__all__ = ["RemotePlayer", "board_request"]

_HEIGHTS = tuple(str(height) for height in range(MAX_HEIGHT + 1))


class RemotePlayer(RemoteParticipant, Player):
    """A Santorini player whose moves come over `channel`."""

    async def playing_as(self, name: Name) -> None:
        return await self.call("playing_as", name)

    async def start_encounter(self, opponent: Name) -> None:
        return await self.call("start_encounter", opponent)

    async def place_worker(self, placement: Placement) -> Place:
        return await self.call("place_worker", placement)

    async def take_turn(self, board: Board) -> Action:
        return await self.call("take_turn", board)

    async def end_of_tournament(self, results: Results) -> None:
        try:
            return await self.call("end_of_tournament", results)
        finally:
            await self.aclose("the tournament is over")

    def _playing_as_request(self, name: Name) -> CallPlan:
        return CallPlan(unstructure(PlayingAs(name)))

    def _start_encounter_request(self, opponent: Name) -> CallPlan:
        return CallPlan(opponent)

    def _place_worker_request(self, placement: Placement) -> CallPlan:
        return CallPlan(placement_to_json(placement), read_place)

    def _take_turn_request(self, board: Board) -> CallPlan:
        return CallPlan(board_request(board), read_action)

    def _end_of_tournament_request(self, results: Results) -> CallPlan:
        return CallPlan(unstructure(results))


def board_request(board: Board) -> bytes:
    """The Board request as `encode(board_to_json(board))` writes it, made directly (a turn's request, on every call).

    A worker's cell is a string of the height and the worker's name, which
    the name rule keeps to lowercase letters and digits: nothing to escape.
    """
    cells = [_HEIGHTS[height] for height in board.heights]
    for standing in board.workers:
        square = standing.place.y * SIZE + standing.place.x
        cells[square] = f'"{cells[square]}{standing.worker}"'
    rows = [",".join(cells[start : start + SIZE]) for start in range(0, SIZE * SIZE, SIZE)]
    return f"[[{'],['.join(rows)}]]\n".encode()
