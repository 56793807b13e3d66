"""A bare trio + JSON Santorini server, written from docs/santorini-protocol.md: the bench's yardstick for CPU per call.

It plays the conversation xserver plays, with the same concurrency, and
nothing more: it listens on 127.0.0.1, prints `listening on 127.0.0.1:PORT`
on standard error, takes every connection that sends a Name within the
sign-up window (`--waiting-for` seconds), in the order the Names arrive,
then runs the round robin of best-of-N series (player 1 against 2..n, then 2
against 3..n, ...; the earlier player starts games 1 and 3). An encounter
starts as soon as it is the next one in schedule order for both of its
players, as `Admin/manager.py` runs them: each player is in one series at a
time, and every encounter that can run does. At the end it sends the Results
to everyone at once, prints them on standard output, and closes.

It trusts its clients: no checks of shape or legality, no renaming (the
Names must be distinct), no per-call time limit (only `--time-limit` for the
whole run; `--time-per-call S` puts each call that has a reply under a trio
deadline of its own, as xserver does, to see what that costs), no kick notices, no event log, no watch. It keeps the board
(heights and workers) to send it right, to see a move onto height 3, and to
see that the player to move has no legal turn (it loses, unasked, as the
protocol says).

    python bench/bare_trio_santorini_server.py --players 20 [--waiting-for 3] [--best-of 3] [--time-limit 600] [--time-per-call S]

Standard error also gets `bare: NAME signed up`, `bare: tournament of N
players starts` and, at the end, `bare: statistics {"calls": C, "seconds":
S}`: C counts every message sent (opponent names, Placements, Boards,
Results), as xserver's `statistics` line does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import trio

EAST_WEST = {"EAST": 1, "PUT": 0, "WEST": -1}
NORTH_SOUTH = {"NORTH": -1, "PUT": 0, "SOUTH": 1}
DECODER = json.JSONDecoder()
ENCODE = json.JSONEncoder(separators=(",", ":")).encode
calls = 0
time_per_call: float | None = None


class Connection:
    """One player: its Name, JSON values out (compact, a newline each), a stream of JSON values in."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = ""
        self.name = ""

    async def send(self, value: Any) -> None:
        global calls
        calls += 1
        await self.stream.send_all((ENCODE(value) + "\n").encode())

    async def receive(self) -> Any:
        while True:
            text = self.buffer.lstrip()
            if text:
                try:
                    value, end = DECODER.raw_decode(text)
                except ValueError:
                    pass  # not whole yet
                else:
                    self.buffer = text[end:]
                    return value
            data = await self.stream.receive_some(65536)
            if not data:
                raise ConnectionError(f"{self.name or 'a client'} closed the connection")
            self.buffer += data.decode()

    async def call(self, value: Any) -> Any:
        if time_per_call is None:
            await self.send(value)
            return await self.receive()
        with trio.fail_after(time_per_call):
            await self.send(value)
            return await self.receive()


def board_to_json(heights: list[list[int]], where: dict[str, tuple[int, int]]) -> list[list[Any]]:
    cells: list[list[Any]] = [row[:] for row in heights]
    for worker, (x, y) in where.items():
        cells[y][x] = f"{heights[y][x]}{worker}"
    return cells


def can_move(heights: list[list[int]], where: dict[str, tuple[int, int]], name: str) -> bool:
    """Whether a worker of `name` can step somewhere (a build always follows a move that does not win)."""
    taken = set(where.values())
    for worker, (x, y) in where.items():
        if worker[:-1] == name:
            for tx in range(max(0, x - 1), min(6, x + 2)):
                for ty in range(max(0, y - 1), min(6, y + 2)):
                    if (tx, ty) not in taken and heights[ty][tx] <= min(3, heights[y][x] + 1):
                        return True
    return False


async def play_game(starter: Connection, other: Connection) -> Connection:
    """One game on an empty board, `starter` placing and moving first; the winner."""
    heights = [[0] * 6 for _ in range(6)]
    where: dict[str, tuple[int, int]] = {}
    placed: list[list[Any]] = []
    for number in (1, 2):
        for player in (starter, other):
            x, y = await player.call(placed)
            worker = f"{player.name}{number}"
            where[worker] = (x, y)
            placed.append([worker, x, y])
    mover, waiting = starter, other
    while True:
        if not can_move(heights, where, mover.name):
            return waiting
        action = await mover.call(board_to_json(heights, where))
        if isinstance(action, str):  # gave up
            return waiting
        worker = action[0]
        x, y = where[worker]
        x, y = x + EAST_WEST[action[1]], y + NORTH_SOUTH[action[2]]
        where[worker] = (x, y)
        if heights[y][x] == 3:
            return mover
        heights[y + NORTH_SOUTH[action[4]]][x + EAST_WEST[action[3]]] += 1
        mover, waiting = waiting, mover


