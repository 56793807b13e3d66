"""The IPD's LocalPlayer: a Strategy behind the async Player interface, in abandonable threads of its own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import trio
import trio.testing

from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Scored, Standing
from Common.ipd.player import Player
from Common.participant import Participant
from Player.ipd.classics import TitForTat
from Player.ipd.local import LocalPlayer
from Player.ipd.misbehaving import Infinite
from Player.ipd.strategy import Strategy

A, B = Name("alice"), Name("bob")
THIS_FILE = Path(__file__).resolve()
RESULTS = TournamentResults((Scored(A, B, 3, 3, 1),), (Standing(A, 3.0, 1), Standing(B, 3.0, 1)))


class Recording(Strategy):
    """Remembers every call, with the thread it ran in."""

    def __init__(self) -> None:
        self.heard: list[tuple] = []
        self.threads: set[int] = set()

    def _note(self, *call: object) -> None:
        self.heard.append(call)
        self.threads.add(threading.get_ident())

    def playing_as(self, name: Name) -> None:
        self._note("playing_as", name)

    def start_match(self, me: Name, opponent: Name) -> None:
        self._note("start_match", me, opponent)

    def move(self, me: Name, round: int, prev: Prev | None) -> str:
        self._note("move", me, round, prev)
        return "D"

    def match_over(self, me: Name, prev: Prev | None, totals: Totals, rounds: int) -> None:
        self._note("match_over", me, prev, totals, rounds)

    def end_of_tournament(self, outcomes: object, standings: object) -> None:
        self._note("end_of_tournament", outcomes, standings)


class Raising(Strategy):
    def move(self, me: Name, round: int, prev: Prev | None) -> str:
        return {"C": "C"}[me]  # KeyError: a bug in the strategy's own file


def test_a_local_player_is_a_participant_of_the_game_free_host() -> None:
    player = LocalPlayer(A, TitForTat())
    assert isinstance(player, Player) and isinstance(player, Participant)


async def test_each_call_reaches_the_strategy_in_a_worker_thread_with_the_current_name() -> None:
    strategy = Recording()
    player = LocalPlayer(A, strategy)
    await player.playing_as(Name("alice1"))
    await player.start_match(B)
    assert await player.move(1, None) == "D"
    await player.match_over(Prev("D", "C"), Totals(5, 0), 1)
    await player.end_of_tournament(RESULTS)
    assert strategy.heard == [
        ("playing_as", "alice1"),
        ("start_match", "alice1", B),
        ("move", "alice1", 1, None),
        ("match_over", "alice1", Prev("D", "C"), Totals(5, 0), 1),
        ("end_of_tournament", RESULTS.outcomes, RESULTS.standings),
    ]
    assert threading.get_ident() not in strategy.threads
    assert player.name == "alice1"


async def abandon_a_waiting_call(player: LocalPlayer, strategy: Infinite) -> None:
    """Ask `player` for a move that `strategy` never answers; give up once the strategy waits in its thread."""
    async with trio.open_nursery() as nursery:
        nursery.start_soon(player.move, 1, None)
        await trio.to_thread.run_sync(strategy.waiting.wait)
        nursery.cancel_scope.cancel()


async def test_a_strategy_that_never_answers_is_abandoned_and_the_next_call_waits_for_its_thread() -> None:
    strategy = Infinite(n=1)
    player = LocalPlayer(A, strategy)
    with trio.fail_after(10):
        await abandon_a_waiting_call(player, strategy)
        answers = []
        async with trio.open_nursery() as nursery:
            nursery.start_soon(lambda: _append(answers, player.move(2, Prev(None, "C"))))
            await trio.testing.wait_all_tasks_blocked()
            assert strategy.moves == 1  # the abandoned thread still runs: the second call waits for it
            strategy.release()
    assert answers == ["C"] and strategy.moves == 2


async def _append(answers: list, call) -> None:
    answers.append(await call)


async def test_each_player_has_a_thread_slot_of_its_own() -> None:
    stuck = [Infinite() for _ in range(45)]  # more than trio's default limiter (40 threads) holds
    try:
        with trio.fail_after(30):
            for number, strategy in enumerate(stuck):
                await abandon_a_waiting_call(LocalPlayer(Name(f"p{number}"), strategy), strategy)
            assert await LocalPlayer(B, TitForTat()).move(1, None) == "C"
    finally:
        for strategy in stuck:
            strategy.release()


async def test_an_exception_passes_through_and_its_traceback_shows_only_the_strategy_file() -> None:
    player = LocalPlayer(A, Raising())
    assert player.source == THIS_FILE
    with pytest.raises(KeyError) as raised:
        await player.move(1, None)
    shown = player.user_traceback(raised.value)
    assert "test_ipd_local_player.py" in shown and 'return {"C": "C"}[me]' in shown
    assert "trio" not in shown and "local.py" not in shown
    assert shown.endswith("KeyError: 'alice'")
