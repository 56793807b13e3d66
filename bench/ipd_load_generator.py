"""Many cheap prisoner's dilemma clients in one process, to load an xserver running `"game": "ipd"` for the benchmarks.

Each client follows the IPD conversation (`Common/ipd/README.md`) to the
letter: it sends its name, accepts an optional ["playing-as", Name] before
its first match, notes every ["match", Opponent], answers every
["move", k, Prev] at once with [k, Move] (always "C", or tit-for-tat), checks
every ["match-over", Prev, Totals, rounds], and finally checks the
["results", Outcomes, Standings] against what it played, after which the
server must close the connection. It works on the JSON values directly,
without the project's classes, so that one process can carry many clients
and still be cheaper per round than the server.

What it checks, besides the shape of every message: round numbers go 1, 2,
3, ... within each match, Prev is null exactly in round 1, and its own side
of every Prev is the move it sent (or null, a forfeit; or flipped, only with
`--noise`); the Totals of `match-over` are the sum of the rounds' payoffs as
the Prevs recorded them; the number of rounds equals the last round asked
(and `--rounds`, when given); the Results list each of its matches, in the
order played, with the same opponent, scores and rounds; its Standing counts
its scored matches and has the mean score it computes; every client receives
the same Results. Anything else stops the whole run: one line on standard
error names the client and what it received, and the exit status is 1.
Otherwise the figures of the run are printed as one JSON object.

    .venv/bin/python bench/ipd_load_generator.py --clients 20 --port 56789 [--rounds 200] [--strategy tit-for-tat] [--websocket]

With `--websocket` the clients connect over WebSocket (bench/load_generator.py's
ClientWebSocket, on wsproto): `--port` is then the server's WebSocket port.

The clock: `play seconds` run from the first ["move", 1, null] any client
received to the last ["results", ...]; `rounds per second` is the rounds of
all matches (from the Results) divided by them.

Pure first (names, payoffs, the conversation's rules), asyncio second (one
Protocol object per connection, no task per client). What any game's load
generator does alike (connecting, agreeing on the Results, the first failure,
the time limit) is bench/load_generator.py's ClientRun and JSONClient, and its Surprise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar

try:  # run as a script from bench/, or imported as bench.ipd_load_generator by the tests
    from load_generator import ClientRun, JSONClient, Surprise, show
except ModuleNotFoundError:
    from bench.load_generator import ClientRun, JSONClient, Surprise, show

NAME = re.compile(r"[A-Za-z0-9_-]{1,36}")
COOPERATE, DEFECT = "C", "D"
MOVES = (COOPERATE, DEFECT)
IRREGULAR = "irregular"
STRATEGIES = ("cooperator", "tit-for-tat")
DEFAULT_PAYOFFS = {"R": 3, "S": 0, "T": 5, "P": 1}
SCORE_TOLERANCE = 1.5e-6
"""How far a Standing's score (rounded to 6 decimals by the server) may be from the mean computed here."""


# ---------------------------------------------------------------------------
# Pure: names, payoffs, the conversation


def client_names(prefix: str, count: int) -> list[str]:
    """`count` distinct Names: `prefix` followed by a fixed-width decimal counter (`ipd00`, `ipd01`, ...)."""
    width = len(str(max(0, count - 1)))
    if not NAME.fullmatch(prefix + "0" * width):
        raise ValueError(f"--prefix must be letters, digits, _ or -, at most {36 - width} of them, got {prefix!r}")
    return [f"{prefix}{index:0{width}d}" for index in range(count)]


def is_name(value: Any) -> bool:
    return type(value) is str and NAME.fullmatch(value) is not None


def is_move(value: Any) -> bool:
    return type(value) is str and value in MOVES


def is_recorded(value: Any) -> bool:
    """A Move, or null: a forfeited round."""
    return value is None or is_move(value)


def is_prev(value: Any) -> bool:
    """`[mine, theirs]`, both Recorded."""
    return type(value) is list and len(value) == 2 and is_recorded(value[0]) and is_recorded(value[1])


def is_integer(value: Any) -> bool:
    return type(value) is int


def is_number(value: Any) -> bool:
    return type(value) in (int, float)


