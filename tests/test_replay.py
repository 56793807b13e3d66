"""Every game recorded from the referees' events replays through Common's rules to its recorded end; tampering is caught.

The records are built here from the events, as the contract writes a line of
`games.ndjson`: the game-start's players, each step event without `seq`,
`t`, `encounter` and `game`, and the game-end without those and `type`.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re

import ipd_doubles
import ipd_strategies as ips
import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.encounter import Encounter, Entrant
from Admin.ipd.referee import make_referee
from Admin.santorini.referee import Referee
from Common.ipd.chance import MatchKey
from Common.ipd.names import Name as IPDName
from Common.ipd.replay import replay as replay_match
from Common.ipd.settings import IPDSettings
from Common.santorini.actions import GiveUp, MoveAndBuild
from Common.santorini.geometry import DIRECTIONS, PLACES
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.replay import replay as replay_game
from Common.santorini.rules import is_winning, legal_actions

NOT_IN_A_STEP = ("seq", "t", "encounter", "game")
ILLEGAL, WRONG_TYPE, RAISE, HANG = "illegal", "wrong type", "raise", "hang"
SLOW = settings(max_examples=60, deadline=None)


def game_lines(events: list[dict]) -> list[dict]:
    """The lines of `games.ndjson` that the events make, one per game, through JSON text."""
    lines: dict[tuple[int, int], dict] = {}
    for event in events:
        key = (event["encounter"], event["game"])
        if event["type"] == "game-start":
            lines[key] = {"encounter": key[0], "game": key[1], "players": event["players"], "steps": [], "end": None}
        elif event["type"] == "game-end":
            lines[key]["end"] = {k: v for k, v in event.items() if k not in (*NOT_IN_A_STEP, "type")}
        else:
            lines[key]["steps"].append({k: v for k, v in event.items() if k not in NOT_IN_A_STEP})
    return [json.loads(json.dumps(line)) for line in lines.values()]


def caught(replay, line: dict, *context) -> bool:
    """Whether the replay of `line` refuses it, or derives an end other than the recorded one."""
    try:
        return replay(line, *context) != line["end"]
    except ValueError:
        return True


# ---------------------------------------------------------------------------
# Santorini


class RandomPlayer(Player):
    """Plays random legal steps (a winning move when it sees one, half the time; gives up now and then).

    At its `misbehave_at`-th step (placements and turns together, counted
    over its life) it does `how` instead: an illegal step, a wrong type, an
    exception, or no answer.
    """

    def __init__(self, name: str, seed: int, misbehave_at: int | None = None, how: str = ILLEGAL) -> None:
        self.name, self.random, self.misbehave_at, self.how = Name(name), random.Random(seed), misbehave_at, how
        self.steps = 0

    async def playing_as(self, name):
        self.name = name

    async def start_encounter(self, opponent):
        pass

    async def end_of_tournament(self, results):
        pass

    async def kicked(self, reason):
        pass

    async def place_worker(self, placement):
        if self._misbehaving():
            return placement[0].place if placement and self.how == ILLEGAL else await self._fail()
        taken = {wp.place for wp in placement}
        return self.random.choice([place for place in PLACES if place not in taken])

    async def take_turn(self, board):
        if self._misbehaving():
            if self.how == ILLEGAL:
                other = next(wp.worker for wp in board.workers if wp.worker.owner != self.name)
                return MoveAndBuild(other, DIRECTIONS[0], DIRECTIONS[0])
            return await self._fail()
        if self.random.random() < 0.02:
            return GiveUp(self.name)
        actions = list(legal_actions(board, self.name))
        winning = [action for action in actions if is_winning(board, action)]
        return self.random.choice(winning if winning and self.random.random() < 0.5 else actions)

    def _misbehaving(self) -> bool:
        self.steps += 1
        return self.steps == self.misbehave_at

    async def _fail(self):
        if self.how == RAISE:
            raise RuntimeError("scripted failure")
        if self.how == HANG:
            await trio.sleep(math.inf)
        return "nowhere"


def santorini_lines(seed: int, best_of: int = 3, culprit: int | None = None, at: int = 1, how: str = ILLEGAL) -> list[dict]:
    """The records of one series of two random players (`culprit`: the index of the one that misbehaves)."""
    players = [RandomPlayer(name, seed * 2 + index, at if culprit == index else None, how) for index, name in enumerate(("alice", "bob"))]
    events: list[dict] = []
    referee = Referee(best_of=best_of, note=events.append)

    async def series():
        return await referee(*(Entrant(player.name, player) for player in players), Encounter(3))

    result = trio.run(series, clock=trio.testing.MockClock(autojump_threshold=0))
    lines = game_lines(events)
    assert any(line["end"]["how"] == "misbehaved" for line in lines) == (result.outcome.irregular and bool(lines))
    return lines


@SLOW
@given(
    st.integers(0, 2**32),
    st.sampled_from([1, 3, 5]),
    st.one_of(st.none(), st.sampled_from([0, 1])),
    st.integers(1, 40),
    st.sampled_from([ILLEGAL, WRONG_TYPE, RAISE, HANG]),
)
def test_every_recorded_santorini_game_replays_to_its_recorded_end(seed, best_of, culprit, at, how):
    for line in santorini_lines(seed, best_of, culprit, at, how):
        assert replay_game(line) == line["end"]


ENDING_SEEDS = {"height 3": 0, "gave up": 2, "no legal turn": 251}
"""A seed of two random players whose one game ends each way after at least two turns (random play is rarely boxed in)."""


def one_game(how: str = "height 3") -> dict:
    """The recorded game of random players that ended `how` (see ENDING_SEEDS)."""
    (line,) = santorini_lines(ENDING_SEEDS[how], best_of=1)
    assert line["end"]["how"] == how and len(line["steps"]) >= 6
    return line


@pytest.mark.parametrize("how", ENDING_SEEDS)
def test_a_game_of_each_regular_ending_replays_to_its_end(how):
    line = one_game(how)
    assert replay_game(line) == line["end"]
    assert line["end"]["winner"] in line["players"]


def turns(line: dict) -> list[int]:
    return [index for index, step in enumerate(line["steps"]) if step["type"] == "turn"]


@SLOW
@given(st.integers(0, 2**32), st.data())
def test_an_illegal_action_in_a_record_is_refused_naming_its_step(seed, data):
    (line,) = santorini_lines(seed, best_of=1)
    if not turns(line):
        return
    index = data.draw(st.sampled_from(turns(line)))
    step = line["steps"][index]
    opponent = next(player for player in line["players"] if player != step["player"])
    step["action"] = data.draw(st.sampled_from([opponent, [f"{opponent}1", "EAST", "PUT", "EAST", "PUT"]]))
    with pytest.raises(ValueError, match=rf"^game 0 of encounter 3, step {index + 1} \(a turn of {step['player']}\): illegal action: "):
        replay_game(line)


def test_an_illegal_placement_in_a_record_is_refused_naming_its_step():
    line = one_game()
    line["steps"][3]["place"] = line["steps"][0]["place"]
    x, y = line["steps"][0]["place"]
    with pytest.raises(
        ValueError, match=re.escape(f"step 4 (a placement of {line['players'][1]}): illegal placement: square [{x}, {y}] is occupied")
    ):
        replay_game(line)


@pytest.mark.parametrize("how", ["height 3", "gave up", "no legal turn"])
def test_a_wrong_winner_a_wrong_how_or_a_made_up_misbehaviour_is_caught(how):
    line = one_game(how)
    loser = next(player for player in line["players"] if player != line["end"]["winner"])
    for end in (
        {**line["end"], "winner": loser},
        {"winner": line["end"]["winner"], "how": next(h for h in ("height 3", "gave up") if h != how)},
        {"winner": None, "how": "misbehaved", "culprit": loser},
    ):
        assert caught(replay_game, {**line, "end": end})
    assert not caught(replay_game, line)


def test_a_misbehaved_end_names_the_player_whose_step_was_due_and_no_other():
    (line,) = santorini_lines(5, best_of=1, culprit=1, at=6, how=RAISE)
    assert line["end"] == {"winner": None, "how": "misbehaved", "culprit": "bob"} == replay_game(line)
    assert caught(replay_game, {**line, "end": {**line["end"], "culprit": "alice"}})


def test_steps_cut_short_after_a_regular_end_are_caught_and_steps_after_the_end_refused():
    line = one_game()
    assert caught(replay_game, {**line, "steps": line["steps"][:-1]})  # a game that goes on ends only by misbehaving
    extra = {**line, "steps": [*line["steps"], line["steps"][-2]]}
    with pytest.raises(ValueError, match=rf"step {len(line['steps']) + 1} .*the game was over \(height 3, {line['end']['winner']} won\)"):
        replay_game(extra)


def test_a_give_up_recorded_after_the_player_had_no_legal_turn_is_refused():
    line = one_game("no legal turn")
    boxed_in = next(player for player in line["players"] if player != line["end"]["winner"])
    forged = {**line, "steps": [*line["steps"], {"type": "turn", "player": boxed_in, "action": boxed_in, "ms": 0}]}
    with pytest.raises(ValueError, match=rf"the game was over \(no legal turn, {line['end']['winner']} won\)"):
        replay_game(forged)


@pytest.mark.parametrize(
    "tamper, message",
    [
        (
            lambda line: line["steps"][0].update(player=line["players"][1]),
            'step 1 (a placement of alice): expected a placement of alice, got one of "bob"',
        ),
        (lambda line: line["steps"][1].update(place=[6, 0]), "step 2 (a placement of bob): place: "),
        (lambda line: line["steps"][2].update(type="turn"), "step 3 (a placement of alice): expected a placement, got"),
        (lambda line: line["steps"][4].update(action=["alice1", "PUT", "PUT"]), "step 5 (a turn of alice): action: "),
        (lambda line: line["steps"][4].update(ms="12"), 'step 5 (a turn of alice): expected "ms", a whole number >= 0, got "12"'),
        (
            lambda line: line.update(players=["alice", "alice"]),
            "game 0 of encounter 3: expected players [first, second], two different names",
        ),
        (lambda line: line.update(steps={}), "game 0 of encounter 3: expected a list of steps, got {}"),
    ],
)
def test_a_record_of_the_wrong_shape_is_refused_in_one_line_naming_the_step(tamper, message):
    line = one_game()
    assert line["players"] == ["alice", "bob"]
    tamper(line)
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        replay_game(line)
    assert "\n" not in str(refused.value)


# ---------------------------------------------------------------------------
# The prisoner's dilemma

SEED = 23
TIME_PER_CALL = 2.0


def match_line(settings: IPDSettings, key: MatchKey, first: ipd_doubles.ScriptedPlayer, second: ipd_doubles.ScriptedPlayer) -> dict:
    """The record of one refereed match (one game) between two scripted players."""
    events: list[dict] = []
    referee = make_referee(settings, key.seed, TIME_PER_CALL, note=events.append)

    async def match():
        return await referee(Entrant(first.name, first), Entrant(second.name, second), Encounter(4, key.repetition, key.meeting))

    result = trio.run(match, clock=trio.testing.MockClock(autojump_threshold=0))
    (line,) = game_lines(events)
    assert (line["end"]["how"] == "misbehaved") == bool(result.misbehaviours)
    return line


def misbehaviours() -> st.SearchStrategy[dict]:
    """What a scripted player does besides its moves: nothing, a bad move at some move, or failing a message."""
    return st.one_of(
        st.just({}),
        st.builds(lambda n, how: {"script": {n: how}}, st.integers(1, 30), st.sampled_from([ipd_doubles.RAISE, "B", 1])),
        st.builds(
            lambda method, how: {"fail_when_told": {method: how}},
            st.sampled_from(["start_match", "match_over"]),
            st.sampled_from([ipd_doubles.RAISE, ipd_doubles.HANG]),
        ),
    )


@ips.QUICK
@given(ips.ipd_settings(most=40), ips.match_keys(), ips.deciders(), ips.deciders(), misbehaviours(), misbehaviours())
def test_every_recorded_match_replays_to_its_recorded_end(settings, key, one, other, first_does, second_does):
    first = ipd_doubles.ScriptedPlayer(key.first, one, **first_does)
    second = ipd_doubles.ScriptedPlayer(key.second, other, **second_does)
    line = match_line(settings, key, first, second)
    assert replay_match(line, settings, key) == line["end"]


A, B = IPDName("alice"), IPDName("bob")
KEY = MatchKey(SEED, 0, A, B)
NOISY = IPDSettings(min_rounds=8, max_rounds=8, noise=0.5)


def noisy_line(**second_does) -> dict:
    return match_line(NOISY, KEY, ipd_doubles.ScriptedPlayer(A), ipd_doubles.ScriptedPlayer(B, **second_does))


def test_a_scored_move_other_than_the_seeds_noise_makes_is_refused_naming_the_round():
    line = noisy_line()
    assert replay_match(line, NOISY, KEY) == line["end"]
    step = line["steps"][4]
    step["scored"][1] = "C" if step["scored"][1] == "D" else "D"
    with pytest.raises(
        ValueError, match=r"^match of encounter 4, step 5 \(round 5\): the moves .* are scored .* under this seed and noise, not "
    ):
        replay_match(line, NOISY, KEY)


def test_another_submitted_move_another_seed_or_other_totals_are_caught():
    line = noisy_line()
    changed = copy.deepcopy(line)
    changed["steps"][2]["moves"][0] = "D" if changed["steps"][2]["moves"][0] == "C" else "C"
    assert caught(replay_match, changed, NOISY, KEY)
    assert caught(replay_match, line, NOISY, MatchKey(SEED + 1, 0, A, B))
    assert caught(replay_match, {**line, "end": {**line["end"], "totals": [0, 0]}}, NOISY, KEY)
    assert caught(replay_match, {**line, "end": {**line["end"], "rounds": 7}}, NOISY, KEY)
    assert not caught(replay_match, line, NOISY, KEY)


def test_rounds_cut_short_added_or_numbered_wrong_are_refused():
    line = noisy_line()
    with pytest.raises(ValueError, match=r"the steps stop after round 7, before the match's end, and nobody misbehaved"):
        replay_match({**line, "steps": line["steps"][:-1]}, NOISY, KEY)
    with pytest.raises(ValueError, match=r"step 9 \(round 9\): the match was over after 8 rounds"):
        replay_match({**line, "steps": [*line["steps"], {**line["steps"][0], "round": 9}]}, NOISY, KEY)
    with pytest.raises(ValueError, match=r"step 2 \(round 2\): expected round 2, got 3"):
        replay_match({**line, "steps": [line["steps"][0], {**line["steps"][1], "round": 3}, *line["steps"][2:]]}, NOISY, KEY)
    with pytest.raises(ValueError, match=r"step 1 \(round 1\): moves: expected a recorded move, \"C\", \"D\" or null, got \"B\""):
        replay_match({**line, "steps": [{**line["steps"][0], "moves": ["B", "C"]}, *line["steps"][1:]]}, NOISY, KEY)
    with pytest.raises(ValueError, match=r"expected players \[\"alice\", \"bob\"\] \(the match key's\)"):
        replay_match({**line, "players": [B, A]}, NOISY, KEY)


def test_forfeits_too_many_end_the_match_misbehaved_and_the_culprits_must_name_the_forfeiter():
    line = noisy_line(script=dict.fromkeys(range(1, 9), ipd_doubles.HANG))
    assert line["end"] == {"rounds": 4, "totals": line["end"]["totals"], "how": "misbehaved", "culprits": [B]}
    assert replay_match(line, NOISY, KEY) == line["end"]
    with pytest.raises(ValueError, match="bob forfeited too often but is not among the culprits"):
        replay_match({**line, "end": {**line["end"], "culprits": [A]}}, NOISY, KEY)
    assert caught(replay_match, {**line, "end": {**line["end"], "how": "completed", "culprits": []}}, NOISY, KEY)


def test_a_misbehaviour_the_moves_cannot_show_is_taken_from_the_record_and_checked():
    line = noisy_line(fail_when_told={"match_over": ipd_doubles.RAISE})
    assert line["end"] == {**line["end"], "rounds": 8, "how": "misbehaved", "culprits": [B]}
    assert replay_match(line, NOISY, KEY) == line["end"]
    for culprits in ([], [B, A], ["carol"], "bob"):
        with pytest.raises(ValueError, match="expected culprits, players of the match in schedule order"):
            replay_match({**line, "end": {**line["end"], "culprits": culprits}}, NOISY, KEY)