async def play_series(first: Connection, second: Connection, best_of: int) -> list[str]:
    """A best-of-N series; its outcome [winner, loser]."""
    await first.send(second.name)
    await second.send(first.name)
    wins = {first: 0, second: 0}
    game = 0
    while max(wins.values()) * 2 <= best_of:
        wins[await play_game(*((first, second) if game % 2 == 0 else (second, first)))] += 1
        game += 1
    winner, loser = (first, second) if wins[first] > wins[second] else (second, first)
    return [winner.name, loser.name]


async def round_robin(players: list[Connection], best_of: int) -> list[list[str]]:
    """Every encounter in schedule order, concurrently where both players are free; the outcomes in schedule order."""
    count = len(players)
    pairings = [(i, j) for i in range(count) for j in range(i + 1, count)]
    index = {pairing: k for k, pairing in enumerate(pairings)}
    mine = [[index[min(p, q), max(p, q)] for q in range(count) if q != p] for p in range(count)]
    played = [0] * count
    outcomes: dict[int, list[str]] = {}

    def free(player: int) -> int | None:
        """`player`'s next encounter if its opponent's next one is the same."""
        if played[player] == len(mine[player]):
            return None
        k = mine[player][played[player]]
        i, j = pairings[k]
        other = j if i == player else i
        return k if mine[other][played[other]] == k else None

    async def play_in_turn(k: int, nursery: trio.Nursery) -> None:
        i, j = pairings[k]
        outcomes[k] = await play_series(players[i], players[j], best_of)
        played[i] += 1
        played[j] += 1
        started = set()
        for player in (i, j):
            following = free(player)
            if following is not None and following not in started:
                started.add(following)
                nursery.start_soon(play_in_turn, following, nursery)

    async with trio.open_nursery() as nursery:
        for player in range(count):
            k = free(player)
            if k is not None and pairings[k][0] == player:
                nursery.start_soon(play_in_turn, k, nursery)
    return [outcomes[k] for k in range(len(pairings))]


async def sign_up(listener: trio.SocketListener, waiting_for: float) -> list[Connection]:
    """The connections whose Name arrived within the window, in that order."""
    players: list[Connection] = []

    async def read_name(stream: trio.SocketStream) -> None:
        connection = Connection(stream)
        connection.name = await connection.receive()
        players.append(connection)
        print(f"bare: {connection.name} signed up", file=sys.stderr, flush=True)

    with trio.move_on_after(waiting_for):
        async with trio.open_nursery() as nursery:
            while True:
                nursery.start_soon(read_name, await listener.accept())
    return players


async def serve(minimum: int, waiting_for: float, best_of: int) -> int:
    (listener,) = await trio.open_tcp_listeners(0, host="127.0.0.1")
    print(f"listening on 127.0.0.1:{listener.socket.getsockname()[1]} ", file=sys.stderr, flush=True)
    players = await sign_up(listener, waiting_for)
    await listener.aclose()
    if len(players) < minimum:
        print(f"bare: {len(players)} of {minimum} players signed up", file=sys.stderr)
        return 1
    print(f"bare: tournament of {len(players)} players starts", file=sys.stderr, flush=True)
    started = time.monotonic()
    results = await round_robin(players, best_of)
    async with trio.open_nursery() as nursery:
        for player in players:
            nursery.start_soon(player.send, results)
    seconds = time.monotonic() - started
    for player in players:
        await player.stream.aclose()
    print(json.dumps(results), flush=True)
    print(f"bare: statistics {json.dumps({'calls': calls, 'seconds': round(seconds, 3)})}", file=sys.stderr, flush=True)
    return 0


async def serve_within(time_limit: float, minimum: int, waiting_for: float, best_of: int) -> int:
    with trio.move_on_after(time_limit):
        return await serve(minimum, waiting_for, best_of)
    print(f"bare: the tournament took longer than {time_limit:g} s", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, required=True, help="fewer sign-ups than this, and no tournament runs")
    parser.add_argument("--waiting-for", type=float, default=3.0, help="seconds the sign-up window stays open (default 3)")
    parser.add_argument("--best-of", type=int, default=3, help="games per series, odd (default 3)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds the whole run may take (default 600)")
    parser.add_argument("--time-per-call", type=float, help="seconds each call with a reply may take (default: no deadline per call)")
    arguments = parser.parse_args()
    if arguments.players < 2 or arguments.waiting_for <= 0 or arguments.best_of < 1 or arguments.best_of % 2 == 0:
        parser.error("--players must be at least 2, --waiting-for positive, --best-of odd and positive")
    if arguments.time_per_call is not None and arguments.time_per_call <= 0:
        parser.error("--time-per-call must be positive")
    global time_per_call
    time_per_call = arguments.time_per_call
    status = 1
    try:
        status = trio.run(serve_within, arguments.time_limit, arguments.players, arguments.waiting_for, arguments.best_of)
    except* (OSError, trio.BrokenResourceError, trio.TooSlowError) as group:  # a client went away or was late: one line
        print(f"bare: {group.exceptions[0]}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
