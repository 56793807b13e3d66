"""Many cheap Santorini clients in one process, to load an xserver for the benchmarks.

Each client follows spec section 4 to the letter: it sends its name, accepts
an optional ["playing-as", Name], then answers every Placement with the first
free square and every Board with the first legal turn (a winning move when
there is one), and finally records the Results and waits for the server to
close the connection. It works on the JSON values directly, without the
project's classes, so that one process can carry a thousand clients.

Anything the spec does not allow at that point of the conversation (a value
of the wrong shape, a close before the Results, Results that differ between
clients) stops the whole run: one line on standard error names the client and
what it received, and the exit status is 1. Otherwise the figures of the run
are printed on standard output as one JSON object.

    .venv/bin/python bench/load_generator.py --clients 20 --port 56789 [--delay-ms 20]

With `--websocket`, every client connects over WebSocket instead (the port
is then the server's WebSocket listener's): the upgrade first, then the same
conversation, one JSON value per text message, on wsproto's client.

Pure first (names, the board, the chooser, the conversation's rules), asyncio
second (one Protocol object per connection, no task per client).
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import json
import re
import resource
import sys
import time
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Ping, RejectConnection, Request, TextMessage

SIZE = 6
MAX_HEIGHT = 4
WINNING_HEIGHT = 3
CLIENT_MAX_MESSAGE_CHARS = 64 * 1024 * 1024
NAME = re.compile(r"[a-z]{1,64}")
WORKER = re.compile(r"([a-z]{1,64})[12]")
BUILDING_WORKER = re.compile(r"([0-4])(([a-z]{1,64})[12])")
WHITE_SPACE = re.compile(r"[ \t\n\r]*")
PLAYING_AS = "playing-as"
IRREGULAR = "irregular"

DIRECTIONS = [
    (dx, dy, east_west, north_south)
    for dy, north_south in ((-1, "NORTH"), (0, "PUT"), (1, "SOUTH"))
    for dx, east_west in ((-1, "WEST"), (0, "PUT"), (1, "EAST"))
    if (dx, dy) != (0, 0)
]
"""The eight steps, as (dx, dy, EastWest, NorthSouth)."""


class Surprise(Exception):
    """The server sent what the spec does not allow here; the message says what."""


# ---------------------------------------------------------------------------
# Pure: names, boards, choices


def client_names(prefix: str, count: int) -> list[str]:
    """`count` distinct Names: `prefix` followed by a fixed-width base-26 counter (`botaa`, `botab`, ...)."""
    width = 1
    while 26**width < count:
        width += 1
    if not NAME.fullmatch(prefix + "a" * width):
        raise ValueError(f"--prefix must be lowercase letters, at most {64 - width} of them, got {prefix!r}")
    names = []
    for index in range(count):
        letters = []
        for _ in range(width):
            index, digit = divmod(index, 26)
            letters.append(chr(ord("a") + digit))
        names.append(prefix + "".join(reversed(letters)))
    return names


def show(value: Any, limit: int = 80) -> str:
    """A value as compact JSON, cut to `limit` characters, for an error line."""
    text = json.dumps(value, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_name(value: Any) -> bool:
    return type(value) is str and NAME.fullmatch(value) is not None


def is_coordinate(value: Any) -> bool:
    return type(value) is int and 0 <= value < SIZE


def read_board(board: Any, me: str) -> tuple[list[int], dict[int, str], list[tuple[str, int]]]:
    """Heights by square index, the workers by square index, and my workers as (worker, index).

    Rows and cells that a short board leaves out are height 0 without a worker
    (spec section 10). Surprise if `board` is not a Board with 4 workers, 2 of them mine.
    """
    if type(board) is not list or len(board) > SIZE:
        raise Surprise(f"expected a Board, got {show(board)}")
    cells: list[Any] = [0] * (SIZE * SIZE)
    for y, row in enumerate(board):
        if type(row) is not list or len(row) > SIZE:
            raise Surprise(f"expected a Board, got {show(board)}")
        cells[y * SIZE : y * SIZE + len(row)] = row
    workers: dict[int, str] = {}
    mine: list[tuple[str, int]] = []
    owners: dict[str, int] = {}
    for index in [index for index, cell in enumerate(cells) if type(cell) is not int]:
        cell = cells[index]
        match = BUILDING_WORKER.fullmatch(cell) if type(cell) is str else None
        if match is None:
            raise Surprise(f"expected a Cell in the Board, got {show(cell)}")
        cells[index] = int(match[1])
        workers[index] = match[2]
        owners[match[3]] = owners.get(match[3], 0) + 1
        if match[3] == me:
            mine.append((match[2], index))
    if min(cells) < 0 or max(cells) > MAX_HEIGHT:
        raise Surprise(f"expected heights 0 to {MAX_HEIGHT} in the Board, got {show(board, 200)}")
    if len(workers) != 4 or len(set(workers.values())) != 4 or sorted(owners.values()) != [2, 2] or len(mine) != 2:
        raise Surprise(f"expected a Board with 2 workers of {me} and 2 of the opponent, got {show(board, 200)}")
    return cells, workers, mine


def choose_action(board: Any, me: str) -> str | list[str]:
    """The first legal turn for `me` on the JSON `board`: a winning move if there is one, else a move and build.

    Gives up (answers its own name, which is legal) only if no turn is possible.
    """
    heights, workers, mine = read_board(board, me)
    first: list[str] | None = None
    for worker, start in mine:
        x, y = start % SIZE, start // SIZE
        climb_limit = heights[start] + 1
        for dx, dy, east_west, north_south in DIRECTIONS:
            tx, ty = x + dx, y + dy
            if not (0 <= tx < SIZE and 0 <= ty < SIZE):
                continue
            target = ty * SIZE + tx
            height = heights[target]
            if target in workers or height > WINNING_HEIGHT or height > climb_limit:
                continue
            if height == WINNING_HEIGHT:
                return [worker, east_west, north_south]
            if first is not None:
                continue
            for bdx, bdy, build_east_west, build_north_south in DIRECTIONS:
                bx, by = tx + bdx, ty + bdy
                if not (0 <= bx < SIZE and 0 <= by < SIZE):
                    continue
                build = by * SIZE + bx
                if (build in workers and build != start) or heights[build] >= MAX_HEIGHT:
                    continue
                first = [worker, east_west, north_south, build_east_west, build_north_south]
                break
    return first if first is not None else me


def read_placement(placement: Any) -> set[int]:
    """The occupied squares of a Placement (0 to 3 WorkerPlaces); Surprise if it is not one."""
    if type(placement) is not list or len(placement) > 3:
        raise Surprise(f"expected a Placement, got {show(placement)}")
    occupied = set()
    for entry in placement:
        if (
            type(entry) is not list
            or len(entry) != 3
            or type(entry[0]) is not str
            or WORKER.fullmatch(entry[0]) is None
            or not is_coordinate(entry[1])
            or not is_coordinate(entry[2])
        ):
            raise Surprise(f"expected a Placement, got {show(placement)}")
        occupied.add(entry[2] * SIZE + entry[1])
    if len(occupied) != len(placement):
        raise Surprise(f"expected a Placement of distinct squares, got {show(placement)}")
    return occupied


def choose_place(placement: Any) -> list[int]:
    """The first free square (row by row, west to east) as a Place [x, y]."""
    occupied = read_placement(placement)
    index = next(index for index in range(SIZE * SIZE) if index not in occupied)
    return [index % SIZE, index // SIZE]


def looks_like_placement(value: list) -> bool:
    """Whether a list is meant as a Placement: empty, or its first entry is a WorkerPlace-like [str, int, int].

    A Board's rows start with a Height or a BuildingWorker (a digit first), and
    an outcome of the Results holds only strings, so the first entry decides.
    """
    if not value:
        return True
    entry = value[0]
    return type(entry) is list and len(entry) == 3 and type(entry[0]) is str and entry[0][:1].isalpha() and type(entry[1]) is int


def looks_like_results(value: list) -> bool:
    """Whether a non-empty list that is no Placement is meant as Results: its first entry starts with a Name.

    A Board's rows start with a Height or with a BuildingWorker, whose first character is a digit.
    """
    entry = value[0]
    return type(entry) is list and len(entry) > 0 and type(entry[0]) is str and entry[0][:1].isalpha()


def is_results(value: Any) -> bool:
    """Whether `value` is a non-empty Results: outcomes [winner, loser] or [winner, loser, "irregular"].

    An empty list is a Placement with no entries; the conversation decides.
    """
    if type(value) is not list or not value:
        return False
    for outcome in value:
        if type(outcome) is not list or not 2 <= len(outcome) <= 3:
            return False
        if not (is_name(outcome[0]) and is_name(outcome[1]) and outcome[0] != outcome[1]):
            return False
        if len(outcome) == 3 and outcome[2] != IRREGULAR:
            return False
    return True


class Conversation:
    """One client's side of spec section 4: what may come next, and the answer to each message.

    `receive(message)` returns the answer to send, or None for a message
    without reply; it raises Surprise for anything out of place.
    """

    def __init__(self, name: str, meets_again: bool = False) -> None:
        self.name = name
        self.meets_again = meets_again
        """Whether an opponent may come back (an arena pairs whoever is free); in a tournament each is new."""
        self.opponents: list[str] = []
        self.placed = 2  # workers this client placed in the current game; 2: between games
        self.last_placement = -1  # entries of the last Placement in this game
        self.results: list | None = None
        self.answers = 0
        self.gave_up = 0
        self.name_assigned = False

    def receive(self, message: Any) -> Any:
        if self.results is not None:
            raise Surprise(f"sent {show(message)} after the Results")
        if type(message) is str:
            return self._opponent(message)
        if type(message) is not list:
            raise Surprise(f"expected a Name, PA, Placement, Board or Results, got {show(message)}")
        if len(message) == 2 and message[0] == PLAYING_AS:
            return self._playing_as(message[1])
        if looks_like_placement(message):
            return self._placement(message)
        if looks_like_results(message):
            if not is_results(message):
                raise Surprise(f"expected Results, got {show(message)}")
            return self._results(message)
        return self._board(message)

    def _between_games(self, what: str, message: Any) -> None:
        if self.placed < 2:
            raise Surprise(f"expected a Placement with {self.last_placement + 2} entries, got {what} {show(message)}")

    def _playing_as(self, name: Any) -> None:
        if self.opponents or self.placed != 2 or self.name_assigned:
            raise Surprise(f"sent {show([PLAYING_AS, name])} after the tournament began")
        if not is_name(name) or name == self.name:
            raise Surprise(f"expected a PA with a new Name, got {show([PLAYING_AS, name])}")
        self.name = name
        self.name_assigned = True
        return None

    def _opponent(self, name: str) -> None:
        self._between_games("the opponent's name", name)
        if not is_name(name) or name == self.name or (name in self.opponents and not self.meets_again):
            raise Surprise(f"expected the Name of a new opponent, got {show(name)}")
        self.opponents.append(name)
        self.last_placement = -1
        return None

    def _placement(self, placement: list) -> list[int]:
        if not self.opponents:
            raise Surprise(f"sent a Placement {show(placement)} before any opponent's name")
        count = len(placement)
        if self.placed < 2:  # in the middle of placing: the next Placement has 2 more entries
            if count != self.last_placement + 2:
                raise Surprise(f"expected a Placement with {self.last_placement + 2} entries, got {show(placement)}")
        elif count > 1:
            raise Surprise(f"expected a Placement with 0 or 1 entries to start a game, got {show(placement)}")
        else:
            self.placed = 0
        self.placed += 1
        self.last_placement = count
        self.answers += 1
        return choose_place(placement)

    def _board(self, board: list) -> str | list[str]:
        self._between_games("a Board", board)
        if self.last_placement < 0:
            raise Surprise(f"sent a Board {show(board)} before this game's placements")
        action = choose_action(board, self.name)
        self.answers += 1
        self.gave_up += type(action) is str
        return action

    def _results(self, results: list) -> None:
        self._between_games("Results", results)
        mine = sum(self.name in outcome[:2] for outcome in results)
        if mine != len(self.opponents):
            raise Surprise(f"played {len(self.opponents)} encounters, but the Results list {mine} of them")
        self.results = results
        return None


# ---------------------------------------------------------------------------
# asyncio: connections


def _reject_constant(text: str) -> Any:
    raise Surprise(f"sent {text}, which is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(separators=(",", ":"))


class ClientWebSocket:
    """The client's end of a WebSocket on wsproto: the upgrade request, our values as text messages, the server's read back."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = WSConnection(ConnectionType.CLIENT)
        self.where = f"{host}:{port}"
        self.parts: list[str] = []  # the fragments of a text message begun

    def request(self) -> bytes:
        return self.connection.send(Request(host=self.where, target="/"))

    def text(self, text: str) -> bytes:
        return self.connection.send(TextMessage(data=text))

    def receive(self, data: bytes) -> tuple[bool, list[str], bytes]:
        """What `data` brings: whether the upgrade was accepted in it, the whole text messages, the bytes to answer with."""
        self.connection.receive_data(data)
        opened, texts, answer = False, [], b""
        for event in self.connection.events():
            if isinstance(event, TextMessage):
                self.parts.append(event.data)
                if event.message_finished:
                    texts.append("".join(self.parts))
                    self.parts = []
            elif isinstance(event, AcceptConnection):
                opened = True
            elif isinstance(event, Ping):
                answer += self.connection.send(event.response())
            elif isinstance(event, CloseConnection):
                if self.connection.state is ConnectionState.REMOTE_CLOSING:
                    answer += self.connection.send(event.response())
            elif isinstance(event, RejectConnection):
                raise Surprise(f"refused the WebSocket upgrade (HTTP {event.status_code})")
            elif isinstance(event, BytesMessage):
                raise Surprise("sent a binary message, not a text message")
        return opened, texts, answer


