"""The server's stand-in for an IPD player on another machine: the Player interface over a connection.

Each call sends one message of the conversation (`Common/ipd/README.md`);
`move(k, prev)` sends `["move", k, Prev]` and returns the Move of the reply
`[k, Move]`, structured strictly (`Common.ipd.wire.structure_reply`), or the
Failure. What is not the IPD's (failing once, the kick notice, statistics)
is the game-free RemoteParticipant's and its PlayerConversation's; the
IPD's own reading of what a client sends is `IPDReplyRules`, with one
difference from the default: a late reply is not a failure.

Late replies. When a `move` call is cancelled while it waits for its reply
(the referee's time limit: a forfeit), the connection stays in play and round
k is owed (`Remote/ipd/owed.py`, kept across matches). Every reply is first
checked against what is owed, whenever it is read: while waiting for the
reply of a later round, after a reply, or before the next message is sent
(also after `match-over` and in the next match). A reply for an owed round is
its late copy, discarded, even when the round asked has the same number (TCP
keeps order: the owed copy comes first), so a move never counts in a match
other than the one it was asked in. A reply for the round asked settles it,
and what was owed before it is forgotten (its copy would have come first).
Any other round number (ahead of the round asked, a second reply for a
settled round, a copy after the answer to a later round) and any value that
is not a reply are misbehaviour (MALFORMED): a client that floods replies is
out at its first surplus value, and nothing of the flood is kept beyond the
one value being looked at (the channel reads at most a chunk or a message
limit ahead). Each of these is a `Fault` with the word the log has always
used for it (`WrongRound`, `UnexpectedMessage`).

An error report. A client may send `["error", Reason]` before it closes (its
strategy raised, say), wherever a value may arrive: it fails the call at hand
as a ClientError (BROKEN), whose words show the Reason through `show` (JSON
quoted: control characters escaped, tokens hidden), so the log, the kick
notice and the event log say why. A malformed one is MALFORMED.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from Common.ipd.messages import ErrorReport, MatchOver, MatchStart, MoveReply, PlayingAs, TournamentResults
from Common.ipd.moves import COOPERATE, DEFECT, PREVS, Move, Prev, Recorded, Totals
from Common.ipd.names import Name
from Common.ipd.player import Player
from Common.ipd.wire import MOVE, is_error_report, structure, structure_reply, unstructure
from Common.participant import BROKEN
from Common.strict import StructureError, show
from Remote.framing import encode
from Remote.ipd.owed import ANSWER, LATE_COPY, OwedReplies
from Remote.player_conversation import DISCARD, Answered, Fault, ReplyRules, Request
from Remote.remote_participant import CallPlan, RemoteParticipant

__all__ = ["IPDReplyRules", "RemotePlayer", "move_plan"]

REASON_SHOWN = 210
"""How much of a reported reason is shown: all of its 200 characters, quoted, with room for a few escapes."""


def _reported(value: object) -> Fault:
    """The failure an error report `value` stands for: the client's (BROKEN), or MALFORMED if the report is malformed."""
    try:
        report = structure(value, ErrorReport)
    except StructureError as error:
        return Fault("StructureError", str(error))
    return Fault("ClientError", f"the client reports {show(report.reason, REASON_SHOWN)}", BROKEN)


class IPDReplyRules(ReplyRules):
    """The IPD's reading of what a client sends: replies by round number, late copies of forfeited rounds discarded."""

    def __init__(self) -> None:
        self.owed = OwedReplies()  # forfeited rounds whose reply may still come, oldest first, across matches

    def reply(self, request: Request, value: Any) -> Any:
        """The Move of the reply for the round asked (`request.context`); an owed round's late copy is discarded."""
        if is_error_report(value):
            return _reported(value)
        try:
            reply = structure_reply(value)
        except StructureError as error:
            return Fault("StructureError", str(error))
        verdict = self.owed.take(reply.round, request.context)
        if verdict == ANSWER:
            return reply.move
        if verdict == LATE_COPY:
            return DISCARD
        return Fault("WrongRound", _wrong_round(reply, request.context))

    def unasked(self, value: Any) -> Any:
        """A late reply for an owed round is discarded (once); an error report fails the call at hand."""
        if is_error_report(value):
            return _reported(value)
        try:
            reply = structure_reply(value)
        except StructureError:
            return None
        return DISCARD if self.owed.take(reply.round, None) == LATE_COPY else None

    def begun_unasked_may_be_late(self) -> bool:
        return True

    def known_replies(self, request: Request) -> Mapping[bytes, Answered] | None:
        """`[k,"C"]` and `[k,"D"]` for the round k asked, as `encode` writes them, while no round is owed: each is its answer."""
        round_ = request.context
        if self.owed or type(round_) is not int:
            return None
        last_round, replies = _LAST_REPLIES[0]  # _replies_to(round_), for the second player of the round
        return replies if last_round == round_ else _replies_to(round_)

    def timed_out(self, request: Request, awaiting: bool) -> bool:
        """A `move` that ran out of time is a forfeit: the connection stays in play, and its reply is owed if it was awaited."""
        if request.context is None:
            return False
        if awaiting:
            self.owed.forfeit(request.context)
        return True


