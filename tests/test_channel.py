"""Remote.channel: values in, values out, one error family for the peer's faults; values nobody asked for.

Memory streams, except where what waits unread in a socket matters: there a
connected pair of sockets.
"""

from __future__ import annotations

import fcntl
import resource
import socket

import pytest
import trio
import trio.testing

from Remote.channel import (
    ChannelError,
    ConnectionBroken,
    MessageChannel,
    PeerClosed,
    ProtocolViolation,
)
from Remote.framing import NEED_DATA, ErrorKind

LIMIT = 64 * 1024


def channel_and_raw_peer(limit: int = LIMIT) -> tuple[MessageChannel, trio.abc.Stream]:
    ours, theirs = trio.testing.memory_stream_pair()
    return MessageChannel(ours, limit), theirs


async def test_values_sent_on_one_channel_arrive_on_the_other() -> None:
    left, right = trio.testing.memory_stream_pair()
    sender, receiver = MessageChannel(left, LIMIT), MessageChannel(right, LIMIT)
    values = ["alice", [], [["alice1", 0, 0]], [[0, "0alice1"], [1, 2]], {"a": None}, 7, True]
    for value in values:
        await sender.send(value)
    assert [await receiver.receive() for _ in values] == values


async def test_send_writes_compact_json_and_a_newline() -> None:
    channel, peer = channel_and_raw_peer()
    await channel.send(["alice1", "EAST", "SOUTH"])
    assert await peer.receive_some() == b'["alice1","EAST","SOUTH"]\n'


async def test_a_value_trickled_one_byte_per_send_arrives_whole() -> None:
    channel, peer = channel_and_raw_peer()
    data = '{\n  "a": [1, "é"]\n}'.encode()
    received = []

    async def receive() -> None:
        received.append(await channel.receive())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(receive)
        for byte in data:
            await trio.testing.wait_all_tasks_blocked()  # the receiver has taken every byte so far
            assert received == []
            await peer.send_all(bytes([byte]))
    assert received == [{"a": [1, "é"]}]


async def test_a_receive_cancelled_half_way_loses_no_bytes() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[1, ")
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(channel.receive)
            await trio.testing.wait_all_tasks_blocked()
            scope.cancel()
    await peer.send_all(b"2]\n")
    assert await channel.receive() == [1, 2]


async def test_the_end_of_the_stream_between_values_is_a_clean_close() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[1]\n")
    await peer.aclose()
    assert await channel.receive() == [1]
    for _ in range(2):
        with pytest.raises(PeerClosed, match=r"^the peer closed the connection$"):
            await channel.receive()


async def test_a_number_ended_by_the_end_of_the_stream_is_received() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"42")
    await peer.aclose()
    assert await channel.receive() == 42
    with pytest.raises(PeerClosed):
        await channel.receive()


async def test_the_end_of_the_stream_inside_a_value_is_a_violation() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b'[1, "tw')
    await peer.aclose()
    with pytest.raises(ProtocolViolation, match=r"^end of stream inside an unfinished value$") as raised:
        await channel.receive()
    assert raised.value.kind is ErrorKind.UNFINISHED


async def test_garbage_is_a_violation_every_time_after() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[1 2]\n[3]\n")
    for _ in range(2):
        with pytest.raises(ProtocolViolation, match=r"^malformed JSON: Expecting ',' delimiter at byte 3$"):
            await channel.receive()


async def test_an_over_long_message_is_a_violation() -> None:
    channel, peer = channel_and_raw_peer(limit=8)
    await peer.send_all(b"[1,2,3,4,5]\n")
    with pytest.raises(ProtocolViolation, match=r"^message longer than 8 bytes$") as raised:
        await channel.receive()
    assert raised.value.kind is ErrorKind.TOO_LONG


async def test_a_second_value_in_the_same_chunk_is_seen_as_pending() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[1]\n[2]\n")
    assert await channel.receive() == [1]
    assert channel.decoder.value_pending()
    assert await channel.receive() == [2]
    assert not channel.decoder.value_pending()


async def test_the_start_of_a_value_is_pending_and_white_space_is_not() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[1]\n \n")
    assert await channel.receive() == [1]
    assert not channel.decoder.value_pending()
    await peer.send_all(b"[2")
    with trio.CancelScope() as scope:  # let one receive read the bytes, then stop it
        async with trio.open_nursery() as nursery:
            nursery.start_soon(channel.receive)
            await trio.testing.wait_all_tasks_blocked()
            scope.cancel()
    assert channel.decoder.value_pending()


def arrived_unasked(channel: MessageChannel) -> bool:
    """What the server's conversation does before a request: take what waits in the socket, then look for a value."""
    if not channel.decoder.value_pending():
        channel.read_waiting()
    return channel.decoder.value_pending()


