"""The tournament manager: schedule, names, misbehaviour revisions, Results, concurrency."""

import math

import pytest
import trio

from Admin.encounter import EncounterResult
from Admin.manager import KICK_TIME_LIMIT, TournamentManager
from Admin.observer import Observer
from Admin.revisions import revise as revise_with
from Admin.santorini.referee import RULES, Referee
from Admin.schedule import RoundRobin
from Admin.two_player import revise_outcome
from Common.santorini.results import EncounterOutcome as Outcome
from tests.doubles import GIVE_UP, HANG, RAISE, ScriptedPlayer


def manager(concurrent=True, observer=None, best_of=3):
    return TournamentManager(Referee(best_of=best_of), RULES, time_per_call=2, concurrent=concurrent, observer=observer or Observer())


async def run(players, **options):
    return await manager(**options).run([(player.name, player) for player in players])


def revise(played):
    """Santorini's revisions through the game-free loop: the loser of an irregular outcome is its culprit."""
    return tuple(revise_with([(outcome, [outcome.loser] if outcome.irregular else []) for outcome in played], revise_outcome))


def as_json(results):
    return [[o.winner, o.loser, "irregular"] if o.irregular else [o.winner, o.loser] for o in results]


def test_the_schedule_pairs_player_one_with_all_others_first_earlier_player_listed_first():
    assert list(RoundRobin(4)) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    assert list(RoundRobin(1)) == [] and list(RoundRobin(0)) == [] and len(RoundRobin(0)) == 0


@pytest.mark.parametrize("count", [2, 3, 7, 12])
def test_the_computed_schedule_agrees_with_itself(count):
    schedule = RoundRobin(count)
    pairings = list(schedule)
    assert len(schedule) == len(pairings)
    assert [schedule.index(first, second) for first, second in pairings] == list(range(len(pairings)))
    for player in range(count):
        mine = [pairing for pairing in pairings if player in pairing]
        opponents = [schedule.opponent(player, played) for played in range(count)]
        assert opponents == [first + second - player for first, second in mine] + [None]


async def test_players_that_hang_at_placement_and_at_turn_lose_irregularly_and_meet_no_one_else(autojump_clock):
    players = [
        ScriptedPlayer("matthias"),
        ScriptedPlayer("infplace", at_placement=1, how=HANG),
        ScriptedPlayer("infturn", at_turn=1, how=HANG),
    ]
    results = await run(players)
    assert as_json(results) == [["matthias", "infplace", "irregular"], ["matthias", "infturn", "irregular"]]
    assert players[1].calls("start_encounter") == ["matthias"]


@pytest.mark.parametrize(
    "requested, assigned",
    [
        (["alice", "alice"], ["alice", "alicea"]),
        (["a", "a", "aa"], ["a", "aa", "aaa"]),
        (["alice", "alice", "alicea"], ["alice", "alicea", "aliceaa"]),
        (["bob", "alice", "bob"], ["bob", "alice", "bobaaa"]),
    ],
)
async def test_a_taken_name_is_extended_with_as_and_the_player_is_told_before_its_first_encounter(requested, assigned):
    players = [ScriptedPlayer(name, how=GIVE_UP) for name in requested]
    results = await run(players)
    assert {name for outcome in results for name in (outcome.winner, outcome.loser)} == set(assigned)
    for player, name, asked in zip(players, assigned, requested, strict=True):
        told = [argument for method, argument in player.heard if method == "playing_as"]
        assert told == ([] if name == asked else [name])
        if told:
            assert player.heard[0] == ("playing_as", name)


async def test_a_player_whose_renaming_would_exceed_64_letters_is_left_out():
    renamed = []

    class Watcher(Observer):
        def renamed(self, requested, assigned):
            renamed.append(assigned)

    players = [ScriptedPlayer("a" * 64), ScriptedPlayer("a" * 64), ScriptedPlayer("bob")]
    results = await run(players, observer=Watcher())
    assert renamed == [None]
    assert players[1].heard == []
    assert len(results) == 1


async def test_a_player_that_cannot_hear_its_new_name_is_out_and_leaves_no_trace():
    players = [ScriptedPlayer("alice"), ScriptedPlayer("alice", fail_when_told={"playing_as"}), ScriptedPlayer("bob")]
    results = await run(players)
    assert as_json(results) == [["alice", "bob"]] or as_json(results) == [["bob", "alice"]]
    assert players[1].calls("start_encounter") == []


def test_a_cheat_that_beat_two_cheats_leaves_no_trace_of_those_wins():
    played = [Outcome("x", "cone"), Outcome("a", "cone", True), Outcome("x", "ctwo"), Outcome("a", "ctwo", True), Outcome("a", "x", True)]
    assert revise(played) == (Outcome("a", "cone", True), Outcome("a", "ctwo", True), Outcome("a", "x", True))


def test_a_cheats_win_over_a_well_behaved_player_becomes_that_players_win():
    played = [Outcome("x", "b"), Outcome("x", "c"), Outcome("c", "x", True)]
    assert revise(played) == (Outcome("b", "x"), Outcome("c", "x"), Outcome("c", "x", True))