def round_scores(mine: str | None, theirs: str | None, payoffs: dict[str, int]) -> tuple[int, int]:
    """The two scores of one round as recorded: a forfeiter scores S and its opponent R; both forfeited, S each."""
    if mine is None or theirs is None:
        if mine is None and theirs is None:
            return payoffs["S"], payoffs["S"]
        return (payoffs["S"], payoffs["R"]) if mine is None else (payoffs["R"], payoffs["S"])
    if mine == theirs:
        both = payoffs["R"] if mine == COOPERATE else payoffs["P"]
        return both, both
    return (payoffs["S"], payoffs["T"]) if mine == COOPERATE else (payoffs["T"], payoffs["S"])


def is_outcome(value: Any) -> bool:
    """`[A, B, scoreA, scoreB, rounds]` or `[A, B, "irregular"]`, two different Names."""
    if type(value) is not list or len(value) not in (3, 5):
        return False
    if not (is_name(value[0]) and is_name(value[1]) and value[0] != value[1]):
        return False
    if len(value) == 3:
        return value[2] == IRREGULAR
    return is_integer(value[2]) and is_integer(value[3]) and is_integer(value[4]) and value[4] >= 1


def is_standing(value: Any) -> bool:
    """`[Name, score, matches]`."""
    return type(value) is list and len(value) == 3 and is_name(value[0]) and is_number(value[1]) and is_integer(value[2]) and value[2] >= 0


