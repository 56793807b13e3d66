"""The exports of a tournament whose encounters seat two to four players (Fish): a table per encounter, no TRF."""

from __future__ import annotations

import csv
import io
import json

import attrs

from Remote.exports import (
    CROSSTABLE_CSV,
    ENCOUNTER_TABLE_HEADER,
    GAMES_NDJSON,
    RESULTS_JSON,
    TOURNAMENT_TRF,
    export_texts,
    results_export,
    structure_export,
    unstructure_export,
)
from Remote.game_description import Game
from tests.k_player_logs import (
    FISH,
    NINE,
    fish_encounter,
    fold_k,
    knock_out_of_nine,
    log,
    opening,
    stage,
    unplayed,
)


def rows(text):
    header, *body = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == ENCOUNTER_TABLE_HEADER
    return [dict(zip(header, row, strict=True)) for row in body]


def by_encounter(text):
    table: dict[int, list[tuple[str, str, str, str, str]]] = {}
    for row in rows(text):
        table.setdefault(int(row["encounter"]), []).append((row["stage"], row["player"], row["place"], row["score"], row["result"]))
    return table


def test_the_crosstable_of_a_game_of_four_is_a_row_per_player_per_encounter_with_place_and_score():
    table = by_encounter(export_texts(fold_k(knock_out_of_nine()), FISH)[CROSSTABLE_CSV])
    assert table[0] == [
        ("1", "ann", "1", "7", "won"),
        ("1", "bob", "3", "3", "lost"),
        ("1", "cat", "", "", "removed"),
        ("1", "dan", "1", "7", "won"),
    ]
    assert table[1] == [("1", "eve", "3", "2", "lost"), ("1", "fay", "1", "9", "won"), ("1", "gus", "2", "4", "lost")]
    assert table[2] == [("1", "hal", "1", "5", "won"), ("1", "ivy", "2", "1", "lost")]
    assert [row[1:] for row in table[3]] == [
        ("ann", "3", "4", "lost"),
        ("dan", "1", "11", "won"),
        ("fay", "2", "6", "lost"),
        ("hal", "4", "2", "lost"),
    ]
    assert {row[0] for row in table[3]} == {"2"}


def test_results_json_lists_each_encounters_players_whatever_their_number_and_reads_back():
    state = fold_k(knock_out_of_nine())
    text = export_texts(state, FISH)[RESULTS_JSON]
    data = json.loads(text)
    assert [entry["players"] for entry in data["encounters"]] == [
        list(NINE[0:4]),
        list(NINE[4:7]),
        list(NINE[7:9]),
        ["ann", "dan", "fay", "hal"],
    ]
    assert data["encounters"][0]["culprits"] == ["cat"]
    assert data["results"] == [["dan"], ["cat"]]
    assert unstructure_export(structure_export(data)) == data
    assert structure_export(data) == results_export(state, FISH)


def test_games_ndjson_has_a_record_per_game_with_every_players_steps():
    lines = [json.loads(line) for line in export_texts(fold_k(knock_out_of_nine()), FISH)[GAMES_NDJSON].splitlines()]
    assert [(line["encounter"], line["game"], len(line["players"])) for line in lines] == [(0, 0, 4), (1, 0, 3), (2, 0, 2), (3, 0, 4)]
    first = lines[0]
    assert [step["type"] for step in first["steps"]] == ["placement"] * 4 + ["turn", "turn", "removed", "turn"]
    assert first["end"] == {"players": list(NINE[0:4]), "scores": [7, 3, None, 7], "winners": ["ann", "dan"]}


def test_a_game_seating_more_than_two_has_no_trf_even_in_a_round_robin():
    round_robin = log(opening("ann", "bob", "cat"), stage(1, 0, [["ann", "bob", "cat"]]))
    assert TOURNAMENT_TRF not in export_texts(fold_k(knock_out_of_nine()), FISH)
    assert TOURNAMENT_TRF not in export_texts(fold_k(round_robin), FISH)


def test_while_unfinished_the_table_says_running_and_to_play_and_an_encounter_not_played_says_so():
    names = ("ann", "bob", "cat", "dan", "eve")
    events = log(
        opening(*names),
        stage(1, 0, [names[0:3], names[3:5]]),
        fish_encounter(0, names[0:3], [None, 4, 2]),
    )
    table = by_encounter(export_texts(fold_k(events), FISH)[CROSSTABLE_CSV])
    assert table[1] == [("1", "dan", "", "", "to play"), ("1", "eve", "", "", "to play")]
    running = fold_k(log(opening(*names), stage(1, 0, [names[0:3], names[3:5]]), fish_encounter(0, names[0:3], [None, 4, 2])[:1]))
    assert by_encounter(export_texts(running, FISH)[CROSSTABLE_CSV])[0] == [("1", name, "", "", "running") for name in names[0:3]]
    absent = log(
        opening(*names),
        stage(1, 0, [names[0:3], names[3:5]]),
        {"type": "misbehaviour", "name": "dan", "kind": "broken", "reason": "no start", "encounter": None},
        fish_encounter(0, names[0:3], [None, 4, 2]),
        unplayed(1, names[3:5]),
    )
    assert by_encounter(export_texts(fold_k(absent), FISH)[CROSSTABLE_CSV])[1] == [("1", name, "", "", "not played") for name in names[3:5]]


def test_a_game_without_places_leaves_place_and_score_empty():
    quiet = attrs.evolve(FISH, outcome_places=Game.__attrs_attrs__.outcome_places.default)
    table = by_encounter(export_texts(fold_k(knock_out_of_nine()), quiet)[CROSSTABLE_CSV])
    assert table[2] == [("1", "hal", "", "", "won"), ("1", "ivy", "", "", "lost")]
