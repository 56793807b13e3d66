"""A match's CSV record in the websocket server's format, and the rounds it is made of."""

from __future__ import annotations

import csv
import io

import ipd_strategies as ips
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.chance import MatchKey
from Common.ipd.names import Name
from Common.ipd.outcomes import Misbehaved
from Common.ipd.records import MoveLog, record_file_name, render_record

A, B = Name("alice"), Name("Bob_2")


def test_a_completed_match_is_a_header_a_line_per_round_and_completed() -> None:
    text = render_record(A, B, [("C", "D"), ("D", None), (None, None), ("C", "C")])
    assert text == "alice,Bob_2\nC,D\nD,Forfeit\nForfeit,Forfeit\nC,C\n# COMPLETED\n"


def test_an_irregular_match_ends_naming_the_culprit() -> None:
    assert render_record(A, B, [("C", "C")], [B]) == "alice,Bob_2\nC,C\n# IRREGULAR Bob_2\n"
    assert render_record(A, B, [], [B]) == "alice,Bob_2\n# IRREGULAR Bob_2\n"


def test_the_file_of_a_match_is_named_after_the_tournament_and_the_match() -> None:
    assert record_file_name(1, 17) == "1-17.csv"


@ips.QUICK
@given(st.lists(st.tuples(ips.recordeds(), ips.recordeds()), max_size=300))
def test_a_move_log_gives_back_every_round_in_one_byte_each(rounds: list) -> None:
    log = MoveLog()
    for first, second in rounds:
        log.append(first, second)
    assert list(log) == rounds
    assert len(log) == len(rounds)


@ips.QUICK
@given(ips.two_names(), st.lists(st.tuples(ips.recordeds(), ips.recordeds()), max_size=50), st.booleans())
def test_a_record_reads_back_as_csv(players: tuple[Name, Name], rounds: list, irregular: bool) -> None:
    text = render_record(*players, rounds, [players[1]] if irregular else [])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(players)
    assert rows[1:-1] == [["Forfeit" if v is None else v for v in pair] for pair in rounds]
    assert rows[-1] == ([f"# IRREGULAR {players[1]}"] if irregular else ["# COMPLETED"])


@ips.QUICK
@given(ips.ipd_settings(), ips.match_keys(), st.data())
def test_a_played_match_is_recorded_as_scored(settings, key: MatchKey, data: st.DataObject) -> None:
    choose = data.draw(st.lists(ips.recordeds(), min_size=1, max_size=5))
    played = ips.play_match(settings, key, lambda k, prev: choose[k % len(choose)], lambda k, prev: "D")
    log = MoveLog()
    for result in played.rounds:
        log.append(result.first, result.second)
    culprits = sorted(played.played.culprits) if isinstance(played.played, Misbehaved) else []
    lines = render_record(key.first, key.second, log, culprits).splitlines()
    assert len(lines) == len(played.rounds) + 2
    assert lines[-1] == (f"# IRREGULAR {key.first}" if culprits else "# COMPLETED")
