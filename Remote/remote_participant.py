"""The server's stand-in for a player on another machine, whatever the game: the trio shell of a PlayerConversation.

Every call of a game's proxy is one line: `await self.call("move", round,
prev)` (or `ask_together` to ask several players at once, which in the
encounter loop takes a flat path for the usual round of two), and it ends
as a value: the answer, or the Failure (`Common/participant.py`) that the
conversation (`Remote/player_conversation.py`, pure) made where it
happened. The shell only moves bytes and owns the clock: it sends the
request at once when the socket takes it, reads what comes, and tells the
conversation when a call is cancelled by its time limit (the caller's:
`Admin.safe_call`); nothing of a player's failure leaves it as an exception.

A game's proxy (Santorini's and the IPD's `Remote/<game>/remote_player.py`)
says, per call, the message and how its reply is read, in a method
`_<call>_request(*args)` returning a `CallPlan`; and, if its replies can
come late, its ReplyRules. After the first failure every later call fails
at once; the connection stays open only for `kicked`, the notice that says
why the player is out, and is closed after it (or by `aclose`).
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

import attrs
import trio

from Admin.time_limits import CUT_SHORT, LoopScope, loop_shell, move_on_after, now
from Common.participant import BROKEN, MALFORMED, Failure
from Remote.channel import (
    ChannelError,
    MessageChannel,
    ProtocolViolation,
    quiet_sockets,
    wait_readable_any,
    waiting_together,
)
from Remote.framing import NEED_DATA
from Remote.player_conversation import ONE_REPLY_PER_REQUEST, Answered, PlayerConversation, ReplyRules
from Remote.statistics import CallStatistics

FLAT_PATH = True
"""Whether two calls in the encounter loop take `ask_together`'s flat path (tests turn it off to compare)."""


@attrs.define
class CallPlan:
    """One call as the wire has it: the message, how its reply is read (None: no reply is due), what the game keeps with it.

    Never changed once made; not frozen only because one is made per call, and a frozen one costs three times as much.
    """

    message: Any
    read: Callable[[Any], Any] | None = None
    context: Any = None


