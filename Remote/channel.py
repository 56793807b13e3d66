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
`read_waiting` takes what waits in the socket without blocking, so that the
conversation finds it in the decoder before it asks.

On a socket the channel moves bytes with the descriptor's own system calls
when they need no wait (`send_now`, `read_now`), and waits with trio only
when they would block: a message the socket takes at once costs one
`write`, not a trip through trio's scheduler. Any other stream (memory
streams in tests) goes through trio's stream calls alone.
`wait_readable_any` waits until one of several sockets has bytes to read,
for asking several players at once in one task. Outside a trio run, in the
encounter loop's thread (Remote/encounter_loop.py), the same waits yield a
LoopWait to that loop instead of waiting with trio.

Using a channel after closing it ourselves raises trio.ClosedResourceError:
that is our mistake, not the peer's.
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable, Generator
from typing import Final

import trio

from Remote.framing import DEFAULT_MAX_DEPTH, NEED_DATA, ErrorKind, JSONStreamDecoder, ProtocolError, encode

RECEIVE_CHUNK_BYTES: Final = 64 * 1024
YIELD_EVERY: Final = 16
"""A send or receive that needs no wait is no checkpoint; every YIELD_EVERY-th of them in a row is one."""
LONGEST_WAIT: Final = 3600.0
"""The most seconds a wait of the encounter loop blocks in one system call (poll and epoll take at most 2**31 - 1 ms).

A longer wait is waited in parts."""


class ChannelError(Exception):
    """The peer cannot be talked to any more; the message is one line that says why."""


class PeerClosed(ChannelError):
    """The peer ended the stream where no value had begun."""


class ProtocolViolation(ChannelError):
    """The peer sent bytes that are not a stream of JSON values within the limits.

    To a referee this is a malformed answer, not a broken connection.

    `kind` is the framing ErrorKind; the message is the ProtocolError's.
    """

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


class ConnectionBroken(ChannelError):
    """Sending or receiving failed below the level of messages."""


def _never() -> bool:
    return False


def _violation(error: ProtocolError) -> ProtocolViolation:
    return ProtocolViolation(str(error), error.kind)


def _broken_by(error: OSError) -> ConnectionBroken:
    return ConnectionBroken(f"the connection broke: {error}")


def _broken(error: trio.BrokenResourceError) -> ConnectionBroken:
    detail = str(error.__cause__ or error)
    return ConnectionBroken(f"the connection broke: {detail}" if detail else "the connection broke")