class Conversation:
    """One client's side of the IPD conversation: what may come next, and the answer to each message.

    `receive(message)` returns the answer to send, or None for a message
    without reply; it raises Surprise for anything out of place. `clock`
    stamps the first round asked and the Results. Memory per client stays
    the same however long a match is: one entry per match, none per round.
    """

    def __init__(
        self,
        name: str,
        strategy: str = "cooperator",
        payoffs: dict[str, int] | None = None,
        rounds: int | None = None,
        noise: bool = False,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}, expected one of {', '.join(STRATEGIES)}")
        self.name = name
        self.strategy = strategy
        self.payoffs = payoffs or DEFAULT_PAYOFFS
        self.expected_rounds = rounds
        self.noise = noise
        self.clock = clock
        self.opponent: str | None = None  # while in a match
        self.round = 0  # the last round asked in the current match
        self.sent: str | None = None  # the move sent for that round
        self.totals = [0, 0]
        self.played: list[tuple[str, int, int, int]] = []  # (opponent, mine, theirs, rounds), one per match
        self.results: list | None = None
        self.name_assigned = False
        self.answers = 0
        self.forfeited = 0  # rounds in which this client's move was recorded as null
        self.flipped = 0  # rounds in which its move was recorded flipped (only with noise)
        self.first_move_at: float | None = None
        self.results_at: float | None = None

    def receive(self, message: Any) -> Any:
        if self.results is not None:
            raise Surprise(f"sent {show(message)} after the Results")
        if type(message) is not list or not message or type(message[0]) is not str:
            raise Surprise(f"expected a message of the conversation, got {show(message)}")
        handler = self._HANDLERS.get(message[0])
        if handler is None:
            raise Surprise(f"expected a message of the conversation, got {show(message)}")
        return handler(self, message)

    # --- each kind of message -------------------------------------------------------

    def _move(self, message: list) -> list:
        if len(message) != 3 or not is_integer(message[1]) or not (message[2] is None or is_prev(message[2])):
            raise Surprise(f'expected ["move", k, Prev], got {show(message)}')
        _, k, prev = message
        if self.opponent is None:
            raise Surprise(f"sent {show(message)} outside a match")
        if k != self.round + 1:
            raise Surprise(
                f"sent {show(message)} after round {self.round} of the match against {self.opponent}: expected round {self.round + 1}"
            )
        if (prev is None) != (k == 1):
            raise Surprise(f"sent {show(message)}: Prev must be null in round 1 and only there")
        if prev is not None:
            self._score(prev, f"in {show(message)}")
        elif self.first_move_at is None:
            self.first_move_at = self.clock()
        self.round = k
        if self.strategy == "tit-for-tat" and prev is not None and prev[1] is not None:
            self.sent = prev[1]
        else:
            self.sent = COOPERATE
        self.answers += 1
        return [k, self.sent]

    def _score(self, prev: list, where: str) -> None:
        mine, theirs = prev
        if mine is None:
            self.forfeited += 1
        elif mine != self.sent:
            if not self.noise:
                raise Surprise(f"recorded {show(mine)} for this client {where}, but it sent {show(self.sent)}")
            self.flipped += 1
        scores = round_scores(mine, theirs, self.payoffs)
        self.totals[0] += scores[0]
        self.totals[1] += scores[1]

    def _match(self, message: list) -> None:
        if len(message) != 2 or not is_name(message[1]):
            raise Surprise(f'expected ["match", Name], got {show(message)}')
        if self.opponent is not None:
            raise Surprise(f"sent {show(message)} during round {self.round} of the match against {self.opponent}")
        if message[1] == self.name:
            raise Surprise(f"sent {show(message)}: a match against itself")
        self.opponent = message[1]
        self.round = 0
        self.sent = None
        self.totals = [0, 0]
        return None

    def _match_over(self, message: list) -> None:
        if len(message) != 4 or not is_prev(message[1]) or not _is_totals(message[2]) or not is_integer(message[3]):
            raise Surprise(f'expected ["match-over", Prev, Totals, rounds], got {show(message)}')
        _, prev, totals, rounds = message
        if self.opponent is None:
            raise Surprise(f"sent {show(message)} outside a match")
        if self.round == 0 or rounds != self.round:
            raise Surprise(f"sent {show(message)} after round {self.round} was asked: rounds must be {self.round}")
        if self.expected_rounds is not None and rounds != self.expected_rounds:
            raise Surprise(f"sent {show(message)}: a match of {rounds} rounds, expected {self.expected_rounds}")
        self._score(prev, f"in {show(message)}")
        if totals != self.totals:
            raise Surprise(f"sent {show(message)}: the rounds as recorded add up to {show(self.totals)}")
        self.played.append((self.opponent, totals[0], totals[1], rounds))
        self.opponent = None
        return None

    def _playing_as(self, message: list) -> None:
        if len(message) != 2 or not is_name(message[1]) or message[1] == self.name:
            raise Surprise(f'expected ["playing-as", a new Name], got {show(message)}')
        if self.played or self.opponent is not None or self.name_assigned:
            raise Surprise(f"sent {show(message)} after the tournament began")
        self.name = message[1]
        self.name_assigned = True
        return None

    def _results(self, message: list) -> None:
        if (
            len(message) != 3
            or type(message[1]) is not list
            or type(message[2]) is not list
            or not all(is_outcome(outcome) for outcome in message[1])
            or not all(is_standing(standing) for standing in message[2])
        ):
            raise Surprise(f'expected ["results", [Outcome, ...], [Standing, ...]], got {show(message)}')
        if self.opponent is not None:
            raise Surprise(f"sent the Results during round {self.round} of the match against {self.opponent}")
        outcomes, standings = message[1], message[2]
        mine = [outcome for outcome in outcomes if self.name in outcome[:2]]
        if len(mine) != len(self.played):
            raise Surprise(f"played {len(self.played)} matches, but the Results list {len(mine)} of them")
        ratios = []
        for outcome, (opponent, my_total, their_total, rounds) in zip(mine, self.played, strict=True):
            if opponent not in outcome[:2]:
                raise Surprise(f"listed {show(outcome)} where this client played {opponent}")
            if len(outcome) == 3:
                if outcome[1] != opponent:
                    raise Surprise(f"listed {show(outcome)}: this client never misbehaved")
                continue
            scores = (my_total, their_total) if outcome[0] == self.name else (their_total, my_total)
            if (outcome[2], outcome[3], outcome[4]) != (*scores, rounds):
                raise Surprise(f"listed {show(outcome)}, but the match against {opponent} was {show([*scores, rounds])}")
            ratios.append(my_total / rounds)
        named = [standing[0] for standing in standings]
        if len(set(named)) != len(named) or self.name not in named:
            raise Surprise(f"expected Standings listing this client once, got {show(standings)}")
        standing = standings[named.index(self.name)]
        expected = sum(ratios) / len(ratios) if ratios else 0.0
        if standing[2] != len(ratios) or abs(standing[1] - expected) > SCORE_TOLERANCE:
            raise Surprise(f"listed {show(standing)}, expected a score of {expected:.6f} over {len(ratios)} matches")
        self.results = [outcomes, standings]
        self.results_at = self.clock()
        return None

    _HANDLERS: ClassVar[dict[str, Callable[[Conversation, list], Any]]] = {
        "move": _move,
        "match": _match,
        "match-over": _match_over,
        "playing-as": _playing_as,
        "results": _results,
    }


