"""The Fish referee: seats and colours, placement rounds, turns with skips, removals, winners, and its game events."""

from __future__ import annotations

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.encounter import Encounter, Entrant, Misbehaviour, ignore
from Admin.fish.referee import DEFAULT_TIME_PER_CALL, Referee, make_referee
from Common.fish.board import Board
from Common.fish.geometry import Position
from Common.fish.replay import replay
from Common.fish.results import Outcome
from Common.fish.settings import FishSettings
from Common.fish.state import COLORS, Color, State
from Player.fish.greedy import Greedy, RandomLegal
from Player.fish.local import LocalPlayer
from Player.fish.misbehaving import IllegalMove, NeverPlaces
from tests.fish_doubles import HANG, ILLEGAL, RAISE, WRONG_TYPE, ScriptedFishPlayer
from tests.fish_strategies import full_boards

NAMES = ("ann", "bob", "cy", "dee")


def entrants(*players):
    return [Entrant(player.name, player) for player in players]


def referee(board=None, events=None, **keywords):
    board = board if board is not None else Board.uniform(5, 5, 2)
    return Referee(lambda index: board, note=events.append if events is not None else ignore, **keywords)


def names_in_turn_order(state: State, players) -> list[str]:
    by_color = {COLORS[seat]: player.name for seat, player in enumerate(players)}
    return [by_color[color] for color in state.colors]


@pytest.mark.parametrize("n", [2, 3, 4])
async def test_a_game_of_n_greedy_players_is_played_to_the_end_and_its_events_replay_to_its_outcome(n):
    players = [ScriptedFishPlayer(name) for name in NAMES[:n]]
    events = []
    board = Board([[1, 2, 3, 4, 5, 1], [2, 3, 4, 5, 1, 2], [3, 4, 5, 1, 2, 3], [4, 5, 1, 2, 3, 4]])
    result = await referee(board, events)(entrants(*players))
    assert result.misbehaviours == ()
    assert result.outcome.players == NAMES[:n]
    assert None not in result.outcome.scores
    assert replay(events) == result.outcome
    assert events[-1] == {
        "type": "game-end",
        "encounter": 0,
        "game": 0,
        "players": list(NAMES[:n]),
        "scores": list(result.outcome.scores),
        "winners": list(result.outcome.winners),
    }
    for player in players:
        assert len(player.calls("place")) == 6 - n


async def test_each_player_learns_its_colour_then_the_others_in_seat_order():
    players = [ScriptedFishPlayer(name) for name in NAMES[:3]]
    await referee()(entrants(*players))
    assert players[0].heard[:2] == [("assigned_color", (Color.RED,)), ("other_colors", ((Color.WHITE, Color.BROWN),))]
    assert players[1].heard[:2] == [("assigned_color", (Color.WHITE,)), ("other_colors", ((Color.RED, Color.BROWN),))]
    assert players[2].heard[:2] == [("assigned_color", (Color.BROWN,)), ("other_colors", ((Color.RED, Color.WHITE),))]


async def test_every_call_shows_the_state_with_the_caller_first_and_the_others_in_seat_order():
    players = [ScriptedFishPlayer(name) for name in NAMES[:4]]
    await referee()(entrants(*players))
    for seat, player in enumerate(players):
        for arguments in player.calls("place") + player.calls("move"):
            state = arguments[0]
            assert names_in_turn_order(state, players) == [p.name for p in players[seat:] + players[:seat]]


async def test_placements_come_in_rounds_in_seat_order():
    players = [ScriptedFishPlayer(name) for name in NAMES[:3]]
    events = []
    await referee(events=events)(entrants(*players))
    placed = [event["player"] for event in events if event["type"] == "placement"]
    assert placed == ["ann", "bob", "cy"] * 3


class Fixed(Greedy):
    """Places its penguins where it is told, in order; moves greedily."""

    def __init__(self, *places):
        self.places = [Position(*place) for place in places]

    def place(self, state):
        return self.places.pop(0)


