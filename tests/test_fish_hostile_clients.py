"""Hostile Fish clients in a real tournament: xserver on 127.0.0.1, three honest players, and one culprit.

Each test runs xserver as a process with an event log, on a 4 x 4 board
drawn from a fixed seed, and signs up three honest FishRawClients (ann, bob
and cat, the course's greedy strategy, `tests/fish_raw_client.py`) and one
hostile client: a culprit, dan, that signs up last and misbehaves on cue, or
connections that never become players. It checks what a participant and the
organiser would see:

* the culprit is out with one reason, in the same words in its kick notice
  `["kicked", Reason]` (where its connection can still carry one), the
  organiser's log line and the event log's misbehaviour event;
* the others' game goes on, exactly as it deserves: its game events are
  those of the same tournament played in this process by the same referee
  and manager with Greedy players, the culprit failing at the same call
  (the oracle, `deserved`), and so is the printed `[[winners], [culprits]]`,
  which every honest player heard in its `end`;
* nothing is lost from the event log: it folds (Admin/tournament_state.fold)
  to the Results printed, its games are those of games.ndjson, and each of
  them replays through the rules (Common/fish/replay.py) to its recorded end.

A culprit that fails `end` instead is counted as misbehaving after the
Results and changes nobody's result, its own included (dan wins on this
board). Connections that never sign up (bad names, silence, 500 at once)
never count, and the log says why it closed each.

No clock synchronises anything: a late reply is sent once the kick notice
that gave up on it has come, a value sent ahead is sent once an honest
player has been asked (so the server has read the culprit's previous reply
and asks it nothing until the honest player answers), the sign-up window
closes when the last player signs up ("max players"), and the tests wait for
the server's log lines. Time limits are the server's (3 s for `start`, a
short time per call where a time-out is the point) and generous bounds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from Admin.event_log import EventLog
from Admin.tournament_state import fold
from Common.fish.geometry import DIRECTIONS, Action, Position, step
from Common.fish.names import Name
from Common.fish.player import Player
from Common.fish.replay import record_events, replay
from Common.fish.state import State
from Common.fish.wire import action_to_json, outcome_to_json, structure
from Player.fish.greedy import greedy_move, greedy_place
from Remote.game_description import play_tournament
from Remote.game_registry import GAMES
from Remote.loopback import Finished, ServerProcess
from Remote.signup import BARE_NAMES_ONLY
from tests.fish_raw_client import END, PLAYING_AS, PLAYING_WITH, SETUP, START, TAKE_TURN, Deed, FishRawClient
from tests.house_server import events_of
from tests.raw_client import CLOSED, compact, stop, wait_for_log

LIMIT = 60.0
"""A generous bound on every wait."""
GENEROUS_TIME = 10.0
""""time per call" where no time-out is meant to happen."""
SHORT_TIME = 1.0
""""time per call" where a time-out is the point: each costs this long; no honest answer comes near it."""
BOARD = {"rows": 4, "columns": 4, "seed": 29}
"""A board on which dan, seated last, wins when all four play greedy, and on whose first turn dan's penguins could
jump over a penguin and over a hole."""
HONEST = ("ann", "bob", "cat")
CULPRIT = "dan"
FLOOD_VALUES = 10_000
VALUE_BYTES = 1024
"""A flood's values are each padded with white space to this many bytes: 10 MB in all."""
TEN_MEGABYTES = 10 * 1024 * 1024
NAMELESS = 500
"""Connections that never sign up, in the flood of connections: well under 1,024 descriptors."""

Key = tuple[str, int]
"""A call of the conversation and its number among the calls of that method: ("setup", 2) is the second setup."""


# ------------------------------------------------------------------ the tournament


@attrs.frozen
class Scene:
    """What the hostile side gets to know: the server, and events set once the honest players signed up and are done."""

    server: ServerProcess
    honest_signed_up: trio.Event
    honest_done: trio.Event

    @property
    def port(self) -> int:
        return self.server.port