def _is_totals(value: Any) -> bool:
    return type(value) is list and len(value) == 2 and is_integer(value[0]) and is_integer(value[1])


# ---------------------------------------------------------------------------
# asyncio: connections


class Client(JSONClient):
    """The prisoner's dilemma's connection: answers through its Conversation at once."""

    def __init__(self, run: LoadRun, name: str) -> None:
        super().__init__(run, Conversation(name, run.strategy, run.payoffs, run.rounds, run.noise))

    def take(self, message: Any) -> None:
        answer = self.conversation.receive(message)
        if answer is not None:
            self._write(answer)
        elif self.conversation.results is not None:
            self.run.got_results(self)


class LoadRun(ClientRun):
    """The prisoner's dilemma's run: its clients play `--strategy`; the figures count matches, rounds, forfeits."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        super().__init__(arguments, client_names(arguments.prefix, arguments.clients))
        self.strategy = arguments.strategy
        self.payoffs = dict(zip("RSTP", arguments.payoffs, strict=True))
        self.rounds = arguments.rounds
        self.noise = arguments.noise

    def client(self, name: str) -> Client:
        return Client(self, name)

    def figures(self, seconds: float, connected_after: float) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        conversations = [client.conversation for client in self.clients]
        outcomes = self.results[0] if self.results else []
        rounds = sum(outcome[4] for outcome in outcomes if len(outcome) == 5)
        first = min((c.first_move_at for c in conversations if c.first_move_at is not None), default=None)
        last = max((c.results_at for c in conversations if c.results_at is not None), default=None)
        play = last - first if first is not None and last is not None else None
        return {
            "clients": len(self.names),
            "connected": self.connected,
            "connect seconds": round(connected_after, 3),
            "results received": self.results_received,
            "strategy": self.strategy,
            "matches": len(outcomes),
            "irregular outcomes": sum(len(outcome) == 3 for outcome in outcomes),
            "rounds": rounds,
            "answers": sum(c.answers for c in conversations),
            "forfeited rounds": sum(c.forfeited for c in conversations),
            "flipped moves": sum(c.flipped for c in conversations),
            "play seconds": round(play, 4) if play is not None else None,
            "rounds per second": round(rounds / play) if play else None,
            "seconds": round(seconds, 3),
            "cpu seconds": round(usage.ru_utime + usage.ru_stime, 3),
        }


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load an xserver playing the prisoner's dilemma with many cheap, rule-abiding clients.")
    parser.add_argument("--clients", type=int, required=True, help="number of clients (at least 1)")
    parser.add_argument("--host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--websocket", action="store_true", help="connect over WebSocket (--port: the server's WebSocket port)")
    parser.add_argument("--prefix", default="ipd", help="letters, digits, _ or - that start every client's name (default ipd)")
    parser.add_argument("--strategy", choices=STRATEGIES, default="cooperator", help="how every client answers (default cooperator)")
    parser.add_argument("--rounds", type=int, default=None, help="every match must last exactly this many rounds (default: any)")
    parser.add_argument(
        "--payoffs", type=int, nargs=4, metavar=("R", "S", "T", "P"), default=[3, 0, 5, 1], help="the server's payoffs (default 3 0 5 1)"
    )
    parser.add_argument("--noise", action="store_true", help="the server flips moves: a client's own move may come back flipped")
    parser.add_argument("--connect-concurrency", type=int, default=100, help="connection attempts at a time (default 100)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="give up after this many seconds (default 600)")
    parser.add_argument("--arena", action="store_true", help="an arena: each client's Results hold its own matches (not compared)")
    parser.add_argument("--show-results", action="store_true", help="add the Results the clients received to the figures")
    arguments = parser.parse_args(argv)
    if arguments.clients < 1 or arguments.connect_concurrency < 1 or (arguments.rounds is not None and arguments.rounds < 1):
        parser.error("--clients, --connect-concurrency and --rounds must be positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        run = LoadRun(arguments)
    except ValueError as error:
        print(f"ipd_load_generator: {error}", file=sys.stderr)
        return 2
    figures = asyncio.run(run.run(arguments.time_limit))
    if run.failed is not None:
        print(f"ipd_load_generator: {run.failed}", file=sys.stderr)
        return 1
    if arguments.show_results:
        figures["results"] = run.results
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
