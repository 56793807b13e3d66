"""The client's side of a conversation with the server, as a pure state machine: what was heard, what is owed, how it ends.

Game-free part; each game's part (`Remote/santorini/client_conversation.py`,
`Remote/ipd/client_conversation.py`) says what its server's messages mean.
The trio shell that drives it, reading the server while the player thinks,
is `Remote/server_proxy.py` (with each game's `server_proxy.py`): it only
moves values and owns the clock, the way h11 keeps HTTP free of I/O.

A Conversation is fed what happens and answers with what to do:

* `sign_up(options)`: the first value to send (the bare name, `["sign-up", Name, Token]`, or `["sign-up", Name, Token, Options]`);
* `receive(value)`: a value the server sent -> a list of events:
  `Hear(call)` (a call the player must hear, in order), `Abandoned(call)`
  (the server moved on without that call's answer: cancel it if it runs),
  `ResultsArrived` (the Results; `hear` says whether the player hears them),
  `ConversationEnded` (the conversation is over: a kick notice, a refused sign-up, a
  server of another game, a malformed message, the server moving on);
* `broke(text)` / `closed(text)`: the connection broke the protocol, or closed;
* `skip(call)`: before making a call, whether it is still wanted (None) or what to send instead;
* `started(call)`, then `finished(call, answer)` or `raised(call, what, details)`:
  what the player did -> `Send(values)` or `Failed(StrategyFailed, values)`.

Nothing here does I/O, knows about time, or imports trio. The lines a
person reads in the log are made here (`note`), with the name the player
plays as at that moment; the shell logs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from Common.participant import KICK_REASON_LIMIT, KICKED, REFUSED, SIGN_UP
from Common.strict import shorten
from Remote.client_errors import ServerMisbehaved, SignUpRefused, StrategyFailed, WrongGame

END_OF_TOURNAMENT = "end_of_tournament"
"""The player method that hears the Results."""
NO_ANSWER = object()
"""What `finished` is told when a call was cancelled before it returned."""


@attrs.define
class Opening:
    """Which game the server runs, judged by its first messages: this one, or another (WrongGame).

    `own` says whether a message has the shape of one this game's server
    sends; `others` pairs each other game's test with the line that names that
    game. A message that this game and another both send (a renaming, a kick
    notice) settles nothing; the first that only this game sends settles it;
    one that only another game sends is WrongGame. A message of no game is
    left to the game's proxy (a malformed message).
    """

    own: Callable[[Any], bool]
    others: Sequence[tuple[Callable[[Any], bool], str]] = ()
    settled: bool = False

    def check(self, message: Any) -> None:
        """Raise WrongGame if `message`, the next from the server, says that it runs another game."""
        if self.settled:
            return
        if self.own(message):
            self.settled = not any(recognises(message) for recognises, _ in self.others)
            return
        for recognises, line in self.others:
            if recognises(message):
                raise WrongGame(line)


@attrs.define(eq=False)
class Call:
    """One message the player must hear: its method and arguments; `reply`: the server awaits the answer.

    `key` is the game's mark of the request (the IPD's round); `abandoned`
    once the server moved on without the answer, `owed` if it still expects
    one all the same (the game's part decides both).
    """

    method: str
    arguments: tuple[Any, ...]
    reply: bool = False
    key: Any = None
    abandoned: bool = False
    owed: bool = False


@attrs.frozen
class Hear:
    """The player must hear `call`, after every call heard before it."""

    call: Call


@attrs.frozen
class Abandoned:
    """The server moved on without `call`'s answer: a call in progress is cancelled; `note` is the log's line."""

    call: Call
    note: str


@attrs.frozen
class ResultsArrived:
    """The Results arrived: the end. `hear`: the player hears them (`call`, after its earlier calls); else `note` says why not."""

    results: Any
    hear: bool
    call: Call | None = None
    note: str | None = None


@attrs.frozen
class ConversationEnded:
    """The conversation is over: `failure` (raised by the shell) if it ended badly, `note` for the log, or neither."""

    failure: Exception | None = None
    note: str | None = None


Event = Hear | Abandoned | ResultsArrived | ConversationEnded


@attrs.frozen
class Send:
    """Values to send, in order, in one write; `note` for the log; `optional`: if they cannot go, play on all the same."""

    values: tuple[Any, ...] = ()
    note: str | None = None
    optional: bool = False


@attrs.frozen
class Failed:
    """The local player failed (it raised, or answered a value of the wrong type): the end, after sending `values`."""

    failure: StrategyFailed
    values: tuple[Any, ...] = ()


class Conversation:
    """The game-free part of the client's conversation: the sign-up, a refusal, the opening, the kick notice, the Results, the end.

    A game's part implements `_hear(message)` (the events of one of its
    messages), `_answer(call, answer)` (what to send for an answer) and
    may extend `skip` and `_report`.
    """

    def __init__(self, name: Any, token: str | None = None, opening: Opening | None = None) -> None:
        self.name = name
        """The name the player plays as, the game's Name (a renaming changes it)."""
        self.token = token
        self.opening = opening
        self.results: Any | None = None
        """The Results, once they arrived (even if the player could not hear them)."""
        self.kicked_because: str | None = None
        """The reason of the kick notice, if one arrived."""
        self.ended = False
        self.busy: str | None = None
        """The player method running now, if one is."""
        self.outstanding = 0
        """Calls handed to the player that it has not finished with."""

    def sign_up(self, options: Mapping[str, Any] | None = None) -> Any:
        """The first message of the connection: the name, or the tagged sign-up with the token; with `options` (a non-empty
        options object, Common.sign_up_options), `["sign-up", Name, Token, Options]`, the token null if there is none."""
        if options:
            return [SIGN_UP, self.name, self.token, dict(options)]
        return self.name if self.token is None else [SIGN_UP, self.name, self.token]

    # --- what the server did ---------------------------------------------------------

    def receive(self, message: Any) -> list[Event]:
        """The events of `message`, the next value the server sent."""
        if self.ended:
            raise RuntimeError("the conversation has ended: nothing more is received")
        if type(message) is list and len(message) == 2 and message[0] == REFUSED and type(message[1]) is str:
            return self._end(ConversationEnded(SignUpRefused(shorten(" ".join(message[1].split()), KICK_REASON_LIMIT))))  # one line
        if self.opening is not None:
            try:
                self.opening.check(message)
            except WrongGame as error:
                return self._end(ConversationEnded(error))
        if type(message) is list and len(message) == 2 and message[0] == KICKED and type(message[1]) is str:
            self.kicked_because = message[1]
            return self._end(ConversationEnded(note=f"{self.name} was kicked by the server: {shorten(message[1], KICK_REASON_LIMIT)}"))
        try:
            events = self._hear(message)
        except ServerMisbehaved as error:
            return self._end(ConversationEnded(error))
        for event in events:
            if isinstance(event, Hear) or (isinstance(event, ResultsArrived) and event.call is not None):
                self.outstanding += 1
            if isinstance(event, ResultsArrived | ConversationEnded):
                self.ended = True
        return events

    def broke(self, what: str) -> ConversationEnded:
        """The server broke the protocol (a value too long, not JSON): its fault, the end."""
        self.ended = True
        return ConversationEnded(ServerMisbehaved(f"the server broke the protocol: {what}"))

    def closed(self, what: str) -> ConversationEnded:
        """The connection closed or broke (`what` says how): the end, abandoning a busy player."""
        self.ended = True
        if self.busy is not None:
            return ConversationEnded(note=f"{self.name}: {what} while {self.busy} was not done; the player is abandoned")
        return ConversationEnded(note=f"{self.name}: {what}")

    def results_arrived(self, results: Any, hear: bool, note: str | None = None) -> ResultsArrived:
        """The event of the Results (for a game's `_hear`): the player hears them as its last call, or not (`note`)."""
        self.results = results
        return ResultsArrived(results, hear, Call(END_OF_TOURNAMENT, (results,)) if hear else None, note)

    # --- what the player did ---------------------------------------------------------

    def skip(self, call: Call) -> Send | None:
        """None if `call` is still to be made; else what to send instead of making it."""
        return None

    def started(self, call: Call) -> None:
        """The player began to hear `call`."""
        self.busy = call.method

    def finished(self, call: Call, answer: Any) -> Send | Failed:
        """The player returned `answer` for `call` (NO_ANSWER if cancelled): what to send."""
        self.busy = None
        self.outstanding -= 1
        return self._answer(call, answer)

    def raised(self, call: Call, what: str, details: str = "") -> Failed:
        """The player raised while hearing `call` (`what`: one line, `details`: its traceback): the end."""
        self.busy = None
        return self._failed(StrategyFailed(what, details))

    def _failed(self, failure: StrategyFailed) -> Failed:
        return Failed(failure, self._report(failure))

    # --- the game's part -------------------------------------------------------------

    def _hear(self, message: Any) -> list[Event]:
        """The events of a message that is neither a refusal nor a kick notice; ServerMisbehaved if it means nothing."""
        raise NotImplementedError

    def _answer(self, call: Call, answer: Any) -> Send | Failed:
        """What to send for the player's `answer` to `call`."""
        raise NotImplementedError

    def _report(self, failure: StrategyFailed) -> tuple[Any, ...]:
        """What the server is told when the local player fails: nothing, unless the game has a message for it."""
        return ()

    def _end(self, event: ConversationEnded) -> list[Event]:
        self.ended = True
        return [event]