async def test_a_player_that_cannot_move_is_skipped_and_the_others_hear_skip():
    # rows 0 and 1 join; the tiles of row 4 have no neighbouring tile
    board = Board([[1] * 8, [1] * 8, [0] * 8, [0] * 8, [1, 1, 1, 1]])
    red = ScriptedFishPlayer("ann", Fixed((0, 0), (0, 1), (0, 2), (0, 3)))
    white = ScriptedFishPlayer("bob", Fixed((4, 0), (4, 1), (4, 2), (4, 3)))
    result = await referee(board)(entrants(red, white))
    assert white.calls("move") == []
    heard = [actions for _, actions in red.calls("move")]
    assert heard[0] == ()
    assert heard[1:] and all(actions == ("skip",) for actions in heard[1:])
    assert result.outcome.winners == ("ann",)
    assert result.outcome.scores[1] == 0


async def test_each_turn_hears_the_moves_since_its_previous_turn_oldest_first():
    players = [ScriptedFishPlayer(name) for name in NAMES[:3]]
    events = []
    await referee(events=events)(entrants(*players))
    moves = [(event["player"], event["action"]) for event in events if event["type"] == "turn"]
    for player in players:
        for turn, (_, actions) in enumerate(player.calls("move")):
            index = [i for i, (name, _) in enumerate(moves) if name == player.name][turn]
            since = [action for _, action in moves[max(0, index - 2) : index]] if turn > 0 else [action for _, action in moves[:index]]
            assert [[[a.source.row, a.source.column], [a.target.row, a.target.column]] for a in actions] == since
    assert players[0].calls("move")[0][1] == ()


@pytest.mark.parametrize(
    "misbehaviour, reason, kind",
    [
        ({"at_placement": 1, "how": RAISE}, "place: RuntimeError: scripted failure", "broken"),
        ({"at_placement": 2, "how": ILLEGAL}, "illegal placement [0, 0]: a penguin already stands on [0, 0]", "illegal"),
        ({"at_placement": 1, "how": WRONG_TYPE}, "place: answered 'nowhere', which is not a Position", "malformed"),
        ({"at_placement": 1, "how": HANG}, f"place: no answer within {DEFAULT_TIME_PER_CALL:g} s", "late"),
        ({"at_turn": 1, "how": ILLEGAL}, "illegal move [[", "illegal"),
        ({"at_turn": 2, "how": HANG}, f"move: no answer within {DEFAULT_TIME_PER_CALL:g} s", "late"),
        ({"at_color": True, "how": RAISE}, "assigned_color: RuntimeError: scripted failure", "broken"),
    ],
)
async def test_a_misbehaving_player_is_removed_at_once_and_the_others_finish(misbehaviour, reason, kind, autojump_clock):
    ann, bob, cy = ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob", **misbehaviour), ScriptedFishPlayer("cy")
    events = []
    result = await referee(events=events)(entrants(ann, bob, cy))
    (removed,) = result.misbehaviours
    assert (removed.name, removed.kind) == ("bob", kind)
    assert removed.reason.startswith(reason)
    assert result.outcome.scores[1] is None and None not in (result.outcome.scores[0], result.outcome.scores[2])
    assert "bob" not in result.outcome.winners
    failing_call = "assigned_color" if "at_color" in misbehaviour else "place" if "at_placement" in misbehaviour else "move"
    assert bob.heard[-1][0] == failing_call  # no call after the one it failed
    removal = events.index({"type": "removed", "encounter": 0, "game": 0, "player": "bob"})
    assert all(event.get("player") != "bob" for event in events[removal + 1 :])
    last_state_cy_saw = (cy.calls("move") or cy.calls("place"))[-1][0]
    assert Color.WHITE not in last_state_cy_saw.colors
    assert replay(events) == result.outcome


