"""An arena's changing crowd in one process: clients of known strategies that come and go, a few that misbehave, all reconnecting.

The load generator of bench/arena_faults.py. Unlike bench/load_generator.py
and bench/ipd_load_generator.py, which check every message of one fixed set
of clients, these clients answer whatever the arena asks (they are lenient:
a message they do not expect is counted, not fatal) and live through
sessions:

* every client plays one **strategy** of a known order (its group): for the
  IPD `defector`, `random`, `tit-for-tat`, `cooperator`; for Santorini
  `good` (Player/santorini/strategic.py), `chooser` (bench/load_generator.py's
  first legal turn, a winning move when there is one) and `random` (a random
  legal turn). The `misbehaving` group (`--misbehaving`, a share of the
  clients) plays tit-for-tat or the chooser but answers with a malformed
  value now and then (one answer in `--malformed-every`);
* with `--churn F`, every second F/60 of `--clients` (on average) close their
  connection, and as many sign up: a client that left at least
  `RETURN_AFTER` s ago (returning, under its name) or a new one, half and
  half. A client leaves at once, whatever it is doing (in a match, or
  waiting in the queue); in the IPD half of them leave instead the moment
  their match is over (on `match-over`), as the server puts them back in
  the queue: the race of a leave with the pairing;
* a client the server kicks signs up again after `KICKED_RETURN_AFTER` s,
  unless it was put out for good; a connection the server drops otherwise
  (a killed server) is reconnected, trying every `RECONNECT_EVERY` s for at
  most `--reconnect-for` s (bounded: then the client gives up);
* when the first Results arrive the arena is over: the churn stops, and the
  run ends once no connection is open. With `--churn-for S`, nobody signs up
  (new, returning, or back from a kick) after S s: a sign-up while the
  arena sends its Results crashes xserver today (bench/README.md).

Standard output gets the run's figures as one JSON object; `--sessions-out
PATH` writes every client's sessions (its names, group, and each session's
connect and close times on the Unix clock, who closed it and why), which
bench/arena_faults.py holds against the server's event log.

    .venv/bin/python bench/arena_clients.py --game ipd --clients 300 --port 56789 [--churn 0.1] [--misbehaving 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
from typing import Any

try:  # run as a script from bench/, or imported as bench.arena_clients by the tests
    from load_generator import JSONClient, choose_action, choose_place, is_results, looks_like_placement, raise_open_file_limit
except ModuleNotFoundError:
    from bench.load_generator import JSONClient, choose_action, choose_place, is_results, looks_like_placement, raise_open_file_limit
from Common.santorini.actions import GiveUp, Placement
from Common.santorini.board import Board
from Common.santorini.names import Name
from Common.santorini.rules import legal_actions
from Common.santorini.wire import action_to_json, structure
from Player.santorini import strategic

IPD_GROUPS = ("defector", "random", "tit-for-tat", "cooperator")
"""The IPD's rule-abiding strategies (bench/arena_faults.py computes their order)."""
SANTORINI_GROUPS = ("good", "chooser", "random")
MISBEHAVING = "misbehaving"
BASE_OF_MISBEHAVING = {"ipd": "tit-for-tat", "santorini": "chooser"}
PREFIXES = {"defector": "alld", "random": "rnd", "tit-for-tat": "tft", "cooperator": "allc", "good": "good", "chooser": "chooser"}
MISBEHAVING_PREFIX = "bad"
RETURN_AFTER = 5.0
"""Seconds a client that left stays away at least before it may return."""
KICKED_RETURN_AFTER = 1.0
RECONNECT_EVERY = 0.25
CHURN_TICK = 1.0


# ---------------------------------------------------------------------------
# Pure: names, strategies


def groups_of(game: str) -> tuple[str, ...]:
    return IPD_GROUPS if game == "ipd" else SANTORINI_GROUPS


