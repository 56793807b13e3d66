"""The game events both referees report through `note`: their order, their fields, wire values, misbehaviour."""

from __future__ import annotations

import json

import ipd_doubles
import ipd_strategies as ips
import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st

from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.ipd.referee import make_referee
from Admin.santorini.referee import Referee
from Common.ipd import wire as ipd_wire
from Common.ipd.chance import MatchKey
from Common.ipd.moves import Recorded, Totals
from Common.ipd.names import Name as IPDName
from Common.ipd.outcomes import Scored
from Common.ipd.settings import IPDSettings
from Common.santorini import wire as santorini_wire
from Common.santorini.actions import Action, GiveUp
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Player.ipd.kinds import PLAYERS as IPD_PLAYERS
from Player.santorini.kinds import PLAYERS as SANTORINI_PLAYERS
from tests.doubles import GIVE_UP, HANG, ILLEGAL, RAISE, WRONG_TYPE, ScriptedPlayer

SANTORINI_HOWS = {"height 3", "gave up", "no legal turn", "misbehaved"}
TIME_PER_CALL = 2.0


def same_after_json(events: list[dict]) -> bool:
    return json.loads(json.dumps(events)) == events


# ---------------------------------------------------------------------------
# Santorini


async def santorini_series(first: Entrant, second: Entrant, encounter: int = 0, **referee) -> tuple[EncounterResult, list[dict]]:
    """Referee one series; its result and the events it reported."""
    events: list[dict] = []
    result = await Referee(note=events.append, **referee)(first, second, Encounter(encounter))
    return result, events


def built_in(kind: str, name: str) -> Entrant:
    """A local Santorini player of a built-in kind, as the configuration's house players are made."""
    return Entrant(Name(name), SANTORINI_PLAYERS.local_player(Name(name), SANTORINI_PLAYERS.built_in(kind), None))


def scripted(player: ScriptedPlayer) -> Entrant:
    return Entrant(player.name, player)


def games_of(events: list[dict]) -> list[list[dict]]:
    """The events grouped by game, checking that each game's events come together and games count from 0."""
    games: list[list[dict]] = []
    for event in events:
        if event["type"] == "game-start":
            assert event["game"] == len(games), "games count from 0, one after the other"
            games.append([])
        assert games and event["game"] == len(games) - 1, f"{event} is outside its game"
        games[-1].append(event)
    return games


def check_series_events(events: list[dict], first: str, second: str, encounter: int, result: EncounterResult) -> None:
    """Every game's events in order, with exactly the contract's fields, and ends that add up to the result."""
    assert same_after_json(events)
    games = games_of(events)
    wins = {first: 0, second: 0}
    for number, game in enumerate(games):
        starter, other = (first, second) if number % 2 == 0 else (second, first)
        start, *steps, end = game
        assert start == {"type": "game-start", "encounter": encounter, "game": number, "players": [starter, other]}
        for index, step in enumerate(steps):
            kind, key, type_ = ("placement", "place", Place) if index < 4 else ("turn", "action", Action)
            assert step.keys() == {"type", "encounter", "game", "player", key, "ms"}
            assert (step["type"], step["encounter"], step["player"]) == (kind, encounter, (starter, other)[index % 2])
            assert santorini_wire.unstructure(santorini_wire.structure(step[key], type_)) == step[key]
            assert type(step["ms"]) is int and step["ms"] >= 0
        assert end["type"] == "game-end" and end["encounter"] == encounter and end["how"] in SANTORINI_HOWS
        if end["how"] == "misbehaved":
            due = (starter, other)[len(steps) % 2]  # the player whose step was asked for
            assert end == {"type": "game-end", "encounter": encounter, "game": number, "winner": None, "how": "misbehaved", "culprit": due}
            assert game is games[-1] and result.outcome.irregular and result.misbehaviours[0].name == due
            continue
        assert end == {"type": "game-end", "encounter": encounter, "game": number, "winner": end["winner"], "how": end["how"]}
        assert len(steps) >= 4
        wins[end["winner"]] += 1
        if end["how"] == "gave up":
            assert steps[-1]["action"] == steps[-1]["player"] != end["winner"]
        elif end["how"] == "height 3":
            assert type(steps[-1]["action"]) is list and end["winner"] == steps[-1]["player"]
        else:  # the player due had no legal turn
            assert end["winner"] == steps[-1]["player"]
    if not result.outcome.irregular:
        assert wins[result.outcome.winner] > wins[result.outcome.loser]
        assert wins[result.outcome.winner] * 2 > len(games) - 1