async def test_after_a_removal_during_placement_the_seat_order_goes_on_and_nobody_places_twice():
    players = [ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob", at_placement=2), ScriptedFishPlayer("cy"), ScriptedFishPlayer("dee")]
    events = []
    await referee(events=events)(entrants(*players))
    placed = [event["player"] for event in events if event["type"] in ("placement", "removed")]
    assert placed == ["ann", "bob", "cy", "dee", "ann", "bob", "cy", "dee"]
    assert [event["type"] for event in events if event.get("player") == "bob"] == ["placement", "removed"]


async def test_the_last_player_left_wins_at_once():
    players = [ScriptedFishPlayer("ann", at_placement=1), ScriptedFishPlayer("bob"), ScriptedFishPlayer("cy", at_color=True)]
    result = await referee()(entrants(*players))
    assert result.outcome == Outcome(("ann", "bob", "cy"), (None, 0, None), ("bob",))
    assert [m.name for m in result.misbehaviours] == ["cy", "ann"]
    assert players[1].calls("place") == []


async def test_when_every_player_is_removed_nobody_wins():
    players = [ScriptedFishPlayer("ann", at_color=True), ScriptedFishPlayer("bob", at_color=True)]
    events = []
    result = await referee(events=events)(entrants(*players))
    assert result.outcome == Outcome(("ann", "bob"), (None, None), ())
    assert replay(events) == result.outcome


async def test_the_breaker_is_removed_with_its_reason_while_the_others_finish():
    players = [LocalPlayer("ann", Greedy()), LocalPlayer("bob", IllegalMove(1)), LocalPlayer("cy", RandomLegal(5))]
    result = await referee()([Entrant(p.name, p) for p in players])
    (removed,) = result.misbehaviours
    assert removed.name == "bob" and removed.kind == "illegal"
    assert "no penguin of white stands on" in removed.reason
    assert result.outcome.players == ("ann", "bob", "cy") and result.outcome.scores[1] is None


async def test_infinite_is_removed_as_late_and_the_other_wins():
    infinite = NeverPlaces()
    players = [LocalPlayer("ann", infinite), LocalPlayer("bob", Greedy())]
    try:
        result = await referee(time_per_call=0.5)([Entrant(p.name, p) for p in players])
    finally:
        infinite.release()
    assert result.misbehaviours == (Misbehaviour("ann", "place: no answer within 0.5 s", "late"),)
    assert result.outcome.winners == ("bob",)


async def test_without_a_listener_the_referee_builds_no_events():
    assert Referee(lambda index: Board.uniform(3, 3, 1)).note is ignore


async def test_the_board_of_an_encounter_comes_from_the_seed_and_its_index():
    events = []
    play = make_referee(FishSettings(rows=3, columns=4, seed=11), note=events.append)
    for index in (2, 3, 2):
        await play(entrants(ScriptedFishPlayer("ann"), ScriptedFishPlayer("bob")), Encounter(index=index))
    boards = [event["board"] for event in events if event["type"] == "game-start"]
    assert boards[0] == boards[2] != boards[1]
    assert all(len(board) == 3 and all(len(row) == 4 and all(1 <= fish <= 5 for fish in row) for row in board) for board in boards)
    assert [event["encounter"] for event in events if event["type"] == "game-start"] == [2, 3, 2]


@settings(max_examples=25)
@given(full_boards(), st.integers(2, 4), st.lists(st.integers(0, 2**16), min_size=4, max_size=4))
def test_games_of_random_and_greedy_players_always_end_and_replay_legally(board, n, seeds):
    players = [ScriptedFishPlayer(NAMES[seat], RandomLegal(seeds[seat]) if seat % 2 else Greedy()) for seat in range(n)]
    events: list = []
    result = trio.run(referee(board, events).__call__, entrants(*players))
    assert result.misbehaviours == ()
    assert replay(events) == result.outcome
    assert events[-1]["type"] == "game-end"
