"""Replaying a Fish referee's game events: the outcome they lead to, and the first step that breaks a rule."""

from __future__ import annotations

import copy

import pytest

from Admin.encounter import Entrant
from Admin.fish.referee import Referee
from Common.fish.board import Board
from Common.fish.replay import replay, replay_state
from tests.fish_doubles import ScriptedFishPlayer


async def played(*players, board=None):
    events = []
    board = board if board is not None else Board.uniform(4, 4, 3)
    await Referee(lambda index: board, note=events.append)([Entrant(p.name, p) for p in players])
    return events


async def test_a_recorded_game_replays_to_its_recorded_end():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"), ScriptedFishPlayer("cy", at_turn=2))
    end = events[-1]
    assert replay(events).winners == tuple(end["winners"])
    assert list(replay(events).scores) == end["scores"]


async def test_the_steps_of_a_games_record_replay_without_their_envelope():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"))
    steps = [{key: value for key, value in event.items() if key not in ("encounter", "game")} for event in events]
    assert replay(steps) == replay(events)


async def test_a_placement_on_a_taken_tile_is_named_with_its_step():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"))
    tampered = copy.deepcopy(events)
    tampered[2]["place"] = tampered[1]["place"]
    with pytest.raises(ValueError, match=r'^step 2 \(a placement of "bob"\): illegal placement: a penguin already stands on'):
        replay(tampered)


async def test_a_step_by_the_wrong_player_or_a_move_through_a_penguin_is_refused():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"))
    wrong_player = copy.deepcopy(events)
    wrong_player[1]["player"] = "bob"
    with pytest.raises(ValueError, match=r"expected a placement of ann"):
        replay(wrong_player)
    first_turn = next(index for index, event in enumerate(events) if event["type"] == "turn")
    onto_a_penguin = copy.deepcopy(events)
    onto_a_penguin[first_turn]["action"][1] = events[2]["place"]  # bob's first penguin
    with pytest.raises(ValueError, match=r"illegal move: .* cannot be reached"):
        replay(onto_a_penguin)


async def test_an_unfinished_game_is_not_over_and_has_no_outcome():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"))
    cut = events[:12]
    assert not replay_state(cut).over
    with pytest.raises(ValueError, match="not over"):
        replay(cut)


async def test_a_removal_of_a_player_whose_call_was_not_due_is_refused():
    events = await played(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob"), ScriptedFishPlayer("cy"))
    removal = {"type": "removed", "player": "cy"}
    with pytest.raises(ValueError, match=r"expected a removal of bob, whose call was due"):
        replay([*events[:2], removal, *events[2:]])


def test_a_game_start_must_give_the_colours_in_seat_order():
    start = {"type": "game-start", "players": ["ann", "bob"], "colors": ["white", "red"], "board": [[1, 1, 1]]}
    with pytest.raises(ValueError, match=r'^game-start: expected the colours \["red", "white"\]'):
        replay_state([start])