class JSONClient(asyncio.Protocol):
    """One connection of any game's load generator: sends the name, decodes the stream of JSON values, hands each on.

    A game's client says what it does with each value (`take`) and, if it
    may, what a close before the Results means (`closed_before_results`).
    """

    def __init__(self, run: ClientRun, conversation: Any) -> None:
        self.run = run
        self.conversation = conversation
        self.transport: asyncio.Transport | None = None
        self.text = ""
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.websocket = ClientWebSocket(run.host, run.port) if run.websocket else None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        if self.websocket is None:
            self._write(self.conversation.name)
        else:
            transport.write(self.websocket.request())  # the name once the upgrade is accepted
        self.run.connected += 1

    def _write(self, value: Any) -> None:
        if self.transport is not None and not self.transport.is_closing():
            text = _ENCODER.encode(value)
            self.transport.write((text + "\n").encode() if self.websocket is None else self.websocket.text(text))

    def data_received(self, data: bytes) -> None:
        try:
            if self.websocket is None:
                self._decode(data)
            else:
                self._from_websocket(data)
        except Surprise as surprise:
            self.run.fail(f"client {self.conversation.name}: {surprise}")
        except UnicodeDecodeError:
            self.run.fail(f"client {self.conversation.name}: sent bytes that are not UTF-8")

    def _from_websocket(self, data: bytes) -> None:
        assert self.websocket is not None and self.transport is not None  # called only on a WebSocket's data
        opened, texts, answer = self.websocket.receive(data)
        if answer:
            self.transport.write(answer)
        if opened:
            self._write(self.conversation.name)
        for text in texts:
            self._take_text(text)

    def _decode(self, data: bytes) -> None:
        self._take_text(self.utf8.decode(data))

    def _take_text(self, more: str) -> None:
        text = self.text + more
        position = 0
        end_of_text = len(text)
        while True:
            position = WHITE_SPACE.match(text, position).end()
            if position == end_of_text:
                self.text = ""
                return
            try:
                message, position = _DECODER.raw_decode(text, position)
            except json.JSONDecodeError:
                self.text = text[position:]  # an unfinished value: wait for the rest
                if len(self.text) > CLIENT_MAX_MESSAGE_CHARS:
                    raise Surprise("sent a value longer than 64 MiB, or malformed JSON") from None
                return
            self.take(message)

    def take(self, message: Any) -> None:
        """One whole value from the server; Surprise if it is out of place."""
        raise NotImplementedError

    def eof_received(self) -> bool:
        return False  # let the transport close

    def connection_lost(self, error: Exception | None) -> None:
        name = self.conversation.name
        if self.run.failed is not None or self.run.stopping:
            pass
        elif self.text.strip():
            self.run.fail(f"client {name}: the connection closed inside a value: {self.text[:80]!r}")
        elif self.conversation.results is None:
            self.closed_before_results(error)
        self.run.client_done()

    def closed_before_results(self, error: Exception | None) -> None:
        reason = f" ({error})" if error else ""
        self.run.fail(f"client {self.conversation.name}: the server closed the connection before the Results{reason}")


