"""Where the IPD server's time per round can go: five servers of one match over the same forked clients, in one process.

Each run forks two echo clients (blocking stdlib loops that answer every
`["move", k, Prev]` with `[k, "C"]` at once) on socket pairs, and plays one
match of `--rounds` rounds with one of five servers in this process:

* `naive`: blocking sockets, no framework: both requests, then both replies;
* `trio floor`: the least a trio server does: both requests written at once,
  then each reply awaited with `trio.lowlevel.wait_readable` (one deadline
  for the round), no checks at all;
* `ours`: the real referee (`Admin.ipd.referee`) and two RemotePlayers over
  MessageChannels: the strict conversation, the fold, the statistics, as a
  trio task;
* `ours, encounter loop`: the same in the encounter loop
  (`Remote/encounter_loop.py`), as xserver plays an encounter of remote players;
* `ours, blocking`: our pure pieces without trio: each player's
  PlayerConversation with the IPD's rules, the match's fold, the moves and
  the statistics, over blocking sockets, as a worker-thread shell would run
  them: what our checks cost with no framework.

It prints, per server, the median of `--runs` interleaved runs: CPU time of
this process per round (user and system: what the server spends) and rounds
per second. The clients are cheaper than any real participant, so these are
the server's own costs laid bare; `ipd_vs_naive.py` is the headline with
real clients and a real xserver.

    .venv/bin/python bench/ipd_floors.py [--rounds 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable

import trio

from Admin.encounter import Encounter, Entrant
from Admin.ipd.referee import make_referee
from Common.ipd.chance import MatchKey
from Common.ipd.match import Match
from Common.ipd.moves import is_move
from Common.ipd.records import MoveLog
from Common.ipd.settings import read_settings
from Remote.channel import MessageChannel
from Remote.encounter_loop import InEncounterLoop, encounter_loop
from Remote.framing import NEED_DATA, JSONStreamDecoder
from Remote.ipd.remote_player import IPDReplyRules, RemotePlayer, move_plan
from Remote.player_conversation import Answered, PlayerConversation
from Remote.statistics import CallStatistics


def _echo_client(connection: socket.socket) -> None:
    for line in connection.makefile("rb"):
        message = json.loads(line)
        if isinstance(message, list) and message and message[0] == "move":
            connection.sendall(b'[%d,"C"]\n' % message[1])


def _clients() -> tuple[list[socket.socket], list[int]]:
    """Two forked echo clients; this process's ends of their socket pairs, and their pids."""
    pairs = [socket.socketpair() for _ in range(2)]
    pids = []
    for _, client_end in pairs:
        pid = os.fork()
        if pid == 0:
            for server_end, _ in pairs:
                server_end.close()
            _echo_client(client_end)
            os._exit(0)
        pids.append(pid)
    for _, client_end in pairs:
        client_end.close()
    return [server_end for server_end, _ in pairs], pids


def naive(ends: list[socket.socket], rounds: int) -> None:
    files = [end.makefile("rb") for end in ends]
    for k in range(1, rounds + 1):
        for end in ends:
            end.sendall(json.dumps(["move", k, None]).encode() + b"\n")
        for file in files:
            json.loads(file.readline())


def trio_floor(ends: list[socket.socket], rounds: int) -> None:
    for end in ends:
        end.setblocking(False)
    descriptors = [end.fileno() for end in ends]

    async def main() -> None:
        for k in range(1, rounds + 1):
            for fd in descriptors:
                os.write(fd, json.dumps(["move", k, None]).encode() + b"\n")
            with trio.move_on_after(5):
                for fd in descriptors:
                    while True:
                        try:
                            json.loads(os.read(fd, 65536))
                            break
                        except BlockingIOError:
                            await trio.lowlevel.wait_readable(fd)

    trio.run(main)


def ours(ends: list[socket.socket], rounds: int) -> None:
    trio.run(_our_match, ends, rounds, False)


def ours_in_the_loop(ends: list[socket.socket], rounds: int) -> None:
    trio.run(_our_match, ends, rounds, True)


async def _our_match(ends: list[socket.socket], rounds: int, in_the_loop: bool) -> None:
    """One match of the real referee between two RemotePlayers over `ends`: a trio task, or in the encounter loop."""
    channels = [MessageChannel(trio.SocketStream(trio.socket.from_stdlib_socket(end)), 1 << 16) for end in ends]
    players = [RemotePlayer(channel, CallStatistics()) for channel in channels]
    settings = read_settings({"min rounds": rounds, "max rounds": rounds, "time per move": 5})
    async with encounter_loop() as loop:
        referee = InEncounterLoop(make_referee(settings, 1, 5.0), loop if in_the_loop else None)
        await referee(Entrant("a", players[0]), Entrant("b", players[1]), Encounter())


def ours_blocking(ends: list[socket.socket], rounds: int) -> None:
    """Our conversation, fold and statistics with blocking sockets: what a worker-thread shell would cost."""
    settings = read_settings({"min rounds": rounds, "max rounds": rounds, "time per move": 5})
    match = Match(settings, MatchKey(1, 0, "a", "b", 0))
    moves = MoveLog()
    decoders = [JSONStreamDecoder(1 << 16) for _ in ends]
    conversations = [PlayerConversation(d, IPDReplyRules()) for d in decoders]
    call_statistics = [CallStatistics() for _ in ends]
    for end in ends:
        end.settimeout(5)
    names = ("a", "b")
    while not match.over:
        started = time.monotonic()
        for name, end, conversation in zip(names, ends, conversations, strict=True):
            request = match.request(name)
            plan = move_plan(request.round, request.prev)
            data = conversation.ask("move", plan.message, plan.read, plan.context)
            end.sendall(data)
            conversation.sent()
        answers = []
        for end, decoder, conversation, stats in zip(ends, decoders, conversations, call_statistics, strict=True):
            while (verdict := conversation.next_answer()) is NEED_DATA:
                decoder.feed(end.recv(65536))
            assert isinstance(verdict, Answered) and is_move(verdict.value)
            stats.record(time.monotonic() - started)
            answers.append(verdict.value)
        scored = match.settle(*answers)
        moves.append(scored.first, scored.second)


SERVERS: dict[str, Callable[[list[socket.socket], int], None]] = {
    "naive": naive,
    "trio floor": trio_floor,
    "ours": ours,
    "ours, encounter loop": ours_in_the_loop,
    "ours, blocking": ours_blocking,
}


def run(server: Callable[[list[socket.socket], int], None], rounds: int) -> tuple[float, float]:
    """One match: CPU µs per round of this process, and rounds per second."""
    ends, pids = _clients()
    cpu, wall = time.process_time(), time.perf_counter()
    server(ends, rounds)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for end in ends:
        end.close()
    for pid in pids:
        os.waitpid(pid, 0)
    return cpu / rounds * 1e6, rounds / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in SERVERS}
    for _ in range(arguments.runs):
        for name, server in SERVERS.items():
            figures[name].append(run(server, arguments.rounds))
    summary = {
        name: {
            "cpu µs per round": round(statistics.median(cpu for cpu, _ in runs), 1),
            "rounds per second": round(statistics.median(speed for _, speed in runs)),
        }
        for name, runs in figures.items()
    }
    print(json.dumps({"figure": "ipd floors: one match, forked echo clients", "rounds": arguments.rounds, **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
