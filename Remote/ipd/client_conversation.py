"""The IPD's part of the client's conversation, pure: what each server message is, what the player hears, what is owed back.

Each server message is structured strictly (`Common.ipd.wire`) and heard by the player:

    ["playing-as", N]           -> playing_as(N)
    ["match", Opponent]         -> start_match(Opponent)
    ["move", k, Prev]           -> move(k, prev)            -> reply [k, Move]
    ["match-over", P, T, n]     -> match_over(prev, totals, n)
    ["results", Outcomes, S]    -> end_of_tournament(results); the end
    ["kicked", Reason]          -> the end (`Remote/client_conversation.py`)

A move the server no longer waits for. Any message that arrives while a
move is due means that the server settled that round without this player's
reply: it was forfeited, and the call is abandoned (a call still queued is
never made, a call in progress is cancelled by the shell). The reply the
server is still owed goes at once, in order, as a stand-in `[k, "C"]`
(STAND_IN): the server discards it as the late copy, so no reply of ours can
be taken for a later round's (`Remote/ipd/owed.py`). Nothing is owed once
the Results came. A forfeit is not the end: the server says when the
player is out. The Results are heard after everything the player was handed.

Answers. A move that is a string is sent as the player gave it (the server
alone judges moves). An answer that is not a string, or an exception, is
the player's bug: the end, after an error report, `["error", Reason]`.

Flooding. With `replies_ahead` above 1 (the `flooder` kind), the first move
request, for round k, is answered with that many replies in one write: the
answer for k, then `[k + 1, "C"]`, `[k + 2, "C"]`, ..., without waiting for
their requests; the server must put the player out at its first surplus value.
"""

from __future__ import annotations

from typing import Any

from Common.ipd.messages import REASON_LIMIT, ErrorReport, MatchOver, MatchStart, MoveRequest, PlayingAs, ServerMessage, TournamentResults
from Common.ipd.names import Name
from Common.ipd.wire import MATCH, MATCH_OVER, MOVE, PLAYING_AS, RESULTS, structure_server_message, unstructure
from Common.participant import KICKED
from Common.strict import StructureError, shorten
from Remote.client_conversation import Abandoned, Call, Conversation, Event, Failed, Hear, Opening, Send
from Remote.client_errors import ServerMisbehaved, StrategyFailed

STAND_IN = "C"
"""The move sent for a round the server forfeited before the player answered: the reply owed, discarded there."""


def recognises_server_message(message: Any) -> bool:
    """Whether `message` has the shape of one the IPD's server sends: a list tagged as the module's table says."""
    return type(message) is list and bool(message) and message[0] in (PLAYING_AS, MATCH, MOVE, MATCH_OVER, RESULTS, KICKED)


class IpdConversation(Conversation):
    """The client's conversation for an IPD player signed up as `name`; `replies_ahead` replies at the first move request."""

    def __init__(self, name: Name, token: str | None = None, opening: Opening | None = None, replies_ahead: int = 1) -> None:
        super().__init__(name, token, opening)
        self.replies_ahead = replies_ahead
        self.due: Call | None = None
        """The move request whose reply is due, if one is."""
        self.abandoned_rounds = 0
        """Moves the server settled without this player's reply (forfeited)."""
        self.moves_answered = 0

    def _hear(self, message: Any) -> list[Event]:
        value = self._structure(message)
        results = isinstance(value, TournamentResults)
        events: list[Event] = []
        due, self.due = self.due, None
        if due is not None:
            due.abandoned, due.owed = True, not results
            self.abandoned_rounds += 1
            events.append(Abandoned(due, f"{self.name}: the server moved on before the move for round {due.key} was answered: forfeited"))
        if isinstance(value, TournamentResults):
            return [*events, self.results_arrived(value, hear=True)]
        if isinstance(value, PlayingAs):
            self.name = value.name
            call = Call("playing_as", (value.name,))
        elif isinstance(value, MatchStart):
            call = Call("start_match", (value.opponent,))
        elif isinstance(value, MoveRequest):
            call = self.due = Call("move", (value.round, value.prev), reply=True, key=value.round)
        else:
            assert isinstance(value, MatchOver)
            call = Call("match_over", (value.prev, value.totals, value.rounds))
        return [*events, Hear(call)]

    def _structure(self, message: Any) -> ServerMessage:
        try:
            return structure_server_message(message)
        except StructureError as error:
            raise ServerMisbehaved(f"malformed message from the server: {error}") from None

    def skip(self, call: Call) -> Send | None:
        """An abandoned move is not made: its stand-in goes instead, if the server is owed one."""
        if not call.abandoned:
            return None
        self.outstanding -= 1
        return self._stand_in(call)

    def _answer(self, call: Call, answer: Any) -> Send | Failed:
        if not call.reply:
            return Send()
        if call.abandoned:
            return self._stand_in(call)
        if self.due is call:
            self.due = None
        if type(answer) is not str:
            return self._failed(StrategyFailed(f'move returned {shorten(repr(answer), 60)}, not a move ("C" or "D")'))
        self.moves_answered += 1
        round_ = call.key
        if self.moves_answered > 1 or self.replies_ahead <= 1:
            return Send(([round_, answer],))
        note = f"{self.name}: flooding: {self.replies_ahead - 1} replies ahead of round {round_}, in one write"
        flood = [[ahead, STAND_IN] for ahead in range(round_ + 1, round_ + self.replies_ahead)]
        return Send(([round_, answer], *flood), note)

    def _stand_in(self, call: Call) -> Send:
        """The reply the server is owed for the abandoned `call`, which it discards; once."""
        if not call.owed:
            return Send()
        call.owed = False
        return Send(([call.key, STAND_IN],), optional=True)

    def _report(self, failure: StrategyFailed) -> tuple[Any, ...]:
        """Tell the server why this player gives up, `["error", Reason]`, before the connection closes."""
        return (unstructure(ErrorReport(shorten(str(failure), REASON_LIMIT))),)