def member_name(game: str, group: str, index: int) -> str:
    """A client's name: its group's prefix and a counter (the IPD: `tft-0007`; Santorini, letters only: `tftaaah`)."""
    prefix = MISBEHAVING_PREFIX if group == MISBEHAVING else PREFIXES[group]
    if game == "ipd":
        return f"{prefix}-{index:04d}"
    letters = []
    for _ in range(4):
        index, digit = divmod(index, 26)
        letters.append(chr(ord("a") + digit))
    return prefix + "".join(reversed(letters))


def group_for(index: int, game: str, misbehaving: float) -> str:
    """The group of the `index`th client: `misbehaving` for one in 1/`misbehaving`, else the groups in turn."""
    if misbehaving > 0 and index % round(1 / misbehaving) == round(1 / misbehaving) // 2:
        return MISBEHAVING
    groups = groups_of(game)
    return groups[index % len(groups)]


def ipd_move(strategy: str, theirs: str | None, rng: random.Random) -> str:
    """The move of `strategy` after the opponent's last move `theirs` (None: the first round, or a forfeit)."""
    if strategy == "defector":
        return "D"
    if strategy == "random":
        return rng.choice("CD")
    if strategy == "tit-for-tat":
        return theirs if theirs is not None else "C"
    return "C"


def ipd_match(first: str, second: str, rounds: int, rng: random.Random, payoffs: dict[str, int]) -> tuple[int, int]:
    """The two totals of a `rounds`-round match of two strategies."""
    totals = [0, 0]
    last: list[str | None] = [None, None]
    for _ in range(rounds):
        a, b = ipd_move(first, last[1], rng), ipd_move(second, last[0], rng)
        if a == b:
            both = payoffs["R"] if a == "C" else payoffs["P"]
            totals[0] += both
            totals[1] += both
        elif a == "C":
            totals[0] += payoffs["S"]
            totals[1] += payoffs["T"]
        else:
            totals[0] += payoffs["T"]
            totals[1] += payoffs["S"]
        last = [a, b]
    return totals[0], totals[1]


def santorini_place(strategy: str, placement: Any, rng: random.Random) -> Any:
    if strategy == "good":
        chosen = strategic.choose_place(structure(placement, Placement))
        return [chosen.x, chosen.y]
    return choose_place(placement)


def santorini_turn(strategy: str, board: Any, me: str, rng: random.Random) -> Any:
    if strategy == "chooser":
        return choose_action(board, me)
    parsed = structure(board, Board)
    if strategy == "good":
        return action_to_json(strategic.choose_action(Name(me), parsed))
    actions = list(legal_actions(parsed, Name(me)))
    return action_to_json(rng.choice(actions) if actions else GiveUp(Name(me)))


# ---------------------------------------------------------------------------
# asyncio: members and their sessions


class Member:
    """One client of the crowd across its sessions: its group, its names, each session's record."""

    def __init__(self, name: str, group: str, game: str) -> None:
        self.name = name
        self.names = [name]
        self.group = group
        self.strategy = BASE_OF_MISBEHAVING[game] if group == MISBEHAVING else group
        self.session: Session | None = None
        self.sessions: list[dict[str, Any]] = []
        self.away_since: float | None = None
        self.out_for_good = False
        self.gave_up = False

    def record(self) -> dict[str, Any]:
        return {
            "name": self.names[0],
            "names": self.names,
            "group": self.group,
            "out for good": self.out_for_good,
            "sessions": self.sessions,
        }


