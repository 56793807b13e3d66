"""Both proxies of the IPD and the referee: a match between local players through the wire, over memory streams.

The server's side is the referee with a RemotePlayer per connection; the
client's side a ServerProxy with a local player (a LocalPlayer in threads,
or, where time limits matter, a ScriptedPlayer that waits in trio, so that
the autojump clock gives no false time-outs). A few tests put a client
written by hand in place of the ServerProxy, to send what ours never sends.
"""

from __future__ import annotations

import attrs
import ipd_strategies as ips
import pytest
import trio
import trio.testing
from ipd_doubles import HANG, ScriptedPlayer

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour
from Admin.ipd.referee import make_referee, too_many_forfeits
from Admin.ipd.tournament import results
from Admin.safe_call import BROKEN, LATE, MALFORMED, safe_call
from Common.ipd.chance import MatchKey
from Common.ipd.messages import TournamentResults
from Common.ipd.names import Name
from Common.ipd.outcomes import Irregular, Scored
from Common.ipd.settings import IPDSettings
from Player.ipd.classics import Alternator, Cooperator, Defector, Grudger, RandomMoves, TitForTat
from Player.ipd.local import LocalPlayer
from Player.ipd.misbehaving import Breaker, Flooder
from Player.ipd.strategy import Strategy
from Remote.channel import RECEIVE_CHUNK_BYTES, ChannelError, MessageChannel
from Remote.ipd.remote_player import RemotePlayer
from Remote.ipd.server_proxy import ServerProxy, StrategyFailed

A, B = Name("alice"), Name("bob")
LIMIT = 4096
SEED = 11
TIME_PER_CALL = 2.0
GENEROUS = 30.0
"""A time per move no honest local strategy in a thread comes near, for tests on the real clock."""


