"""Our `greedy` against the course's reference clients: every recorded `setup` and `take-turn` gets the reference's reply.

The recordings are `tests/fish_recorded/` (its README.md gives the format and
the counts checked here). Each call's State and Actions go through our strict
converter, as our client proxy reads them, then to `Greedy`; its answer, on
the wire, must equal the reference client's reply. One test per game, so a
failure names the file, the game and the first decision that differs.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from Common.fish.geometry import Actions
from Common.fish.state import State
from Common.fish.wire import structure, unstructure
from Player.fish.greedy import Greedy

RECORDED = Path(__file__).parent / "fish_recorded"
RECORDINGS = {path.stem: json.loads(path.read_text()) for path in sorted(RECORDED.glob("*.json"))}
GAMES = [(run, number, game) for run, recording in RECORDINGS.items() for number, game in enumerate(recording["games"])]


def decisions() -> list[dict[str, Any]]:
    return [decision for _, _, game in GAMES for decision in game["decisions"]]


def test_the_recordings_hold_what_their_readme_says():
    assert len(RECORDINGS) == 12
    assert all(recording["format"] == "fish-recorded 1" and recording["run"] == run for run, recording in RECORDINGS.items())
    assert len(GAMES) == 42
    assert Counter(len(game["seats"]) for _, _, game in GAMES) == {2: 20, 3: 16, 4: 6}
    assert Counter(decision["call"] for decision in decisions()) == {"setup": 352, "take-turn": 815}
    skips = sum(step == "skip" for decision in decisions() for step in decision.get("actions", []))
    assert skips == 133


def answer(strategy: Greedy, decision: dict[str, Any]) -> Any:
    """Our greedy's reply to one recorded call, read and written by our strict converter."""
    state = structure(decision["state"], State)
    if decision["call"] == "setup":
        return unstructure(strategy.place(state))
    return unstructure(strategy.move(state, structure(decision["actions"], Actions)))


@pytest.mark.parametrize(("run", "number", "game"), GAMES, ids=[f"{run}-game{number}" for run, number, _ in GAMES])
def test_greedy_replies_as_the_reference_client_did(run, number, game):
    strategy = Greedy()
    for index, decision in enumerate(game["decisions"]):
        assert decision["state"]["players"][0]["color"] == decision["color"]  # the player asked comes first
        ours = answer(strategy, decision)
        assert ours == decision["reply"], (
            f"{run} game {number}, decision {index} ({decision['name']} {decision['color']}, {decision['call']}): "
            f"ours {json.dumps(ours)}, the reference's {json.dumps(decision['reply'])}, "
            f"state {json.dumps(decision['state'], separators=(',', ':'))}, actions {json.dumps(decision.get('actions'))}"
        )


@pytest.mark.parametrize("run", sorted(RECORDINGS))
def test_every_recorded_state_and_actions_is_read_strictly_and_written_back_as_the_same_json_value(run):
    # The recordings keep the JSON values the server sent, not its bytes, so equality is of values:
    # our converter writes an object's keys in its own order (the reference: board, then players).
    for number, game in enumerate(RECORDINGS[run]["games"]):
        for index, decision in enumerate(game["decisions"]):
            where = f"{run} game {number}, decision {index}"
            assert unstructure(structure(decision["state"], State)) == decision["state"], where
            if "actions" in decision:
                assert unstructure(structure(decision["actions"], Actions)) == decision["actions"], where
