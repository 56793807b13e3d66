"""Hostile prisoner's dilemma clients in a real tournament: xserver on 127.0.0.1, honest players, and one offender.

Each test runs xserver as a process with fixed-length matches and no noise,
signs up honest players (the project's own client in this process, with
built-in strategies, whose every call is recorded; sometimes an honest
IPDRawClient too) and one offender, an IPDRawClient called carl that signs
up last, and checks what a participant would see: the tournament completes,
the server's output line and the Results every honest player received are
those of the pure fold (`tests/ipd_strategies.play_match` over
`Common.ipd.match`), and the offender is either scored for its forfeits or
out, irregular, with a kick notice in the words of the server's log.

No clock synchronises anything: a late reply is sent only once the offender
has received the message the server sends after giving up on it, and the
tests wait for the server's log lines. Time limits are generous bounds.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import ipd_strategies as ips
import pytest
import trio

from Admin.ipd.tournament import results
from Common.ipd.chance import MatchKey
from Common.ipd.messages import MatchOver, MatchStart, MoveRequest, TournamentResults
from Common.ipd.moves import Prev, Totals
from Common.ipd.outcomes import Irregular
from Common.ipd.player import Player
from Common.ipd.settings import SETTINGS_KEYS, IPDSettings, read_settings
from Common.ipd.wire import unstructure
from Player.configuration import LocalPlayerEntry
from Player.ipd.classics import Cooperator, Defector, TitForTat
from Player.ipd.strategy import Strategy
from Remote.client import run_clients
from Remote.configuration import ClientConfiguration
from Remote.ipd.game import PLAYERS
from Remote.loopback import Finished, ServerProcess
from tests.ipd_raw_client import MATCH, MOVE, IPDRawClient, is_kind
from tests.raw_client import HOST, compact, stop, wait_for_log
from tests.ws_raw_client import websocket_port

WINDOW = 0.75
"""Seconds of sign-up: every client here signs up within milliseconds of the server's `listening on`."""
LIMIT = 60.0
"""A generous bound on every wait."""
SEED = 1
ROUNDS = 4
"""Every match's length ("min rounds" = "max rounds")."""
FORFEIT_TIME = 0.5
""""time per move" where forfeits are the point: each forfeit costs this long; no honest answer comes near it."""
GENEROUS_TIME = 10.0
""""time per move" where no forfeit is meant to happen."""
OFFENDER = "carl"
HONEST = (("ann", "tit-for-tat"), ("ben", "defector"))
STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "tit-for-tat": TitForTat,
    "defector": Defector,
    "cooperator": Cooperator,
}


def as_json(value: Any) -> Any:
    """`value` as it reads after a trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


def wire(message: Any) -> Any:
    return as_json(unstructure(message))


class Recording(Player):
    """An honest player that writes down every message it hears, as it reads on the wire."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.heard: list[Any] = []

    async def playing_as(self, name: str) -> None:
        self.heard.append(["playing-as", name])
        await self.player.playing_as(name)

    async def start_match(self, opponent: str) -> None:
        self.heard.append(wire(MatchStart(opponent)))
        await self.player.start_match(opponent)

    async def move(self, round: int, prev: Prev | None) -> str:
        self.heard.append(wire(MoveRequest(round, prev)))
        return await self.player.move(round, prev)

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        self.heard.append(wire(MatchOver(prev, totals, rounds)))
        await self.player.match_over(prev, totals, rounds)

    async def end_of_tournament(self, results: TournamentResults) -> None:
        self.heard.append(wire(results))
        await self.player.end_of_tournament(results)

    async def kicked(self, reason: str) -> None:
        self.heard.append(["kicked", reason])
        await self.player.kicked(reason)


@attrs.frozen
class Scene:
    """What the hostile side gets to know: the running server."""

    server: ServerProcess

    @property
    def port(self) -> int:
        return self.server.port