class Client(JSONClient):
    """Santorini's connection: answers through its Conversation, at once or after `--delay-ms`."""

    def __init__(self, run: LoadRun, name: str) -> None:
        super().__init__(run, Conversation(name, run.meets_again))
        self.waiting_to_answer = False
        self.closed = False

    def _answer_later(self, value: Any) -> None:
        self.waiting_to_answer = False
        self.run.pending -= 1
        self._write(value)

    def take(self, message: Any) -> None:
        if type(message) in (int, float, bool) or message is None:
            raise Surprise(f"expected a Name, PA, Placement, Board or Results, got {show(message)}")
        if self.waiting_to_answer:
            raise Surprise(f"sent {show(message)} before this client's answer was due")
        answer = self.conversation.receive(message)
        if self.conversation.results is not None:
            self.run.got_results(self)
        if answer is None:
            return
        if self.run.delay > 0:
            self.waiting_to_answer = True
            self.run.pending += 1
            self.run.peak_pending = max(self.run.peak_pending, self.run.pending)
            self.run.loop.call_later(self.run.delay, self._answer_later, answer)
        else:
            self._write(answer)

    def connection_lost(self, error: Exception | None) -> None:
        self.closed = True
        super().connection_lost(error)

    def closed_before_results(self, error: Exception | None) -> None:
        if self.run.allow_server_stop:
            self.run.closed_early += 1
        else:
            super().closed_before_results(error)


