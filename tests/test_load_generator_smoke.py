"""The benchmarks' load generators (bench/load_generator.py, bench/arena_clients.py): smoke runs against a real xserver, and their
choices' legality.

No timing is checked here; the benchmarks measure. Legality is judged by
Common.santorini.rules, never by the load generator's own code.
"""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.arena_clients import santorini_turn
from bench.harness import LOAD_GENERATOR, PROJECT_ROOT, Server
from bench.load_generator import choose_action, choose_place, client_names
from Common.santorini.actions import Action, GiveUp
from Common.santorini.board import Board
from Common.santorini.geometry import PLACES, Place
from Common.santorini.names import Name, Worker
from Common.santorini.rules import action_error, apply_action, has_legal_turn, is_winning, legal_actions, placement_error
from Common.santorini.wire import board_to_json, structure

TIME_LIMIT = 60
ARENA_CLIENTS = PROJECT_ROOT / "bench" / "arena_clients.py"


def run_against(server: Server, command: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Run a load generator's `command` against `server` to its end, then wait for the server; what it printed, and the
    server's exit status (the server killed whatever happens)."""
    try:
        finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=TIME_LIMIT + 10)
        return finished, server.wait(TIME_LIMIT)
    finally:
        server.kill()


def test_four_load_generator_clients_play_a_whole_round_robin_on_a_real_xserver_and_agree_on_the_results():
    server = Server({"min players": 4, "waiting for": 3})
    generator = [sys.executable, str(LOAD_GENERATOR), "--clients", "4", "--port", str(server.port), "--show-results"]
    finished, status = run_against(server, [*generator, "--time-limit", str(TIME_LIMIT)])
    assert finished.returncode == 0, finished.stderr
    figures = json.loads(finished.stdout)
    assert figures["results received"] == 4  # and the load generator checked that all four are equal
    results = figures["results"]
    assert len(results) == 6
    assert all(len(outcome) == 2 for outcome in results)  # none irregular
    assert status == 0
    assert json.loads(server.output) == results


def test_client_names_are_distinct_names_with_the_prefix():
    names = client_names("bot", 1000)
    assert len(set(names)) == 1000
    assert all(name.startswith("bot") and name.isalpha() and name.islower() for name in names)


def _random_game_board(draw_index, turns: int) -> tuple[Board, Name]:
    """A board reached by random placements and `turns` random legal turns; the player to move."""
    players = (Name("al"), Name("alicea"))  # one name a prefix of the other: owners are compared exactly
    board = Board.empty()
    for number in (1, 2):
        for player in players:
            free = [place for place in PLACES if board.is_free(place)]
            board = board.with_worker(Worker(player, number), free[draw_index(len(free))])
    mover, waiting = players
    for _ in range(turns):
        choices = [action for action in legal_actions(board, mover) if not is_winning(board, action)]
        if not choices:
            break
        board = apply_action(board, choices[draw_index(len(choices))])
        mover, waiting = waiting, mover
    return board, mover


@settings(max_examples=120, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(0, 40))
def test_the_load_generator_answers_every_board_with_a_legal_turn(random, turns):
    board, mover = _random_game_board(random.randrange, turns)
    answer = choose_action(board_to_json(board), mover)
    action = structure(answer, Action)
    assert action_error(board, mover, action) is None
    if isinstance(action, GiveUp):
        assert not has_legal_turn(board, mover)
    if next((a for a in legal_actions(board, mover) if is_winning(board, a)), None) is not None:
        assert is_winning(board, action)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PLACES), max_size=3, unique=True))
def test_the_load_generator_places_workers_on_free_squares(places):
    placement = [[f"{'ab'[index % 2]}{index // 2 + 1}", place.x, place.y] for index, place in enumerate(places)]
    board = Board.empty()
    for index, place in enumerate(places):
        board = board.with_worker(Worker(Name("ab"[index % 2]), index // 2 + 1), place)
    x, y = choose_place(placement)
    assert placement_error(board, Place(x, y)) is None


def test_an_arena_crowd_of_every_ipd_strategy_plays_a_short_arena_on_a_real_xserver_and_every_client_gets_the_results(tmp_path):
    arena = {"kind": "arena", "minutes": 0.05, "pairing": "first come"}
    server = Server({"game": "ipd", "min players": 0, "waiting for": 1, "min rounds": 10, "max rounds": 10, "format": arena})
    sessions = tmp_path / "sessions.json"
    arena_clients = [sys.executable, str(ARENA_CLIENTS), "--game", "ipd", "--clients", "8"]
    command = [*arena_clients, "--port", str(server.port), "--time-limit", str(TIME_LIMIT), "--sessions-out", str(sessions)]
    finished, status = run_against(server, command)
    assert finished.returncode == 0, finished.stderr
    figures = json.loads(finished.stdout)
    assert figures["results received"] == 8
    assert figures["unexpected messages"] == 0, figures["first unexpected"]
    assert figures["groups"] == {"defector": 2, "random": 2, "tit-for-tat": 2, "cooperator": 2, "misbehaving": 0}
    assert status == 0
    members = json.loads(sessions.read_text())
    assert all(len(member["sessions"]) == 1 and member["sessions"][0].get("results") for member in members)


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(0, 40), st.sampled_from(["good", "chooser", "random"]))
def test_every_strategy_of_the_arena_crowd_answers_every_board_with_a_legal_turn(random, turns, strategy):
    board, mover = _random_game_board(random.randrange, turns)
    action = structure(santorini_turn(strategy, board_to_json(board), mover, random), Action)
    assert action_error(board, mover, action) is None
    if isinstance(action, GiveUp):
        assert not has_legal_turn(board, mover)