class MessageChannel(trio.abc.AsyncResource):
    """JSON values over a trio stream; the peer's messages are limited in length and depth.

    An AsyncResource: `async with` closes it, and so does trio.aclose_forcefully.
    """

    def __init__(self, stream: trio.abc.Stream, max_message_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self._stream = stream
        self._decoder = JSONStreamDecoder(max_message_bytes, max_depth)
        self._stream_ended = False
        self._max_message_bytes = max_message_bytes
        self._first_read = min(max_message_bytes, RECEIVE_CHUNK_BYTES)  # what `read_now` asks for first
        self._socket = stream.socket if isinstance(stream, trio.SocketStream) else None
        self._fd = None if self._socket is None else self._socket.fileno()  # the channel owns its stream: only `aclose` closes it
        self._closed = False
        self._poll: select.poll | None = None  # made when first needed, for a socket stream only
        self._watch: _Watch | None = None  # what wait_readable_any watches this channel with, and others
        self._together: tuple[tuple[MessageChannel, ...], select.poll] | None = None  # the same, in the encounter loop
        self._pair: SocketPair | None = None  # the same for `quiet_sockets`, with its second channel
        self.watchable = self._socket is not None and hasattr(select, "epoll")
        """Whether `wait_readable_any` can watch this channel together with others."""
        self._unyielded = 0  # calls since the last checkpoint that needed no wait
        self.busy: Callable[[], bool] = _never
        """Whether the channel's owner may be waiting for its bytes now; an idle reader (Remote/websocket.py) leaves it alone then."""

    @property
    def decoder(self) -> JSONStreamDecoder:
        """The decoder the bytes read are fed to (a conversation reads its values from it)."""
        return self._decoder

    @property
    def stream_ended(self) -> bool:
        """Has the peer closed its side (and every byte before the end been read)?"""
        return self._stream_ended

    async def send(self, value: object) -> None:
        """Write one value as compact JSON and a newline; returns once the stream took all of it."""
        await self._send_bytes(encode(value))

    async def send_many(self, values: list[object]) -> None:
        """Write several values in one write (as a client that floods its peer does)."""
        await self._send_bytes(b"".join(map(encode, values)))

    async def _send_bytes(self, data: bytes) -> None:
        rest = self.send_now(data)
        if rest:
            await self.send_rest(rest)
        else:
            await self._maybe_yield()

    def send_now(self, data: bytes) -> bytes:
        """Write as much of `data` as a socket takes without waiting; what is left (all of it on other streams)."""
        if self._closed:
            raise trio.ClosedResourceError("the channel was closed")
        fd = self._fd
        if fd is None:
            return data
        view = None
        try:
            written = os.write(fd, data)
            if written == len(data):  # as almost always
                return b""
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(fd, view) :]
        except BlockingIOError:
            return data if view is None else bytes(view)
        except OSError as error:
            raise _broken_by(error) from error
        return b""

    async def send_rest(self, data: bytes) -> None:
        """Write all of `data`, waiting as long as it takes (under the caller's time limit)."""
        if not trio.lowlevel.in_trio_run():  # in the encounter loop
            await self._send_in_loop(data)
            return
        try:
            await self._stream.send_all(data)
        except trio.BrokenResourceError as error:
            raise _broken(error) from error

    async def _send_in_loop(self, data: bytes) -> None:
        """`send_rest` in the encounter loop: write, and wait for room in the socket between writes."""
        fd = self._descriptor()
        assert fd is not None, "only sockets are used in the encounter loop"
        rest = self.send_now(data)
        while rest:
            await LoopWait((fd,), select.EPOLLOUT)
            rest = self.send_now(rest)

    async def _maybe_yield(self) -> None:
        """A checkpoint every so many calls that needed no wait, so that a fast peer cannot starve the other tasks."""
        self._unyielded += 1
        if self._unyielded >= YIELD_EVERY:
            self._unyielded = 0
            await trio.lowlevel.checkpoint()

    async def receive(self) -> object:
        """The peer's next value, reading as much as it takes."""
        while True:
            try:
                value = self._decoder.next_value()
            except ProtocolError as error:
                raise _violation(error) from error
            if value is not NEED_DATA:
                await self._maybe_yield()
                return value
            if self._stream_ended:
                raise PeerClosed("the peer closed the connection")
            await self.read_more()

    def read_now(self) -> int:
        """Read what waits in a socket, without waiting, into the decoder; how many bytes came (0: none, or not a socket).

        At most one message limit's worth; the end of the stream counts as read.
        """
        if self._closed:
            raise trio.ClosedResourceError("the channel was closed")
        fd = self._fd
        if fd is None or self._stream_ended:
            return 0
        want = self._first_read
        try:
            data = os.read(fd, want)
        except BlockingIOError:
            return 0
        except OSError as error:
            raise _broken_by(error) from error
        if data and len(data) < want:  # as almost always: all there was, in one read
            try:
                self._decoder.feed(data)
            except ProtocolError as error:
                raise _violation(error) from error
            return len(data)
        if not data:
            self._feed(data)
            return 1
        try:
            self._decoder.feed(data)
        except ProtocolError as error:
            raise _violation(error) from error
        taken, limit = len(data), self._max_message_bytes
        while taken < limit:
            want = limit - taken
            if want > RECEIVE_CHUNK_BYTES:
                want = RECEIVE_CHUNK_BYTES
            try:
                data = os.read(fd, want)
            except BlockingIOError:
                break
            except OSError as error:
                raise _broken_by(error) from error
            if not data:
                self._feed(data)
                return taken + 1
            try:
                self._decoder.feed(data)
            except ProtocolError as error:
                raise _violation(error) from error
            taken += len(data)
            if len(data) < want:
                break  # the socket had no more
        return taken

    def read_waiting(self) -> int:
        """`read_now`, after asking the socket whether anything waits (cheaper when, as usual, nothing does)."""
        if self._poll is None:
            fd = self._descriptor()
            if fd is None:
                return 0
            self._poll = select.poll()  # unlike select.select, fine with descriptors >= 1024
            self._poll.register(fd, select.POLLIN)
        elif self._closed:
            raise trio.ClosedResourceError("the channel was closed")
        return self.read_now() if self._poll.poll(0) else 0

    async def read_more(self) -> None:
        """Wait for more bytes (or the end of the stream) and feed them to the decoder."""
        if self._descriptor() is None:
            await self._receive_some(RECEIVE_CHUNK_BYTES)
            return
        while not self.read_now():
            await self.wait_readable()
        self._unyielded = 0  # read after a wait: a checkpoint came with it, or the bytes were there

    async def wait_readable(self) -> None:
        """Wait until the socket has bytes to read (or its end); on other streams, read some."""
        fd = self._descriptor()
        if fd is None:
            await self._receive_some(RECEIVE_CHUNK_BYTES)
            return
        if trio.lowlevel.in_trio_run():
            await trio.lowlevel.wait_readable(fd)
        else:
            await LoopWait((fd,))

    async def _receive_some(self, max_bytes: int) -> int:
        """Read once from the stream into the decoder; how many bytes came (0: the stream ended)."""
        try:
            data = await self._stream.receive_some(max_bytes)
        except trio.BrokenResourceError as error:
            raise _broken(error) from error
        self._feed(data)
        return len(data)

    def _feed(self, data: bytes | bytearray) -> None:
        try:
            if data:
                self._decoder.feed(data)
            else:
                self._stream_ended = True
                self._decoder.close()
        except ProtocolError as error:
            raise _violation(error) from error

    def _descriptor(self) -> int | None:
        """The socket's descriptor, None for other streams; a closed channel is our mistake (ClosedResourceError)."""
        if self._closed:
            raise trio.ClosedResourceError("the channel was closed")
        return self._fd

    async def aclose(self) -> None:
        """Close the stream; does not wait for the peer."""
        self._closed = True
        if self._watch is not None:
            watch, self._watch = self._watch, None
            watch.close()
        await self._stream.aclose()