_COOPERATED, _DEFECTED = Answered(COOPERATE), Answered(DEFECT)
_MOVE_REQUEST = b"[" + encode(MOVE)[:-1] + b",%d,%s]\n"
"""`["move", k, Prev]` as `encode` writes it, with k and Prev to fill in."""
_PREV_JSON: dict[tuple[Recorded, Recorded], bytes] = {
    (prev.mine, prev.theirs): encode([prev.mine, prev.theirs])[:-1] for prev in PREVS.values()
}
"""Each Prev, by its two values, as `encode` writes it, without the newline."""


def _replies_to(round_: int) -> Mapping[bytes, Answered]:
    """The two good replies to round `round_`, `[k,"C"]` and `[k,"D"]`, as `encode` writes them, and their answers.

    Those of the round asked last are kept, for the other player of the
    round (one round's only: remembering every round's would make the
    server's memory grow with the rounds played).
    """
    last_round, replies = _LAST_REPLIES[0]
    if last_round != round_:
        replies = {b'[%d,"C"]\n' % round_: _COOPERATED, b'[%d,"D"]\n' % round_: _DEFECTED}
        _LAST_REPLIES[0] = (round_, replies)
    return replies


_LAST_REPLIES: list[tuple[int, Mapping[bytes, Answered]]] = [(0, {})]
"""The round whose replies `_replies_to` made last, and those replies (one entry, replaced whole: safe in any thread)."""


def move_plan(round_: int, prev: Prev | None) -> CallPlan:
    """The call `move(round_, prev)`: the request `["move", round_, Prev]` in the bytes `encode` would make of it, and its reader."""
    prev_json = (b"null" if prev is None else _PREV_JSON.get((prev.mine, prev.theirs))) if type(round_) is int else None
    if prev_json is None:
        return CallPlan([MOVE, round_, None if prev is None else [prev.mine, prev.theirs]], _move_of, round_)
    return CallPlan(_MOVE_REQUEST % (round_, prev_json), _move_of, round_)


def _move_of(move: Move) -> Move:
    """The reply's reader: `IPDReplyRules.reply` has read the Move already."""
    return move


def _wrong_round(reply: MoveReply, asked: int) -> str:
    sent = show([reply.round, reply.move])
    if reply.round > asked:
        return f"sent {sent} while round {asked} was asked: a reply ahead"
    return f"sent {sent} while round {asked} was asked: round {reply.round} awaits no reply (settled, or never asked)"


class RemotePlayer(RemoteParticipant, Player):
    """An IPD player whose moves come over `channel`."""

    def _reply_rules(self) -> IPDReplyRules:
        self._rules = IPDReplyRules()
        return self._rules

    @property
    def forfeited_rounds(self) -> tuple[int, ...]:
        """The forfeited rounds whose late reply has not come (yet), oldest first."""
        return self._rules.owed.rounds

    async def playing_as(self, name: Name) -> None:
        return await self.call("playing_as", name)

    async def start_match(self, opponent: Name) -> None:
        return await self.call("start_match", opponent)

    async def move(self, round: int, prev: Prev | None) -> Move:
        return await self.call("move", round, prev)

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        return await self.call("match_over", prev, totals, rounds)

    async def end_of_tournament(self, results: TournamentResults) -> None:
        try:
            return await self.call("end_of_tournament", results)
        finally:
            await self.aclose("the tournament is over")

    def _playing_as_request(self, name: Name) -> CallPlan:
        return CallPlan(unstructure(PlayingAs(name)))

    def _start_match_request(self, opponent: Name) -> CallPlan:
        return CallPlan(unstructure(MatchStart(opponent)))

    _move_request = staticmethod(move_plan)
    """`move_plan`, called as `_move_request(round_, prev)`: the plan of `move` (no method of its own: one call fewer per round)."""

    def _match_over_request(self, prev: Prev | None, totals: Totals, rounds: int) -> CallPlan:
        return CallPlan(unstructure(MatchOver(prev, totals, rounds)))

    def _end_of_tournament_request(self, results: TournamentResults) -> CallPlan:
        return CallPlan(unstructure(results))