@attrs.frozen
class Tournament:
    config: dict
    finished: Finished
    honest_results: Any
    honest_all_well: bool
    heard: dict[str, list]
    hostile: Any

    @property
    def output(self) -> dict:
        assert self.finished.status == 0, self.finished.log
        lines = self.finished.output.splitlines()
        assert len(lines) == 1, self.finished.output
        return json.loads(lines[0])

    def misbehaviours(self, name: str = OFFENDER) -> list[str]:
        """The reasons the log gives for `name`'s misbehaviour, one per log line."""
        marker = f"{name} misbehaved: "
        return [line.split(marker, 1)[1] for line in self.finished.log.splitlines() if marker in line]


Hostile = Callable[[Scene], Awaitable[Any]]
"""Connects and signs up (after the honest players of the project's client), misbehaves; returns a report."""


async def tournament(
    hostile: Hostile,
    honest: Sequence[tuple[str, str]] = HONEST,
    over_websocket: Sequence[tuple[str, str]] = (),
    preexec_fn: Callable[[], None] | None = None,
    **keys: Any,
) -> Tournament:
    """A whole tournament: `honest` players of the project's client sign up first, then `hostile` does its part.

    `over_websocket`: more honest players, who connect over WebSocket and sign up after `honest` (xserver
    then opens a WebSocket listener on a free port). `preexec_fn` runs in the server's process before it starts.
    """
    config = {
        "game": "ipd",
        "min players": len(honest) + len(over_websocket) + 1,
        "waiting for": WINDOW,
        "repeat": 0,
        "min rounds": ROUNDS,
        "max rounds": ROUNDS,
        "seed": SEED,
        "time per move": GENEROUS_TIME,
        **({"websocket": {"port": 0}} if over_websocket else {}),
        **keys,
    }
    server = await trio.to_thread.run_sync(lambda: ServerProcess(config, preexec_fn=preexec_fn))
    try:
        recorded = {name: Recording(LocalPlayerEntry(kind, name, "").create(PLAYERS)) for name, kind in (*honest, *over_websocket)}
        groups = [(ClientConfiguration(players=(), observers=(), ip=HOST, port=server.port, game="ipd"), honest)]
        if over_websocket:
            port = await websocket_port(server)
            groups.append((ClientConfiguration(players=(), ip=HOST, port=port, transport="websocket", game="ipd"), over_websocket))
        outcomes: list[Any] = []
        found: dict[str, Any] = {}
        with trio.fail_after(LIMIT):
            async with trio.open_nursery() as nursery:

                async def play_honestly(client_config: ClientConfiguration, group: Sequence[tuple[str, str]]) -> None:
                    outcomes.append(await run_clients(client_config, [(name, recorded[name]) for name, _ in group]))

                for client_config, group in groups:
                    nursery.start_soon(play_honestly, client_config, group)
                    await wait_for_log(server, f"xserver: {group[-1][0]} signed up")
                found["hostile"] = await hostile(Scene(server))
        finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    received = [None if outcome.results is None else wire(outcome.results) for outcome in outcomes]
    honest_results = received[0] if all(results == received[0] for results in received) else received  # all the same, or all shown
    heard = {name: player.heard for name, player in recorded.items()}
    return Tournament(config, finished, honest_results, all(outcome.all_well for outcome in outcomes), heard, found["hostile"])


# ------------------------------------------------------------------ the pure fold, the oracle


def settings_of(config: dict) -> IPDSettings:
    return read_settings({key: value for key, value in config.items() if key in SETTINGS_KEYS})


Decider = Callable[[int, Prev | None], Any]


def decider(player: tuple[str, str | Decider]) -> Decider:
    name, how = player
    return ips.deciding(STRATEGIES[how](), name) if isinstance(how, str) else how


def forfeiting(rounds: set[int]) -> Decider:
    """Cooperates, except in `rounds`, which it forfeits (None: its reply came too late)."""
    return lambda round_, prev: None if round_ in rounds else "C"


def fold(config: dict, first: tuple[str, str | Decider], second: tuple[str, str | Decider]) -> ips.PlayedMatch:
    """The match between `first` and `second` (each a name and a strategy's kind or a Decider) as the fold plays it."""
    key = MatchKey(SEED, 0, first[0], second[0], 0)
    return ips.play_match(settings_of(config), key, decider(first), decider(second))