async def test_a_series_of_good_players_reports_every_game_in_order_with_wire_values():
    result, events = await santorini_series(built_in("good", "good"), built_in("good", "other"), encounter=7, best_of=5)
    check_series_events(events, "good", "other", 7, result)
    assert {event["type"] for event in events} == {"game-start", "placement", "turn", "game-end"}
    assert len([event for event in events if event["type"] == "game-end"]) >= 3


async def test_the_breaker_kind_ends_its_game_misbehaved_and_its_illegal_turn_is_not_reported():
    result, events = await santorini_series(built_in("good", "good"), built_in("breaker", "breaker"), encounter=2)
    check_series_events(events, "good", "breaker", 2, result)
    assert events[-1] == {"type": "game-end", "encounter": 2, "game": 0, "winner": None, "how": "misbehaved", "culprit": "breaker"}
    assert [event["player"] for event in events if event["type"] == "turn"] == ["good"]  # the breaker's first turn broke a rule


@pytest.mark.parametrize(
    "misbehaviour, steps_before",
    [
        ({"at_placement": 1, "how": RAISE}, 1),
        ({"at_placement": 2, "how": ILLEGAL}, 3),
        ({"at_placement": 1, "how": WRONG_TYPE}, 1),
        ({"at_placement": 2, "how": HANG}, 3),
        ({"at_turn": 1, "how": ILLEGAL}, 5),
        ({"at_turn": 2, "how": RAISE}, 7),
        ({"at_turn": 3, "how": WRONG_TYPE}, 9),
        ({"at_turn": 2, "how": HANG}, 7),
    ],
)
async def test_any_misbehaviour_in_a_game_ends_it_misbehaved_after_the_legal_steps_only(misbehaviour, steps_before, autojump_clock):
    alice, bob = ScriptedPlayer("alice"), ScriptedPlayer("bob", **misbehaviour)
    result, events = await santorini_series(scripted(alice), scripted(bob), encounter=4)
    check_series_events(events, "alice", "bob", 4, result)
    (game,) = games_of(events)
    assert len(game) == 1 + steps_before + 1
    assert game[-1] == {"type": "game-end", "encounter": 4, "game": 0, "winner": None, "how": "misbehaved", "culprit": "bob"}


async def test_a_series_that_ends_before_its_first_game_reports_no_game():
    alice, bob = ScriptedPlayer("alice", fail_when_told={"start_encounter"}), ScriptedPlayer("bob")
    result, events = await santorini_series(scripted(alice), scripted(bob))
    assert result.outcome.irregular and events == []


async def test_a_misbehaviour_in_a_later_game_ends_that_game_and_the_earlier_ones_keep_their_ends(autojump_clock):
    alice, bob = ScriptedPlayer("alice", how=GIVE_UP), ScriptedPlayer("bob", at_turn=1, how=HANG)
    result, events = await santorini_series(scripted(alice), scripted(bob), best_of=3)
    check_series_events(events, "alice", "bob", 0, result)
    ends = [event for event in events if event["type"] == "game-end"]
    assert [(end["game"], end["winner"], end["how"]) for end in ends] == [(0, "bob", "gave up"), (1, None, "misbehaved")]


