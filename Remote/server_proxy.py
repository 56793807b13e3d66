"""The client's stand-in for the server, game-free: the trio shell that moves values between the server, a Conversation and the player.

What everything means is the pure Conversation's (`Remote/client_conversation.py`,
with each game's part); each game's `server_proxy.py` only says which
Conversation its ServerProxy drives. Here: the sign-up sent, the connection
read, the player called, the answers sent, and the clock (how long the
player may take over the Results, how long an error report may take).

Two tasks share the connection, so the client never hangs whatever the
server does. The reader never stops reading: it feeds each value to the
Conversation and queues the calls the player must hear; the player task
makes them one at a time, in order, and sends what the Conversation says.
The reader ends the conversation at once, whatever the player is doing, at
the Conversation's end (a kick notice, a refusal, a server of another game,
a malformed message, the server moving on) and when the connection closes
or breaks; at the Results it waits for the player to hear them
(RESULTS_GRACE_SECONDS at most, earlier calls included), unless the
Conversation says the player is abandoned. A call the server moved on from
is cancelled if it runs (a LocalPlayer leaves its thread behind). The player
task ends the conversation when the player raises or answers a value of
the wrong type (StrategyFailed), after sending what the game tells the
server then (REPORT_SECONDS at most). The caller closes the connection after
`play`.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Mapping
from typing import Any

import attrs
import trio

from Common.strict import shorten
from Player.local import StrategyRunner
from Remote.channel import ChannelError, MessageChannel, ProtocolViolation
from Remote.client_conversation import (
    END_OF_TOURNAMENT,
    NO_ANSWER,
    Abandoned,
    Call,
    Conversation,
    ConversationEnded,
    Event,
    Failed,
    Hear,
    Opening,
    ResultsArrived,
    Send,
)

log = logging.getLogger(__name__)

RESULTS_GRACE_SECONDS = 10.0
"""How long a local player may take over the Results (and whatever it was still doing); the server is done by then."""
REPORT_SECONDS = 2.0
"""How long the message telling the server why the player gives up may take before the connection is closed all the same."""


@attrs.define(eq=False)
class ServerProxy:
    """Plays `player`, signed up as `name` (with `token`, if given), against the server at the other end of `channel`.

    A game's ServerProxy says which Conversation it drives (`_converse`).
    `results` holds the Results once they arrived, even if the player could
    not hear them; `kicked_because` the reason of a kick notice.
    """

    channel: MessageChannel
    player: Any
    _name: Any = attrs.field(alias="name")
    """The name to sign up with, the game's Name."""
    token: str | None = attrs.field(default=None, repr=False)
    """The participant's secret, if the organiser handed one out: the sign-up is then `["sign-up", Name, Token]`."""
    options: Mapping[str, Any] | None = attrs.field(default=None, kw_only=True)
    """What the sign-up asks for (Common.sign_up_options' object, `{"opponent": Name}`): then it is
    `["sign-up", Name, Token, Options]`, the Token null if there is none."""
    opening: Opening | None = attrs.field(default=None, repr=False)
    """Which game the server runs, judged by its first messages (xclients gives one); None: not judged."""
    conversation: Conversation = attrs.field(init=False, repr=False)
    results: Any | None = attrs.field(init=False, default=None)
    """The Results once they arrived, even if the player could not hear them."""
    _running: tuple[Call, trio.CancelScope] | None = attrs.field(init=False, default=None)
    _heard_results: trio.Event = attrs.field(init=False, factory=trio.Event)
    _failure: Exception | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        self.conversation = self._converse()

    def _converse(self) -> Conversation:
        """The game's Conversation for this player."""
        raise NotImplementedError

    @property
    def name(self) -> Any:
        """The name the player plays as (a renaming changes it)."""
        return self.conversation.name

    @property
    def kicked_because(self) -> str | None:
        """The reason of the server's kick notice, if one arrived."""
        return self.conversation.kicked_because

    async def sign_up(self) -> None:
        """Send the first message of the connection: the name, or the tagged sign-up with the token (and the options)."""
        await self.channel.send(self.conversation.sign_up(self.options))

    async def play(self) -> Any | None:
        """Play, once signed up, until the conversation ends; the Results, or None if none arrived.

        Raises ServerMisbehaved, SignUpRefused, WrongGame or StrategyFailed; `results` is set all the same.
        """
        to_player, for_player = trio.open_memory_channel[Call](math.inf)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._answer, for_player, nursery.cancel_scope)
            failure = await self._read(to_player)
            self._failure = self._failure or failure
            nursery.cancel_scope.cancel()
        if self._failure is not None:
            raise self._failure
        return self.results

    # --- the reader ------------------------------------------------------------------

    async def _read(self, to_player: trio.MemorySendChannel[Call]) -> Exception | None:
        """Read until the conversation ends; queue what the player must hear. What ended it badly, if anything did."""
        while True:
            events: list[Event]
            try:
                message = await self.channel.receive()
            except ProtocolViolation as error:
                events = [self.conversation.broke(str(error))]
            except ChannelError as closed:
                events = [self.conversation.closed(f"the server ended the connection ({closed})")]
            else:
                events = self.conversation.receive(message)
            for event in events:
                if isinstance(event, Hear):
                    to_player.send_nowait(event.call)
                elif isinstance(event, Abandoned):
                    log.info("%s", event.note)
                    if self._running is not None and self._running[0] is event.call:
                        self._running[1].cancel()
                elif isinstance(event, ResultsArrived):
                    self.results = event.results
                    await self._tell_results(event, to_player)
                    return None
                else:
                    assert isinstance(event, ConversationEnded)
                    if event.note is not None:
                        log.info("%s", event.note)
                    return event.failure

    async def _tell_results(self, event: ResultsArrived, to_player: trio.MemorySendChannel[Call]) -> None:
        if event.call is None:
            log.info("%s", event.note)
            return
        to_player.send_nowait(event.call)
        with trio.move_on_after(RESULTS_GRACE_SECONDS):
            await self._heard_results.wait()
            return
        what = self.conversation.busy or "its earlier messages"
        log.info("%s: the player was not done with %s within %g s of the Results; abandoned", self.name, what, RESULTS_GRACE_SECONDS)

    # --- the player task ---------------------------------------------------------------

    async def _answer(self, for_player: trio.MemoryReceiveChannel[Call], conversation: trio.CancelScope) -> None:
        """Make each queued call, in order; send what the Conversation says."""
        async for call in for_player:
            instead = self.conversation.skip(call)
            if instead is not None:
                if not await self._send(instead):
                    return
                continue
            self.conversation.started(call)
            answer = NO_ANSWER
            with trio.CancelScope() as scope:
                self._running = (call, scope)
                try:
                    answer = await getattr(self.player, call.method)(*call.arguments)
                except Exception as error:  # noqa: BLE001 - a participant's bug ends its conversation, not the client
                    await self._fail(self.conversation.raised(call, *self._describe(call.method, error)), conversation)
                    return
                finally:
                    self._running = None
            outcome = self.conversation.finished(call, answer)
            if isinstance(outcome, Failed):
                await self._fail(outcome, conversation)
                return
            sent = await self._send(outcome)
            if call.method == END_OF_TOURNAMENT:
                self._heard_results.set()  # once its reply, if the game has one (Fish's "void"), went out
            if not sent:
                return

    async def _send(self, send: Send) -> bool:
        """Send `send`'s values in one write; whether to go on (a closed connection is the reader's to notice)."""
        if send.note is not None:
            log.info("%s", send.note)
        try:
            if len(send.values) == 1:
                await self.channel.send(send.values[0])
            elif send.values:
                await self.channel.send_many(list(send.values))
        except ChannelError:
            return send.optional
        return True

    async def _fail(self, failed: Failed, conversation: trio.CancelScope) -> None:
        """The player failed: tell the server what the game says to (REPORT_SECONDS at most), then end the conversation."""
        self._failure = failed.failure
        if failed.values:
            with trio.move_on_after(REPORT_SECONDS), contextlib.suppress(ChannelError):
                await self.channel.send_many(list(failed.values))
        conversation.cancel()

    def _describe(self, method: str, error: Exception) -> tuple[str, str]:
        """The player's exception in one line, and its traceback limited to the player's own file (a local player's)."""
        details = self.player.user_traceback(error) if isinstance(self.player, StrategyRunner) else ""
        return f"{method} raised {type(error).__name__}: {shorten(str(error), 120)}", details
