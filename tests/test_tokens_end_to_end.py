"""xserver with `"participants"` on real TCP: only the right token plays, every other sign-up is refused alike.

Each test runs xserver as a process with a participants file in a temporary
directory, and clients written from the protocol alone (RawClient for
Santorini, IPDRawClient for the prisoner's dilemma) that send the tagged
sign-up `["sign-up", Name, Token]` on plain sockets. A refused connection
hears `["refused", REFUSAL]`, the same whatever the cause, and is closed (one
that sends no whole value is closed without a word); the server's log says
why, naming the name and the address, and no token ever appears
on the server's standard output, its standard error, or in any file it
writes (every file under the temporary directory is searched, records too).
Waits are for the server's log lines or for the connection to close, never
for time to pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import pytest
import trio

from Remote.game_registry import GAMES
from Remote.loopback import Finished, ServerProcess, run_clients
from Remote.signup import REFUSAL
from tests.game_conformance import kit_of
from tests.ipd_raw_client import IPDRawClient
from tests.processes import run_xserver
from tests.raw_client import HOST, RawClient, compact, stop, wait_for_log

ALICE, BOB, CARL = "alice_" + "a1" * 12, "bob-" + "B2" * 15, "carl" + "c3" * 20
WRONG = "w" * 32
TOKENS = {"alice": ALICE, "bob": BOB, "carl": CARL}
SECRETS = (ALICE, BOB, CARL, WRONG)
MEGABYTE = 1 << 20
WINDOW = 2.0
"""Seconds of sign-up: the clients of a test sign up within a fraction of it, one after another."""
FLOOD_WINDOW = 6.0
"""Seconds of sign-up while 300 connections fail, 20 at a time, beside the honest players."""
LIMIT = 60.0


def participants_file(directory: Path, digests: bool = False) -> Path:
    path = directory / "participants.csv"
    if digests:
        rows = [f"{name},{hashlib.sha256(token.encode()).hexdigest()}" for name, token in TOKENS.items()]
        path.write_text("participant,sha256\n" + "\n".join(rows) + "\n")
    else:
        path.write_text("participant,token\n" + "\n".join(f"{name},{token}" for name, token in TOKENS.items()) + "\n")
    return path


async def start(directory: Path, digests: bool = False, **keys) -> ServerProcess:
    config = {
        "min players": 2,
        "waiting for": WINDOW,
        "repeat": 0,
        "time per call": 10.0,
        "participants": str(participants_file(directory, digests)),
        **keys,
    }
    return await trio.to_thread.run_sync(lambda: ServerProcess(config))


def sign_up(name: str, token: object) -> bytes:
    return compact(["sign-up", name, token])


async def signed_up_raw(port: int, name: str, token: str) -> RawClient:
    client = await RawClient.connect(port, name)
    await client.send(sign_up(name, token))
    return client


async def refused(port: int, data: bytes, said: tuple[str, str] | None = ("refused", REFUSAL)) -> RawClient:
    """A connection that sends `data`, hears the refusal (or, with `said` None, nothing) and is closed."""
    client = await RawClient.connect(port, "x")
    # the server closed it while a megabyte was still going out
    with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
        await client.send(data)
    assert await client.read_until_closed() == ([] if said is None else [list(said)])
    await client.aclose()
    return client


def assert_no_secret_anywhere(finished: Finished, directory: Path) -> None:
    """No token, nor any long piece of one, in the output, the log, or any file the server wrote."""
    written = [path.read_text(errors="replace") for path in directory.rglob("*") if path.is_file() and path.name != "participants.csv"]
    for text in (finished.output, finished.log, *written):
        for secret in SECRETS:
            assert secret not in text and secret[: len(secret) // 2] not in text
        assert "x" * 64 not in text


async def finish(server: ServerProcess) -> Finished:
    return await trio.to_thread.run_sync(server.finish, LIMIT)


@pytest.mark.parametrize("digests", [False, True], ids=["tokens", "digests"])
async def test_santorini_right_tokens_play_and_every_other_sign_up_is_refused_without_its_token(tmp_path, digests):
    server = await start(tmp_path, digests)
    try:
        with trio.fail_after(LIMIT):
            for data, reason in [
                (sign_up("alice", WRONG), 'a connection was closed: the sign-up of "alice" from 127.0.0.1 was refused: a wrong token'),
                (sign_up("zoe", ALICE), '"zoe" from 127.0.0.1 was refused: not a participant'),
                (compact("alice"), '"alice" from 127.0.0.1 was refused: a bare name; this server takes only ["sign-up", Name, Token]'),
                (sign_up("bob", ALICE), '"bob" from 127.0.0.1 was refused: a wrong token'),
                (sign_up("carl", "x" * MEGABYTE), "message longer than 65536 bytes"),
                (
                    compact(["signup", "carl", CARL]),
                    '"carl" from 127.0.0.1 was refused: a list of 3 elements, not ["sign-up", Name, Token]',
                ),
                (compact(["sign-up", "carl", CARL, CARL]), '"carl" from 127.0.0.1 was refused: its options hold its token (not shown)'),
                (compact(["sign-up", "carl", CARL, {}, CARL]), "a list of 5 elements"),
            ]:
                await refused(server.port, data, None if b"x" * 64 in data else ("refused", REFUSAL))
                await wait_for_log(server, reason)
            alice, bob = await signed_up_raw(server.port, "alice", ALICE), await signed_up_raw(server.port, "bob", BOB)
            async with trio.open_nursery() as nursery:
                results = {}

                async def play(client: RawClient) -> None:
                    results[client.name] = await client.play()

                nursery.start_soon(play, alice)
                nursery.start_soon(play, bob)
        finished = await finish(server)
    finally:
        stop(server)
    assert finished.status == 0, finished.log
    printed = json.loads(finished.output)
    assert results == {"alice": printed, "bob": printed} and len(printed) == 1
    assert set(printed[0][:2]) == {"alice", "bob"}
    assert "playing-as" not in json.dumps(alice.received + bob.received)
    assert_no_secret_anywhere(finished, tmp_path)


async def test_the_ipd_with_a_digest_file_plays_the_right_tokens_and_writes_no_secret_in_its_records(tmp_path):
    server = await start(tmp_path, digests=True, game="ipd", records=str(tmp_path / "records"), seed=7)
    try:
        with trio.fail_after(LIMIT):
            await refused(server.port, sign_up("Alice", ALICE))
            await wait_for_log(server, '"Alice" from 127.0.0.1 was refused: not a participant')
            await refused(server.port, sign_up("bob", CARL))
            await wait_for_log(server, '"bob" from 127.0.0.1 was refused: a wrong token')
            await refused(server.port, compact("carl"))
            await wait_for_log(server, '"carl" from 127.0.0.1 was refused: a bare name')
            results = {}
            async with trio.open_nursery() as nursery:
                for name in ("alice", "bob"):
                    client = IPDRawClient(await trio.open_tcp_stream(HOST, server.port), name)
                    await client.send(sign_up(name, TOKENS[name]))
                    await wait_for_log(server, f"{name} signed up")

                    async def play(client: IPDRawClient = client) -> None:
                        results[client.name] = await client.play()

                    nursery.start_soon(play)
        finished = await finish(server)
    finally:
        stop(server)
    assert finished.status == 0, finished.log
    printed = json.loads(finished.output)
    assert printed["game"] == "ipd" and {row[0] for row in printed["standings"]} == {"alice", "bob"}, printed
    assert results["alice"] is not None and results["alice"] == results["bob"]
    assert list((tmp_path / "records").rglob("*")), "the records were written"
    assert_no_secret_anywhere(finished, tmp_path)


async def test_the_same_token_twice_in_the_window_the_later_connection_plays_and_the_earlier_is_closed(tmp_path):
    server = await start(tmp_path)
    try:
        with trio.fail_after(LIMIT):
            earlier = await signed_up_raw(server.port, "alice", ALICE)
            await wait_for_log(server, "alice signed up")
            later = await signed_up_raw(server.port, "alice", ALICE)
            await wait_for_log(server, "alice signed up again: it replaces its earlier connection, which is closed")
            assert await earlier.read_until_closed() == [] and earlier.closed_by_server
            bob = await signed_up_raw(server.port, "bob", BOB)
            results = {}
            async with trio.open_nursery() as nursery:
                for client in (later, bob):

                    async def play(client: RawClient = client) -> None:
                        results[client.name] = await client.play()

                    nursery.start_soon(play)
        finished = await finish(server)
    finally:
        stop(server)
    printed = json.loads(finished.output)
    assert finished.status == 0 and results == {"alice": printed, "bob": printed}
    assert earlier.received == [] and set(printed[0][:2]) == {"alice", "bob"}
    assert_no_secret_anywhere(finished, tmp_path)


async def test_a_second_sign_up_while_its_tournament_runs_is_refused_and_the_next_tournament_takes_it(tmp_path):
    server = await start(tmp_path, repeat=1)
    try:
        with trio.fail_after(LIMIT):
            alice = await signed_up_raw(server.port, "alice", ALICE)
            bob = await signed_up_raw(server.port, "bob", BOB)
            second: list[RawClient] = []

            async def sign_up_again_then_answer(client: RawClient, kind: str, message: object) -> bool:
                """While alice's tournament waits for her first answer, another alice tries to sign up."""
                second.append(await refused(server.port, sign_up("alice", ALICE)))
                await wait_for_log(server, '"alice" from 127.0.0.1 was refused: it signed up again while its tournament runs')
                await client.send(compact(client.legal_answer(kind, message)))
                return False

            results = {}
            async with trio.open_nursery() as nursery:

                async def play_alice() -> None:
                    results["alice"] = await alice.play(misbehave_when=lambda c, k: True, misbehaviour=sign_up_again_then_answer)

                async def play_bob() -> None:
                    results["bob"] = await bob.play()

                nursery.start_soon(play_alice)
                nursery.start_soon(play_bob)
            await wait_for_log(server, "statistics")
            for_next = await signed_up_raw(server.port, "alice", ALICE)
            await wait_for_log(server, "alice signed up", count=2)
            server.process.terminate()
        finished = await finish(server)
        await for_next.aclose()
    finally:
        stop(server)
    assert finished.status == 130, finished.log
    printed = json.loads(finished.output.splitlines()[0])
    assert second and second[0].received == [["refused", REFUSAL]] and results == {"alice": printed, "bob": printed}
    assert_no_secret_anywhere(finished, tmp_path)