async def test_each_step_reports_the_whole_milliseconds_its_call_took(autojump_clock):
    class Slow(ScriptedPlayer):
        async def place_worker(self, placement):
            await trio.sleep(0.25)
            return await super().place_worker(placement)

        async def take_turn(self, board):
            await trio.sleep(1.5)
            return GiveUp(self.name)

    _, events = await santorini_series(scripted(ScriptedPlayer("alice", how=GIVE_UP)), scripted(Slow("bob")), best_of=1)
    steps = [(event["player"], event["ms"]) for event in events if event["type"] in ("placement", "turn")]
    assert steps == [("alice", 0), ("bob", 250), ("alice", 0), ("bob", 250), ("alice", 0)]  # alice gave up at once
    _, events = await santorini_series(scripted(Slow("bob")), scripted(ScriptedPlayer("alice")), best_of=1)
    turns = [(event["player"], event["ms"]) for event in events if event["type"] == "turn"]
    assert turns == [("bob", 1500)]


async def test_the_events_change_nothing_of_the_refereeing(autojump_clock):
    for misbehaviour in ({}, {"at_turn": 3, "how": ILLEGAL}):
        heard = Referee(best_of=3)
        noted = Referee(best_of=3, note=[].append)
        players = lambda how=misbehaviour: (scripted(ScriptedPlayer("alice")), scripted(ScriptedPlayer("bob", **how)))  # noqa: E731
        assert await heard(*players()) == await noted(*players())


# ---------------------------------------------------------------------------
# The prisoner's dilemma

A, B = IPDName("alice"), IPDName("bob")
SEED = 11


async def ipd_match(first, second, settings: IPDSettings, encounter: Encounter = Encounter()) -> tuple[EncounterResult, list[dict]]:
    """Referee one match between two Entrants or scripted players; its result and the events it reported."""
    events: list[dict] = []
    referee = make_referee(settings, SEED, TIME_PER_CALL, note=events.append)
    players = [player if isinstance(player, Entrant) else Entrant(player.name, player) for player in (first, second)]
    result = await referee(*players, encounter)
    return result, events


def ipd_built_in(kind: str, name: str) -> Entrant:
    """A local IPD player of a built-in kind, as the configuration's house players are made."""
    return Entrant(IPDName(name), IPD_PLAYERS.local_player(IPDName(name), IPD_PLAYERS.built_in(kind), None))


def check_match_events(events: list[dict], first: str, second: str, encounter: int, result: EncounterResult) -> None:
    """The match's events in order, with exactly the contract's fields, ending as the result says."""
    assert same_after_json(events)
    start, *rounds, end = events
    assert start == {"type": "game-start", "encounter": encounter, "game": 0, "players": [first, second]}
    for number, event in enumerate(rounds, 1):
        assert event.keys() == {"type", "encounter", "game", "round", "moves", "scored", "ms"}
        assert (event["type"], event["encounter"], event["game"], event["round"]) == ("round", encounter, 0, number)
        for value in (*event["moves"], *event["scored"]):
            assert ipd_wire.unstructure(ipd_wire.structure(value, Recorded)) == value
        assert len(event["moves"]) == len(event["scored"]) == 2
        assert [move is None for move in event["moves"]] == [move is None for move in event["scored"]]  # noise never flips a forfeit
        assert len(event["ms"]) == 2 and all(type(ms) is int and ms >= 0 for ms in event["ms"])
    assert end.keys() == {"type", "encounter", "game", "rounds", "totals", "how", "culprits"}
    assert (end["type"], end["encounter"], end["game"], end["rounds"]) == ("game-end", encounter, 0, len(rounds))
    totals = ipd_wire.structure(end["totals"], Totals)
    assert end["culprits"] == [misbehaviour.name for misbehaviour in result.misbehaviours]
    if end["how"] == "completed":
        assert result.outcome == Scored(first, second, totals.mine, totals.theirs, len(rounds))
    else:
        assert end["how"] == "misbehaved" and end["culprits"]


async def test_a_match_of_built_in_players_reports_its_start_every_round_and_its_end():
    first, second = ipd_built_in("tit-for-tat", "tft"), ipd_built_in("alternator", "alt")
    result, events = await ipd_match(first, second, ips.fixed_length(12), Encounter(5))
    check_match_events(events, "tft", "alt", 5, result)
    assert [event["moves"] for event in events[1:-1]][:4] == [["C", "C"], ["C", "D"], ["D", "C"], ["C", "D"]]
    assert events[-1] == {**events[-1], "rounds": 12, "how": "completed", "culprits": []}


