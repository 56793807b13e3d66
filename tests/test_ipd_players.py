"""The IPD's built-in, misbehaving and example strategies, the kinds table, and the player interface."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import ipd_strategies as ips
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.chance import MatchKey
from Common.ipd.match import Match
from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Move, Prev, Totals, is_move
from Common.ipd.names import Name
from Common.ipd.outcomes import Scored
from Common.ipd.player import Player
from Player.ipd.classics import Alternator, Cooperator, Defector, Grudger, RandomMoves, TitForTat
from Player.ipd.kinds import HONEST_KINDS, KINDS, PLAYERS
from Player.ipd.misbehaving import FLOOD_REPLIES, LATE_FACTOR, Breaker, Flooder, Infinite, Late
from Player.ipd.strategy import Strategy

ROOT = Path(__file__).resolve().parent.parent
A, B = Name("alice"), Name("bob")
KEY = MatchKey(0, 0, A, B)
WAIT = 10.0
"""A bound on waits for threads in these tests, never reached when all is well."""


def scores(first: Strategy, second: Strategy, rounds: int = 200) -> tuple[int, int]:
    played = ips.play_strategies(ips.fixed_length(rounds), KEY, first, second).played
    assert isinstance(played, Scored)
    return played.first_score, played.second_score


def moves_of(strategy: Strategy, opponent_moves: list) -> list[Move]:
    """What `strategy` answers in a match against an opponent who plays `opponent_moves` (None: forfeits)."""
    strategy.start_match(A, B)
    answers, prev = [], None
    for k, theirs in enumerate(opponent_moves, start=1):
        mine = strategy.move(A, k, prev)
        answers.append(mine)
        prev = Prev(mine, theirs)
    return answers


# ---------------------------------------------------------------------------
# The classics


@pytest.mark.parametrize("kind", HONEST_KINDS)
@ips.QUICK
@given(st.lists(st.tuples(ips.prevs(), st.booleans()), max_size=30))
def test_every_honest_strategy_always_answers_a_move(kind: str, history: list) -> None:
    strategy = PLAYERS.built_in(kind)
    strategy.start_match(A, B)
    assert is_move(strategy.move(A, 1, None))
    for k, (prev, new_match) in enumerate(history, start=2):
        if new_match:
            strategy.start_match(A, B)
            assert is_move(strategy.move(A, 1, None))
        assert is_move(strategy.move(A, k, prev))


def test_tit_for_tat_cooperates_first_then_copies_and_answers_a_forfeit_with_cooperation() -> None:
    assert moves_of(TitForTat(), ["D", "C", None, "D", "D"]) == ["C", "D", "C", "C", "D"]


def test_grudger_defects_forever_after_a_defection_and_forgives_in_the_next_match() -> None:
    grudger = Grudger()
    assert moves_of(grudger, ["C", "D", "C", "C", None]) == ["C", "C", "D", "D", "D"]
    assert moves_of(grudger, ["C", "C"]) == ["C", "C"]


def test_alternator_cooperates_in_odd_rounds() -> None:
    assert moves_of(Alternator(), ["D"] * 5) == ["C", "D", "C", "D", "C"]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (Grudger, Alternator, (597, 107)),
        (TitForTat, Alternator, (498, 503)),
        (Grudger, Defector, (199, 204)),
        (Grudger, Cooperator, (600, 600)),
        (Alternator, Defector, (100, 600)),
    ],
)
def test_fixed_200_round_matches_between_classics_score_as_in_the_literature(first: type, second: type, expected: tuple) -> None:
    assert scores(first(), second()) == expected


def _match_moves(strategy: RandomMoves, opponent: Name, rounds: int = 200) -> list[Move]:
    strategy.start_match(A, opponent)
    moves = [strategy.move(A, k, None if k == 1 else Prev("C", "C")) for k in range(1, rounds + 1)]
    strategy.match_over(A, Prev("C", "C"), Totals(3 * rounds, 3 * rounds), rounds)
    return moves


def test_random_is_the_same_in_the_same_match_and_differs_between_opponents() -> None:
    first = _match_moves(RandomMoves(), B)
    assert first == _match_moves(RandomMoves(), B)
    assert _match_moves(RandomMoves(), Name("carl")) != first
    assert 0.4 <= first.count("C") / len(first) <= 0.6


@given(st.lists(st.sampled_from([B, Name("carl"), Name("dora")]), max_size=6), st.integers(1, 30))
def test_randoms_moves_in_a_match_depend_only_on_what_the_conversation_says_not_on_matches_played_before(
    earlier: list[Name], rounds: int
) -> None:
    resumed = RandomMoves()  # a client started again: it has played none of the earlier matches
    played_on = RandomMoves()
    for opponent in earlier:
        _match_moves(played_on, opponent, rounds)
    assert _match_moves(played_on, B) == _match_moves(resumed, B)


def test_random_answers_even_when_told_of_no_match() -> None:
    assert is_move(RandomMoves().move(A, 1, None))


# ---------------------------------------------------------------------------
# Misbehaving strategies


def answer_in_thread(strategy: Strategy) -> tuple[threading.Thread, list]:
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(strategy.move(A, 1, None)), daemon=True)
    thread.start()
    return thread, answers


def test_breaker_answers_something_that_is_no_move_at_its_nth_move() -> None:
    breaker = Breaker(3)
    answers = [breaker.move(A, k, None if k == 1 else Prev("C", "C")) for k in range(1, 6)]
    assert [is_move(answer) for answer in answers] == [True, True, False, True, True]
    assert answers[2] == "B"


def test_late_waits_one_and_a_half_time_limits_unless_released() -> None:
    late = Late(time_limit=WAIT)
    assert late.delay == WAIT * LATE_FACTOR
    thread, answers = answer_in_thread(late)
    assert late.waiting.wait(WAIT)
    assert thread.is_alive() and answers == []
    late.release()
    thread.join(WAIT)
    assert answers == ["C"]


def test_late_waits_past_the_default_time_per_move() -> None:
    assert Late().delay > 1.0


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "1", None])
def test_late_needs_a_positive_time_limit(bad: object) -> None:
    with pytest.raises(ValueError):
        Late(bad)  # type: ignore[arg-type]


def test_infinite_never_answers_its_nth_move() -> None:
    infinite = Infinite(2)
    assert infinite.move(A, 1, None) == "C"
    thread, answers = answer_in_thread(infinite)
    assert infinite.waiting.wait(WAIT)
    assert thread.is_alive() and answers == []
    infinite.release()
    thread.join(WAIT)
    assert answers == ["C"]


@pytest.mark.parametrize("cls", [Breaker, Infinite])
@pytest.mark.parametrize("bad", [0, -3, 1.0, "1"])
def test_the_move_to_misbehave_at_is_a_whole_number_from_1(cls: type, bad: object) -> None:
    with pytest.raises(ValueError):
        cls(bad)


def test_flooder_plays_tit_for_tat_and_asks_its_proxy_for_ten_thousand_replies_ahead() -> None:
    flooder = Flooder()
    assert flooder.replies_ahead == FLOOD_REPLIES == 10_000
    assert moves_of(flooder, ["D", "C", "C"]) == ["C", "D", "C"]


# ---------------------------------------------------------------------------
# Kinds and the example file


def test_every_kind_makes_a_fresh_strategy() -> None:
    assert set(KINDS) == {
        "tit-for-tat",
        "cooperator",
        "defector",
        "grudger",
        "alternator",
        "random",
        "late",
        "breaker",
        "infinite",
        "flooder",
    }
    for kind in KINDS:
        assert PLAYERS.is_kind(kind)
        one, other = PLAYERS.built_in(kind), PLAYERS.built_in(kind)
        assert isinstance(one, Strategy) and one is not other


@pytest.mark.parametrize("bad", ["good", "Tit-for-tat", "", None, 1])
def test_an_unknown_kind_is_refused(bad: object) -> None:
    assert not PLAYERS.is_kind(bad)
    with pytest.raises(ValueError, match="unknown kind"):
        PLAYERS.built_in(bad)  # type: ignore[arg-type]


def test_the_example_file_makes_a_win_stay_lose_shift_strategy() -> None:
    spec = importlib.util.spec_from_file_location("ipd_example_player", ROOT / "Player" / "ipd" / "example_player.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    strategy = module.make_strategy()
    assert isinstance(strategy, Strategy) and module.make_strategy() is not strategy
    assert scores(strategy, Defector()) == (100, 600)
    assert scores(module.make_strategy(), TitForTat()) == (600, 600)


def test_a_strategy_must_say_how_to_move() -> None:
    with pytest.raises(NotImplementedError):
        Strategy().move(A, 1, None)


# ---------------------------------------------------------------------------
# The player interface, implemented by a direct adapter (no threads)


class DirectPlayer(Player):
    """A Strategy behind the async Player interface, called directly: for tests only."""

    def __init__(self, name: Name, strategy: Strategy) -> None:
        self.name, self.strategy = name, strategy
        self.heard: list[tuple] = []

    async def playing_as(self, name: Name) -> None:
        self.name = name
        self.strategy.playing_as(name)

    async def start_match(self, opponent: Name) -> None:
        self.strategy.start_match(self.name, opponent)

    async def move(self, round: int, prev: Prev | None) -> Move:
        return self.strategy.move(self.name, round, prev)

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        self.heard.append((prev, totals, rounds))
        self.strategy.match_over(self.name, prev, totals, rounds)

    async def end_of_tournament(self, results: TournamentResults) -> None:
        self.strategy.end_of_tournament(results.outcomes, results.standings)


def test_an_incomplete_player_cannot_be_made() -> None:
    class Mute(Player):
        async def move(self, round: int, prev: Prev | None) -> Move:
            return "C"

    with pytest.raises(TypeError):
        Mute()  # type: ignore[abstract]


async def test_players_play_a_match_through_the_interface() -> None:
    first, second = DirectPlayer(A, TitForTat()), DirectPlayer(B, Defector())
    match = Match(ips.fixed_length(200), KEY)
    await first.start_match(B)
    await second.start_match(A)
    while not match.over:
        one, other = match.request(A), match.request(B)
        match.settle(await first.move(one.round, one.prev), await second.move(other.round, other.prev))
    for player in (first, second):
        over = match.match_over(player.name)
        await player.match_over(over.prev, over.totals, over.rounds)
    assert first.heard == [(Prev("D", "D"), Totals(199, 204), 200)]
    assert second.heard == [(Prev("D", "D"), Totals(204, 199), 200)]