def conversation(played: ips.PlayedMatch, side: int) -> list:
    """Every message one side of `played` hears, as JSON: the start, each request, the end."""
    opponent = played.played.second if side == 0 else played.played.first
    requests = played.first_requests if side == 0 else played.second_requests
    over = played.first_over if side == 0 else played.second_over
    return [wire(MatchStart(opponent)), *(wire(request) for request in requests), wire(over)]


def expected_output(outcomes: list, roster: list[str], misbehaved: tuple[str, ...] = ()) -> dict:
    return {"game": "ipd", "seed": SEED, **results_json(outcomes, roster, misbehaved)}


def results_json(outcomes: list, roster: list[str], misbehaved: tuple[str, ...] = ()) -> dict:
    found = wire(results(outcomes, roster, misbehaved))
    return {"outcomes": found[1], "standings": found[2]}


def matches_heard(heard: list) -> list[list]:
    """What a Recording heard, cut into matches (each from its `match` message to its `match-over`)."""
    matches: list[list] = []
    for message in heard:
        if message[0] == MATCH:
            matches.append([])
        if matches and message[0] in (MATCH, MOVE, "match-over"):
            matches[-1].append(message)
    return matches


# ------------------------------------------------------------------ what a participant sees


def assert_honest_players_got_the_output(played: Tournament) -> dict:
    """The server printed one line, and the honest players received its outcomes and Standings, all well."""
    output = played.output
    assert played.honest_all_well, played.finished.log
    assert played.honest_results == ["results", output["outcomes"], output["standings"]], played.honest_results
    return output


def assert_kicked_in_the_logs_words(played: Tournament, client: IPDRawClient, fragment: str) -> str:
    """One log line says why the offender is out, naming `fragment`; its last message said the same, then the close."""
    (reason,) = played.misbehaviours()
    assert fragment in reason, reason
    assert client.received[-1] == ["kicked", reason] and client.kicked_because == reason, client.received
    assert client.closed_by_server
    return reason


def late_until(kind: str) -> Callable[[IPDRawClient, list], Awaitable[bool]]:
    """A deed: answer this round only once a message of `kind` has arrived (the server has moved on)."""

    async def late(client: IPDRawClient, request: list) -> bool:
        client.hold(compact([request[1], "C"]), is_kind(kind))
        return False

    return late


async def offender_plays(scene: Scene, deeds: dict) -> tuple[IPDRawClient, list | None, list]:
    """carl signs up and plays with `deeds`: itself, the Results it received (or None), and what came after."""
    client = await IPDRawClient.connect(scene.port, OFFENDER)
    await client.sign_up()
    received = await client.play(deeds)
    return client, received, await client.read_until_closed()


# ------------------------------------------------------------------ forfeits


async def test_a_late_reply_is_a_forfeit_and_its_late_copy_is_discarded_also_in_the_next_match():
    """carl answers round 2 after round 3's request came, and the last round after its next match began."""
    late = {(1, 2): late_until(MOVE), (1, ROUNDS): late_until(MATCH)}
    played = await tournament(lambda scene: offender_plays(scene, late), **{"time per move": FORFEIT_TIME})
    config, (ann, ben) = played.config, HONEST
    carl_forfeiting = (OFFENDER, forfeiting({2, ROUNDS}))
    matches = [fold(config, ann, ben), fold(config, ann, carl_forfeiting), fold(config, ben, (OFFENDER, "cooperator"))]
    outcomes = [match.played for match in matches]
    output = assert_honest_players_got_the_output(played)
    assert output == expected_output(outcomes, ["ann", "ben", OFFENDER])
    # in each forfeited round carl scored S = 0 and tit-for-tat R = 3, and both were told null as carl's move
    assert output["outcomes"][1] == ["ann", OFFENDER, 12, 6, ROUNDS]
    client, received, after = played.hostile
    assert client.moves(1)[2] == ["move", 3, [None, "C"]]
    assert matches_heard(played.heard["ann"])[1][3] == ["move", 3, ["C", None]]
    # the late copies were discarded: carl was never out, heard what the fold says, and received the Results
    assert played.misbehaviours() == [] and "misbehaved" not in played.finished.log
    assert client.received == [*conversation(matches[1], 1), *conversation(matches[2], 1), received]
    assert received == played.honest_results and after == [] and client.closed_by_server
    assert matches_heard(played.heard["ann"])[1] == conversation(matches[1], 0)