class CountingStream(trio.abc.Stream):
    """A stream that counts the bytes it hands to its reader."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self.received = 0

    async def send_all(self, data) -> None:
        await self.stream.send_all(data)

    async def wait_send_all_might_not_block(self) -> None:
        await self.stream.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes=None) -> bytes:
        data = await self.stream.receive_some(max_bytes)
        self.received += len(data)
        return data

    async def aclose(self) -> None:
        await self.stream.aclose()


@attrs.define
class Played:
    """A match played through both proxies: the referee's result, and each client's end."""

    result: EncounterResult
    ends: dict[Name, object]
    proxies: dict[Name, ServerProxy]
    streams: dict[Name, CountingStream]
    remotes: dict[Name, RemotePlayer]


async def play_through_both_proxies(
    settings: IPDSettings, first: tuple[Name, object], second: tuple[Name, object], matches: int = 1
) -> Played:
    """Play `matches` matches between the two clients, each through its ServerProxy and the server's RemotePlayer.

    After the matches, the manager's part: a kick notice to each culprit, the Results to the others.
    """
    referee = make_referee(settings, SEED, TIME_PER_CALL)
    proxies, streams, remotes, ends = {}, {}, {}, {}

    async def client(name: Name, proxy: ServerProxy) -> None:
        try:
            ends[name] = await proxy.play()
        except StrategyFailed as failure:
            ends[name] = failure
        finally:
            await proxy.channel.aclose()

    async with trio.open_nursery() as nursery:
        for name, player in (first, second):
            server_end, client_end = trio.testing.memory_stream_pair()
            streams[name] = CountingStream(server_end)
            remotes[name] = RemotePlayer(MessageChannel(streams[name], LIMIT))
            proxies[name] = ServerProxy(MessageChannel(client_end, LIMIT), player, name)
            nursery.start_soon(client, name, proxies[name])
        entrants = [Entrant(first[0], remotes[first[0]]), Entrant(second[0], remotes[second[0]])]
        outcomes, out = [], {}
        for meeting in range(matches):
            result = await referee(*entrants, Encounter(meeting, 0, meeting))
            outcomes.append(result.outcome)
            out |= {m.name: m.reason for m in result.misbehaviours}
            if out:
                break
        tournament = results(outcomes, [first[0], second[0]], out)
        for name, remote in remotes.items():  # under safe calls, as the manager does
            if name in out:
                await safe_call(remote.kicked, out[name], time_limit=TIME_PER_CALL)
            else:
                await safe_call(remote.end_of_tournament, tournament, time_limit=TIME_PER_CALL)
    return Played(result, ends, proxies, streams, remotes)


def local(name: Name, strategy: Strategy) -> tuple[Name, LocalPlayer]:
    return name, LocalPlayer(name, strategy)


# ---------------------------------------------------------------------------
# Honest matches


@pytest.mark.parametrize(
    "first, second",
    [(TitForTat, Defector), (Cooperator, Defector), (TitForTat, TitForTat), (Grudger, Alternator), (RandomMoves, TitForTat)],
)
async def test_a_match_through_both_proxies_scores_as_the_pure_fold(first: type, second: type) -> None:
    settings = IPDSettings(min_rounds=5, end_probability=0.05, max_rounds=120, noise=0.05, time_per_move=GENEROUS)
    with trio.fail_after(60):
        played = await play_through_both_proxies(settings, local(A, first()), local(B, second()))
    expected = ips.play_strategies(settings, MatchKey(SEED, 0, A, B, 0), first(), second()).played
    assert played.result == EncounterResult(expected)
    tournament = results([expected], [A, B], ())
    assert played.ends == {A: tournament, B: tournament}
    assert played.proxies[A].abandoned_rounds == played.proxies[B].abandoned_rounds == 0


async def test_the_contracts_200_round_example_through_both_proxies() -> None:
    settings = ips.fixed_length(200, time_per_move=GENEROUS)
    with trio.fail_after(60):
        played = await play_through_both_proxies(settings, local(A, TitForTat()), local(B, Defector()))
    assert played.result == EncounterResult(Scored(A, B, 199, 204, 200))


# ---------------------------------------------------------------------------
# Forfeits (scripted players waiting in trio, on the autojump clock)


async def test_a_late_move_is_a_forfeit_and_its_stand_in_is_discarded(autojump_clock) -> None:
    settings = ips.fixed_length(5)
    played = await play_through_both_proxies(settings, (A, ScriptedPlayer(A, script={2: HANG})), (B, ScriptedPlayer(B)))
    assert played.result == EncounterResult(Scored(A, B, 12, 15, 5))  # round 2: alice S = 0, bob R = 3
    assert played.proxies[A].abandoned_rounds == 1
    assert played.remotes[A].forfeited_rounds == ()  # the stand-in for round 2 came and was discarded


async def test_our_client_forfeiting_a_whole_match_loses_nothing_in_the_next_one(autojump_clock) -> None:
    settings = ips.fixed_length(1)
    played = await play_through_both_proxies(settings, (A, ScriptedPlayer(A, script={1: HANG})), (B, ScriptedPlayer(B)), 2)
    # match 1: alice forfeits its only round; match 2: her [1, "C"] is her answer there, not match 1's late copy
    assert played.result == EncounterResult(Scored(A, B, 3, 3, 1))
    assert played.ends[A] == played.ends[B] == results([Scored(A, B, 0, 3, 1), Scored(A, B, 3, 3, 1)], [A, B], ())


async def test_one_forfeit_more_than_allowed_puts_the_player_out_and_it_hears_why(autojump_clock) -> None:
    settings = ips.fixed_length(50, forfeits_allowed=2)
    hanging = ScriptedPlayer(B, script=dict.fromkeys(range(1, 100), HANG))
    played = await play_through_both_proxies(settings, (A, ScriptedPlayer(A)), (B, hanging))
    reason = too_many_forfeits(3, 2)
    assert played.result == EncounterResult(Irregular(A, B), (Misbehaviour(B, reason, LATE),))
    assert played.proxies[B].kicked_because == reason and played.ends[B] is None
    assert played.ends[A] == TournamentResults((Irregular(A, B),), played.ends[A].standings)


# ---------------------------------------------------------------------------
# Misbehaviour through both proxies


async def test_ten_thousand_replies_at_once_put_the_flooder_out_at_its_first_surplus_value_with_bounded_memory() -> None:
    settings = ips.fixed_length(50, time_per_move=GENEROUS)
    with trio.fail_after(60):
        played = await play_through_both_proxies(settings, local(A, TitForTat()), local(B, Flooder()))
    (misbehaviour,) = played.result.misbehaviours
    assert misbehaviour == Misbehaviour(
        B, 'move: UnexpectedMessage: sent [2, "C"] after its answer (a value where none was expected)', MALFORMED
    )
    assert played.result.outcome == Irregular(A, B)
    assert played.proxies[B].kicked_because == misbehaviour.reason
    flood = sum(len(f'[{k},"C"]\n') for k in range(1, 10_001))
    assert played.streams[B].received <= RECEIVE_CHUNK_BYTES + LIMIT < flood  # the server read at most a chunk of it


async def test_a_move_that_is_no_move_puts_the_player_out_and_it_hears_why() -> None:
    settings = ips.fixed_length(20, time_per_move=GENEROUS)
    with trio.fail_after(60):
        played = await play_through_both_proxies(settings, local(A, TitForTat()), local(B, Breaker(n=4)))
    (misbehaviour,) = played.result.misbehaviours
    assert misbehaviour.name == B and misbehaviour.kind == MALFORMED
    assert misbehaviour.reason == 'move: StructureError: expected a move, "C" or "D", got "B" @ $[1]'
    assert played.proxies[B].kicked_because == misbehaviour.reason
    assert played.ends[A].outcomes == (Irregular(A, B),)


class ClosingAtRound(Strategy):
    """Raises at round `n`, so that its client ends the conversation and closes the connection mid-match."""

    def __init__(self, n: int) -> None:
        self.n = n

    def move(self, me: Name, round: int, prev):
        if round == self.n:
            raise RuntimeError("the player's own bug")
        return "C"


async def test_a_connection_closed_mid_match_puts_the_player_out() -> None:
    settings = ips.fixed_length(20, time_per_move=GENEROUS)
    with trio.fail_after(60):
        played = await play_through_both_proxies(settings, local(A, TitForTat()), local(B, ClosingAtRound(3)))
    (misbehaviour,) = played.result.misbehaviours
    assert misbehaviour.name == B and misbehaviour.kind == BROKEN
    assert isinstance(played.ends[B], StrategyFailed)
    assert played.ends[A].outcomes == (Irregular(A, B),)


# ---------------------------------------------------------------------------
# What our client never sends: a client written by hand, through the referee


async def hand_written_client(channel: MessageChannel, reply) -> None:
    """Answers the server's messages with `reply(message, send)` until the connection ends."""
    try:
        while True:
            await reply(await channel.receive(), channel.send)
    except ChannelError:
        return  # the server closed the connection