class PendingCall:
    """A call whose request goes out (`send_now`: as far as the socket takes it at once) and whose end is awaited.

    `result` is the answer or the Failure once `settled` (unless it
    `timed_out`: the caller makes that Failure); `seconds` the time from the
    request to the reply being read.
    """

    __slots__ = ("_participant", "_rest", "channel", "result", "seconds", "settled", "started", "timed_out")

    def __init__(self, participant: RemoteParticipant, started: float, request: bytes | Failure) -> None:
        """The call asked at `started` (`now()`): the bytes of its request, not yet sent (`send_now`), or the Failure that settles it."""
        self._participant = participant
        self.channel: MessageChannel = participant._channel
        self.started = started
        self.settled = False
        self.timed_out = False
        self.result: Any = None
        self.seconds = 0.0
        self._rest = b""
        if isinstance(request, Failure):
            self._settle(request)
        else:
            self._rest = request

    def send_now(self) -> None:
        """Write the request, as far as the socket takes it without waiting (`answer` writes the rest)."""
        if self.settled:
            return
        try:
            rest = self.channel.send_now(self._rest)
        except ChannelError as error:
            self.written(b"", error)
        else:
            self.written(rest)

    def written(self, rest: bytes, error: ChannelError | None = None) -> None:
        """The request was written but `rest` (all of it: the socket took it whole), or writing it failed with `error`."""
        if error is not None:
            self._settle(_channel_failure(self._participant._conversation, error))
            return
        self._rest = rest
        if not rest:
            self._sent()

    @property
    def sending(self) -> bool:
        """Is part of the request still to be written (the socket did not take it all at once)?"""
        return bool(self._rest)

    def settled_by_what_came(self) -> bool:
        """Settle the call if the bytes already read decide it (no system call)."""
        if not self.settled and not self._rest:
            verdict = self._participant._conversation.next_answer()
            if verdict is not NEED_DATA:
                self._settle(verdict)
        return self.settled

    def poll(self, after_wait: bool = False) -> bool:
        """Settle the call if the bytes that came (or that wait in the socket) decide it; never waits.

        `after_wait`: the bytes already read were found undecided before a wait, so only new ones can decide.
        """
        if not self._rest:
            self._read(after_wait)
        return self.settled

    async def answer(self) -> Any:
        """The answer or the Failure, waiting as long as it takes (the caller's time limit cancels the wait)."""
        try:
            if self._rest:
                await self.finish_sending()
            while not self.settled_by_what_came():  # the reply cannot have come yet: no read before the wait
                await self._wait()
                self._read(after_wait=True)
        except CUT_SHORT:
            self.abandon()
            raise
        return self.result

    async def finish_sending(self) -> None:
        """Write what the socket did not take at once, waiting as long as it takes."""
        if self._rest:
            try:
                await self.channel.send_rest(self._rest)
            except ChannelError as error:
                self._settle(_channel_failure(self._participant._conversation, error))
            else:
                self._rest = b""
                self._sent()

    def abandon(self) -> None:
        """The call's time limit passed first: the conversation decides whether the connection stays in play."""
        if not self.settled:
            self.settled = self.timed_out = True
            self.seconds = now() - self.started
            self._participant._conversation.timed_out()
            self._participant._statistics.record(self.seconds, failed=True)

    async def _wait(self) -> None:
        """Wait until the socket has bytes (other streams: read some)."""
        try:
            await self.channel.wait_readable()
        except ChannelError as error:
            self._settle(_channel_failure(self._participant._conversation, error))

    def _sent(self) -> None:
        answered = self._participant._conversation.sent()
        if answered is not None:
            self._settle(answered)

    def _read(self, after_wait: bool = False) -> bool:
        """Take the reply from the bytes that came and those waiting in the socket, without waiting. Whether it settled.

        `after_wait`: as for `poll`.
        """
        if self.settled:
            return True
        conversation, channel = self._participant._conversation, self.channel
        verdict = NEED_DATA if after_wait else conversation.next_answer()
        if verdict is NEED_DATA:
            try:
                came = channel.read_now()
            except ChannelError as error:
                self._settle(_channel_failure(conversation, error))
                return True
            if channel.stream_ended:
                conversation.stream_ended()
            if came:
                verdict = conversation.next_answer()
        if verdict is NEED_DATA:
            return False
        self._settle(verdict)
        return True

    def _settle(self, outcome: Answered | Failure) -> None:
        self.settled = True
        self._rest = b""  # nothing more is written for a settled call (a failed write is not tried again)
        self.seconds = now() - self.started
        failed = isinstance(outcome, Failure)
        self.result = outcome.value if isinstance(outcome, Answered) else outcome
        self._participant._statistics.record(self.seconds, failed=failed)


async def settle_together(pendings: list[PendingCall]) -> None:
    """Wait until every one of `pendings` is settled, reading whichever player answers first (the caller bounds the time).

    In the encounter loop (all sockets) a request the socket did not take
    at once is written out first, one after the other.
    """
    in_loop = not trio.lowlevel.in_trio_run()  # in the encounter loop, as the channel tells it
    if not in_loop and any(pending.sending or not pending.channel.watchable for pending in pendings):
        async with trio.open_nursery() as nursery:
            for pending in pendings:
                if not pending.settled:
                    nursery.start_soon(pending.answer)
        return
    try:
        for pending in pendings:
            if pending.sending:
                await pending.finish_sending()
        waiting = [pending for pending in pendings if not pending.settled_by_what_came()]
        while len(waiting) > 1:
            ready = await wait_readable_any([pending.channel for pending in waiting])
            waiting = [
                pending for pending in waiting if (ready is not None and pending.channel is not ready) or not pending.poll(after_wait=True)
            ]
        if waiting:
            await waiting[0].answer()
    except CUT_SHORT:
        for pending in pendings:
            pending.poll()  # an answer that came in time counts
            pending.abandon()
        raise


