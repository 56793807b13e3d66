"""Schedules: round robins (repeated) and listed pairings agree with themselves, and each player's order is the schedule's."""

import attrs
from hypothesis import given
from hypothesis import strategies as st

from Admin.manager import TournamentManager
from Admin.santorini.referee import RULES, Referee
from Admin.schedule import ListedPairings, RoundRobin, listed_pairings
from tests.doubles import ScriptedPlayer


@st.composite
def listed(draw):
    count = draw(st.integers(2, 6))
    pair = st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)).filter(lambda p: p[0] != p[1])
    return ListedPairings(tuple(draw(st.lists(pair, max_size=12))), draw(st.integers(1, 3))), count


schedules = st.one_of(
    st.builds(
        lambda count, repetitions, fair: (RoundRobin(count, repetitions, fair), count),
        st.integers(0, 9),
        st.integers(1, 3),
        st.booleans(),
    ),
    listed(),
)


@given(schedules)
def test_a_schedule_lists_its_pairings_by_index_and_each_players_encounters_in_order(schedule_and_count):
    schedule, count = schedule_and_count
    pairings = list(schedule)
    assert len(pairings) == len(schedule)
    assert [schedule.pairing(index) for index in range(len(schedule))] == pairings
    for player in range(count):
        mine = [index for index, pairing in enumerate(pairings) if player in pairing]
        following = [schedule.next_index(player, played) for played in range(len(mine) + 1)]
        assert following == [*mine, None]


@given(schedules)
def test_repetitions_and_meetings_count_from_zero(schedule_and_count):
    schedule, _ = schedule_and_count
    met: dict = {}
    for index, pairing in enumerate(schedule):
        encounter = schedule.encounter(index)
        repetition_length = len(schedule) // getattr(schedule, "repetitions", 1)
        assert encounter.index == index and encounter.repetition == index // repetition_length
        key = (encounter.repetition, frozenset(pairing))
        assert encounter.meeting == met.get(key, 0)
        met[key] = encounter.meeting + 1


def test_the_round_robin_pairs_player_one_with_all_others_first_and_repeats_itself():
    assert list(RoundRobin(3, 2)) == [(0, 1), (0, 2), (1, 2)] * 2
    assert RoundRobin(3, 2).encounter(4).repetition == 1


def test_listed_pairings_skip_a_pairing_that_names_someone_who_did_not_sign_up():
    schedule, skipped = listed_pairings(["ann", "ben", "cat"], [("ann", "ben"), ("ann", "dan"), ("cat", "ann"), ("ann", "ben")])
    assert list(schedule) == [(0, 1), (2, 0), (0, 1)] and skipped == [("ann", "dan")]
    assert [schedule.encounter(index).meeting for index in range(3)] == [0, 0, 1]


async def test_a_tournament_of_listed_pairings_plays_them_in_order_for_every_player_concurrent_or_not(autojump_clock):
    pairs = [("ann", "ben"), ("cat", "dan"), ("ben", "cat"), ("ann", "ben"), ("dan", "ann")]
    rules = attrs.evolve(RULES, schedule=lambda names: listed_pairings(names, pairs)[0])
    heard = []
    for concurrent in (True, False):
        players = [ScriptedPlayer(name) for name in ["ann", "ben", "cat", "dan"]]
        manager = TournamentManager(Referee(), rules, time_per_call=2, concurrent=concurrent)
        results = await manager.run([(player.name, player) for player in players])
        assert len(results) == len(pairs)
        heard.append([player.heard for player in players])
        assert players[0].calls("start_encounter") == ["ben", "ben", "dan"]
    assert heard[0] == heard[1]
