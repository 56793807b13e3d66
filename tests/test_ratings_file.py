"""The ratings file, with real xserver processes: "ratings out" writes what results.json's ratings say, and a later
knock-out "seeding": "rating" seeds by it; a file that is not one is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.exports import RESULTS_JSON
from Remote.game_registry import GAMES
from tests.game_conformance import kit_of
from tests.processes import run_xserver

NAMES = ("ann", "bob", "cat", "dan")


def configuration(game: str, tmp_path: Path, directory: str, **more) -> dict:
    kit = kit_of(GAMES[game])
    house = [[kit.honest, name, ""] for name in NAMES]
    window = {"min players": 4, "port": 0, "host": "127.0.0.1", "waiting for": 0.01, "repeat": 0}
    return {"game": game, **window, "house players": house, "event log": str(tmp_path / directory), **kit.own, **more}


def tournament(tmp_path: Path, directory: str) -> Path:
    (found,) = [entry for entry in (tmp_path / directory).iterdir() if entry.is_dir()]
    return found


@pytest.mark.parametrize("game", sorted(GAMES))
def test_ratings_out_holds_results_jsons_ratings_and_seeds_a_later_knock_out(game, tmp_path):
    ratings_file = tmp_path / "ratings.json"
    first = run_xserver(configuration(game, tmp_path, "first", **{"ratings out": str(ratings_file)}))
    assert first.returncode == 0, first.stderr
    written = json.loads(ratings_file.read_text())
    assert written == json.loads((tournament(tmp_path, "first") / RESULTS_JSON).read_text())["ratings"]
    assert sorted(row["name"] for row in written) == sorted(NAMES)

    seeded = {"kind": "knock-out", "seeding": "rating", "ratings": str(ratings_file)}
    second = run_xserver(configuration(game, tmp_path, "second", format=seeded))
    assert second.returncode == 0, second.stderr
    events, _ = read_events(tournament(tmp_path, "second") / EVENTS_FILE)
    (first_stage, *_) = [event for event in events if event["type"] == "stage"]
    by_rating = [row["name"] for row in written]  # best first; equal ratings in sign-up order
    assert {frozenset(pair) for pair in first_stage["pairings"]} == {
        frozenset((by_rating[0], by_rating[3])),
        frozenset((by_rating[1], by_rating[2])),
    }


@pytest.mark.parametrize(
    "text, words",
    [
        ("[{", "not JSON"),
        ('[{"name": "ann", "rating": NaN, "low": 0, "high": 0, "games": 1, "superiority": null}]', "not JSON"),
        ('{"ann": 12}', "expected"),
        ('[{"name": "ann", "rating": "12", "low": 0, "high": 20, "games": 1, "superiority": null}]', "expected a number"),
    ],
)
def test_a_ratings_file_that_is_not_one_is_refused_in_one_line_naming_it(text, words, tmp_path):
    ratings_file = tmp_path / "ratings.json"
    ratings_file.write_text(text)
    seeded = {"kind": "knock-out", "seeding": "rating", "ratings": str(ratings_file)}
    refused = run_xserver(configuration(sorted(GAMES)[0], tmp_path, "log", format=seeded))
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"xserver: configuration: ratings file {ratings_file}: ") and words in line, line


def test_a_ratings_file_that_cannot_be_read_is_refused_in_one_line(tmp_path):
    seeded = {"kind": "knock-out", "seeding": "rating", "ratings": str(tmp_path / "missing.json")}
    refused = run_xserver(configuration(sorted(GAMES)[0], tmp_path, "log", format=seeded))
    assert refused.returncode == 2
    assert (
        refused.stderr.strip()
        == f"xserver: configuration: ratings file {tmp_path / 'missing.json'}: cannot be read: No such file or directory"
    )