async def test_one_forfeit_more_than_allowed_puts_the_player_out_and_it_hears_why():
    late = {(1, 1): late_until(MOVE), (1, 2): late_until(MOVE)}  # the second copy is never released
    keys = {"time per move": FORFEIT_TIME, "forfeits allowed": 1}
    played = await tournament(lambda scene: offender_plays(scene, late), **keys)
    config, (ann, ben) = played.config, HONEST
    honest_match = fold(config, ann, ben)
    irregular = fold(config, ann, (OFFENDER, forfeiting(set(range(1, ROUNDS + 1)))))
    assert irregular.played.culprits == {OFFENDER} and len(irregular.rounds) == 2  # the fold agrees: out after round 2
    output = assert_honest_players_got_the_output(played)
    # carl's match with ben was never played
    assert output["outcomes"] == wire([honest_match.played, Irregular("ann", OFFENDER)])
    assert output["standings"] == results_json([honest_match.played], ["ann", "ben"])["standings"]
    client, received, after = played.hostile
    assert received is None and after == []
    assert_kicked_in_the_logs_words(played, client, "move: 2 forfeits in one match, more than the 1 allowed")
    # the allowed forfeit did not: round 2 was asked, with carl's forfeit in its Prev
    assert client.received[:-1] == conversation(irregular, 1)[:-1]
    assert client.received[2] == ["move", 2, [None, "C"]]
    assert matches_heard(played.heard["ann"])[1] == conversation(irregular, 0)


# ------------------------------------------------------------------ a flood


FLOOD_REPLIES = 10_000
REPLY_BYTES = 1024
"""Each reply of the flood is padded with white space to this many bytes: 10 MB in all."""
MEMORY_BOUND_KB = 4 * 1024
"""How much more memory the server may hold after the flood than before; the flood is 10 MB."""