Ended = tuple[Any, float, bool]
"""How a call of `ask_together` ended: its answer or Failure (None when timed out), its seconds, and whether it timed out."""


async def ask_together(calls: list[tuple[RemoteParticipant, str, tuple[Any, ...]]], time_limit: float) -> list[Ended]:
    """Make every `(participant, call, arguments)` call at once, all under one `time_limit`; how each ended, in order.

    `begin_together`, then `settle_together` under the time limit. In the
    encounter loop, two calls whose players are in play with nothing unread
    take a flat path instead, the steady state of a round of two players:
    both requests made and written, one wait for both sockets, each reply
    read as it comes and judged by its conversation, as `settle_together`
    does, without a PendingCall. Anything else (a request the socket did not
    take whole, a failed write, a call without a reply, the time limit or
    the event's end cutting the wait short) hands the calls over, in the
    state they have reached, to the general path, which ends them.
    """
    shell = loop_shell()
    if shell is None or len(calls) != 2 or not FLAT_PATH:
        return _ended(await _settled(RemoteParticipant.begin_together(calls), time_limit))
    (first, first_call, first_arguments), (second, second_call, second_arguments) = calls
    first_channel, second_channel = first._channel, second._channel
    pair = quiet_sockets(first_channel, second_channel)
    if pair is None:  # a byte waits in a socket: the general path reads it first
        return _ended(await _settled(RemoteParticipant.begin_together(calls), time_limit))
    plan_of = f"_{first_call}_request"
    first_plan: CallPlan = getattr(first, plan_of)(*first_arguments)
    second_plan: CallPlan = getattr(second, plan_of if second_call == first_call else f"_{second_call}_request")(*second_arguments)
    first_conversation, second_conversation = first._conversation, second._conversation
    first_started = monotonic()
    first_request = None
    if first_plan.read is not None and second_plan.read is not None:  # else no reply is due: the general path ends such a call
        first_request = first_conversation.ask_quietly(first_call, first_plan.message, first_plan.read, first_plan.context)
    if first_request is None:  # nothing changed yet: the general path asks, as it would (nothing waits in the sockets)
        asked = [first._asked(first_call, first_plan, False), second._asked(second_call, second_plan, False)]
        for pending in asked:
            pending.send_now()
        return _ended(await _settled(asked, time_limit))
    second_started = monotonic()
    second_request = second_conversation.ask_quietly(second_call, second_plan.message, second_plan.read, second_plan.context)
    if second_request is None:
        asked = [PendingCall(first, first_started, first_request), second._asked(second_call, second_plan, False)]
        for pending in asked:
            pending.send_now()
        return _ended(await _settled(asked, time_limit))
    first_error = second_error = None
    try:
        first_rest = first_channel.send_now(first_request)
    except ChannelError as error:
        first_rest, first_error = b"", error
    try:
        second_rest = second_channel.send_now(second_request)
    except ChannelError as error:
        second_rest, second_error = b"", error
    if (
        first_rest
        or second_rest
        or first_error is not None
        or second_error is not None
        or first_conversation.has_unread()
        or second_conversation.has_unread()
    ):
        # (a reply already read: a WebSocket dialect released one that its client sent ahead, as the request went out)
        unsent = [PendingCall(first, first_started, first_request), PendingCall(second, second_started, second_request)]
        unsent[0].written(first_rest, first_error)
        unsent[1].written(second_rest, second_error)
        return _ended(await _settled(unsent, time_limit))
    first_fd = pair.first_fd
    first_ended: Ended | None = None
    second_ended: Ended | None = None
    waiting = pair.both
    told = False  # whether the conversations were told that their requests went out whole
    pendings: list[PendingCall] = []
    ready_next = -1  # the second socket found ready by the wait that found the first
    with LoopScope(shell, monotonic() + time_limit):  # move_on_after(time_limit)
        try:
            while True:
                if ready_next >= 0:
                    ready, ready_next = ready_next, -1
                else:
                    found = None
                    if shell.alone >= 0:  # the loop's only business: wait here until the nearest deadline, else the loop's wait
                        seconds = shell.nearest[-1] - monotonic()
                        if seconds > 0:
                            found = pair.wait_alone(waiting, shell.alone, seconds)
                    if found:
                        ready = found[0][0]
                        if len(found) > 1:
                            ready_next = found[1][0]
                    else:
                        ready = await waiting
                if not told:  # at the first wake, not before the wait: a client may wait for a CPU while the server works
                    first_conversation.sent()
                    second_conversation.sent()
                    told = True
                # What `PendingCall.poll(after_wait=True)` finds of the reply: read what came, then ask the conversation.
                is_first = ready == first_fd
                channel, conversation = (first_channel, first_conversation) if is_first else (second_channel, second_conversation)
                verdict: Answered | Failure | Any
                try:
                    came = channel.read_now()
                except ChannelError as error:
                    verdict = _channel_failure(conversation, error)
                else:
                    if not came:  # the stream's end counts as read: the conversation heard of it when it came
                        continue
                    if channel.stream_ended:
                        conversation.stream_ended()
                    verdict = conversation.next_answer()
                    if verdict is NEED_DATA:
                        continue
                # The call settled now, counted in the statistics as `PendingCall` counts it.
                participant = first if is_first else second
                seconds = monotonic() - (first_started if is_first else second_started)
                if type(verdict) is Answered:
                    participant._statistics.record(seconds)
                    ended = (verdict.value, seconds, False)
                else:
                    participant._statistics.record(seconds, failed=True)
                    ended = (verdict, seconds, False)
                if is_first:
                    first_ended = ended
                    if second_ended is not None:
                        break
                    waiting = pair.second_only
                else:
                    second_ended = ended
                    if first_ended is not None:
                        break
                    waiting = pair.first_only
        except CUT_SHORT:
            if not told:
                first_conversation.sent()
                second_conversation.sent()
            pendings = [_handed_over(first, first_started, first_ended), _handed_over(second, second_started, second_ended)]
            for pending in pendings:
                pending.poll()  # an answer that came in time counts
                pending.abandon()
            raise
    if pendings:  # cut short by the time limit
        return _ended(pendings)
    assert first_ended is not None and second_ended is not None
    return [first_ended, second_ended]