class Session(JSONClient):
    """One connection of a member: signs up under the member's name and answers every request by its strategy."""

    def __init__(self, crowd: Crowd, member: Member) -> None:
        super().__init__(crowd, _Talk(member.name))
        self.crowd = crowd
        self.member = member
        self.record: dict[str, Any] = {"connected": None, "closed": None, "closed by": None, "name": member.name, "kicked": None}
        self.pieces: list[bytes] = []  # what came of an unfinished line
        self.results = False
        self.in_match = False
        self.leaving_after_match = False
        self.theirs: str | None = None
        member.sessions.append(self.record)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.record["connected"] = time.time()
        super().connection_made(transport)

    def _decode(self, data: bytes) -> None:
        """Whole lines only: the server ends every value with a newline and sends none inside one (Remote/framing.py),
        so that a long Results (every outcome of the arena) is decoded once, not again with each piece of it."""
        if b"\n" not in data:
            self.pieces.append(data)
            return
        self.pieces.append(data)
        *lines, rest = b"".join(self.pieces).split(b"\n")
        self.pieces = [rest]
        for line in lines:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError:
                self.crowd.unexpected.append(f"{self.conversation.name}: not JSON: {line[:80]!r}")
                continue
            self.take(message)

    def leave(self) -> None:
        """Close the connection now (churn): in the queue or in a match."""
        if self.transport is not None and not self.transport.is_closing():
            self.record["closed by"] = "client"
            self.record["in match"] = self.in_match
            self.transport.close()

    def take(self, message: Any) -> None:
        if type(message) is list and len(message) == 2 and message[0] == "kicked":
            self.record["kicked"] = str(message[1])[:200]
            return
        if type(message) is list and len(message) == 2 and message[0] == "playing-as" and type(message[1]) is str:
            self.conversation.name = self.record["name"] = message[1]
            self.member.names.append(message[1])
            return
        answer = self.crowd.answer(self, message)
        if answer is not None:
            self._write(answer)

    def misbehaves(self) -> bool:
        return self.member.group == MISBEHAVING and self.crowd.rng.random() < 1 / self.crowd.malformed_every

    def connection_lost(self, error: Exception | None) -> None:
        self.record["closed"] = time.time()
        if self.record["closed by"] is None:
            self.record["closed by"] = "server"
        self.crowd.session_closed(self)


