"""Santorini's "fair starts": over a round robin each player starts game 1 in half of its series (within one).

Without the key the schedule is today's, pairing for pairing: the earlier
player listed first. With it, only which of the two is listed first (and so
starts games 1 and 3) changes; who meets whom, and in which order, stays.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.schedule import RoundRobin
from Remote.game_registry import GAMES
from tests.processes import run_admin

SANTORINI = GAMES["santorini"]


def starts(schedule: RoundRobin) -> list[int]:
    """How many of its series each player starts (is listed first in)."""
    started = [0] * schedule.count
    for first, _ in schedule:
        started[first] += 1
    return started


@given(st.integers(2, 60))
def test_with_fair_starts_every_player_starts_game_1_in_half_of_its_series_within_one(count):
    series = count - 1
    assert set(starts(RoundRobin(count, fair_starts=True))) <= {series // 2, (series + 1) // 2}


@given(st.integers(0, 40), st.integers(1, 3))
def test_without_fair_starts_the_schedule_is_the_earlier_player_first_as_before(count, repetitions):
    before = [(first, second) for _ in range(repetitions) for first in range(count) for second in range(first + 1, count)]
    assert list(RoundRobin(count, repetitions)) == before


@given(st.integers(0, 30), st.integers(1, 3))
def test_fair_starts_change_only_who_is_listed_first(count, repetitions):
    fair, plain = RoundRobin(count, repetitions, fair_starts=True), RoundRobin(count, repetitions)
    assert [sorted(pairing) for pairing in fair] == [list(pairing) for pairing in plain]
    for player in range(count):
        assert [fair.next_index(player, played) for played in range(count * repetitions)] == [
            plain.next_index(player, played) for played in range(count * repetitions)
        ]


@given(st.integers(2, 30))
def test_with_fair_starts_over_two_repetitions_each_pair_starts_one_series_each(count):
    schedule = RoundRobin(count, 2, fair_starts=True)
    assert sorted(tuple(sorted(pairing)) for pairing in schedule) == sorted(tuple(pairing) for pairing in RoundRobin(count, 2))
    assert len(set(schedule)) == len(schedule)


def test_the_key_is_read_strictly_recorded_when_on_and_read_back_from_the_record():
    on = SANTORINI.read_settings({"fair starts": True})
    assert SANTORINI.settings_json(on) == {"best of": 3, "fair starts": True}
    assert SANTORINI.read_settings(SANTORINI.settings_json(on)) == on
    off = SANTORINI.read_settings({})
    assert SANTORINI.settings_json(off) == {"best of": 3}  # as before: logs written without the key resume
    assert SANTORINI.read_settings({"fair starts": False}) == off
    for bad in (1, "true", None):
        with pytest.raises(Exception, match=r"fair starts"):
            SANTORINI.read_settings({"fair starts": bad})


@pytest.mark.parametrize("fair", [False, True], ids=["as before", "fair starts"])
def test_among_identical_players_fair_starts_spread_the_wins(fair):
    """Six identical good players: without fair starts the later player of each pair wins every series."""
    names = ["ann", "ben", "cat", "dan", "eve", "fay"]
    configuration = {"players": [["good", name, ""] for name in names], "observers": []}
    if fair:
        configuration["fair starts"] = True
    finished = run_admin(configuration)
    assert finished.returncode == 0, finished.stderr
    wins = dict.fromkeys(names, 0)
    for winner, *_ in json.loads(finished.stdout):
        wins[winner] += 1
    if fair:
        assert set(wins.values()) <= {2, 3}
    else:
        assert [wins[name] for name in names] == [0, 1, 2, 3, 4, 5]