def test_a_revised_win_is_deleted_when_its_new_winner_misbehaves_later():
    played = [Outcome("x", "b"), Outcome("c", "x", True), Outcome("c", "b", True)]
    assert revise(played) == (Outcome("c", "x", True), Outcome("c", "b", True))


async def test_results_go_to_every_player_that_never_misbehaved_and_a_failure_receiving_them_changes_nothing(autojump_clock):
    players = [
        ScriptedPlayer("alice", fail_when_told={"end_of_tournament"}),
        ScriptedPlayer("bob", at_turn=1, how=RAISE),
        ScriptedPlayer("carol", how=GIVE_UP),
    ]
    results = await run(players)
    assert players[0].calls("end_of_tournament") == [results]
    assert players[1].calls("end_of_tournament") == []
    assert players[2].calls("end_of_tournament") == [results]
    assert as_json(results) == [["alice", "bob", "irregular"], ["alice", "carol"]]


async def test_the_observer_hears_every_encounter_and_every_misbehaviour(autojump_clock):
    heard = []

    class Watcher(Observer):
        def misbehaved(self, name, reason):
            heard.append(("misbehaved", name, reason))

        def encounter_finished(self, result, finished, total):
            heard.append(("finished", None if result is None else result.outcome.winner, finished, total))

    players = [ScriptedPlayer("alice"), ScriptedPlayer("bob", at_placement=1, how=HANG), ScriptedPlayer("carol")]
    await run(players, observer=Watcher(), concurrent=False)
    assert heard[:2] == [("misbehaved", "bob", "place_worker: no answer within 2 s"), ("finished", "alice", 1, 3)]
    assert heard[2][0::2] == ("finished", 2) and heard[3] == ("finished", None, 3, 3)


async def test_a_player_that_misbehaves_is_told_why_in_the_words_of_the_log_and_hears_nothing_after(autojump_clock):
    heard = []

    class Watcher(Observer):
        def misbehaved(self, name, reason):
            heard.append(reason)

    players = [ScriptedPlayer("alice"), ScriptedPlayer("bob", at_turn=1, how=RAISE), ScriptedPlayer("carol", how=GIVE_UP)]
    await run(players, observer=Watcher())
    assert players[1].calls("kicked") == heard == ["take_turn: RuntimeError: scripted failure"]
    assert players[1].heard[-1] == ("kicked", heard[0])
    assert players[0].calls("kicked") == players[2].calls("kicked") == []


async def test_a_kick_reason_is_cut_to_200_characters_for_the_log_and_the_player(autojump_clock):
    class Rambler(ScriptedPlayer):
        async def take_turn(self, board):
            raise RuntimeError("because " * 100)

    players = [ScriptedPlayer("alice"), Rambler("bob")]
    await run(players)
    (reason,) = players[1].calls("kicked")
    assert len(reason) == 200 and reason.startswith("take_turn: RuntimeError: because because") and reason.endswith("...")


async def test_a_player_that_hangs_on_its_kick_notice_delays_no_one(autojump_clock):
    class Deaf(ScriptedPlayer):
        async def kicked(self, reason):
            await trio.sleep(math.inf)

    class Clocked(ScriptedPlayer):
        async def end_of_tournament(self, results):
            self.heard.append(("end_of_tournament at", trio.current_time()))

    players = [Clocked("alice"), Deaf("bob", at_turn=1, how=RAISE), ScriptedPlayer("carol", how=GIVE_UP)]
    started = trio.current_time()
    results = await run(players)
    assert as_json(results) == [["alice", "bob", "irregular"], ["alice", "carol"]]
    (results_heard_at,) = players[0].calls("end_of_tournament at")
    assert results_heard_at - started < KICK_TIME_LIMIT <= trio.current_time() - started


def tournament_of_eight():
    return [
        ScriptedPlayer("ann"),
        ScriptedPlayer("ben", at_turn=7, how=RAISE),
        ScriptedPlayer("cat", how=GIVE_UP),
        ScriptedPlayer("dan", at_placement=2, how=HANG),
        ScriptedPlayer("eve"),
        ScriptedPlayer("fay", at_turn=40, how=RAISE),
        ScriptedPlayer("ann"),
        ScriptedPlayer("gus"),
    ]


async def test_concurrent_and_sequential_tournaments_give_equal_results_and_every_player_sees_the_same_messages(autojump_clock):
    sequential, concurrent = tournament_of_eight(), tournament_of_eight()
    results_sequential = await run(sequential, concurrent=False)
    results_concurrent = await run(concurrent, concurrent=True)
    assert results_concurrent == results_sequential
    assert any(outcome.irregular for outcome in results_sequential)
    for one, other in zip(sequential, concurrent, strict=True):
        assert one.heard == other.heard


async def test_encounters_of_different_players_overlap_in_a_concurrent_tournament(autojump_clock):
    playing, most = set(), 0

    async def referee(first, second, encounter):
        nonlocal most
        playing.update({first.name, second.name})
        most = max(most, len(playing))
        await trio.sleep(1)
        playing.difference_update({first.name, second.name})
        return EncounterResult(Outcome(first.name, second.name))

    players = [ScriptedPlayer(name) for name in ["ann", "ben", "cat", "dan", "eve", "fay"]]
    await TournamentManager(referee, RULES, time_per_call=2).run([(p.name, p) for p in players])
    assert most == 6