class _Talk:
    """What JSONClient needs of a conversation: the name to sign up with (and `results`, unused here)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.results = None


class Crowd:
    """The whole crowd: its members, the churn, the reconnections, the figures."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        self.game: str = arguments.game
        self.host, self.port, self.websocket = arguments.host, arguments.port, False
        self.rng = random.Random(arguments.seed)
        self.churn: float = arguments.churn
        self.misbehaving: float = arguments.misbehaving
        self.malformed_every: float = arguments.malformed_every
        self.reconnect_for: float = arguments.reconnect_for
        self.churn_for: float | None = arguments.churn_for
        self.started = time.monotonic()
        self.size: int = arguments.clients
        self.members: list[Member] = []
        self.open: set[Session] = set()
        self.connected = 0  # JSONClient counts its connections here
        self.failed: str | None = None
        self.ending = False
        self.unexpected: list[str] = []
        self.counts = {
            "left": 0,
            "left in a match": 0,
            "left as its match ended": 0,
            "returned": 0,
            "new": 0,
            "kicked": 0,
            "refused for good": 0,
            "reconnected": 0,
        }
        self.counts |= {"gave up reconnecting": 0, "malformed answers sent": 0, "results received": 0, "answers": 0}
        self.done: asyncio.Event | None = None
        self.tasks: set[asyncio.Task] = set()

    # --- what JSONClient calls on its run ---------------------------------------------

    def fail(self, line: str) -> None:
        self.unexpected.append(line)

    # --- the crowd ------------------------------------------------------------------

    def new_member(self) -> Member:
        index = len(self.members)
        group = group_for(index, self.game, self.misbehaving)
        member = Member(member_name(self.game, group, index), group, self.game)
        self.members.append(member)
        return member

    def start(self, member: Member, reconnecting: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(self._connect(member, reconnecting))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect(self, member: Member, reconnecting: bool) -> None:
        """Connect `member`; a refused connection is tried again every RECONNECT_EVERY s for `--reconnect-for` s."""
        deadline = time.monotonic() + (self.reconnect_for if reconnecting else 10.0)
        loop = asyncio.get_running_loop()
        while True:
            session = Session(self, member)
            member.session = session
            try:
                await loop.create_connection(lambda session=session: session, self.host, self.port)
            except OSError:
                member.sessions.remove(session.record)
                member.session = None
                if time.monotonic() >= deadline or self.ending:
                    member.gave_up = True
                    self.counts["gave up reconnecting"] += 1
                    self._check_done()
                    return
                await asyncio.sleep(RECONNECT_EVERY)
                continue
            self.open.add(session)
            member.away_since = None
            if reconnecting:
                self.counts["reconnected"] += 1
            return

    def session_closed(self, session: Session) -> None:
        self.open.discard(session)
        member = session.member
        member.session = None
        member.away_since = time.monotonic()
        if session.results:
            pass
        elif session.record["closed by"] == "client":
            pass  # it left: the churn may bring it back
        elif session.record["kicked"] is not None:
            self.counts["kicked"] += 1
            if "for good" in session.record["kicked"]:
                member.out_for_good = True
                self.counts["refused for good"] += 1
            elif self.signing_up():
                asyncio.get_running_loop().call_later(KICKED_RETURN_AFTER, self._come_back_after_kick, member)
        elif self.signing_up():
            self.start(member, reconnecting=True)  # the server dropped it: a killed server, say
        self._check_done()

    def signing_up(self) -> bool:
        """Whether a client may sign up now: not once the arena is over, nor after `--churn-for` s."""
        return not self.ending and (self.churn_for is None or time.monotonic() - self.started < self.churn_for)

    def _come_back_after_kick(self, member: Member) -> None:
        if self.signing_up() and member.session is None:
            self.start(member)

    def _check_done(self) -> None:
        if self.ending and not self.open and not any(not task.done() for task in self.tasks if task is not asyncio.current_task()):
            assert self.done is not None
            self.done.set()

    def answer(self, session: Session, message: Any) -> Any:
        """The answer of `session`'s strategy to one message of the game; None for a message without answer."""
        self.counts["answers"] += 1
        if self.game == "ipd":
            return self._ipd(session, message)
        return self._santorini(session, message)

    def _ipd(self, session: Session, message: Any) -> Any:
        tag = message[0] if type(message) is list and message else None
        if tag == "move" and len(message) == 3 and type(message[1]) is int:
            prev = message[2]
            if type(prev) is list and len(prev) == 2:
                session.theirs = prev[1] if prev[1] in ("C", "D") else None
            if session.misbehaves():
                self.counts["malformed answers sent"] += 1
                return [message[1], "X"]
            return [message[1], ipd_move(session.member.strategy, session.theirs, self.rng)]
        if tag == "match":
            session.in_match, session.theirs = True, None
        elif tag == "match-over":
            session.in_match = False
            if session.leaving_after_match:
                session.leave()
        elif tag == "results":
            self._results(session)
        else:
            self.unexpected.append(f"{session.conversation.name}: {json.dumps(message)[:120]}")
        return None

    def _santorini(self, session: Session, message: Any) -> Any:
        strategy, me = session.member.strategy, session.conversation.name
        if type(message) is str:
            session.in_match = True  # the next opponent's name
            return None
        if type(message) is not list:
            self.unexpected.append(f"{me}: {json.dumps(message)[:120]}")
            return None
        if not looks_like_placement(message) and is_results(message):
            self._results(session)
            return None
        if session.misbehaves():
            self.counts["malformed answers sent"] += 1
            return ["malformed"]
        if looks_like_placement(message):
            return santorini_place(strategy, message, self.rng)
        return santorini_turn(strategy, message, me, self.rng)

    def _results(self, session: Session) -> None:
        session.results = True
        session.record["results"] = True
        self.counts["results received"] += 1
        self.ending = True

    async def _churn(self) -> None:
        """Every CHURN_TICK s, F/60 of the crowd's size (on average) leave, and as many sign up."""
        owed = 0.0
        while self.signing_up():
            await asyncio.sleep(CHURN_TICK)
            owed += self.size * self.churn * CHURN_TICK / 60
            count, owed = int(owed), owed - int(owed)
            signed_up = [session for session in self.open if session.record["connected"] is not None]
            for session in self.rng.sample(signed_up, min(count, len(signed_up))):
                self.counts["left"] += 1
                if self.game == "ipd" and session.in_match and self.rng.random() < 0.5:
                    session.leaving_after_match = True  # it leaves on its match-over
                    self.counts["left as its match ended"] += 1
                    continue
                self.counts["left in a match"] += session.in_match
                session.leave()
            now = time.monotonic()
            away = [
                member
                for member in self.members
                if member.session is None
                and not member.out_for_good
                and member.away_since is not None
                and now - member.away_since >= RETURN_AFTER
            ]
            for _ in range(count):
                if away and self.rng.random() < 0.5:
                    member = away.pop(self.rng.randrange(len(away)))
                    self.counts["returned"] += 1
                else:
                    member = self.new_member()
                    self.counts["new"] += 1
                self.start(member)

    async def run(self, time_limit: float) -> dict[str, Any]:
        self.done = asyncio.Event()
        started = time.monotonic()
        for _ in range(self.size):
            self.start(self.new_member())
        churn = asyncio.get_running_loop().create_task(self._churn()) if self.churn > 0 else None
        try:
            await asyncio.wait_for(self.done.wait(), time_limit)
            timed_out = False
        except TimeoutError:
            timed_out = True
        if churn is not None:
            churn.cancel()
        for session in list(self.open):
            if session.transport is not None:
                session.transport.abort()
        for task in list(self.tasks):
            task.cancel()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "game": self.game,
            "clients at a time": self.size,
            "clients in all": len(self.members),
            "groups": {group: sum(member.group == group for member in self.members) for group in (*groups_of(self.game), MISBEHAVING)},
            **self.counts,
            "unexpected messages": len(self.unexpected),
            "first unexpected": self.unexpected[:3],
            "timed out": timed_out,
            "seconds": round(time.monotonic() - started, 2),
            "cpu seconds": round(usage.ru_utime + usage.ru_stime, 2),
        }


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", choices=("ipd", "santorini"), required=True)
    parser.add_argument("--clients", type=int, required=True, help="clients connected at a time (at least 2)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--churn", type=float, default=0.0, help="share of the clients that leave (and sign up) each minute (default 0)")
    parser.add_argument("--misbehaving", type=float, default=0.0, help="share of the clients that misbehave now and then (default 0)")
    parser.add_argument(
        "--malformed-every", type=float, default=100.0, help="a misbehaving client's answers per malformed one (default 100)"
    )
    parser.add_argument("--reconnect-for", type=float, default=60.0, help="seconds a dropped client tries to reconnect (default 60)")
    parser.add_argument("--churn-for", type=float, default=None, help="nobody signs up after this many seconds (default: until the end)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--sessions-out", default=None, help="write every client's sessions to this JSON file")
    arguments = parser.parse_args(argv)
    if arguments.clients < 2 or not 0 <= arguments.churn <= 1 or not 0 <= arguments.misbehaving < 0.5 or arguments.malformed_every < 1:
        parser.error("--clients at least 2, --churn 0 to 1, --misbehaving 0 to 0.5, --malformed-every at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if raise_open_file_limit() < 2 * arguments.clients + 16:
        print(f"arena_clients: {arguments.clients} clients need more open files than the limit", file=sys.stderr)
        return 2
    crowd = Crowd(arguments)
    figures = asyncio.run(crowd.run(arguments.time_limit))
    if arguments.sessions_out:
        with open(arguments.sessions_out, "w") as out:
            json.dump([member.record() for member in crowd.members], out)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
