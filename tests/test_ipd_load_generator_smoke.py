"""The prisoner's dilemma's load generator (bench/ipd_load_generator.py): a smoke run against a real xserver, and its strictness.

The smoke run is played over TCP and over WebSocket (`--websocket`, for bench/websocket_ipd.py).

No timing is checked here; bench/ipd_speed.py measures. The Results are
checked against the server's own output line, not against the load
generator's figures alone.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.harness import PROJECT_ROOT, Server
from bench.ipd_load_generator import Conversation, Surprise, client_names, round_scores

IPD_LOAD_GENERATOR = PROJECT_ROOT / "bench" / "ipd_load_generator.py"
TIME_LIMIT = 60
ROUNDS = 50


@pytest.mark.parametrize("transport", ["tcp", "websocket"])
def test_four_ipd_load_generator_clients_play_a_whole_round_robin_of_50_round_matches_on_a_real_xserver(transport):
    config = {"game": "ipd", "min players": 4, "max players": 4, "waiting for": TIME_LIMIT, "min rounds": ROUNDS, "max rounds": ROUNDS}
    server = Server({**config, "seed": 1, "websocket": {"port": 0}})
    try:
        port = server.websocket_port if transport == "websocket" else server.port
        command = [sys.executable, str(IPD_LOAD_GENERATOR), "--clients", "4", "--port", str(port), "--rounds", str(ROUNDS)]
        command += ["--strategy", "tit-for-tat", "--show-results", "--time-limit", str(TIME_LIMIT)]
        command += ["--websocket"] if transport == "websocket" else []
        finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=TIME_LIMIT + 10)
        status = server.wait(TIME_LIMIT)
    finally:
        server.kill()
    assert finished.returncode == 0, finished.stderr
    figures = json.loads(finished.stdout)
    assert figures["results received"] == 4  # and the load generator checked that all four are equal
    assert status == 0
    output = json.loads(server.output)
    names = set(client_names("ipd", 4))
    assert {standing[0] for standing in output["standings"]} == names
    assert len(output["outcomes"]) == 6
    assert {frozenset(outcome[:2]) for outcome in output["outcomes"]} == {frozenset((a, b)) for a in names for b in names if a != b}
    assert all(len(outcome) == 5 and outcome[4] == ROUNDS for outcome in output["outcomes"])
    assert all(
        outcome[2:4] == [3 * ROUNDS, 3 * ROUNDS] for outcome in output["outcomes"]
    )  # tit-for-tat against tit-for-tat cooperates throughout
    assert figures["results"] == [output["outcomes"], output["standings"]]
    assert figures["rounds"] == 6 * ROUNDS


def test_client_names_are_distinct_valid_ipd_names_with_the_prefix():
    names = client_names("ipd", 1000)
    assert len(set(names)) == 1000
    assert names[0] == "ipd000" and names[-1] == "ipd999"
    with pytest.raises(ValueError):
        client_names("not a name", 2)


def test_round_scores_follow_the_payoffs_and_forfeits():
    payoffs = {"R": 3, "S": 0, "T": 5, "P": 1}
    assert round_scores("C", "C", payoffs) == (3, 3)
    assert round_scores("D", "D", payoffs) == (1, 1)
    assert round_scores("C", "D", payoffs) == (0, 5)
    assert round_scores("D", "C", payoffs) == (5, 0)
    assert round_scores(None, "D", payoffs) == (0, 3)
    assert round_scores("C", None, payoffs) == (3, 0)
    assert round_scores(None, None, payoffs) == (0, 0)


def _in_a_match(strategy: str = "cooperator", rounds: int | None = None) -> Conversation:
    conversation = Conversation("me", strategy, rounds=rounds)
    assert conversation.receive(["match", "you"]) is None
    return conversation


def test_the_conversation_answers_every_round_with_its_number_and_tit_for_tat_copies_the_opponent():
    conversation = _in_a_match("tit-for-tat")
    assert conversation.receive(["move", 1, None]) == [1, "C"]
    assert conversation.receive(["move", 2, ["C", "D"]]) == [2, "D"]
    assert conversation.receive(["move", 3, ["D", "C"]]) == [3, "C"]
    assert conversation.receive(["match-over", ["C", "C"], [0 + 5 + 3, 5 + 0 + 3], 3]) is None
    assert conversation.receive(["results", [["me", "you", 8, 8, 3]], [["me", 8 / 3, 1], ["you", 8 / 3, 1]]]) is None
    assert conversation.results is not None


@pytest.mark.parametrize(
    "messages",
    [
        [["move", 2, ["C", "C"]]],  # a round skipped
        [["move", 1, None], ["move", 1, None]],  # a round repeated
        [["move", 1, ["C", "C"]]],  # a Prev in round 1
        [["move", 1, None], ["move", 2, None]],  # no Prev after round 1
        [["move", 1, None], ["move", 2, ["D", "C"]]],  # its own move recorded wrong, without noise
        [["move", 1, None], ["move", 2, ["C", "B"]]],  # not a move
        [["move", "1", None]],  # a round number as a string
        [["move", 1, None], ["match-over", ["C", "C"], [3, 3], 2]],  # rounds unlike the last round asked
        [["move", 1, None], ["match-over", ["C", "C"], [5, 3], 1]],  # totals unlike the rounds recorded
        [["move", 1, None], ["match", "them"]],  # a match inside a match
        [["match-over", ["C", "C"], [0, 0], 0]],  # a match over before any round
        [["results", [], []]],  # the Results during a match
        [["playing-as", "other"]],  # a new name after the tournament began
        [["hello"]],  # not a message of the conversation
        ["move"],  # not even a list
    ],
)
def test_the_conversation_is_surprised_by_anything_out_of_place(messages):
    conversation = _in_a_match()
    with pytest.raises(Surprise):
        for message in messages:
            conversation.receive(message)


def test_the_conversation_checks_the_fixed_length_and_the_results_against_what_it_played():
    conversation = _in_a_match(rounds=2)
    conversation.receive(["move", 1, None])
    with pytest.raises(Surprise):
        conversation.receive(["match-over", ["C", "C"], [3, 3], 1])
    conversation = _in_a_match()
    conversation.receive(["move", 1, None])
    conversation.receive(["match-over", ["C", "C"], [3, 3], 1])
    with pytest.raises(Surprise):
        conversation.receive(["results", [["me", "you", 3, 4, 1]], [["me", 3.0, 1], ["you", 3.0, 1]]])
    with pytest.raises(Surprise):
        conversation.receive(["results", [["me", "you", 3, 3, 1]], [["me", 2.0, 1], ["you", 3.0, 1]]])
    with pytest.raises(Surprise):
        conversation.receive(["results", [], [["me", 0.0, 0]]])
    conversation.receive(["results", [["you", "me", 3, 3, 1]], [["you", 3.0, 1], ["me", 3.0, 1]]])
    with pytest.raises(Surprise):
        conversation.receive(["match", "you"])  # anything after the Results
