"""A naive blocking IPD server, written from docs/ipd-protocol.md with nothing but the standard library: the bench's yardstick.

It is what a participant could write in an afternoon: one thread, blocking
sockets, no framework. It listens on 127.0.0.1, prints `listening on
127.0.0.1:PORT` on standard error, takes the first two connections that send
a Name, plays ONE match of `--rounds` rounds between them (the first to sign
up listed first) with the protocol's messages (`match`, `move`, `match-over`,
`results`), and closes both connections. Each reply is waited for under a
socket time-out of `--time-per-move` seconds; a reply that does not come in
time forfeits the round (recorded as null). It has none of the real server's
guards (no late-reply bookkeeping, no limits on message size, no kick
notices, no noise, no renaming): the bench's clients never need them.

    python bench/naive_ipd_server.py --rounds 4000 [--time-per-move 1]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys

PAYOFFS = {("C", "C"): (3, 3), ("C", "D"): (0, 5), ("D", "C"): (5, 0), ("D", "D"): (1, 1)}
DECODER = json.JSONDecoder()


class Connection:
    """One client: JSON values out (compact, a newline each), a stream of JSON values in."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = ""

    def send(self, value: object) -> None:
        self.sock.sendall(json.dumps(value, separators=(",", ":")).encode() + b"\n")

    def receive(self) -> object:
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
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the client closed the connection")
            self.buffer += data.decode()


def reply_to(connection: Connection, round_: int, time_per_move: float) -> str | None:
    """The Move of the reply to round `round_`; None (a forfeit) if it is late or not a reply for that round."""
    connection.sock.settimeout(time_per_move)
    try:
        reply = connection.receive()
    except TimeoutError:
        return None
    finally:
        connection.sock.settimeout(None)
    if isinstance(reply, list) and len(reply) == 2 and reply[0] == round_ and reply[1] in ("C", "D"):
        return reply[1]
    return None


def scores(mine: str | None, theirs: str | None) -> tuple[int, int]:
    if mine is None or theirs is None:  # a forfeit: the forfeiter S, its opponent R
        return (0 if mine is None else 3, 0 if theirs is None else 3)
    return PAYOFFS[mine, theirs]


def play(rounds: int, time_per_move: float) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    print(f"listening on 127.0.0.1:{listener.getsockname()[1]}", file=sys.stderr, flush=True)
    players: list[tuple[str, Connection]] = []
    while len(players) < 2:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock)
        name = connection.receive()
        if isinstance(name, str) and name not in (n for n, _ in players):
            players.append((name, connection))
    (a, first), (b, second) = players
    first.send(["match", b])
    second.send(["match", a])
    prev: tuple[str | None, str | None] | None = None
    totals = [0, 0]
    for round_ in range(1, rounds + 1):
        first.send(["move", round_, None if prev is None else [prev[0], prev[1]]])
        second.send(["move", round_, None if prev is None else [prev[1], prev[0]]])
        prev = (reply_to(first, round_, time_per_move), reply_to(second, round_, time_per_move))
        points = scores(*prev)
        totals = [totals[0] + points[0], totals[1] + points[1]]
    assert prev is not None
    first.send(["match-over", [prev[0], prev[1]], totals, rounds])
    second.send(["match-over", [prev[1], prev[0]], totals[::-1], rounds])
    means = [round(total / rounds, 6) for total in totals]
    wins = [totals[0] > totals[1], totals[1] > totals[0]]
    order = sorted(range(2), key=lambda i: (-means[i], -wins[i], i))
    standings = [[(a, b)[i], float(means[i]), 1] for i in order]
    results = ["results", [[a, b, totals[0], totals[1], rounds]], standings]
    for connection in (first, second):
        connection.send(results)
        connection.sock.close()
    listener.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, required=True, help="the match's rounds")
    parser.add_argument("--time-per-move", type=float, default=1.0, help="seconds a player has for each reply (default 1)")
    arguments = parser.parse_args()
    if arguments.rounds < 1 or arguments.time_per_move <= 0:
        parser.error("--rounds and --time-per-move must be positive")
    play(arguments.rounds, arguments.time_per_move)
    return 0


if __name__ == "__main__":
    sys.exit(main())
