"""Tests of the Player package: the good strategy, the misbehaving ones, LocalPlayer and the loader.

Legality is always judged by Common.santorini.rules, never by the strategy's own code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from Common.santorini.actions import GiveUp, MoveAndBuild, WinningMove
from Common.santorini.board import Board, WorkerPlace
from Common.santorini.geometry import DIRECTIONS, PLACES, Direction, EastWest, NorthSouth, Place
from Common.santorini.names import Name, Worker
from Common.santorini.results import EncounterOutcome
from Common.santorini.rules import (
    action_error,
    apply_action,
    has_legal_turn,
    is_winning,
    legal_actions,
    move_target,
    placement_error,
)
from Player.loader import PROJECT_ROOT, PlayerLoadError, load_strategy, make_local_player
from Player.santorini.kinds import KINDS, PLAYERS
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import (
    DeliberateFailure,
    IllegalAction,
    MalformedPlacement,
    NeverPlaces,
    NeverTakesTurn,
    OccupiedPlacement,
    Raising,
)
from Player.santorini.strategic import GoodStrategy
from Player.santorini.strategy import Strategy

ME = Name("alice")
THEM = Name("bob")
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# Building positions


def board_of(heights: dict[tuple[int, int], int], workers: dict[str, tuple[int, int]]) -> Board:
    """A board with the given heights (others 0) and workers such as {"alice1": (2, 2)}."""
    flat = [0] * 36
    for (x, y), height in heights.items():
        flat[Place(x, y).index] = height
    return Board(flat, [WorkerPlace(Worker.parse(worker), Place(*xy)) for worker, xy in workers.items()])


def opponent_can_win(board: Board, opponent: Name) -> bool:
    """Whether some worker of `opponent` can step onto a height-3 square (judged by Common.santorini.rules)."""
    for wp in board.workers_of(opponent):
        for direction in DIRECTIONS:
            target, error = move_target(board, wp.worker, direction)
            if error is None and board.height(target) == 3:
                return True
    return False


def destination_height(board: Board, action: MoveAndBuild | WinningMove) -> int:
    target, error = move_target(board, action.worker, action.move)
    assert error is None
    return board.height(target)


@st.composite
def positions(draw: st.DrawFn) -> tuple[Name, Board]:
    """A player to move and a board with two workers each; no worker on height 3 or more."""
    low = draw(st.booleans())
    heights = draw(st.lists(st.integers(0, 2 if low else 4), min_size=36, max_size=36))
    squares = draw(st.lists(st.integers(0, 35), min_size=4, max_size=4, unique=True))
    workers = []
    for number, square in enumerate(squares):
        heights[square] = min(heights[square], 2)
        workers.append(WorkerPlace(Worker((ME, THEM)[number % 2], 1 + number // 2), PLACES[square]))
    return draw(st.sampled_from((ME, THEM))), Board(heights, workers)


@st.composite
def placements(draw: st.DrawFn) -> tuple[Name, tuple[WorkerPlace, ...]]:
    """A player to place and the 0 to 3 workers placed before, in placement order."""
    squares = draw(st.lists(st.sampled_from(PLACES), max_size=3, unique=True))
    first, second = draw(st.permutations((ME, THEM)))
    placed = tuple(WorkerPlace(Worker((first, second)[i % 2], 1 + i // 2), place) for i, place in enumerate(squares))
    return (first, second)[len(squares) % 2], placed


OPENING = board_of({}, {"alice1": (2, 2), "bob1": (3, 2), "alice2": (2, 3), "bob2": (3, 3)})


# ---------------------------------------------------------------------------
# The good strategy: examples


def test_the_good_strategy_takes_a_winning_move() -> None:
    board = board_of({(1, 1): 2, (2, 1): 3, (4, 4): 1}, {"alice1": (1, 1), "alice2": (5, 5), "bob1": (0, 5), "bob2": (5, 0)})
    action = GoodStrategy().take_turn(ME, board)
    assert action == WinningMove(Worker(ME, 1), Direction(EastWest.EAST, NorthSouth.PUT))
    assert action_error(board, ME, action) is None and is_winning(board, action)


def test_the_good_strategy_blocks_a_threat_rather_than_climb() -> None:
    # bob1 stands on 2 next to a free 3 at [1, 0]; alice2 could climb to 1, but only
    # capping [1, 0] (from next to it) keeps bob from winning.
    board = board_of(
        {(0, 0): 2, (1, 0): 3, (4, 4): 1},
        {"bob1": (0, 0), "alice1": (3, 1), "alice2": (5, 5), "bob2": (0, 5)},
    )
    action = GoodStrategy().take_turn(ME, board)
    assert action_error(board, ME, action) is None
    after = apply_action(board, action)
    assert not opponent_can_win(after, THEM)
    assert after.height(Place(1, 0)) == 4


def test_the_good_strategy_climbs_without_building_the_opponent_a_winning_square() -> None:
    # Every square around alice1 is next to bob1 (on height 2) and has height 2: a build
    # there would let bob win; alice2 can move and build far away instead.
    board = board_of(
        {(0, 0): 2, (1, 0): 2, (0, 1): 2, (1, 1): 2},
        {"bob1": (0, 0), "alice1": (1, 1), "alice2": (4, 4), "bob2": (5, 0)},
    )
    action = GoodStrategy().take_turn(ME, board)
    assert not opponent_can_win(apply_action(board, action), THEM)
    assert destination_height(board, action) == 2  # it still climbs, and builds elsewhere


def test_the_good_strategy_prefers_climbing() -> None:
    board = board_of({(1, 1): 1, (4, 4): 2, (4, 3): 2}, {"alice1": (0, 0), "alice2": (3, 3), "bob1": (0, 5), "bob2": (5, 0)})
    action = GoodStrategy().take_turn(ME, board)
    assert isinstance(action, MoveAndBuild)
    assert destination_height(board, action) == 1
    board = board.with_floor(Place(3, 3)).with_floor(Place(0, 0))  # alice2 on 1, alice1 on 1: 2 is in reach
    action = GoodStrategy().take_turn(ME, board)
    assert destination_height(board, action) == 2


def test_the_good_strategy_gives_up_in_its_own_name_only_without_a_legal_turn() -> None:
    walls = {(1, 0): 2, (0, 1): 2, (1, 1): 2, (4, 5): 4, (5, 4): 4, (4, 4): 4}
    board = board_of(walls, {"alice1": (0, 0), "alice2": (5, 5), "bob1": (3, 0), "bob2": (0, 3)})
    assert not has_legal_turn(board, ME)
    assert GoodStrategy().take_turn(ME, board) == GiveUp(ME)
    assert GoodStrategy().take_turn(THEM, board) != GiveUp(THEM)


def test_the_good_strategy_places_nearest_the_centre_by_row_then_column() -> None:
    strategy = GoodStrategy()
    placed: tuple[WorkerPlace, ...] = ()
    for number, expected in enumerate([Place(2, 2), Place(3, 2), Place(2, 3), Place(3, 3)]):
        me = (ME, THEM)[number % 2]
        place = strategy.place_worker(me, placed)
        assert place == expected
        placed = (*placed, WorkerPlace(Worker(me, 1 + number // 2), place))


# ---------------------------------------------------------------------------
# The good strategy: properties


@EXAMPLES
@given(positions())
def test_the_good_strategy_answers_legally_and_gives_up_only_without_a_legal_turn(position) -> None:
    me, board = position
    action = GoodStrategy().take_turn(me, board)
    assert action_error(board, me, action) is None
    assert isinstance(action, GiveUp) == (not has_legal_turn(board, me))


@EXAMPLES
@given(positions())
def test_the_good_strategy_wins_whenever_it_can(position) -> None:
    me, board = position
    can_win = any(is_winning(board, action) for action in legal_actions(board, me))
    assert is_winning(board, GoodStrategy().take_turn(me, board)) == can_win


@EXAMPLES
@given(positions())
def test_the_good_strategy_never_lets_the_opponent_win_when_it_can_avoid_it(position) -> None:
    me, board = position
    opponent = THEM if me == ME else ME
    action = GoodStrategy().take_turn(me, board)
    if isinstance(action, GiveUp) or is_winning(board, action):
        return
    safe = {
        candidate
        for candidate in legal_actions(board, me)
        if isinstance(candidate, MoveAndBuild) and not opponent_can_win(apply_action(board, candidate), opponent)
    }
    if safe:
        assert action in safe


@EXAMPLES
@given(positions())
def test_the_good_strategy_answers_the_same_every_time(position) -> None:
    me, board = position
    strategy = GoodStrategy()
    assert strategy.take_turn(me, board) == strategy.take_turn(me, board) == GoodStrategy().take_turn(me, board)


@EXAMPLES
@given(placements())
def test_the_good_strategy_places_on_a_free_square_the_same_every_time(case) -> None:
    me, placed = case
    board = Board(Board.empty().heights, placed)
    place = GoodStrategy().place_worker(me, placed)
    assert placement_error(board, place) is None
    assert GoodStrategy().place_worker(me, placed) == place


_ANSWERS_OF_A_FRESH_PROCESS = """
import random
from Common.santorini.board import Board, WorkerPlace
from Common.santorini.geometry import PLACES
from Common.santorini.names import Worker
from Player.santorini.strategic import GoodStrategy
rng = random.Random(2018)
strategy = GoodStrategy()
for _ in range(300):
    heights = [rng.choice((0, 0, 1, 1, 2, 2, 3, 4)) for _ in range(36)]
    squares = rng.sample(range(36), 4)
    workers = []
    for number, square in enumerate(squares):
        heights[square] = min(heights[square], 2)
        workers.append(WorkerPlace(Worker(("alice", "bob")[number % 2], 1 + number // 2), PLACES[square]))
    print(strategy.take_turn("alice", Board(heights, workers)))
"""


def test_the_good_strategy_does_not_depend_on_hash_randomisation() -> None:
    def answers(seed: str) -> str:
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _ANSWERS_OF_A_FRESH_PROCESS],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    first = answers("1")
    assert first.count("\n") == 300
    assert answers("2") == first


# ---------------------------------------------------------------------------
# Misbehaving strategies


def placed_board(placed: tuple[WorkerPlace, ...]) -> Board:
    return Board(Board.empty().heights, placed)


def test_occupied_placement_places_legally_while_there_is_no_occupied_square() -> None:
    strategy = OccupiedPlacement()
    assert strategy.place_worker(ME, ()) == Place(2, 2)
    placed = (WorkerPlace(Worker(ME, 1), Place(2, 2)), WorkerPlace(Worker(THEM, 1), Place(3, 2)))
    place = strategy.place_worker(ME, placed)
    assert placement_error(placed_board(placed), place) is not None


def test_occupied_placement_moving_second_hits_an_occupied_square_at_once() -> None:
    placed = (WorkerPlace(Worker(THEM, 1), Place(4, 4)),)
    assert OccupiedPlacement().place_worker(ME, placed) == Place(4, 4)


def test_malformed_placement_answers_its_first_placement_with_a_string() -> None:
    strategy = MalformedPlacement()
    assert strategy.place_worker(ME, ()) == "nowhere"
    assert strategy.place_worker(ME, ()) == Place(2, 2)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_illegal_action_plays_legally_until_its_nth_turn(n: int) -> None:
    strategy = IllegalAction(n)
    board = OPENING
    for turn in range(1, n + 1):
        action = strategy.take_turn(ME, board)
        error = action_error(board, ME, action)
        if turn < n:
            assert error is None and not is_winning(board, action)
            board = apply_action(board, action)
            board = apply_action(board, GoodStrategy().take_turn(THEM, board))
        else:
            assert error == "worker bob1 belongs to bob, not alice"
    assert action_error(board, ME, strategy.take_turn(ME, board)) is None


def test_illegal_action_needs_a_positive_turn_number() -> None:
    with pytest.raises(ValueError):
        IllegalAction(0)


def test_raising_at_placement_raises_there_and_plays_turns() -> None:
    strategy = Raising("placement")
    with pytest.raises(DeliberateFailure):
        strategy.place_worker(ME, ())
    assert action_error(OPENING, ME, strategy.take_turn(ME, OPENING)) is None


def test_raising_at_turn_places_and_then_raises() -> None:
    strategy = Raising("turn")
    assert strategy.place_worker(ME, ()) == Place(2, 2)
    with pytest.raises(DeliberateFailure):
        strategy.take_turn(ME, OPENING)


def test_raising_knows_only_placement_and_turn() -> None:
    with pytest.raises(ValueError):
        Raising("end")  # type: ignore[arg-type]


def run_until_blocked(call, strategy) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    assert strategy.blocked.wait(5)
    return thread


def test_never_places_blocks_its_first_placement_until_released() -> None:
    strategy = NeverPlaces()
    answers = []
    thread = run_until_blocked(lambda: answers.append(strategy.place_worker(ME, ())), strategy)
    thread.join(0.05)
    assert thread.is_alive() and answers == []
    strategy.release()
    thread.join(5)
    assert answers == [Place(2, 2)]
    assert action_error(OPENING, ME, strategy.take_turn(ME, OPENING)) is None


def test_never_takes_turn_places_legally_then_blocks_its_first_turn() -> None:
    strategy = NeverTakesTurn()
    assert strategy.place_worker(ME, ()) == Place(2, 2)
    answers = []
    thread = run_until_blocked(lambda: answers.append(strategy.take_turn(ME, OPENING)), strategy)
    thread.join(0.05)
    assert thread.is_alive() and answers == []
    strategy.release()
    thread.join(5)
    assert action_error(OPENING, ME, answers[0]) is None


# ---------------------------------------------------------------------------
# LocalPlayer


class Recording(Strategy):
    """Remembers every call, with the thread it ran in, and answers with given values."""

    def __init__(self, place: object, action: object) -> None:
        self.calls: list[tuple] = []
        self.threads: set[int] = set()
        self.place, self.action = place, action

    def _note(self, *call: object) -> None:
        self.calls.append(call)
        self.threads.add(threading.get_ident())

    def playing_as(self, name):
        self._note("playing_as", name)

    def start_encounter(self, me, opponent):
        self._note("start_encounter", me, opponent)

    def place_worker(self, me, placement):
        self._note("place_worker", me, placement)
        return self.place

    def take_turn(self, me, board):
        self._note("take_turn", me, board)
        return self.action

    def end_of_tournament(self, results):
        self._note("end_of_tournament", results)


async def test_local_player_forwards_calls_with_its_current_name_and_passes_answers_unchecked() -> None:
    strategy = Recording(place="nowhere", action=GiveUp(THEM))
    player = LocalPlayer(ME, strategy)
    results = (EncounterOutcome(Name("alicea"), THEM),)
    await player.start_encounter(Name("carol"))
    await player.playing_as(Name("alicea"))
    assert player.name == "alicea"
    await player.start_encounter(THEM)
    assert await player.place_worker(()) == "nowhere"
    assert await player.take_turn(OPENING) == GiveUp(THEM)
    await player.end_of_tournament(results)
    assert strategy.calls == [
        ("start_encounter", ME, "carol"),
        ("playing_as", "alicea"),
        ("start_encounter", "alicea", THEM),
        ("place_worker", "alicea", ()),
        ("take_turn", "alicea", OPENING),
        ("end_of_tournament", results),
    ]
    assert threading.get_ident() not in strategy.threads


async def test_local_player_passes_on_a_strategys_exception() -> None:
    with pytest.raises(DeliberateFailure):
        await LocalPlayer(ME, Raising("turn")).take_turn(OPENING)


async def test_a_never_returning_call_is_abandoned_when_the_callers_scope_expires() -> None:
    strategy = NeverPlaces()
    player = LocalPlayer(ME, strategy)
    ticked = trio.Event()

    async def tick() -> None:
        await trio.sleep(0.01)
        ticked.set()

    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(tick)
            with trio.move_on_after(0.05) as scope:
                await player.place_worker(())
        assert scope.cancelled_caught
        assert ticked.is_set()  # the event loop ran on while the strategy was blocked
        assert strategy.blocked.is_set()
        with trio.fail_after(5):
            assert await LocalPlayer(THEM, GoodStrategy()).place_worker(()) == Place(2, 2)
    finally:
        strategy.release()


async def test_abandoned_threads_do_not_starve_other_local_players() -> None:
    # More never-answering players than trio's default limit of 40 threads.
    strategies = [NeverTakesTurn() for _ in range(45)]
    try:
        with trio.move_on_after(10) as scope:
            async with trio.open_nursery() as nursery:
                for strategy in strategies:
                    nursery.start_soon(LocalPlayer(ME, strategy).take_turn, OPENING)
                # Polled: `blocked` is a threading.Event set in the worker threads; waiting for it in a thread
                # would take a token of the very thread limiter this test is about.
                while not all(strategy.blocked.is_set() for strategy in strategies):  # noqa: ASYNC110
                    await trio.sleep(0.001)
                nursery.cancel_scope.cancel()
        assert not scope.cancelled_caught
        with trio.fail_after(5):
            action = await LocalPlayer(ME, GoodStrategy()).take_turn(OPENING)
        assert action_error(OPENING, ME, action) is None
    finally:
        for strategy in strategies:
            strategy.release()


# ---------------------------------------------------------------------------
# Loading player files


def test_the_loader_loads_the_good_strategy_by_path() -> None:
    strategy = load_strategy("Player/strategic.py", PLAYERS)
    assert type(strategy).__name__ == "GoodStrategy"
    assert strategy.take_turn(ME, OPENING) == GoodStrategy().take_turn(ME, OPENING)


def test_the_loader_finds_project_files_from_another_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for path in ("Player/strategic.py", "Player/example_player.py", str(PROJECT_ROOT / "Player" / "strategic.py")):
        strategy = load_strategy(path, PLAYERS)
        assert action_error(OPENING, ME, strategy.take_turn(ME, OPENING)) is None


def test_the_loader_prefers_the_current_directory_to_the_project_root(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "Player").mkdir()
    (tmp_path / "Player" / "strategic.py").write_text(
        "from Player.santorini.example_player import FirstLegal\n\ndef make_strategy():\n    return FirstLegal()\n"
    )
    monkeypatch.chdir(tmp_path)
    assert type(load_strategy("Player/strategic.py", PLAYERS)).__name__ == "FirstLegal"


def test_the_example_player_places_on_the_first_free_square_and_plays_legally() -> None:
    strategy = load_strategy("Player/example_player.py", PLAYERS)
    assert strategy.place_worker(ME, (WorkerPlace(Worker(THEM, 1), Place(0, 0)),)) == Place(1, 0)
    assert action_error(OPENING, ME, strategy.take_turn(ME, OPENING)) is None


def test_each_load_makes_a_fresh_strategy() -> None:
    first, second = load_strategy("Player/strategic.py", PLAYERS), load_strategy("Player/strategic.py", PLAYERS)
    assert first is not second


BAD_FILES = {
    "syntax": ("def make_strategy(:\n    pass\n", "syntax error at line 1"),
    "late_syntax": ("import math\n\n\nx = = 1\n", "syntax error at line 4"),
    "nothing": ("x = 1\n", "defines no make_strategy()"),
    "not_callable": ("make_strategy = 42\n", "make_strategy is not a function"),
    "raising": ("def make_strategy():\n    raise RuntimeError('no\\nluck')\n", "make_strategy() raised RuntimeError: no luck"),
    "wrong_type": ("def make_strategy():\n    return 42\n", "make_strategy() returned 42 of type int, not a Strategy"),
    "import_error": ("import no_such_module_here\n", "raised ModuleNotFoundError while loading"),
    "exiting": ("raise SystemExit(3)\n", "raised SystemExit while loading"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_player_file_is_one_line_naming_the_file_and_the_problem(case: str, tmp_path: Path) -> None:
    source, problem = BAD_FILES[case]
    path = tmp_path / f"{case}.py"
    path.write_text(source)
    with pytest.raises(PlayerLoadError) as caught:
        load_strategy(str(path), PLAYERS)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"player file {str(path)!r}: ")
    assert problem in message


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing.py", "no such file"), ("folder.py", "is not a file"), ("notes.txt", "is not a Python source file")],
)
def test_a_player_path_that_names_no_python_file_is_an_error(name: str, problem: str, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "notes.txt").write_text("def make_strategy(): pass\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlayerLoadError, match=problem) as caught:
        load_strategy(name, PLAYERS)
    assert str(caught.value).startswith(f"player file {name!r}: ")


# ---------------------------------------------------------------------------
# Kinds


def test_the_built_in_kinds_are_good_breaker_infinite() -> None:
    assert KINDS == ("good", "breaker", "infinite")
    assert type(PLAYERS.built_in("good")) is GoodStrategy
    with pytest.raises(ValueError):
        PLAYERS.built_in("evil")


async def test_a_good_local_player_plays_legally() -> None:
    player = make_local_player("good", ME, "", PLAYERS)
    assert player.name == ME
    assert await player.place_worker(()) == Place(2, 2)
    assert action_error(OPENING, ME, await player.take_turn(OPENING)) is None


@pytest.mark.parametrize("first", [True, False])
async def test_a_breaker_breaks_a_rule_at_its_first_turn(first: bool) -> None:
    player = make_local_player("breaker", ME, "", PLAYERS)
    placed = () if first else (WorkerPlace(Worker(THEM, 1), Place(0, 0)),)
    place = await player.place_worker(placed)
    assert placement_error(Board(Board.empty().heights, placed), place) is None
    assert action_error(OPENING, ME, await player.take_turn(OPENING)) is not None


async def test_an_infinite_player_never_answers_its_first_placement() -> None:
    player = make_local_player("infinite", ME, "", PLAYERS)
    try:
        with trio.move_on_after(0.05) as scope:
            await player.place_worker(())
        assert scope.cancelled_caught
    finally:
        player.strategy.release()


def test_a_path_overrides_the_kind_which_is_then_only_a_label() -> None:
    player = make_local_player("infinite", ME, "Player/example_player.py", PLAYERS)
    assert type(player.strategy).__name__ == "FirstLegal"


def test_an_unknown_kind_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(PlayerLoadError, match="unknown kind 'evil', expected one of good, breaker, infinite"):
        make_local_player("evil", ME, "", PLAYERS)
    with pytest.raises(PlayerLoadError, match="unknown kind"):
        make_local_player("evil", ME, "Player/strategic.py", PLAYERS)


def test_a_player_file_error_surfaces_through_make_local_player(tmp_path: Path) -> None:
    with pytest.raises(PlayerLoadError, match="no such file"):
        make_local_player("good", ME, str(tmp_path / "gone.py"), PLAYERS)