async def test_the_breaker_kind_ends_the_match_misbehaved_without_a_round():
    first, second = ipd_built_in("cooperator", "coop"), ipd_built_in("breaker", "breaker")
    result, events = await ipd_match(first, second, ips.fixed_length(12))
    check_match_events(events, "coop", "breaker", 0, result)
    assert [event["type"] for event in events] == ["game-start", "game-end"]
    assert events[-1] == {**events[-1], "rounds": 0, "totals": [0, 0], "how": "misbehaved", "culprits": ["breaker"]}


async def test_a_forfeit_is_null_as_submitted_and_as_scored_and_took_the_whole_time_per_move(autojump_clock):
    first, second = ipd_doubles.ScriptedPlayer(A), ipd_doubles.ScriptedPlayer(B, script={2: ipd_doubles.HANG})
    result, events = await ipd_match(first, second, ips.fixed_length(3, time_per_move=0.75))
    check_match_events(events, A, B, 0, result)
    rounds = [(event["moves"], event["scored"], event["ms"]) for event in events[1:-1]]
    assert rounds == [(["C", "C"], ["C", "C"], [0, 0]), (["C", None], ["C", None], [0, 750]), (["C", "C"], ["C", "C"], [0, 0])]


@pytest.mark.parametrize(
    "first_script, second_script, told, culprits, rounds",
    [
        ({}, dict.fromkeys(range(1, 9), ipd_doubles.HANG), {}, [B], 4),  # the 4th forfeit of 3 allowed
        ({3: "B"}, {}, {}, [A], 2),  # round 3 is not scored
        ({1: ipd_doubles.RAISE}, {1: ipd_doubles.HANG}, {}, [A], 0),
        ({}, {}, {"match_over": ipd_doubles.RAISE}, [B], 6),
        ({}, {}, {"start_match": ipd_doubles.HANG}, [B], 0),
    ],
)
async def test_a_match_with_a_misbehaviour_ends_misbehaved_naming_the_culprits(
    first_script, second_script, told, culprits, rounds, autojump_clock
):
    first = ipd_doubles.ScriptedPlayer(A, script=first_script)
    second = ipd_doubles.ScriptedPlayer(B, script=second_script, fail_when_told=told)
    result, events = await ipd_match(first, second, ips.fixed_length(6))
    check_match_events(events, A, B, 0, result)
    assert events[-1] == {**events[-1], "how": "misbehaved", "culprits": culprits, "rounds": rounds}


@ips.QUICK
@given(ips.ipd_settings(most=40), ips.two_names(), st.integers(0, 3), st.integers(0, 2), ips.deciders(), ips.deciders())
def test_every_round_reported_is_the_folds_round_of_the_submitted_moves(settings, pair, repetition, meeting, one, other):
    expected = ips.play_match(settings, MatchKey(SEED, repetition, *pair, meeting), one, other)
    first, second = ipd_doubles.ScriptedPlayer(pair[0], one), ipd_doubles.ScriptedPlayer(pair[1], other)
    clock = trio.testing.MockClock(autojump_threshold=0)
    result, events = trio.run(ipd_match, first, second, settings, Encounter(9, repetition, meeting), clock=clock)
    check_match_events(events, *pair, 9, result)
    requests = zip(expected.first_requests, expected.second_requests, strict=True)
    submitted = [[one(a.round, a.prev), other(b.round, b.prev)] for a, b in requests]
    assert [event["moves"] for event in events[1:-1]] == submitted
    assert [event["scored"] for event in events[1:-1]] == [[r.first, r.second] for r in expected.rounds]
    late = round(settings.time_per_move * 1000)
    assert [event["ms"] for event in events[1:-1]] == [[late if m is None else 0 for m in moves] for moves in submitted]
    totals = expected.first_over.totals
    assert events[-1]["totals"] == [totals.mine, totals.theirs]
