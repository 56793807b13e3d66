"""Hostile clients in a real tournament: xserver on 127.0.0.1, honest players, and one offender.

Each test runs xserver as a process, signs up one hostile client (a RawClient
or a bare socket) and honest players (the project's own client, in this
process, with the good strategy), and checks what a participant would see:
the tournament completes, the honest players play each other and receive the
Results the server prints, and the offender either never counts (it appears
nowhere in the Results) or loses irregularly and plays no further. Where the
server says why it turned a connection away, its log is checked too.

Where the order of sign-ups matters, the offender signs up first: the test
waits for the server's `<name> signed up` log line before the honest players
connect, so the offender is listed first in the schedule.
"""

from __future__ import annotations

import contextlib
import json
import re
import resource
import socket
import struct
from collections.abc import Awaitable, Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import Results
from Common.santorini.wire import unstructure
from Player.configuration import LocalPlayerEntry
from Player.santorini.kinds import PLAYERS
from Remote.client import run_clients
from Remote.configuration import ClientConfiguration
from Remote.loopback import Finished, ServerProcess
from Remote.signup import BARE_NAMES_ONLY
from tests.raw_client import HOST, PLACEMENT, RawClient, compact, pretty, stop, wait_for_log

WINDOW = 0.75
"""Seconds of sign-up: every client here signs up within milliseconds of the server's `listening on`."""
TIME_PER_CALL = 1.0
LIMIT = 60.0
"""A generous bound on every wait."""
HONEST = ("ann", "ben")
OFFENDER = "carl"
MEGABYTE = 1 << 20
BOARD = json.loads('[[0,0,0,0,0,0],[0,"0alice1",0,0,0,0],[0,0,1,0,0,0],[0,0,0,0,0,"0bob2"],[0,0,0,0,0,1],["0alice2",0,0,0,0,"0bob1"]]')


@attrs.frozen
class Scene:
    """What a hostile client gets to know: the server, and an event set once the honest players are done."""

    server: ServerProcess
    honest_done: trio.Event

    @property
    def port(self) -> int:
        return self.server.port


Hostile = Callable[[Scene, Any], Awaitable[Any]]
"""Connects and misbehaves; calls `task_status.started()` when the honest players may sign up; returns a report."""


@attrs.frozen
class Tournament:
    finished: Finished
    honest_results: list | None
    honest_all_well: bool
    hostile: Any

    @property
    def results(self) -> list:
        assert self.finished.status == 0, self.finished.log
        lines = self.finished.output.splitlines()
        assert len(lines) == 1, self.finished.output
        return json.loads(lines[0])


async def play_honestly(
    port: int, names: tuple[str, ...], wrap: Callable[[Player], Player] = lambda player: player
) -> tuple[list | None, bool]:
    """The project's own client with good players: the Results they received (as JSON), and whether all went well."""
    config = ClientConfiguration(players=(), observers=(), ip=HOST, port=port)
    players = [(name, wrap(LocalPlayerEntry("good", name, "").create(PLAYERS))) for name in names]
    outcome = await run_clients(config, players)
    results = None if outcome.results is None else json.loads(json.dumps(unstructure(outcome.results)))
    return results, outcome.all_well