class ClientRun:
    """The clients of one run, the first failure, and the Results they must all agree on: any game's.

    A game's run says how to make one client (`client`, an asyncio Protocol
    whose `conversation` has `name` and `results`) and what its figures are
    (`figures`); bench/ipd_load_generator.py builds on this one.
    """

    def __init__(self, arguments: argparse.Namespace, names: list[str]) -> None:
        self.host = arguments.host
        self.port = arguments.port
        self.websocket: bool = arguments.websocket
        self.names = names
        self.connect_concurrency = arguments.connect_concurrency
        self.clients: list[Any] = []
        self.connected = 0
        self.done = 0
        self.results: list | None = None
        self.results_received = 0
        self.own_results: bool = arguments.arena
        """An arena's: each client's Results hold its own encounters, so they are not compared between clients."""
        self.failed: str | None = None
        self.stopping = False
        self.finished: asyncio.Future | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def client(self, name: str) -> Any:
        """A new client called `name` of this run."""
        raise NotImplementedError

    def figures(self, seconds: float, connected_after: float) -> dict[str, Any]:
        """The run's figures, after `seconds` in all, `connected_after` of them to connect."""
        raise NotImplementedError

    def fail(self, line: str) -> None:
        if self.failed is None:
            self.failed = line
            self._stop()

    def _stop(self) -> None:
        self.stopping = True
        for client in self.clients:
            if client.transport is not None:
                client.transport.abort()
        if self.finished is not None and not self.finished.done():
            self.finished.set_result(None)

    def got_results(self, client: Client) -> None:
        results = client.conversation.results
        self.results_received += 1
        if self.results is None:
            self.results = results
        elif results != self.results and not self.own_results:
            self.fail(f"client {client.conversation.name}: received Results {show(results)} unlike another client's {show(self.results)}")

    def client_done(self) -> None:
        self.done += 1
        if self.done == len(self.names) and self.finished is not None and not self.finished.done():
            self.finished.set_result(None)

    async def _connect(self, name: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            if self.failed is not None:
                return
            client = self.client(name)
            self.clients.append(client)
            try:
                transport, _ = await self.loop.create_connection(lambda: client, self.host, self.port)
            except OSError as error:
                self.clients.remove(client)
                self.fail(f"client {name}: cannot connect to {self.host}:{self.port}: {error.strerror or error}")
                return
            if self.stopping:
                transport.abort()

    async def run(self, time_limit: float) -> dict[str, Any]:
        self.loop = asyncio.get_running_loop()
        self.finished = self.loop.create_future()
        started = time.monotonic()
        gate = asyncio.Semaphore(self.connect_concurrency)
        await asyncio.gather(*(self._connect(name, gate) for name in self.names))
        connected_after = time.monotonic() - started
        try:
            await asyncio.wait_for(asyncio.shield(self.finished), max(0.0, time_limit - connected_after))
        except TimeoutError:
            self.fail(f"time limit of {time_limit:g} s reached: {self.results_received} of {len(self.names)} clients received Results")
        return self.figures(time.monotonic() - started, connected_after)


class LoadRun(ClientRun):
    """Santorini's run: its clients answer after `--delay-ms`; the figures count series, give-ups, pending answers."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        super().__init__(arguments, client_names(arguments.prefix, arguments.clients))
        self.delay = arguments.delay_ms / 1000
        self.allow_server_stop = arguments.allow_server_stop
        self.meets_again = arguments.arena
        self.pending = 0
        self.peak_pending = 0
        self.closed_early = 0

    def client(self, name: str) -> Client:
        return Client(self, name)

    def figures(self, seconds: float, connected_after: float) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        conversations = [client.conversation for client in self.clients]
        results = self.results or []
        return {
            "clients": len(self.names),
            "connected": self.connected,
            "connect seconds": round(connected_after, 3),
            "results received": self.results_received,
            "closed before results": self.closed_early,
            "outcomes": len(results),
            "irregular outcomes": sum(len(outcome) == 3 for outcome in results),
            "encounters": sum(len(c.opponents) for c in conversations) // 2,
            "answers": sum(c.answers for c in conversations),
            "gave up": sum(c.gave_up for c in conversations),
            "peak pending answers": self.peak_pending,
            "delay ms": round(self.delay * 1000, 3),
            "seconds": round(seconds, 3),
            "cpu seconds": round(usage.ru_utime + usage.ru_stime, 3),
        }


def raise_open_file_limit() -> int:
    """Raise this process's limit on open files to the hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load an xserver with many cheap, rule-abiding clients.")
    parser.add_argument("--clients", type=int, required=True, help="number of clients (at least 1)")
    parser.add_argument("--host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--websocket", action="store_true", help="connect over WebSocket (--port: the server's WebSocket port)")
    parser.add_argument("--prefix", default="bot", help="lowercase letters that start every client's name (default bot)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="wait this long before each answer (default 0)")
    parser.add_argument("--connect-concurrency", type=int, default=100, help="connection attempts at a time (default 100)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="give up after this many seconds (default 600)")
    parser.add_argument("--show-results", action="store_true", help="add the Results the clients received to the figures")
    parser.add_argument("--arena", action="store_true", help="an arena: an opponent may come back (each is new otherwise)")
    parser.add_argument(
        "--allow-server-stop",
        action="store_true",
        help="a close before the Results is counted, not a failure (for runs the benchmark stops early)",
    )
    arguments = parser.parse_args(argv)
    if arguments.clients < 1 or arguments.connect_concurrency < 1 or arguments.delay_ms < 0:
        parser.error("--clients and --connect-concurrency must be positive, --delay-ms not negative")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        run = LoadRun(arguments)
    except ValueError as error:
        print(f"load_generator: {error}", file=sys.stderr)
        return 2
    limit = raise_open_file_limit()
    if limit < arguments.clients + 16:
        print(f"load_generator: {arguments.clients} clients need more open files than the limit of {limit}", file=sys.stderr)
        return 2
    figures = asyncio.run(run.run(arguments.time_limit))
    if run.failed is not None:
        print(f"load_generator: {run.failed}", file=sys.stderr)
        return 1
    if arguments.show_results:
        figures["results"] = run.results
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
