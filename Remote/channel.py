"""A connection that carries JSON values: `send` writes one, `receive` returns the next.

The thin trio shell around Remote.framing: it moves bytes between a trio
stream and a JSONStreamDecoder and nothing else. Time limits belong to the
caller (trio.fail_after, trio.move_on_after); a cancelled `receive` loses no
bytes, so the next `receive` carries on. Whatever the peer does wrong surfaces
as a ChannelError, so a caller catches one thing:

* PeerClosed: the stream ended between two values;
* ProtocolViolation: the bytes are not a stream of JSON values within the
  limits, including a stream that ends inside a value;
* ConnectionBroken: the connection failed below the level of messages (reset,
  or the peer closed it while we were sending).

A value that arrives before anyone asked for it is a fault of the peer too;
`value_arrived_unasked` finds it, also when its bytes are still waiting in
the socket, without blocking (one `poll` with time-out 0 on the descriptor).

Using a channel after closing it ourselves raises trio.ClosedResourceError:
that is our mistake, not the peer's.
"""

from __future__ import annotations

import select
from typing import Final

import trio

from Common.participant import MALFORMED
from Remote.framing import DEFAULT_MAX_DEPTH, NEED_DATA, ErrorKind, JSONStreamDecoder, ProtocolError, encode

RECEIVE_CHUNK_BYTES: Final = 64 * 1024


class ChannelError(Exception):
    """The peer cannot be talked to any more; the message is one line that says why."""


class PeerClosed(ChannelError):
    """The peer ended the stream where no value had begun."""


class ProtocolViolation(ChannelError):
    """The peer sent bytes that are not a stream of JSON values within the limits.

    To a referee this is a malformed answer (`failure_kind`), not a broken connection.

    `kind` is the framing ErrorKind; the message is the ProtocolError's.
    """

    failure_kind = MALFORMED

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


class ConnectionBroken(ChannelError):
    """Sending or receiving failed below the level of messages."""


def _violation(error: ProtocolError) -> ProtocolViolation:
    return ProtocolViolation(str(error), error.kind)


def _broken(error: trio.BrokenResourceError) -> ConnectionBroken:
    detail = str(error.__cause__ or error)
    return ConnectionBroken(f"the connection broke: {detail}" if detail else "the connection broke")


class MessageChannel(trio.abc.AsyncResource):
    """JSON values over a trio stream; the peer's messages are limited in length and depth.

    An AsyncResource: `async with` closes it, and so does trio.aclose_forcefully.
    """

    def __init__(
        self, stream: trio.abc.Stream, max_message_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> None:
        self._stream = stream
        self._decoder = JSONStreamDecoder(max_message_bytes, max_depth)
        self._stream_ended = False
        self._max_message_bytes = max_message_bytes
        self._poll: select.poll | None = None  # made when first needed, for a socket stream only

    async def send(self, value: object) -> None:
        """Write one value as compact JSON and a newline; returns once the stream took all of it."""
        await self._send_bytes(encode(value))

    async def send_many(self, values: list[object]) -> None:
        """Write several values in one write (as a client that floods its peer does)."""
        await self._send_bytes(b"".join(map(encode, values)))

    async def _send_bytes(self, data: bytes) -> None:
        try:
            await self._stream.send_all(data)
        except trio.BrokenResourceError as error:
            raise _broken(error) from error

    async def receive(self) -> object:
        """The peer's next value, reading as much as it takes."""
        while True:
            try:
                value = self._decoder.next_value()
            except ProtocolError as error:
                raise _violation(error) from error
            if value is not NEED_DATA:
                return value
            if self._stream_ended:
                raise PeerClosed("the peer closed the connection")
            await self._receive_some(RECEIVE_CHUNK_BYTES)

    async def _receive_some(self, max_bytes: int) -> int:
        """Read once from the stream into the decoder; how many bytes came (0: the stream ended)."""
        try:
            data = await self._stream.receive_some(max_bytes)
        except trio.BrokenResourceError as error:
            raise _broken(error) from error
        try:
            if data:
                self._decoder.feed(data)
            else:
                self._stream_ended = True
                self._decoder.close()
        except ProtocolError as error:
            raise _violation(error) from error
        return len(data)

    def buffered_value_pending(self) -> bool:
        """Have bytes of a further value (complete or begun) already arrived?

        For telling that a peer sent a second value where one was expected.
        """
        try:
            return self._decoder.value_pending()
        except ProtocolError as error:
            raise _violation(error) from error

    async def value_arrived_unasked(self) -> bool:
        """Has the peer begun a further value, in the bytes we hold or in those waiting in the socket?

        Called right before asking the peer something: a value already there
        was sent before it was asked for. Never blocks; on a socket stream it
        reads what is waiting, at most one message limit's worth. Other
        streams (memory streams in tests) look only at the bytes we hold.
        """
        if self.buffered_value_pending():
            return True
        poll = self._socket_poll()
        if poll is None:
            return False
        taken = 0
        while taken < self._max_message_bytes and not self._stream_ended and poll.poll(0):
            taken += await self._receive_some(min(RECEIVE_CHUNK_BYTES, self._max_message_bytes - taken))
            if self.buffered_value_pending():
                return True
        return False

    def buffered_value(self) -> object:
        """The next value if it has arrived whole, else NEED_DATA; never reads."""
        try:
            return self._decoder.next_value()
        except ProtocolError as error:
            raise _violation(error) from error

    def _socket_poll(self) -> select.poll | None:
        if self._poll is None and isinstance(self._stream, trio.SocketStream) and hasattr(select, "poll"):
            self._poll = select.poll()  # unlike select.select, fine with descriptors >= 1024
            self._poll.register(self._stream.socket.fileno(), select.POLLIN)
        return self._poll

    async def aclose(self) -> None:
        """Close the stream; does not wait for the peer."""
        await self._stream.aclose()
