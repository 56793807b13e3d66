"""The server's stand-in for a Fish player on another machine: the Player interface over a connection.

Each call is one message of the conversation (docs/fish-protocol.md section
4), `[MethodName, [Argument, ...]]`, and every call has a reply, read
strictly through `Common/fish/wire.py`:

    tournament_starting()        ["start", [true]]                 -> "void"
    assigned_color(color)        ["playing-as", [Color]]           -> "void"
    other_colors(colors)         ["playing-with", [[Color, ...]]]  -> "void"
    place(state)                 ["setup", [State]]                -> Position
    move(state, actions)         ["take-turn", [State, Actions]]   -> Action
    end_of_tournament(results)   ["end", [Boolean]]                -> "void"; then the connection is closed

`end` says `true` exactly when this player is among the Results' winners.
The host's renaming, `playing_as(name)`, sends nothing: nothing in Fish's
protocol names a player to itself (decision 5 of the protocol); the proxy
only remembers the name, to find itself among the winners. What is not
Fish's (failing once, the kick notice, values nobody asked for, statistics)
is the game-free RemoteParticipant's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.player import Player
from Common.fish.results import Results
from Common.fish.state import Color, State
from Common.fish.wire import END, PLAYING_AS, PLAYING_WITH, SETUP, START, TAKE_TURN, VOID, actions_to_json, state_to_json, structure
from Common.strict import StructureError, show
from Remote.framing import encode
from Remote.player_conversation import Answered, ReplyRules, Request
from Remote.remote_participant import CallPlan, RemoteParticipant

__all__ = ["END", "PLAYING_AS", "PLAYING_WITH", "SETUP", "START", "TAKE_TURN", "VOID", "FishReplyRules", "RemotePlayer", "read_void"]


def read_void(value: Any) -> None:
    """The reply to a call that asks for nothing: `"void"`, exactly; StructureError otherwise."""
    if type(value) is not str or value != VOID:
        raise StructureError(f'expected "void", got {show(value)}')


def _read_position(value: Any) -> Position:
    return structure(value, Position)


def _read_action(value: Any) -> Action:
    return structure(value, Action)


_VOID_REPLY: Mapping[bytes, Answered] = {encode(VOID): Answered(None)}
"""`"void"` as `encode` writes it: the answer is known before it comes."""


class FishReplyRules(ReplyRules):
    """One reply per request, as every game's; a `"void"` that is all that came is taken without parsing."""

    def known_replies(self, request: Request) -> Mapping[bytes, Answered] | None:
        return _VOID_REPLY if request.read is read_void else None


_RULES = FishReplyRules()


class RemotePlayer(RemoteParticipant, Player):
    """A Fish player whose answers come over `channel`; `name`, the name it signed up with, finds it among the winners."""

    def _reply_rules(self) -> ReplyRules:
        return _RULES

    async def playing_as(self, name: Name) -> None:
        """The host's renaming: remembered, and nothing is sent (Fish never names a player to itself)."""
        self.name = name

    async def tournament_starting(self) -> None:
        return await self.call("tournament_starting")

    async def assigned_color(self, color: Color) -> None:
        return await self.call("assigned_color", color)

    async def other_colors(self, colors: tuple[Color, ...]) -> None:
        return await self.call("other_colors", colors)

    async def place(self, state: State) -> Position:
        return await self.call("place", state)

    async def move(self, state: State, actions: Actions) -> Action:
        return await self.call("move", state, actions)

    async def end_of_tournament(self, results: Results) -> None:
        try:
            return await self.call("end_of_tournament", results)
        finally:
            await self.aclose("the tournament is over")

    def _tournament_starting_request(self) -> CallPlan:
        return CallPlan([START, [True]], read_void)

    def _assigned_color_request(self, color: Color) -> CallPlan:
        return CallPlan([PLAYING_AS, [color.value]], read_void)

    def _other_colors_request(self, colors: tuple[Color, ...]) -> CallPlan:
        return CallPlan([PLAYING_WITH, [[color.value for color in colors]]], read_void)

    def _place_request(self, state: State) -> CallPlan:
        return CallPlan([SETUP, [state_to_json(state)]], _read_position)

    def _move_request(self, state: State, actions: Actions) -> CallPlan:
        return CallPlan([TAKE_TURN, [state_to_json(state), actions_to_json(actions)]], _read_action)

    def _end_of_tournament_request(self, results: Results) -> CallPlan:
        return CallPlan([END, [self.name is not None and self.name in results.winners]], read_void)