@pytest.fixture
def socket_pair():
    """Makes (a channel on one end of a connected pair of sockets, the other end); closes them after the test.

    The channel's descriptor is at least `lowest_descriptor`.
    """
    made: list[socket.socket] = []

    def make(limit: int = LIMIT, lowest_descriptor: int = 0) -> tuple[MessageChannel, socket.socket]:
        ours, theirs = socket.socketpair()
        if lowest_descriptor:
            descriptor = fcntl.fcntl(ours.fileno(), fcntl.F_DUPFD, lowest_descriptor)
            ours.close()
            ours = socket.socket(fileno=descriptor)
        made.extend((ours, theirs))
        return MessageChannel(trio.SocketStream(trio.socket.from_stdlib_socket(ours)), limit), theirs

    yield make
    for end in made:
        end.close()


async def test_a_value_waiting_unread_in_the_socket_arrived_unasked(socket_pair) -> None:
    channel, peer = socket_pair()
    peer.sendall(b"[2, 3]\n")
    assert arrived_unasked(channel)
    assert channel.decoder.next_value() == [2, 3]
    assert not arrived_unasked(channel)


async def test_the_beginning_of_a_value_waiting_in_the_socket_arrived_unasked(socket_pair) -> None:
    channel, peer = socket_pair()
    peer.sendall(b'\n  ["alice1", "EA')
    assert arrived_unasked(channel)
    assert channel.decoder.next_value() is NEED_DATA


async def test_white_space_or_nothing_in_the_socket_is_no_value_and_the_next_value_is_received(socket_pair) -> None:
    channel, peer = socket_pair()
    assert not arrived_unasked(channel)
    peer.sendall(b" \r\n\t\n")
    assert not arrived_unasked(channel)
    peer.sendall(b"[0, 1]\n")
    assert await channel.receive() == [0, 1]


async def test_a_value_after_the_one_received_is_found_in_the_socket_too(socket_pair) -> None:
    channel, peer = socket_pair()
    peer.sendall(b"[0, 1]\n")
    assert await channel.receive() == [0, 1]
    peer.sendall(b"[0, 2]\n")
    assert not channel.decoder.value_pending()  # not read yet
    assert arrived_unasked(channel)
    assert channel.decoder.next_value() == [0, 2]


async def test_a_peer_that_closed_sent_no_value_and_the_next_receive_says_it_closed(socket_pair) -> None:
    channel, peer = socket_pair()
    peer.close()
    assert not arrived_unasked(channel)
    with pytest.raises(PeerClosed):
        await channel.receive()


async def test_a_flood_of_white_space_is_read_no_further_than_the_message_limit(socket_pair) -> None:
    channel, peer = socket_pair(limit=8)
    peer.sendall(b" " * 100 + b"1\n")
    assert not arrived_unasked(channel)
    with pytest.raises(ProtocolViolation, match=r"^message longer than 8 bytes$"):
        await channel.receive()


async def test_a_socket_with_a_descriptor_above_1024_is_looked_at_too(socket_pair) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= 2048:
        if hard != resource.RLIM_INFINITY and hard <= 2048:
            pytest.skip(f"the hard limit on open files is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2049, hard))
    try:
        channel, peer = socket_pair(lowest_descriptor=2000)
        peer.sendall(b"[2, 3]\n")
        assert arrived_unasked(channel)  # select.select would refuse this descriptor
        await channel.aclose()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def test_on_a_memory_stream_only_the_bytes_already_received_are_looked_at() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.send_all(b"[2, 3]\n")
    assert not arrived_unasked(channel)
    assert await channel.receive() == [2, 3]


async def test_sending_to_a_peer_that_closed_is_a_broken_connection() -> None:
    channel, peer = channel_and_raw_peer()
    await peer.aclose()
    with pytest.raises(ConnectionBroken, match=r"^the connection broke"):
        await channel.send([0, 0])


async def test_a_broken_receive_is_a_broken_connection() -> None:
    async def break_it() -> None:
        raise trio.BrokenResourceError("connection reset by peer")

    stream = trio.StapledStream(trio.testing.MemorySendStream(), trio.testing.MemoryReceiveStream(receive_some_hook=break_it))
    with pytest.raises(ConnectionBroken, match=r"^the connection broke: connection reset by peer$"):
        await MessageChannel(stream, LIMIT).receive()


@pytest.mark.parametrize("error", [PeerClosed, ProtocolViolation, ConnectionBroken])
def test_every_fault_of_the_peer_is_a_channel_error(error: type[Exception]) -> None:
    assert issubclass(error, ChannelError)


async def test_aclose_closes_the_stream() -> None:
    channel, peer = channel_and_raw_peer()
    await channel.aclose()
    assert await peer.receive_some() == b""


async def test_leaving_an_async_with_block_closes_the_channel() -> None:
    channel, peer = channel_and_raw_peer()
    async with channel:
        await channel.send(1)
    assert await peer.receive_some() == b"1\n"
    assert await peer.receive_some() == b""