async def _settled(pendings: list[PendingCall], time_limit: float) -> list[PendingCall]:
    with move_on_after(time_limit):
        await settle_together(pendings)
    return pendings


def _ended(pendings: list[PendingCall]) -> list[Ended]:
    return [(None if pending.timed_out else pending.result, pending.seconds, pending.timed_out) for pending in pendings]


def _handed_over(participant: RemoteParticipant, started: float, ended: Ended | None) -> PendingCall:
    """The PendingCall of a call of the flat path, written whole: settled as `ended` says, or awaiting its reply."""
    pending = PendingCall(participant, started, b"")
    if ended is not None:
        pending.result, pending.seconds, _ = ended
        pending.settled = True
    return pending


def _channel_failure(conversation: PlayerConversation, error: ChannelError) -> Failure:
    kind = MALFORMED if isinstance(error, ProtocolViolation) else BROKEN
    return conversation.broke(type(error).__name__, str(error), kind)


class RemoteParticipant:
    """A player whose answers come over `channel`; every call's time goes to `statistics`."""

    def __init__(self, channel: MessageChannel, statistics: CallStatistics | None = None, name: str | None = None) -> None:
        self.name = name
        """The name the player signed up with (None: not told); a game whose proxy needs it keeps it up to date."""
        self._channel = channel
        self._statistics = statistics or CallStatistics()
        self._conversation = PlayerConversation(channel.decoder, self._reply_rules())
        self._closed = False
        self.lent = False
        """Whether an encounter of this player runs in the encounter loop's thread (which alone reads the socket then)."""
        channel.busy = self._busy

    def connected(self) -> bool:
        """Is the connection still open? What waits in the socket is read (a value sent unasked stays for the next call)."""
        if self._closed or self._conversation.out_of_play is not None:
            return False
        if not self._busy():
            try:
                self._channel.read_waiting()
            except ChannelError:
                return False
        return not self._channel.stream_ended

    def _busy(self) -> bool:
        """Whether somebody may be waiting for this player's bytes: a call in progress, or the encounter loop."""
        return self.lent or self._conversation.calling

    @property
    def on_a_socket(self) -> bool:
        """Is the connection an open socket, so that an encounter of this player can run in a worker thread?"""
        return self._channel.watchable and not self._closed

    def _reply_rules(self) -> ReplyRules:
        """How this game reads what its players send; the default: one reply per request, never late."""
        return ONE_REPLY_PER_REQUEST

    def begin_call(self, call: str, *args: Any, bytes_waiting: bool = True) -> PendingCall:
        """Send the request of `call` now, as far as the socket takes it; the PendingCall awaits its end.

        `bytes_waiting` false: the caller knows that nothing waits in the socket (`begin_together`).
        """
        pending = self._prepare(call, args, bytes_waiting)
        pending.send_now()
        return pending

    def _prepare(self, call: str, args: tuple[Any, ...], bytes_waiting: bool) -> PendingCall:
        plan: CallPlan = getattr(self, f"_{call}_request")(*args)
        return self._asked(call, plan, bytes_waiting)

    def _asked(self, call: str, plan: CallPlan, bytes_waiting: bool) -> PendingCall:
        """The PendingCall of `plan`, asked now: a value already waiting in the socket (`bytes_waiting`) fails it."""
        started = now()
        conversation = self._conversation
        try:
            if bytes_waiting and conversation.out_of_play is None:
                self._channel.read_waiting()  # a value waiting in the socket came before it was asked for
        except ChannelError as error:
            return PendingCall(self, started, _channel_failure(conversation, error))
        return PendingCall(self, started, conversation.ask(call, plan.message, plan.read, plan.context))

    @staticmethod
    def begin_together(calls: list[tuple[RemoteParticipant, str, tuple[Any, ...]]]) -> list[PendingCall]:
        """`begin_call` of each `(participant, call, arguments)`, asking the system once which sockets have bytes waiting.

        Every request is made before the first is written, so that they leave
        back to back and the players think at the same time.
        """
        channels = [participant._channel for participant, _, _ in calls]
        in_play = all(participant._conversation.out_of_play is None for participant, _, _ in calls)
        watchable = in_play and all(channel.watchable for channel in channels)
        waiting = waiting_together(channels) if watchable else [True] * len(calls)
        pendings = [
            participant._prepare(call, arguments, bytes_waiting)
            for (participant, call, arguments), bytes_waiting in zip(calls, waiting, strict=True)
        ]
        for pending in pendings:
            pending.send_now()
        return pendings

    async def call(self, call: str, *args: Any) -> Any:
        """Make `call`: its answer, or its Failure."""
        return await self.begin_call(call, *args).answer()

    settle_together = staticmethod(settle_together)
    ask_together = staticmethod(ask_together)

    async def kicked(self, reason: str) -> None:
        """Send the last message, `["kicked", reason]`, even after a failure; then close the connection."""
        notice = self._conversation.kick(reason)
        try:
            if notice is not None and not self._closed:
                await self._channel.send_rest(notice)
        except ChannelError:
            pass  # the player is out already; a broken connection says nothing more
        finally:
            await self.aclose(f"kicked: {reason}")

    async def aclose(self, why: str = "closed by the server") -> None:
        """Close the connection; later calls fail, saying `why`."""
        self._conversation.close(why)
        if not self._closed:
            self._closed = True
            await trio.aclose_forcefully(self._channel)
