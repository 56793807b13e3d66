"""The Swiss benchmark (bench/swiss_event.py): a smoke run of a small Swiss on a real xserver, read round by round from its log.

No timing is checked here; the benchmark measures. What is checked is that
the benchmark reads the server's log as the server writes it: every round
announced, with all its encounters ended, and the summary after them.
"""

from __future__ import annotations

import sys

from bench.harness import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))  # the benchmark imports its neighbours as scripts do

import swiss_event


def test_the_smallest_field_whose_round_robin_has_as_many_encounters_as_the_swiss_is_the_baseline():
    assert swiss_event.baseline_players(5_000) == 101
    assert swiss_event.baseline_players(6) == 4
    assert swiss_event.baseline_players(7) == 5


def test_a_small_ipd_swiss_on_a_real_xserver_is_read_round_by_round_from_its_log():
    run = swiss_event.run_tournament("ipd", 6, 3)
    rows = swiss_event.swiss_rounds_figures(run, baseline_seconds_per_encounter=1.0, baseline_cpu_per_encounter=1.0)

    assert [(row["round"], row["encounters"]) for row in rows] == [(1, 3), (2, 3), (3, 3)]
    assert all(row["seconds"] >= 0 and row["pairing seconds before it"] >= 0 for row in rows)
    timeline = run["timeline"]
    assert timeline.encounters == 9
    assert timeline.summary >= timeline.last_end
    assert len(timeline.signed_up) == 6
