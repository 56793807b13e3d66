"""The server's stand-in for an IPD player on another machine: the Player interface over a connection.

Each call sends one message of the conversation (`Common/ipd/README.md`);
`move(k, prev)` sends `["move", k, Prev]` and returns the Move of the reply
`[k, Move]`, structured strictly (`Common.ipd.wire.structure_reply`). What is
not the IPD's (failing once, the kick notice, statistics) is the game-free
RemoteParticipant's, with one difference: a late reply is not a failure.

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
limit ahead).

An error report. A client may send `["error", Reason]` before it closes (its
strategy raised, say), wherever a value may arrive: it fails the call at hand
as ClientError (BROKEN), whose message shows the Reason through `show` (JSON
quoted: control characters escaped, tokens hidden), so the log, the kick
notice and the event log say why. A malformed one is MALFORMED.
"""

from __future__ import annotations

from typing import Any

import trio

from Common.ipd.messages import MatchOver, MatchStart, MoveReply, PlayingAs, TournamentResults
from Common.ipd.moves import Move, Prev, Totals
from Common.ipd.names import Name
from Common.ipd.player import Player
from Common.ipd.messages import ErrorReport
from Common.ipd.wire import MOVE, is_error_report, structure, structure_reply, unstructure
from Admin.safe_call import BROKEN
from Common.strict import StructureError, show
from Remote.channel import ChannelError
from Remote.framing import NEED_DATA
from Remote.ipd.owed import ANSWER, LATE_COPY, OwedReplies
from Remote.remote_participant import RemoteParticipant, UnexpectedMessage

__all__ = ["ClientError", "RemotePlayer", "UnexpectedMessage", "WrongRound"]

REASON_SHOWN = 210
"""How much of a reported reason is shown: all of its 200 characters, quoted, with room for a few escapes."""


class ClientError(ChannelError):
    """The client reported an error of its own (`["error", Reason]`) and gives up: the player's failure, BROKEN."""

    failure_kind = BROKEN


def _reported(value: object) -> ClientError:
    """The failure an error report `value` stands for; StructureError (MALFORMED) if it is malformed."""
    report = structure(value, ErrorReport)
    return ClientError(f"the client reports {show(report.reason, REASON_SHOWN)}")


class WrongRound(UnexpectedMessage):
    """A reply for a round that awaits none: ahead of the round asked, or a second reply for a settled one."""


def _move_of(move: Move) -> Move:
    return move


class RemotePlayer(RemoteParticipant, Player):
    """An IPD player whose moves come over `channel`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owed = OwedReplies()  # forfeited rounds whose reply may still come, oldest first, across matches
        self._asked: int | None = None  # the round whose reply is due
        self._awaiting_reply = False  # the request went out whole; its reply is awaited

    @property
    def forfeited_rounds(self) -> tuple[int, ...]:
        """The forfeited rounds whose late reply has not come (yet), oldest first."""
        return self._owed.rounds

    async def playing_as(self, name: Name) -> None:
        await self._exchange(unstructure(PlayingAs(name)))

    async def start_match(self, opponent: Name) -> None:
        await self._exchange(unstructure(MatchStart(opponent)))

    async def move(self, round: int, prev: Prev | None) -> Move:
        self._asked = round
        try:
            request = [MOVE, round, None if prev is None else [prev.mine, prev.theirs]]
            return await self._exchange(request, _move_of)
        except trio.Cancelled:
            self._forfeit(round)
            raise
        finally:
            self._asked = None
            self._awaiting_reply = False

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        await self._exchange(unstructure(MatchOver(prev, totals, rounds)))

    async def end_of_tournament(self, results: TournamentResults) -> None:
        try:
            await self._exchange(unstructure(results))
        finally:
            await self.aclose("the tournament is over")

    # --- late replies -----------------------------------------------------------------

    def _forgives(self, failure: BaseException) -> bool:
        """A `move` cancelled by its time limit (a forfeit) leaves the connection in play, unless it cut the request short."""
        return self._asked is not None and isinstance(failure, trio.Cancelled) and not self._message_cut

    def _forfeit(self, round_: int) -> None:
        """The `move` call for `round_` was cancelled: if its request went out whole, its reply may still come."""
        if self._awaiting_reply:
            self._owed.forfeit(round_)

    async def _receive_reply(self) -> Move:
        """The Move of the reply for the round asked; the owed late replies before it are discarded."""
        asked = self._asked
        assert asked is not None, "only move() awaits a reply"
        self._awaiting_reply = True
        while True:
            value = await self._channel.receive()
            if is_error_report(value):
                raise _reported(value)
            reply = structure_reply(value)
            verdict = self._owed.take(reply.round, asked)
            if verdict == ANSWER:
                break
            if verdict != LATE_COPY:
                raise WrongRound(_wrong_round(reply, asked))
        self._awaiting_reply = False
        await self._refuse_unasked_values(after_answer=True)
        return reply.move

    def _late(self, value: Any) -> bool:
        """A late reply for an owed round (discarded, once), or one still arriving (judged once whole)."""
        return value is NEED_DATA or self._is_late_reply(value)

    def _is_late_reply(self, value: object) -> bool:
        if is_error_report(value):
            raise _reported(value)
        try:
            reply = structure_reply(value)
        except StructureError:
            return False
        return self._owed.take(reply.round, None) == LATE_COPY


def _wrong_round(reply: MoveReply, asked: int) -> str:
    sent = show([reply.round, reply.move])
    if reply.round > asked:
        return f"sent {sent} while round {asked} was asked: a reply ahead"
    return f"sent {sent} while round {asked} was asked: round {reply.round} awaits no reply (settled, or never asked)"