def memory_kb(pid: int) -> dict[str, int]:
    """The resident set size of process `pid` and its peak, in kB, from /proc/PID/status."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = (line.partition(":") for line in lines)
    return {key: int(value.split()[0]) for key, _, value in fields if key in ("VmRSS", "VmHWM")}


def padded_replies(first: int, count: int) -> bytes:
    return b"".join(compact([k, "C"]).ljust(REPLY_BYTES, b" ") for k in range(first, first + count))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc/PID/status to read memory from")
async def test_ten_thousand_replies_at_once_put_the_flooder_out_at_its_first_surplus_value_in_bounded_memory():
    """While carl floods in its match with dan, ann and ben play on; ann answers round 2 only once carl is out."""
    honest = (("ben", "defector"), ("dan", "tit-for-tat"))
    pairings = [["ann", "ben"], ["dan", OFFENDER], ["ann", "dan"], ["ben", OFFENDER]]
    memory: dict[str, dict[str, int]] = {}

    async def flood_and_a_bystander(scene: Scene) -> tuple[IPDRawClient, IPDRawClient, list | None]:
        pid = scene.server.process.pid

        async def flood(client: IPDRawClient, request: list) -> bool:
            memory["before"] = memory_kb(pid)
            nursery.start_soon(write_flood, client)
            return False

        async def write_flood(client: IPDRawClient) -> None:
            # the server closed the connection before it took the whole flood: as it should
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                await client.send(padded_replies(1, FLOOD_REPLIES))

        async def once_carl_is_out(client: IPDRawClient, request: list) -> bool:
            await wait_for_log(scene.server, f"{OFFENDER} misbehaved:")
            memory["after"] = memory_kb(pid)  # the server still runs: it waits for this answer
            await client.answer(request[1])
            return False

        bystander = await IPDRawClient.connect(scene.port, "ann")
        await bystander.sign_up()
        await wait_for_log(scene.server, "xserver: ann signed up")
        flooder = await IPDRawClient.connect(scene.port, OFFENDER)
        await flooder.sign_up()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(flooder.play, {(1, 1): flood})
            bystanders_results = await bystander.play({(1, 2): once_carl_is_out})
        return flooder, bystander, bystanders_results

    played = await tournament(flood_and_a_bystander, honest, **{"min players": 4, "pairings": pairings})
    config = played.config
    matches = [fold(config, ("ann", "cooperator"), honest[0]), fold(config, ("ann", "cooperator"), honest[1])]
    outcomes = [matches[0].played, Irregular("dan", OFFENDER), matches[1].played]
    output = assert_honest_players_got_the_output(played)
    assert output["outcomes"] == wire(outcomes)  # every other match played in full; carl's with ben never
    without_carl = results_json([match.played for match in matches], ["ben", "dan", "ann"])
    assert output["standings"] == without_carl["standings"]
    flooder, bystander, bystanders_results = played.hostile
    assert bystanders_results == played.honest_results
    assert bystander.received == [*conversation(matches[0], 0), *conversation(matches[1], 0), bystanders_results]
    assert_kicked_in_the_logs_words(played, flooder, 'sent [2, "C"]')  # the first value beyond the reply asked for
    assert flooder.received[:2] == [["match", "dan"], ["move", 1, None]] and len(flooder.received) == 3
    grew = {key: memory["after"][key] - memory["before"][key] for key in ("VmRSS", "VmHWM")}
    assert all(kb < MEMORY_BOUND_KB for kb in grew.values()), (grew, memory)


# ------------------------------------------------------------------ out at once


def sending(data: bytes) -> Callable[[IPDRawClient, list], Awaitable[bool]]:
    """A deed: send `data` instead of the reply."""

    async def send(client: IPDRawClient, request: list) -> bool:
        await client.send(data)
        return False

    return send


async def hang_up(client: IPDRawClient, request: list) -> bool:
    await client.aclose()
    return True


@pytest.mark.parametrize(
    "deed, fragment",
    [
        (sending(compact([3, "C"])), 'WrongRound: sent [3, "C"] while round 2 was asked: a reply ahead'),
        (sending(compact([1, "C"])), 'sent [1, "C"] while round 2 was asked: round 1 awaits no reply (settled'),
        (sending(compact([2, "C"]) + compact([2, "C"])), 'sent [2, "C"]'),
        (sending(compact([2, "B"])), 'expected a move, "C" or "D", got "B"'),
        (sending(compact([2, "c"])), 'expected a move, "C" or "D", got "c"'),
        (sending(compact("C")), 'got "C"'),
        (hang_up, "closed the connection"),
    ],
    ids=[
        "a round ahead",
        "a duplicate for a settled round",
        "a duplicate in the same write",
        '"B"',
        '"c"',
        "not a list",
        "a connection closed mid-match",
    ],
)
async def test_a_reply_that_breaks_the_protocol_in_round_2_puts_the_player_out_at_once(deed, fragment):
    played = await tournament(lambda scene: offender_plays(scene, {(1, 2): deed}))
    config, (ann, ben) = played.config, HONEST
    honest_match = fold(config, ann, ben)
    output = assert_honest_players_got_the_output(played)
    # carl's match with ben was never played
    assert output["outcomes"] == wire([honest_match.played, Irregular("ann", OFFENDER)])
    assert output["standings"] == results_json([honest_match.played], ["ann", "ben"])["standings"]
    client, received, after = played.hostile
    assert received is None and after == []
    assert client.received[:3] == [["match", "ann"], ["move", 1, None], ["move", 2, ["C", "C"]]]
    if deed is hang_up:
        (reason,) = played.misbehaviours()
        assert fragment in reason and len(client.received) == 3, (reason, client.received)
    else:
        assert_kicked_in_the_logs_words(played, client, fragment)
        assert len(client.received) == 4, client.received