async def test_300_failing_sign_ups_from_one_address_beside_honest_players_from_it_who_play(tmp_path):
    server = await start(tmp_path, **{"waiting for": FLOOD_WINDOW})
    failures = [sign_up("carl", WRONG), sign_up("zoe", CARL), compact("carl")] * 100
    try:
        with trio.fail_after(LIMIT):
            half_done, done = trio.Event(), 0
            limiter = trio.CapacityLimiter(20)

            async def fail(data: bytes) -> None:
                nonlocal done
                async with limiter:
                    await refused(server.port, data)
                done += 1
                if done == len(failures) // 2:
                    half_done.set()

            results = {}
            async with trio.open_nursery() as nursery:
                for data in failures:
                    nursery.start_soon(fail, data)
                await half_done.wait()
                for name in ("alice", "bob"):
                    client = await signed_up_raw(server.port, name, TOKENS[name])

                    async def play(client: RawClient = client) -> None:
                        results[client.name] = await client.play()

                    nursery.start_soon(play)
        finished = await finish(server)
    finally:
        stop(server)
    assert finished.status == 0, finished.log
    printed = json.loads(finished.output)
    assert results == {"alice": printed, "bob": printed} and set(printed[0][:2]) == {"alice", "bob"}
    lockouts = [line for line in finished.log.splitlines() if "refused at once until the window closes" in line]
    assert len(lockouts) == 1 and '"carl" from 127.0.0.1' in lockouts[0], finished.log
    at_once = [line for line in finished.log.splitlines() if line.endswith("failed 5 times in this window: refused at once")]
    counted = [int(line.split()[3]) if "more connection" in line else 1 for line in at_once]
    assert sum(counted) == 200 - 5, at_once  # carl's wrong tokens and bare names after the first 5 failures
    closed = [line for line in finished.log.splitlines() if "connection" in line and "closed" in line]
    assert len(closed) < 20, closed  # summarised, not one line a connection
    assert_no_secret_anywhere(finished, tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        (f"participant,token\nalice,{ALICE}\nalice,{BOB}\n", "line 3: alice is a participant already"),
        (f"participant,token\nalice,{ALICE}\nbob,\n", "line 3: bob has an empty token; `python -m Remote.tokens FILE`"),
        (f"participant,token\nalice,{ALICE}\nBob,{BOB}\n", "line 3: 'Bob' is not a name of this game"),
        (f"participant,token\nalice,{ALICE}\nbob,{BOB[:15]}\n", "line 3: the token of bob is not 16 to 128"),
        (f"participant,sha256\nalice,{ALICE}\n", "line 2: the sha256 of alice is not 64 hexadecimal digits"),
        (f"name,token\nalice,{ALICE}\n", "line 1: expected the header participant,token or participant,sha256"),
        (f"participant,token\nalice,{ALICE},\n", "line 2: expected 2 fields"),
    ],
)
def test_a_bad_participants_file_is_a_configuration_error_naming_the_line(tmp_path, text, message):
    path = tmp_path / "people.csv"
    path.write_text(text)
    done = run_xserver({"min players": 2, "port": 0, "waiting for": 1, "repeat": 0, "participants": str(path)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"xserver: configuration: {path} line "), done.stderr
    assert message in done.stderr
    assert not any(secret[:8] in done.stderr for secret in SECRETS)


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"participants": ""}, "@ $.participants"),
        ({"participants": 5}, "@ $.participants"),
        ({"participants": "/no/such/people.csv"}, "cannot read the participants file /no/such/people.csv"),
        ({"house players": [["good", "alice", ""]]}, "alice is both a house player and a participant"),
    ],
)
def test_other_participants_errors_are_one_line_with_exit_status_2(tmp_path, keys, message):
    config = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0, "participants": str(participants_file(tmp_path))}
    done = run_xserver({**config, **keys})
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


@pytest.mark.parametrize("game", GAMES)
async def test_xclients_with_tokens_plays_on_a_server_with_participants_and_shows_no_token(tmp_path, game):
    server = await start(tmp_path, game=game)
    honest = kit_of(GAMES[game]).honest
    players = [[honest, "alice", "", ALICE], [honest, "bob", "", BOB]]
    try:
        clients = await trio.to_thread.run_sync(
            lambda: run_clients({"game": game, "players": players, "observers": []}, server.port, LIMIT)
        )
        finished = await finish(server)
    finally:
        stop(server)
    assert finished.status == 0 and clients.status == 0, (finished.log, clients.log)
    received, printed = json.loads(clients.output), json.loads(finished.output)
    assert received == kit_of(GAMES[game]).received(printed)
    assert "alice signed up" in finished.log and "bob signed up" in finished.log
    for text in (clients.output, clients.log):
        assert not any(secret in text for secret in SECRETS)
    assert_no_secret_anywhere(finished, tmp_path)
