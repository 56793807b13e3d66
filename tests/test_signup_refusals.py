"""A refused sign-up is said, not silent: one message, the same for every cause; xclients prints it and exits 1.

On a server with participants every refused first message gets
`["refused", REFUSAL]` before the close, byte for byte the same whatever the
cause, so that it tells an outsider nothing about who is a participant. The
server's log names the name and address of each refusal, never the token.
On a server without participants a bare name is still refused in silence
(the course's clients never send anything else), and a tagged sign-up is
told that the server takes bare names.

End to end: a real xserver and real xclients on 127.0.0.1, or raw bytes on a
plain socket; the time limit of a refusal's send on memory streams.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing

from Admin.naming import NameRegistry
from Remote.channel import MessageChannel
from Remote.doorway import REFUSAL_TIME_LIMIT, Nameless
from Remote.loopback import ServerProcess, run_clients
from Remote.participants import parse_participants
from Remote.signup import REFUSAL, SignUpDesk
from tests.raw_client import HOST, compact, stop, wait_for_log

ALICE, BOB = "alice_" + "a1" * 12, "bob-" + "B2" * 15
WRONG, ZOES = "w" * 32, "z" * 20
SECRETS = (ALICE, BOB, WRONG, ZOES)
LIMIT = 60.0
WINDOW = 60.0
"""Seconds of sign-up: longer than any test here, which kills the server when it is done."""


def participants_file(directory: Path) -> Path:
    path = directory / "participants.csv"
    path.write_text(f"participant,token\nalice,{ALICE}\nbob,{BOB}\n")
    return path


async def start(directory: Path | None, **keys) -> ServerProcess:
    config = {"min players": 2, "waiting for": WINDOW, "repeat": 0, **keys}
    if directory is not None:
        config["participants"] = str(participants_file(directory))
    return await trio.to_thread.run_sync(lambda: ServerProcess(config))


async def answer_to(port: int, data: bytes) -> bytes:
    """Every byte the server sends to a connection that sends `data`, until it closes the connection."""
    stream = await trio.open_tcp_stream(HOST, port)
    received = bytearray()
    try:
        await stream.send_all(data)
        while chunk := await stream.receive_some():
            received += chunk
    except trio.BrokenResourceError:
        pass
    finally:
        await stream.aclose()
    return bytes(received)


def sign_up(name: str, token: object) -> bytes:
    return compact(["sign-up", name, token])


async def test_every_refused_sign_up_gets_the_same_bytes_before_the_close(tmp_path):
    server = await start(tmp_path)
    causes = {
        "a wrong token": sign_up("alice", WRONG),
        "another participant's token": sign_up("bob", ALICE),
        "an unknown name": sign_up("zoe", ZOES),
        "an unknown name with a participant's token": sign_up("zoe", ALICE),
        "a bare name of a participant": compact("alice"),
        "a bare unknown name": compact("zoe"),
        "a token that is not a token": sign_up("bob", "short"),
        "a list of 4 elements": compact(["sign-up", "bob", BOB, BOB]),
        "another tag": compact(["signup", "bob", BOB]),
        "a number": compact(7),
    }
    try:
        with trio.fail_after(LIMIT):
            answers = {cause: await answer_to(server.port, data) for cause, data in causes.items()}
            # five failures lock bob out from this address: the sixth, even with his right token, looks the same
            locked = [await answer_to(server.port, sign_up("bob", WRONG)) for _ in range(5)]
            answers["locked out"] = await answer_to(server.port, sign_up("bob", BOB))
    finally:
        stop(server)
    expected = compact(["refused", REFUSAL])
    assert answers == dict.fromkeys(answers, expected)
    assert set(locked) == {expected}
    assert json.loads(expected) == ["refused", "sign-up refused: unknown participant, wrong token, or name already playing"]


@pytest.mark.parametrize(
    "player, name",
    [(["good", "alice", "", WRONG], "alice"), (["good", "zoe", "", ZOES], "zoe"), (["good", "alice", ""], "alice")],
    ids=["wrong token", "unknown name", "bare name"],
)
async def test_xclients_prints_the_refusal_and_exits_1_and_the_log_names_name_and_address_never_the_token(tmp_path, player, name):
    server = await start(tmp_path)
    try:
        clients = await trio.to_thread.run_sync(lambda: run_clients({"players": [player], "observers": []}, server.port, LIMIT))
        with trio.fail_after(LIMIT):
            [logged] = await wait_for_log(server, "was refused")
    finally:
        stop(server)
    assert clients.status == 1, clients.log
    assert clients.output == "[]\n"
    lines = clients.log.splitlines()
    assert f"xclients: {name}: the server refused the sign-up: {REFUSAL}" in lines, clients.log
    assert not any(line.startswith(f"xclients: {name} signed up") for line in lines)
    assert f"xclients: {name} sent its sign-up to 127.0.0.1:{server.port}" in lines
    assert f'the sign-up of "{name}" from 127.0.0.1 was refused' in logged, logged
    for text in (clients.output, clients.log, "".join(server.log_lines)):
        assert not any(secret in text for secret in SECRETS)


async def test_without_participants_a_bad_bare_name_is_closed_in_silence_and_a_tagged_sign_up_told_to_drop_the_token():
    server = await start(None)
    try:
        with trio.fail_after(LIMIT):
            bad_name = await answer_to(server.port, compact("Bob1"))
            tagged = await answer_to(server.port, sign_up("alice", ALICE))
            await wait_for_log(server, "of 3 elements (this server takes bare names)")
    finally:
        stop(server)
    assert bad_name == b""
    assert json.loads(tagged) == ["refused", "this server takes bare names: sign up with the name alone, without a token"]
    assert ALICE not in "".join(server.log_lines)


async def test_a_refusal_that_the_client_does_not_read_costs_the_server_at_most_its_time_limit(autojump_clock):
    """A client that sends a wrong token and never reads: the send gives up after REFUSAL_TIME_LIMIT, and closes."""
    client, server = trio.testing.lockstep_stream_pair()  # a send completes only when the other end reads
    participants = parse_participants(f"participant,token\nalice,{ALICE}\n", "participants.csv", str.isalpha, "letters")
    desk = SignUpDesk([], 1 << 16, NameRegistry(64), str.isalpha, participants=participants)
    channel = MessageChannel(server, 1 << 16)
    with trio.fail_after(100 * REFUSAL_TIME_LIMIT):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.send_all, sign_up("alice", WRONG))
            started = trio.current_time()
            await desk.doorway.read_first_message(channel, Nameless(), "192.0.2.1")
            took = trio.current_time() - started
    assert took <= REFUSAL_TIME_LIMIT
    with pytest.raises(trio.ClosedResourceError):
        await channel.send("anything")