class _Watch:
    """An epoll descriptor watching a few channels' sockets, kept by the first of them while it asks the same ones again."""

    def __init__(self, channels: tuple[MessageChannel, ...]) -> None:
        self.channels = channels
        self._epoll = select.epoll()
        try:
            for channel in channels:
                fd = channel._descriptor()
                assert fd is not None, "only sockets are watched together"
                self._epoll.register(fd, select.EPOLLIN)
        except BaseException:
            self._epoll.close()
            raise

    async def wait(self) -> None:
        await trio.lowlevel.wait_readable(self._epoll.fileno())

    def ready(self) -> list[tuple[int, int]]:
        """The watched descriptors that have bytes to read (or have ended) now, without waiting."""
        return self._epoll.poll(0)

    def close(self) -> None:
        trio.lowlevel.notify_closing(self._epoll.fileno())
        self._epoll.close()


def _watch_of(channels: list[MessageChannel]) -> _Watch:
    """The epoll watch of `channels` (each `watchable`): the first one's, made anew when it watched others."""
    owner, together = channels[0], tuple(channels)
    watch = owner._watch
    if watch is None or watch.channels != together:
        if watch is not None:
            owner._watch = None
            watch.close()
        watch = owner._watch = _Watch(together)
    return watch


def waiting_together(channels: list[MessageChannel]) -> list[bool]:
    """Which of `channels` (each `watchable`) have bytes waiting (or have ended), asking the system once for all."""
    ready = {fd for fd, _ in (_watch_of(channels).ready() if trio.lowlevel.in_trio_run() else _poll_of(channels).poll(0))}
    return [channel._fd in ready for channel in channels]