async def referee_against_hand_written_client(settings: IPDSettings, reply, matches: int = 1) -> list[EncounterResult]:
    referee = make_referee(settings, SEED, TIME_PER_CALL)
    server_end, client_end = trio.testing.memory_stream_pair()
    remote = RemotePlayer(MessageChannel(server_end, LIMIT))
    found = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(hand_written_client, MessageChannel(client_end, LIMIT), reply)
        for meeting in range(matches):
            found.append(await referee(Entrant(A, ScriptedPlayer(A)), Entrant(B, remote), Encounter(meeting, 0, meeting)))
        await remote.aclose()
    return found


async def test_a_late_copy_arriving_in_the_next_match_is_discarded(autojump_clock) -> None:
    """The client holds back its reply for the last round of each match until the next message comes."""
    held: list[list] = []

    async def reply(message: list, send) -> None:
        if held:
            await send(held.pop())  # late: the server has moved on
        if message[0] == "move":
            if message[1] == 3:
                held.append([3, "D"])
            else:
                await send([message[1], "C"])

    found = await referee_against_hand_written_client(ips.fixed_length(3), reply, matches=2)
    # round 3 of each match forfeited by bob: alice (tit-for-tat) scores R = 3, bob S = 0
    assert [r.outcome for r in found] == [Scored(A, B, 9, 6, 3), Scored(A, B, 9, 6, 3)]


async def test_a_reply_for_a_round_ahead_puts_the_player_out() -> None:
    async def reply(message: list, send) -> None:
        if message[0] == "move":
            await send([message[1] + 1, "C"])

    (found,) = await referee_against_hand_written_client(ips.fixed_length(5), reply)
    assert found == EncounterResult(
        Irregular(A, B), (Misbehaviour(B, 'move: WrongRound: sent [2, "C"] while round 1 was asked: a reply ahead', MALFORMED),)
    )


async def test_a_duplicate_reply_puts_the_player_out() -> None:
    async def reply(message: list, send) -> None:
        if message[0] == "move":
            await send([message[1], "C"])
            if message[1] == 2:
                await send([message[1], "C"])

    (found,) = await referee_against_hand_written_client(ips.fixed_length(5), reply)
    assert found.outcome == Irregular(A, B)
    (misbehaviour,) = found.misbehaviours
    assert misbehaviour.kind == MALFORMED and '[2, "C"]' in misbehaviour.reason