Hostile = Callable[[Scene, Any], Awaitable[Any]]
"""Connects and misbehaves; calls `task_status.started()` when the honest players may sign up; returns a report."""


@attrs.frozen
class Played:
    config: dict
    finished: Finished
    honest: list[FishRawClient]
    hostile: Any
    events: list[dict]
    games_ndjson: list[str]

    @property
    def output(self) -> list:
        assert self.finished.status == 0, self.finished.log
        lines = self.finished.output.splitlines()
        assert len(lines) == 1, self.finished.output
        return json.loads(lines[0])

    def misbehaviours(self, name: str = CULPRIT) -> list[str]:
        """The reasons the log gives for `name`'s misbehaviour, one per log line."""
        marker = f"xserver: {name} misbehaved: "
        return [line.split(marker, 1)[1] for line in self.finished.log.splitlines() if marker in line]


async def tournament(
    hostile: Hostile,
    log: Path,
    counts: bool = True,
    time_per_call: float = GENEROUS_TIME,
    honest_deeds: Mapping[str, Mapping[Key, Deed]] | None = None,
) -> Played:
    """A whole tournament of the honest players and `hostile`, which `counts` as a player (signing up last) or not.

    The window closes when the last player signs up ("max players"), so nothing waits for a clock.
    """
    players = len(HONEST) + counts
    config = {
        "game": "fish",
        "min players": players,
        "max players": players,
        "waiting for": LIMIT,
        "repeat": 0,
        "time per call": time_per_call,
        "event log": str(log),
        **BOARD,
    }
    server = await trio.to_thread.run_sync(lambda: ServerProcess(config))
    try:
        scene = Scene(server, trio.Event(), trio.Event())
        report: dict[str, Any] = {}
        honest: list[FishRawClient] = []
        with trio.fail_after(LIMIT):
            async with trio.open_nursery() as nursery:

                async def run_hostile(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
                    report["hostile"] = await hostile(scene, task_status)

                await nursery.start(run_hostile)
                for name in HONEST:  # one at a time, so that the seats follow this order
                    client = await FishRawClient.connect(server.port, name)
                    await client.sign_up()
                    await wait_for_log(server, f"xserver: {name} signed up")
                    honest.append(client)
                scene.honest_signed_up.set()
                async with trio.open_nursery() as playing:
                    for client in honest:
                        playing.start_soon(client.play, (honest_deeds or {}).get(client.name))
                scene.honest_done.set()
        finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    for client in honest:
        await client.aclose()
    return Played(config, finished, honest, report.get("hostile"), *logged(log))


def logged(log: Path) -> tuple[list[dict], list[str]]:
    """The events of the one tournament the event log directory `log` holds, and the lines of its games.ndjson."""
    (directory,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return events_of(log), (directory / "games.ndjson").read_text().splitlines()


async def culprit_plays(scene: Scene, task_status: Any, deeds: Mapping[Key, Deed]) -> FishRawClient:
    """dan signs up after the honest players and plays greedy, doing `deeds` on cue, until the server closes it."""
    task_status.started()
    await scene.honest_signed_up.wait()
    client = await FishRawClient.connect(scene.port, CULPRIT)
    await client.sign_up()
    await client.play(deeds)
    return client


# ------------------------------------------------------------------ the oracle


class FailsAt(Player):
    """A greedy Fish player in this process that fails (raises) at one call, `fails_at`, if any."""

    def __init__(self, name: str, fails_at: Key | None = None) -> None:
        self.name = Name(name)
        self.fails_at = fails_at
        self.calls: dict[str, int] = {}

    def _call(self, method: str) -> None:
        self.calls[method] = self.calls.get(method, 0) + 1
        if (method, self.calls[method]) == self.fails_at:
            raise RuntimeError("fails on cue")

    async def playing_as(self, name: Name) -> None:
        self.name = name

    async def tournament_starting(self) -> None:
        self._call(START)

    async def assigned_color(self, color: Any) -> None:
        self._call(PLAYING_AS)

    async def other_colors(self, colors: Any) -> None:
        self._call(PLAYING_WITH)

    async def place(self, state: State) -> Position:
        self._call(SETUP)
        return greedy_place(state)

    async def move(self, state: State, actions: Any) -> Action:
        self._call(TAKE_TURN)
        return greedy_move(state)

    async def end_of_tournament(self, results: Any) -> None:
        self._call(END)


class KeptEvents(EventLog):
    """An event log that keeps the events in a list."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def write(self, event: dict[str, Any]) -> None:
        self.events.append(event)


@attrs.frozen
class Deserved:
    """What the tournament should come to: the printed line, each game's events, who misbehaved (in order)."""

    output: list
    games: dict[tuple[int, int], list[dict]]
    misbehaved: list[str]


async def deserved(names: tuple[str, ...], fails_at: Key | None) -> Deserved:
    """The same tournament in this process, by the same referee and manager: greedy players, the culprit failing at `fails_at`."""
    game = GAMES["fish"]
    kept = KeptEvents()
    players = [(name, FailsAt(name, fails_at if name == CULPRIT else None)) for name in names]
    output = await play_tournament(
        game,
        game.read_settings(BOARD),
        players,
        GENEROUS_TIME,
        logging.getLogger("fish-oracle"),
        event_log=kept,
        event_format=game.default_format,
    )
    misbehaved = [event["name"] for event in kept.events if event["type"] == "misbehaviour"]
    return Deserved(output, games_of(kept.events), misbehaved)


def games_of(events: list[dict]) -> dict[tuple[int, int], list[dict]]:
    """Each game's events, by (encounter, game), without the envelope and the milliseconds a call took."""
    games: dict[tuple[int, int], list[dict]] = {}
    for event in events:
        if "game" in event and "encounter" in event:
            body = {key: value for key, value in event.items() if key not in ("seq", "t", "ms")}
            games.setdefault((event["encounter"], event["game"]), []).append(body)
    return games


# ------------------------------------------------------------------ what everyone sees


async def assert_the_others_got_what_they_deserve(played: Played, deserves: Deserved) -> list:
    """The printed line and every game are the oracle's; each honest player heard its `end`; the event log holds it all."""
    output = played.output
    assert output == deserves.output, (output, deserves.output, played.finished.log)
    assert games_of(played.events) == deserves.games
    assert [event["name"] for event in played.events if event["type"] == "misbehaviour"] == deserves.misbehaved
    winners = output[0]
    for client in played.honest:
        assert client.received[-1] == [END, [client.name in winners]], (client.name, client.received[-1:])
        assert client.won == (client.name in winners) and client.kicked_because is None and client.closed_by_server
    assert_nothing_lost(played)
    return output


def assert_nothing_lost(played: Played) -> None:
    """The event log folds to the printed Results; its games are games.ndjson's, each replaying to its recorded end."""
    state = fold(played.events)
    assert state.results is not None and state.results["output"] == played.output
    assert sorted(state.game_lines.values()) == sorted(played.games_ndjson)
    assert played.games_ndjson
    for line in played.games_ndjson:
        record = json.loads(line)
        assert outcome_to_json(replay(record_events(record))) == record["end"], record["encounter"]
    assert played.events[-1]["type"] in ("results", "misbehaviour")


def assert_out_for(played: Played, fragment: str, notice: bool = True, in_encounter: bool = True) -> str:
    """The culprit is out for one reason naming `fragment`: the log's, the event log's and (`notice`) its kick notice's words."""
    (reason,) = played.misbehaviours()
    assert fragment in reason, reason
    state = fold(played.events)
    assert list(state.misbehaviours) == [CULPRIT]
    assert state.misbehaviours[CULPRIT]["reason"] == reason
    assert (state.misbehaviours[CULPRIT]["encounter"] is not None) == in_encounter
    client = played.hostile
    if notice:
        assert client.received[-1] == ["kicked", reason] and client.closed_by_server, client.received[-2:]
    if in_encounter:
        assert END not in [message[0] for message in client.received]
    return reason


# ------------------------------------------------------------------ deeds


def replying(value: Any) -> Deed:
    """A deed: reply with `value` instead of the answer."""

    async def reply(client: FishRawClient, message: list) -> bool:
        await client.reply(value)
        return False

    return reply


def sending(data: bytes) -> Deed:
    """A deed: send `data` instead of the answer."""

    async def send(client: FishRawClient, message: list) -> bool:
        await client.send(data)
        return False

    return send


def state_of(message: list) -> State:
    return structure(message[1][0], State)


async def on_a_penguin(client: FishRawClient, message: list) -> bool:
    occupied = sorted(state_of(message).occupied())
    await client.reply([occupied[0].row, occupied[0].column])
    return False


def jump(state: State, over_a_hole: bool) -> Action | None:
    """A move of one of the current player's penguins to the free tile just beyond the first penguin (or hole) on its way."""
    board, occupied = state.board, state.occupied()
    for source in state.current.places:
        for direction in DIRECTIONS:
            position = step(source, direction)
            while position is not None and board.is_tile(position) and position not in occupied:
                position = step(position, direction)
            if position is None or position.row >= len(board.rows) or position.column >= len(board.rows[0]):
                continue  # the edge of the board
            if board.is_tile(position) == over_a_hole:
                continue  # a penguin, where a hole is wanted, or the other way round
            beyond = step(position, direction)
            if beyond is not None and board.is_tile(beyond) and beyond not in occupied:
                return Action(source, beyond)
    return None


def jumping(over_a_hole: bool) -> Deed:
    """A deed: move a penguin over the first penguin (or hole) on its way; the board must offer such a move."""

    async def jump_over(client: FishRawClient, message: list) -> bool:
        action = jump(state_of(message), over_a_hole)
        assert action is not None, "no such move on this board: choose another seed"
        await client.reply(action_to_json(action))
        return False

    return jump_over


async def half_close(client: FishRawClient, message: list) -> bool:
    """Shut the sending side and keep reading: the kick notice can still come."""
    assert isinstance(client.stream, trio.SocketStream)
    await client.stream.send_eof()
    return False


async def hang_up(client: FishRawClient, message: list) -> bool:
    await client.aclose()
    return True


def in_the_background(data: Callable[[FishRawClient, list], bytes]) -> Deed:
    """A deed: write `data` (many megabytes) in a task of its own and keep reading, so the kick notice is read as it comes."""

    async def write(client: FishRawClient, message: list) -> None:
        # the server closed the connection before it took it all: as it should
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await client.send(data(client, message))

    async def start_writing(client: FishRawClient, message: list) -> bool:
        assert isinstance(client, CulpritClient)
        client.writer.start_soon(write, client, message)
        return False

    return start_writing


def flood(client: FishRawClient, message: list) -> bytes:
    """FLOOD_VALUES copies of the legal answer, each padded to VALUE_BYTES: 10 MB."""
    return compact(client.answer_to(message)).ljust(VALUE_BYTES, b" ") * FLOOD_VALUES


def ten_megabyte_value(client: FishRawClient, message: list) -> bytes:
    return b'"' + b"a" * TEN_MEGABYTES + b'"\n'


async def late_void(client: FishRawClient, message: list) -> bool:
    """No reply until the kick notice came (the server gave up), then "void"."""
    notice = await client.receive()
    assert notice is not CLOSED and notice[0] == "kicked" and "no answer within 3 s" in notice[1], client.received
    with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
        await client.reply("void")
    return False


# ------------------------------------------------------------------ out at once, with the kick notice


GUESS = [3, 3]
"""A Position the culprit sends before it is asked for it."""


@attrs.frozen
class Row:
    """A deed of the table: done at the culprit's call `at`; the reason names `fragment`; the oracle fails at the same call."""

    deed: Deed | None
    """None: the culprit sends GUESS in the bytes of its name (the first call it would hear is `start`)."""
    fragment: str
    at: Key = (SETUP, 1)
    notice: bool = True
    """Whether its connection can still carry the kick notice (not when the culprit closed it)."""
    time_per_call: float = GENEROUS_TIME


TABLE = {
    "start: null": Row(replying(None), 'tournament_starting: StructureError: expected "void", got null', (START, 1)),
    "start: late": Row(late_void, "tournament_starting: no answer within 3 s", (START, 1)),
    "playing-as: Void": Row(replying("Void"), 'assigned_color: StructureError: expected "void", got "Void"', (PLAYING_AS, 1)),
    "playing-with: true": Row(replying(True), 'other_colors: StructureError: expected "void", got true', (PLAYING_WITH, 1)),
    "setup: [1, 2, 3]": Row(replying([1, 2, 3]), "place: StructureError"),
    "setup: an Action": Row(replying([[0, 0], [1, 0]]), "place: StructureError"),
    "setup: on a penguin": Row(on_a_penguin, "illegal placement [0, 3]: a penguin already stands on [0, 3]"),
    "setup: off the board (a hole)": Row(replying([9, 0]), "illegal placement [9, 0]: [9, 0] is not on the board"),
    "take-turn: skip": Row(replying("skip"), "move: StructureError", (TAKE_TURN, 1)),
    "take-turn: over a penguin": Row(jumping(over_a_hole=False), "in a straight line over free tiles", (TAKE_TURN, 1)),
    "take-turn: over a hole": Row(jumping(over_a_hole=True), "in a straight line over free tiles", (TAKE_TURN, 1)),
    "a value in its name's bytes": Row(None, "sent [3, 3] before it was asked for anything", (START, 1)),
    "two values in one reply": Row(sending(compact([0, 0]) + compact([0, 1])), "place: UnexpectedMessage: sent [0, 1] after its answer"),
    "half an answer, then silence": Row(sending(b"[0, "), "place: no answer within 1 s", time_per_call=SHORT_TIME),
    "half-close": Row(half_close, "place: PeerClosed: the peer closed the connection"),
    "hang up": Row(hang_up, "place: PeerClosed: the peer closed the connection", notice=False),
    "a flood of 10 MB": Row(in_the_background(flood), "place: UnexpectedMessage: sent [2, 1] after its answer"),
    "a value 10 MB long": Row(in_the_background(ten_megabyte_value), "place: ProtocolViolation: message longer than 65536 bytes"),
}


class CulpritClient(FishRawClient):
    """dan, with a nursery for what it writes in the background (`in_the_background`)."""

    writer: trio.Nursery


@pytest.mark.parametrize("row", TABLE.values(), ids=TABLE.keys())
async def test_a_culprit_is_out_with_its_reason_and_the_others_play_on_to_the_results_they_deserve(tmp_path, row):
    async def culprit(scene: Scene, task_status: Any) -> FishRawClient:
        task_status.started()
        await scene.honest_signed_up.wait()
        client = await CulpritClient.connect(scene.port, CULPRIT)
        if row.deed is None:  # a value right behind the name, in the same write
            await client.send(compact(CULPRIT) + compact(GUESS))
            await client.play()
            return client
        async with trio.open_nursery() as client.writer:
            await client.sign_up()
            await client.play({row.at: row.deed})
        return client

    played = await tournament(culprit, tmp_path, time_per_call=row.time_per_call)
    deserves = await deserved((*HONEST, CULPRIT), row.at)
    output = await assert_the_others_got_what_they_deserve(played, deserves)
    assert output[1] == [CULPRIT]
    assert_out_for(played, row.fragment, row.notice, in_encounter=row.at[0] != START)
    heard = [message[0] for message in played.hostile.received if message[0] != "kicked"]
    if row.deed is None:  # the call it failed at never went out: what came with its name was found first
        assert heard == []
    else:  # it was asked nothing after the call it failed at
        method, number = row.at
        assert heard[-1] == method and heard.count(method) == number, heard


async def test_a_reply_sent_before_its_call_is_not_taken_as_the_answer_and_puts_the_culprit_out(tmp_path):
    """dan sends a Position once ann is asked for her second penguin (so the server has taken dan's first and asks
    dan nothing until ann answers); when dan's second setup comes, the Position waiting there puts dan out."""
    ann_asked, guess_sent = trio.Event(), trio.Event()

    async def ann_waits_for_the_guess(client: FishRawClient, message: list) -> bool:
        ann_asked.set()
        await guess_sent.wait()
        await client.reply(client.answer_to(message))
        return False

    async def guess_once_ann_is_asked(client: FishRawClient, message: list) -> bool:
        await client.reply(client.answer_to(message))
        await ann_asked.wait()
        await client.reply(GUESS)
        guess_sent.set()
        return False

    async def culprit(scene: Scene, task_status: Any) -> FishRawClient:
        return await culprit_plays(scene, task_status, {(SETUP, 1): guess_once_ann_is_asked})

    played = await tournament(culprit, tmp_path, honest_deeds={"ann": {(SETUP, 2): ann_waits_for_the_guess}})
    deserves = await deserved((*HONEST, CULPRIT), (SETUP, 2))
    output = await assert_the_others_got_what_they_deserve(played, deserves)
    assert output[1] == [CULPRIT]
    assert_out_for(played, "place: UnexpectedMessage: sent [3, 3] before it was asked for anything")
    # its second setup never went out: the value waiting for it was found first
    assert [message[0] for message in played.hostile.received].count(SETUP) == 1


async def test_a_culprit_that_stops_reading_is_out_when_its_time_runs_out_and_finds_the_notice_behind_its_calls(tmp_path):
    async def stop_reading(client: FishRawClient, message: list) -> bool:
        return True

    async def culprit(scene: Scene, task_status: Any) -> tuple[FishRawClient, list]:
        client = await culprit_plays(scene, task_status, {(SETUP, 1): stop_reading})
        await scene.honest_done.wait()
        return client, await client.read_until_closed()  # what waited unread on its side

    played = await tournament(culprit, tmp_path, time_per_call=SHORT_TIME)
    deserves = await deserved((*HONEST, CULPRIT), (SETUP, 1))
    output = await assert_the_others_got_what_they_deserve(played, deserves)
    assert output[1] == [CULPRIT]
    client, unread = played.hostile
    reason = assert_out_for(attrs.evolve(played, hostile=client), "place: no answer within 1 s")
    assert unread == [["kicked", reason]]


# ------------------------------------------------------------------ fails "end": counted, and nothing changes


async def no_reply(client: FishRawClient, message: list) -> bool:
    return False


@pytest.mark.parametrize(
    "deed, fragment, time_per_call",
    [
        (replying(None), 'end_of_tournament: StructureError: expected "void", got null', GENEROUS_TIME),
        (hang_up, "end_of_tournament: PeerClosed", GENEROUS_TIME),
        (no_reply, "end_of_tournament: no answer within 1 s", SHORT_TIME),
    ],
    ids=["null", "hangs up", "no answer"],
)
async def test_a_winner_that_fails_end_is_counted_as_misbehaving_and_nobodys_result_changes_its_own_included(
    tmp_path, deed, fragment, time_per_call
):
    async def culprit(scene: Scene, task_status: Any) -> FishRawClient:
        return await culprit_plays(scene, task_status, {(END, 1): deed})

    played = await tournament(culprit, tmp_path, time_per_call=time_per_call)
    deserves = await deserved((*HONEST, CULPRIT), (END, 1))
    output = await assert_the_others_got_what_they_deserve(played, deserves)
    assert output == [[CULPRIT], []]  # dan won, and the Results were settled before "end" went out
    assert deserves.output == (await deserved((*HONEST, CULPRIT), None)).output
    assert_out_for(played, fragment, notice=False, in_encounter=False)
    assert played.hostile.received[-1] == [END, [True]]  # and no kick notice: its tournament is over
    assert [event["type"] for event in played.events[-2:]] == ["results", "misbehaviour"]


# ------------------------------------------------------------------ never a player


CLOSED_COUNT = re.compile(r"(?:(a) connection was closed|\.\.\. and ([\d,]+) more connections? closed): (.*)")

NEVER_PLAYERS = [
    # what the connection sends instead of a Name, what it hears, why the log says it closed it
    (compact("ann1"), [], 'it sent "ann1", which is not a name'),
    (compact("annabellelucy"), [], 'it sent "annabellelucy", which is not a name'),
    (compact(""), [], 'it sent "", which is not a name'),
    (compact(["ann"]), [], 'it sent ["ann"], which is not a name'),
    (compact(42), [], "it sent 42, which is not a name"),
    (compact(["sign-up", "annabellelucy", "x" * 16]), [["refused", BARE_NAMES_ONLY]], "(this server takes bare names)"),
    (b"", [], "it sent no name before the window closed"),
    (b'"an', [], "it sent no name before the window closed"),
]
"""A name that is not 1 to 12 letters (13 letters, none, not a string), a tagged sign-up on a server that takes bare
names, silence, and half a name."""


def closed_connections(log: str) -> dict[str, int]:
    """How many connections the sign-up log says were closed, by reason, counting the summaries' numbers."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if match := CLOSED_COUNT.search(line):
            first, more, reason = match.groups()
            counts[reason] = counts.get(reason, 0) + (1 if first else int(more.replace(",", "")))
    return counts


async def test_connections_without_a_name_of_1_to_12_letters_never_play_and_the_log_says_why_of_each(tmp_path):
    async def never_players(scene: Scene, task_status: Any) -> list[FishRawClient]:
        clients = []
        for data, _, _ in NEVER_PLAYERS:
            clients.append(client := await FishRawClient.connect(scene.port, CULPRIT))
            await client.send(data)
        task_status.started()  # the honest players sign up behind them
        for client in clients:
            await client.read_until_closed()
        return clients

    played = await tournament(never_players, tmp_path, counts=False)
    await assert_the_others_got_what_they_deserve(played, await deserved(HONEST, None))
    for client, (data, heard, _) in zip(played.hostile, NEVER_PLAYERS, strict=True):
        assert client.received == heard and client.closed_by_server, data
    closed = closed_connections(played.finished.log)
    assert sum(closed.values()) == len(NEVER_PLAYERS), closed
    for _, _, why in NEVER_PLAYERS:
        (reason,) = [reason for reason in closed if why in reason]
        assert closed[reason] == sum(why == other for _, _, other in NEVER_PLAYERS), closed
    assert fold(played.events).roster == HONEST
    assert "misbehaved" not in played.finished.log


async def test_five_hundred_connections_that_never_sign_up_leave_the_honest_players_alone(tmp_path):
    async def crowd(scene: Scene, task_status: Any) -> list[FishRawClient]:
        clients: list[FishRawClient] = []

        async def connect() -> None:
            clients.append(await FishRawClient.connect(scene.port, CULPRIT))

        async with trio.open_nursery() as nursery:
            for _ in range(NAMELESS):
                nursery.start_soon(connect)
        task_status.started()  # all connected; the honest players sign up behind them
        for client in clients:
            await client.read_until_closed()
        return clients

    played = await tournament(crowd, tmp_path, counts=False)
    await assert_the_others_got_what_they_deserve(played, await deserved(HONEST, None))
    assert all(client.received == [] and client.closed_by_server for client in played.hostile)
    closed = closed_connections(played.finished.log)
    assert closed == {"it sent no name before the window closed": NAMELESS}, played.finished.log
    assert fold(played.events).roster == HONEST
