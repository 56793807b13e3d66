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

Using a channel after closing it ourselves raises trio.ClosedResourceError:
that is our mistake, not the peer's.
"""

from __future__ import annotations

from typing import Final

import trio

from Remote.framing import DEFAULT_MAX_DEPTH, NEED_DATA, ErrorKind, JSONStreamDecoder, ProtocolError, encode

RECEIVE_CHUNK_BYTES: Final = 64 * 1024


class ChannelError(Exception):
    """The peer cannot be talked to any more; the message is one line that says why."""


class PeerClosed(ChannelError):
    """The peer ended the stream where no value had begun."""


class ProtocolViolation(ChannelError):
    """The peer sent bytes that are not a stream of JSON values within the limits.

    `kind` is the framing ErrorKind; the message is the ProtocolError's.
    """

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

    async def send(self, value: object) -> None:
        """Write one value as compact JSON and a newline; returns once the stream took all of it."""
        data = encode(value)
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
            try:
                data = await self._stream.receive_some(RECEIVE_CHUNK_BYTES)
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

    def buffered_value_pending(self) -> bool:
        """Have bytes of a further value (complete or begun) already arrived?

        For telling that a peer sent a second value where one was expected.
        """
        try:
            return self._decoder.value_pending()
        except ProtocolError as error:
            raise _violation(error) from error

    async def aclose(self) -> None:
        """Close the stream; does not wait for the peer."""
        await self._stream.aclose()