class SocketPair:
    """Two channels' sockets asked together round after round: a poll of both (`quiet_sockets`), the loop's waits for both and each.

    `wait_alone` waits for one of those three with a poll of its own, beside the encounter loop's wake descriptor.
    """

    __slots__ = ("_alone", "_alone_wake", "both", "first_fd", "first_only", "poll", "second", "second_fd", "second_only")

    def __init__(self, first_fd: int, second: MessageChannel, second_fd: int) -> None:
        self.second = second
        self.first_fd, self.second_fd = first_fd, second_fd
        self.poll = select.poll()
        self.poll.register(first_fd, select.POLLIN)
        self.poll.register(second_fd, select.POLLIN)
        self.both = LoopWait((first_fd, second_fd))
        self.first_only = LoopWait((first_fd,))
        self.second_only = LoopWait((second_fd,))
        self._alone: dict[LoopWait, select.poll] = {}
        self._alone_wake = -1

    def wait_alone(self, waiting: LoopWait, wake: int, seconds: float) -> list[tuple[int, int]]:
        """Block until a socket of `waiting` (`both`, `first_only` or `second_only`) is readable, at most `seconds` (> 0).

        The ready sockets, as `poll` gives them; none when the descriptor
        `wake` became readable first (it is not read) or the time is up (or
        LONGEST_WAIT, if shorter): then the wait is the loop's.
        """
        if self._alone_wake != wake:
            self._alone, self._alone_wake = {}, wake
        poll = self._alone.get(waiting)
        if poll is None:
            poll = self._alone[waiting] = select.poll()
            for fd in (*waiting.descriptors, wake):
                poll.register(fd, select.POLLIN)
        ready = poll.poll((seconds if seconds < LONGEST_WAIT else LONGEST_WAIT) * 1000)
        for fd, _ in ready:
            if fd == wake:
                return []
        return ready


def quiet_sockets(first: MessageChannel, second: MessageChannel) -> SocketPair | None:
    """The pair of two open sockets whose peers sent nothing unread into them, and whose streams have not ended; else None.

    One system call for both: whether a byte waits in either socket. The
    first channel keeps the pair while it is asked with the same second.
    """
    first_fd, second_fd = first._fd, second._fd
    if first_fd is None or second_fd is None or first._closed or second._closed or first._stream_ended or second._stream_ended:
        return None
    pair = first._pair
    if pair is None or pair.second is not second:
        pair = first._pair = SocketPair(first_fd, second, second_fd)
    if pair.poll.poll(0):
        return None
    return pair


async def wait_readable_any(channels: list[MessageChannel]) -> MessageChannel | None:
    """Wait until one of `channels` (each `watchable`) has bytes to read or has ended; reads nothing.

    Which one, when the loop knows (the encounter loop); None under trio.

    One wait on an epoll descriptor that watches them all: it is readable
    when one of them is. The first channel keeps that descriptor for as long
    as it is asked with the same others (a match's rounds), and closes it
    with itself. A checkpoint, cancelled by the caller's time limit. In the
    encounter loop, a wait of the loop on the sockets themselves.
    """
    if trio.lowlevel.in_trio_run():
        await _watch_of(channels).wait()
        return None
    ready = await LoopWait(tuple(channel._descriptor() or -1 for channel in channels))
    return next((channel for channel in channels if channel._fd == ready), None)


def _poll_of(channels: list[MessageChannel]) -> select.poll:
    """A poll object watching `channels`' sockets for reading, kept by the first (as `_watch_of` keeps its epoll)."""
    owner, together = channels[0], tuple(channels)
    if owner._together is None or owner._together[0] != together:
        poll = select.poll()
        for channel in channels:
            poll.register(channel._descriptor() or -1, select.POLLIN)
        owner._together = (together, poll)
    return owner._together[1]


class LoopWait:
    """What a wait in the encounter loop (Remote/encounter_loop.py) asks for: until one of `descriptors` is ready for `events`.

    Awaiting it hands the wait to the loop, which resumes the waiter with
    the descriptor that is ready, or throws DeadlinePassed or Stopped into it.
    """

    __slots__ = ("descriptors", "events")

    def __init__(self, descriptors: tuple[int, ...], events: int = select.EPOLLIN) -> None:
        self.descriptors = descriptors
        self.events = events

    def __await__(self) -> Generator[LoopWait, int, int]:
        return (yield self)