async def tournament(
    hostile: Hostile,
    honest: tuple[str, ...] = HONEST,
    window: float = WINDOW,
    time_per_call: float = TIME_PER_CALL,
    wrap: Callable[[Player], Player] = lambda player: player,
    preexec_fn: Callable[[], None] | None = None,
) -> Tournament:
    """A whole tournament among `honest` players (each made by `wrap` from a good one) and whatever `hostile` does.

    `preexec_fn` runs in the server's process before it starts (to set its limits).
    """
    config = {"min players": 2, "waiting for": window, "repeat": 0, "time per call": time_per_call}
    server = await trio.to_thread.run_sync(lambda: ServerProcess(config, preexec_fn=preexec_fn))
    try:
        scene = Scene(server, trio.Event())
        report: dict[str, Any] = {}
        with trio.fail_after(LIMIT):
            async with trio.open_nursery() as nursery:

                async def run_hostile(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
                    report["hostile"] = await hostile(scene, task_status)

                await nursery.start(run_hostile)
                honest_results, all_well = await play_honestly(server.port, honest, wrap)
                scene.honest_done.set()
        finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    return Tournament(finished, honest_results, all_well, report.get("hostile"))


def assert_honest_players_played_each_other(played: Tournament, honest: tuple[str, ...] = HONEST) -> list:
    """The tournament completed, every pair of honest players has one regular outcome, and they got the Results."""
    results = played.results
    for pair in combinations(honest, 2):
        between = [outcome for outcome in results if set(outcome[:2]) == set(pair)]
        assert len(between) == 1 and len(between[0]) == 2, (pair, results)
    assert played.honest_all_well and played.honest_results == results, (played.honest_results, results)
    return results


def assert_never_counted(played: Tournament, honest: tuple[str, ...] = HONEST) -> None:
    """Only the honest players played; every offender was closed by the server and received nothing."""
    results = assert_honest_players_played_each_other(played, honest)
    assert {name for outcome in results for name in outcome[:2]} == set(honest), results
    assert len(results) == len(honest) * (len(honest) - 1) // 2
    offenders = played.hostile if isinstance(played.hostile, list) else [played.hostile]
    assert all(offender.closed_by_server and offender.received == [] for offender in offenders)


def assert_lost_irregularly_first(played: Tournament, offender: str = OFFENDER) -> None:
    """The offender, listed first, lost its first encounter irregularly and played no other."""
    results = assert_honest_players_played_each_other(played)
    assert len(results) == 2, results  # the offender's second encounter left no outcome
    winner, loser, *irregular = results[0]
    assert (loser, irregular) == (offender, ["irregular"]) and winner in HONEST, results
    assert f"{offender} misbehaved:" in played.finished.log


async def signed_up_first(scene: Scene, task_status: Any, write: Callable[[Any], bytes] = compact, chunk: int | None = None) -> RawClient:
    """A RawClient that has signed up and that the server has counted; the honest players may now follow."""
    client = await RawClient.connect(scene.port, OFFENDER)
    await client.sign_up(write, chunk)
    await wait_for_log(scene.server, f"xserver: {OFFENDER} signed up")
    task_status.started()
    return client


# ------------------------------------------------------------------ never counts


def sending_only(data: bytes):
    """A hostile client that connects, sends `data` instead of a name, and waits to be closed."""

    async def hostile(scene: Scene, task_status: Any) -> RawClient:
        client = await RawClient.connect(scene.port, OFFENDER)
        await client.send(data)
        task_status.started()
        await client.read_until_closed()
        return client

    return hostile


@pytest.mark.parametrize("beginning", [b"", b'"car'], ids=["nothing", "half a name"])
async def test_a_connection_that_never_finishes_a_name_never_counts_and_is_closed(beginning):
    played = await tournament(sending_only(beginning))
    assert_never_counted(played)
    assert "a connection was closed: it sent no name before the window closed" in played.finished.log


@pytest.mark.parametrize(
    "garbage, why",
    [
        (b"\xff\xfe\x00\x01garbage\n", "invalid UTF-8"),
        (b"hello, world\n", "malformed JSON"),
        (b'["carl"]\n', "which is not a name"),
        (b"[" * 100 + b"\n", "nesting deeper than 64 levels"),
    ],
    ids=["bad UTF-8", "not JSON", "an array", "too deep"],
)
async def test_garbage_instead_of_a_name_never_counts_and_the_server_says_why(garbage, why):
    played = await tournament(sending_only(garbage))
    assert_never_counted(played)
    rejections = [line for line in played.finished.log.splitlines() if why in line]
    assert len(rejections) == 1 and "closed" in rejections[0], played.finished.log


@pytest.mark.parametrize("megabyte", [b" " * MEGABYTE, b'"' + b"a" * MEGABYTE], ids=["white space", "an unfinished string"])
async def test_a_megabyte_without_a_newline_never_counts_and_the_server_survives_and_says_why(megabyte):
    async def flooding(scene: Scene, task_status: Any) -> RawClient:
        client = await RawClient.connect(scene.port, OFFENDER)
        task_status.started()
        with contextlib.suppress(trio.BrokenResourceError):  # the server closed the connection before taking it all: as it should
            await client.send(megabyte)
        await client.read_until_closed()
        return client

    played = await tournament(flooding)
    assert_never_counted(played)
    assert "message longer than 65536 bytes" in played.finished.log


@pytest.mark.parametrize("name", ["Alice1", "bob!", "x" * 10_000], ids=["Alice1", "bob!", "10000 letters"])
async def test_a_name_that_is_not_lowercase_letters_within_64_never_counts(name):
    async def misnamed(scene: Scene, task_status: Any) -> RawClient:
        client = await RawClient.connect(scene.port, name)
        await client.sign_up()
        task_status.started()
        await client.read_until_closed()
        return client

    played = await tournament(misnamed)
    assert_never_counted(played)
    assert "a connection was closed: it sent" in played.finished.log
    assert "which is not a name" in played.finished.log


async def test_a_taken_name_that_cannot_be_made_unique_never_counts_and_the_server_says_why():
    longest = "a" * 64
    honest = ("aa", longest)

    async def copycat(scene: Scene, task_status: Any) -> RawClient:
        task_status.started()
        await wait_for_log(scene.server, f"xserver: {longest} signed up")
        client = await RawClient.connect(scene.port, "aa")
        await client.sign_up()
        await client.read_until_closed()
        return client

    played = await tournament(copycat, honest=honest)
    assert_never_counted(played, honest)
    why = "aa cannot be made unique within 64 letters: the longest name assigned so far already has 64 letters"
    assert f"a connection was closed: {why}" in played.finished.log, played.finished.log


async def test_three_hundred_connections_that_never_sign_up_leave_four_honest_players_alone():
    honest = ("ann", "ben", "cat", "dan")
    idle = 300

    async def crowd(scene: Scene, task_status: Any) -> list[RawClient]:
        clients: list[RawClient] = []
        async with trio.open_nursery() as nursery:

            async def one() -> None:
                client = await RawClient.connect(scene.port, OFFENDER)
                clients.append(client)

            for _ in range(idle):
                nursery.start_soon(one)
        task_status.started()
        for client in clients:
            await client.read_until_closed()
        return clients

    played = await tournament(crowd, honest=honest, window=2.0)
    assert_never_counted(played, honest)
    assert len(played.hostile) == idle


FLOOD = 2_000
SERVER_OPEN_FILES = 1_024
CLOSED_COUNT = re.compile(r"(?:(a) connection was closed|\.\.\. and ([\d,]+) more connections? closed): (.*)")


def open_files_limited_to(soft: int, hard: int) -> Callable[[], None]:
    """For `preexec_fn`: the server process may open `soft` files, and raise that to `hard`."""
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def many_open_files() -> Any:
    """This test process may open FLOOD connections and more (its soft limit raised for the test)."""
    needed = FLOOD + 500
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"the hard limit on open files is {hard}; the test needs {needed}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def closed_connections(log: str) -> dict[str, int]:
    """How many connections the sign-up log says were closed, by reason, counting the summaries' numbers."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if match := CLOSED_COUNT.search(line):
            first, more, reason = match.groups()
            counts[reason] = counts.get(reason, 0) + (1 if first else int(more.replace(",", "")))
    return counts


async def test_two_thousand_nameless_connections_on_1024_descriptors_leave_three_honest_players_to_play(
    many_open_files,
):
    honest = ("ann", "ben", "cat")

    async def flood(scene: Scene, task_status: Any) -> int:
        sockets = []

        async def connect() -> None:
            sockets.append(sock := trio.socket.socket())
            await sock.connect((HOST, scene.port))

        async with trio.open_nursery() as nursery:
            for _ in range(FLOOD):
                nursery.start_soon(connect)
        task_status.started()  # all connected; the honest players queue behind them
        await scene.honest_done.wait()
        for sock in sockets:
            sock.close()
        return len(sockets)

    limit = open_files_limited_to(SERVER_OPEN_FILES, SERVER_OPEN_FILES)  # raising it cannot help
    played = await tournament(flood, honest=honest, window=3.0, preexec_fn=limit)
    results = assert_honest_players_played_each_other(played, honest)
    assert {name for outcome in results for name in outcome[:2]} == set(honest), results
    log = played.finished.log
    assert "cannot accept a connection: Too many open files; closing the nameless connections" in log, log
    closed = closed_connections(log)
    assert sum(closed.values()) == FLOOD, closed  # every one of them was accepted, and then closed
    assert closed.get("it had waited longest without a name when the server ran out of descriptors", 0) > 0, closed
    closing_lines = [line for line in log.splitlines() if CLOSED_COUNT.search(line)]
    assert len(closing_lines) <= 2 * len(closed), closing_lines  # each reason: the first, then one summary
    assert len(log.splitlines()) < 40, log


def test_xserver_raises_its_soft_limit_on_open_files_to_the_hard_limit():
    limits = Path("/proc/self/limits")
    if not limits.exists():
        pytest.skip("no /proc/PID/limits here to read a process's limits from")
    own_hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 4_096 if own_hard == resource.RLIM_INFINITY else min(4_096, own_hard)
    config = {"min players": 2, "waiting for": WINDOW, "repeat": 0}
    server = ServerProcess(config, preexec_fn=open_files_limited_to(256, hard))
    try:  # it is listening: it has started
        text = Path(f"/proc/{server.process.pid}/limits").read_text()
    finally:
        stop(server)
    open_files = next(line.split()[3:5] for line in text.splitlines() if line.startswith("Max open files"))
    assert open_files == [str(hard), str(hard)], text


# ------------------------------------------------------------------ counts and plays


def without_newline(value: Any) -> bytes:
    return compact(value).rstrip(b"\n")


def crlf(value: Any) -> bytes:
    return compact(value).rstrip(b"\n") + b"\r\n"


@pytest.mark.parametrize(
    "write, name_chunk, chunk",
    [(compact, 1, None), (pretty, None, None), (without_newline, None, None), (crlf, None, None), (compact, None, 3)],
    ids=[
        "name one byte at a time",
        "pretty-printed without newline",
        "compact without newline",
        "CR LF line ends",
        "three bytes at a time",
    ],
)
async def test_a_client_that_writes_its_messages_differently_plays_like_anyone_else(write, name_chunk, chunk):
    async def unusual(scene: Scene, task_status: Any) -> tuple[RawClient, list | None, list]:
        client = await signed_up_first(scene, task_status, write, name_chunk)
        received = await client.play(write=write, chunk=chunk)
        return client, received, await client.read_until_closed()

    played = await tournament(unusual)
    results = assert_honest_players_played_each_other(played)
    client, received, after_results = played.hostile
    assert received == results and after_results == [] and client.closed_by_server
    assert len(results) == 3 and all(len(outcome) == 2 for outcome in results), results
    assert sum(OFFENDER in outcome for outcome in results) == 2
    assert "misbehaved" not in played.finished.log


# ------------------------------------------------------------------ loses irregularly


async def hang_up(client: RawClient, kind: str, message: Any) -> bool:
    await client.aclose()
    return True


async def reset(client: RawClient, kind: str, message: Any) -> bool:
    client.stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await client.aclose()
    return True


@pytest.mark.parametrize(
    "series, how",
    [(0, hang_up), (1, hang_up), (2, hang_up), (2, reset)],
    ids=[
        "right after signing up",
        "in game 2 of its first encounter",
        "in game 2 of its second encounter",
        "by a reset in game 2 of its second encounter",
    ],
)
async def test_a_client_that_disconnects_loses_that_encounter_irregularly_and_plays_no_more(series, how):
    honest = ("ann", "ben", "cat")

    async def quitter(scene: Scene, task_status: Any) -> RawClient:
        client = await signed_up_first(scene, task_status)
        if series == 0:
            await how(client, "", None)
            return client

        def in_game_two(client: RawClient, kind: str) -> bool:
            return kind == PLACEMENT and client.series == series and client.games_in_series == 2

        assert await client.play(misbehave_when=in_game_two, misbehaviour=how) is None
        return client

    played = await tournament(quitter, honest=honest)
    results = assert_honest_players_played_each_other(played, honest)
    quit_in = max(series, 1)
    against_offender = [outcome for outcome in results if OFFENDER in outcome]
    assert len(results) == 3 + quit_in, results  # its later encounters left no outcome
    assert [outcome[1:] for outcome in against_offender] == [[OFFENDER]] * (quit_in - 1) + [[OFFENDER, "irregular"]]
    assert {outcome[0] for outcome in against_offender} <= set(honest) and len(against_offender) == quit_in
    reasons = [line for line in played.finished.log.splitlines() if f"{OFFENDER} misbehaved:" in line]
    assert len(reasons) == 1 and ("closed the connection" in reasons[0] or "connection broke" in reasons[0]), reasons
    if series:
        assert played.hostile.series == series and played.hostile.games_in_series == 2


def answer_with(value: bytes) -> Callable[[RawClient, str, Any], Awaitable[bool]]:
    async def misbehaviour(client: RawClient, kind: str, message: Any) -> bool:
        await client.send(value)
        return False

    return misbehaviour


def first_request(client: RawClient, kind: str) -> bool:
    return client.requests == 1


@pytest.mark.parametrize(
    "reply",
    [compact(BOARD), compact("here"), compact([9, 9]), b"[" + b"9" * 5000 + b", 2]\n"],
    ids=["a Board", "a string", "off the board", "a 5000-digit number"],
)
async def test_a_client_that_answers_a_placement_with_the_wrong_shape_loses_irregularly(reply):
    async def wrong(scene: Scene, task_status: Any) -> tuple[RawClient, list | None]:
        client = await signed_up_first(scene, task_status)
        return client, await client.play(misbehave_when=first_request, misbehaviour=answer_with(reply))

    played = await tournament(wrong)
    assert_lost_irregularly_first(played)
    client, received = played.hostile
    assert received is None and client.closed_by_server and client.requests == 1
    assert f"{OFFENDER} misbehaved: place_worker" in played.finished.log


async def twice(client: RawClient, kind: str, message: Any) -> bool:
    answer = compact(client.legal_answer(kind, message))
    await client.send(answer + answer)
    return False


GUESS = [2, 3]
"""A Place a client sends before anyone asked for it."""


class CueAtOffendersWorker(Player):
    """A good player that, the first time it must place a worker beside the offender's, first awaits `cue`.

    By then the server has read the offender's answer and not yet asked it anything more.
    """

    def __init__(self, player: Player, cue: Callable[[], Awaitable[None]]) -> None:
        self.player = player
        self.cue: Callable[[], Awaitable[None]] | None = cue

    async def playing_as(self, name: Name) -> None:
        await self.player.playing_as(name)

    async def start_encounter(self, opponent: Name) -> None:
        await self.player.start_encounter(opponent)

    async def place_worker(self, placement: Placement) -> Place:
        if self.cue is not None and any(entry.worker.owner == OFFENDER for entry in placement):
            cue, self.cue = self.cue, None
            await cue()
        return await self.player.place_worker(placement)

    async def take_turn(self, board: Board) -> Action:
        return await self.player.take_turn(board)

    async def end_of_tournament(self, results: Results) -> None:
        await self.player.end_of_tournament(results)


@pytest.mark.parametrize(
    "when, reason",
    [
        ("in the answer's bytes", "after its answer (a value where none was expected)"),
        ("in the name's bytes", "sent [0, 0] before it was asked for anything (a value where none was expected)"),
        ("after signing up", "sent [2, 3] before it was asked for anything (a value where none was expected)"),
        ("after the first answer", "place_worker: UnexpectedMessage: sent [2, 3] before it was asked for anything"),
    ],
)
async def test_a_client_that_sends_a_value_where_none_is_expected_loses_irregularly(when, reason):
    """Also a value that waits in the socket, unread, when the server asks: it is not taken as the answer."""
    opponent_asked, guess_sent = trio.Event(), trio.Event()

    async def cue() -> None:  # the honest opponent is asked to place: the server has read the offender's answer
        opponent_asked.set()
        await guess_sent.wait()

    async def guess_once_asked(client: RawClient, kind: str, message: Any) -> bool:
        await client.send(compact(client.legal_answer(kind, message)))
        await opponent_asked.wait()
        await client.send(compact(GUESS))
        guess_sent.set()
        return False

    misbehaviour = {"in the answer's bytes": twice, "after the first answer": guess_once_asked}.get(when)

    async def greedy(scene: Scene, task_status: Any) -> tuple[RawClient, list | None]:
        client = await RawClient.connect(scene.port, OFFENDER)
        await client.send(compact(OFFENDER) + (compact([0, 0]) if when == "in the name's bytes" else b""))
        await wait_for_log(scene.server, f"xserver: {OFFENDER} signed up")
        if when == "after signing up":
            await client.send(compact(GUESS))  # the server read the name and reads nothing more until it asks
        task_status.started()
        return client, await client.play(misbehave_when=first_request, misbehaviour=misbehaviour)

    cued = (lambda player: CueAtOffendersWorker(player, cue)) if when == "after the first answer" else None
    played = await tournament(greedy, wrap=cued or (lambda player: player))
    assert_lost_irregularly_first(played)
    client, received = played.hostile
    assert received is None and client.closed_by_server
    reasons = [line for line in played.finished.log.splitlines() if f"{OFFENDER} misbehaved:" in line]
    assert len(reasons) == 1 and reason in reasons[0], played.finished.log


@pytest.mark.parametrize("half_an_answer", [None, b"[2, "], ids=["stops reading", "half an answer, then silence"])
async def test_a_client_that_goes_quiet_loses_irregularly_when_its_time_runs_out(half_an_answer):
    async def quiet(scene: Scene, task_status: Any) -> RawClient:
        client = await signed_up_first(scene, task_status)
        if half_an_answer is not None:

            async def trail_off(client: RawClient, kind: str, message: Any) -> bool:
                await client.send(half_an_answer)
                return False

            assert await client.play(misbehave_when=first_request, misbehaviour=trail_off) is None
        await scene.honest_done.wait()
        await client.aclose()
        return client

    played = await tournament(quiet)
    assert_lost_irregularly_first(played)
    assert f"{OFFENDER} misbehaved: place_worker: no answer within {TIME_PER_CALL:g} s" in played.finished.log
    if half_an_answer is not None:
        assert played.hostile.closed_by_server and played.hostile.requests == 1


async def test_a_tagged_sign_up_is_refused_without_showing_the_secret_in_the_log():
    server = ServerProcess({"min players": 2, "waiting for": WINDOW, "repeat": 0, "host": HOST})
    try:
        client = await RawClient.connect(server.port, "ann")
        await client.send(compact(["sign-up", "ann", "SECRETsecretSECRETsecret"]))
        assert await client.read_until_closed() == [["refused", BARE_NAMES_ONLY]]
        (line,) = await wait_for_log(server, "a connection was closed")
        with trio.fail_after(LIMIT):
            finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    assert '["sign-up", ...] of 3 elements (this server takes bare names)' in line
    assert "SECRET" not in finished.log
