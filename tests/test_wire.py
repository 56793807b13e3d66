"""The strict converter: round trips, the board's short form, and every rejection the spec names."""

from __future__ import annotations

import copy
import re
from typing import Any

import attrs
import common_strategies as cs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Common import strict
from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board, WorkerPlace
from Common.santorini.geometry import PLACES, SIZE, Place
from Common.santorini.names import Name, Worker
from Common.santorini.results import EncounterOutcome, PlayingAs, Results
from Common.santorini.wire import name, structure, unstructure
from Common.strict import StructureError, register_json_object, strict_converter

EXAMPLE_BOARD = [
    [0, 0, 0, 0, 0, 0],
    [0, "0alice1", 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, "0bob2"],
    [0, 0, 0, 0, 0, 1],
    ["0alice2", 0, 0, 0, 0, "0bob1"],
]


def board_with(**cells: Any) -> list[list[Any]]:
    """EXAMPLE_BOARD with cells replaced, given as `x_y=cell` (for example `c2_2=5`)."""
    rows = copy.deepcopy(EXAMPLE_BOARD)
    for key, cell in cells.items():
        x, y = key[1:].split("_")
        rows[int(y)][int(x)] = cell
    return rows


def rejection(data: Any, type_: Any, converter: Any = None) -> str:
    """The message with which `data` is refused as a `type_`."""
    with pytest.raises(StructureError) as caught:
        if converter is None:
            structure(data, type_)
        else:
            strict.structure(data, type_, converter)
    message = str(caught.value)
    assert "\n" not in message
    return message


_PATH = re.compile(r" @ (\$(?:\[\d+\]|\.[^.\[;]+)*)(?=; |$)")


def paths(message: str) -> list[str]:
    """The paths a StructureError message names, one per problem ("... @ $[1][2]; ... @ $.port")."""
    return _PATH.findall(message)


WIRE_TYPES_AND_THEIR_JSON = [
    pytest.param(Name, cs.names(), id="Name"),
    pytest.param(Worker, cs.worker_json(), id="Worker"),
    pytest.param(Place, cs.place_json(), id="Place"),
    pytest.param(WorkerPlace, cs.worker_place_json(), id="WorkerPlace"),
    pytest.param(Placement, cs.placement_json(), id="Placement"),
    pytest.param(Board, cs.boards().map(cs.board_json), id="Board"),
    pytest.param(Action, cs.action_json(), id="Action"),
    pytest.param(EncounterOutcome, cs.outcome_json(), id="EncounterOutcome"),
    pytest.param(Results, cs.results_json(), id="Results"),
    pytest.param(PlayingAs, cs.playing_as_json(), id="PlayingAs"),
]


@attrs.frozen
class Config:
    """A configuration as the executables read one: a JSON object, one key renamed ("waiting for")."""

    port: int
    waiting_for: float
    names: list[Name]
    repeat: bool = False


def config_converter() -> Any:
    converter = strict_converter()
    converter.register_structure_hook(Name, lambda value, _: name(value))
    register_json_object(converter, Config, {"port": "port", "waiting_for": "waiting for", "names": "names", "repeat": "repeat"})
    return converter


GOOD_CONFIG = {"port": 56789, "waiting for": 10, "names": ["alice", "bob"]}


# ---------------------------------------------------------------------------
# Round trips of values


def round_trips(value: Any, type_: Any) -> None:
    data = unstructure(value)
    assert structure(data, type_) == value
    assert unstructure(structure(data, type_)) == data


@cs.QUICK
@given(cs.names())
def test_a_name_round_trips(name: Name) -> None:
    assert unstructure(name) == name
    round_trips(name, Name)


@cs.QUICK
@given(cs.workers())
def test_a_worker_round_trips(worker: Worker) -> None:
    assert unstructure(worker) == f"{worker.owner}{worker.number}"
    round_trips(worker, Worker)


@cs.QUICK
@given(cs.places())
def test_a_place_round_trips(place: Place) -> None:
    assert unstructure(place) == [place.x, place.y]
    round_trips(place, Place)


@cs.QUICK
@given(cs.worker_places())
def test_a_worker_place_round_trips(worker_place: WorkerPlace) -> None:
    round_trips(worker_place, WorkerPlace)


@cs.QUICK
@given(cs.placements())
def test_a_placement_round_trips(placement: Placement) -> None:
    assert len(unstructure(placement)) == len(placement)
    round_trips(placement, Placement)


@cs.QUICK
@given(cs.boards())
def test_a_board_round_trips_as_the_full_six_by_six(board: Board) -> None:
    data = unstructure(board)
    assert data == cs.board_json(board)
    assert len(data) == SIZE and all(len(row) == SIZE for row in data)
    round_trips(board, Board)


@cs.QUICK
@given(cs.actions())
def test_an_action_round_trips(action: Action) -> None:
    round_trips(action, Action)


@cs.QUICK
@given(cs.outcomes())
def test_an_outcome_round_trips(outcome: EncounterOutcome) -> None:
    assert len(unstructure(outcome)) == (3 if outcome.irregular else 2)
    round_trips(outcome, EncounterOutcome)


@cs.QUICK
@given(cs.results())
def test_results_round_trip(results: Results) -> None:
    round_trips(results, Results)


@cs.QUICK
@given(cs.playing_as())
def test_playing_as_round_trips(renaming: PlayingAs) -> None:
    assert unstructure(renaming) == ["playing-as", renaming.name]
    round_trips(renaming, PlayingAs)


# ---------------------------------------------------------------------------
# Round trips of JSON


@pytest.mark.parametrize(("type_", "json_strategy"), WIRE_TYPES_AND_THEIR_JSON)
@cs.QUICK
@given(data=st.data())
def test_json_a_peer_sends_comes_back_unchanged(type_: Any, json_strategy: Any, data: st.DataObject) -> None:
    sent = data.draw(json_strategy)
    assert unstructure(structure(sent, type_)) == sent


@st.composite
def short_boards(draw: st.DrawFn) -> tuple[list[list[Any]], Board]:
    """A board cut short the way other implementations send it, and the board it stands for."""
    board = draw(cs.boards())
    lowest_rows = max(wp.place.y for wp in board.workers) + 1
    row_count = draw(st.integers(lowest_rows, SIZE))
    rows = []
    for y in range(row_count):
        in_row = [wp.place.x for wp in board.workers if wp.place.y == y]
        length = draw(st.integers(max(in_row, default=-1) + 1, SIZE))
        rows.append(cs.board_json(board)[y][:length])
    kept = {Place(x, y) for y, row in enumerate(rows) for x in range(len(row))}
    expected = Board([board.height(p) if p in kept else 0 for p in PLACES], board.workers)
    return rows, expected


@settings(deadline=None, max_examples=60)
@given(short_boards())
def test_a_short_board_has_height_zero_where_cells_are_missing(short: tuple[list[list[Any]], Board]) -> None:
    rows, expected = short
    board = structure(rows, Board)
    assert board == expected
    assert unstructure(board) == cs.board_json(expected)


# ---------------------------------------------------------------------------
# Nothing but StructureError, whatever arrives


def structure_or_refuse(data: Any, type_: Any, converter: Any = None) -> Any:
    """`data` as a `type_`, or None when refused with a one-line message that names a path."""
    try:
        value = structure(data, type_) if converter is None else strict.structure(data, type_, converter)
    except StructureError as error:
        message = str(error)
        assert "\n" not in message
        assert paths(message)
        return None
    return value


def near_misses() -> st.SearchStrategy:
    """Valid JSON of some wire type, so that arbitrary values often reach the deeper checks."""
    return st.one_of(
        cs.place_json(),
        cs.worker_place_json(),
        cs.action_json(),
        cs.outcome_json(),
        cs.playing_as_json(),
        st.lists(st.sampled_from([0, 1, 3, 4, "0alice1", "1bob2", "2alice2", "3bob1"]), max_size=6),
    )


def anything_like(json_strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Any JSON, with valid JSON of one type (and of others) among it, so that much gets past the first check."""
    near = st.one_of(json_strategy, near_misses())
    return st.one_of(near, cs.json_values(near))


ANY_JSON_FOR_EACH_WIRE_TYPE = [
    pytest.param(param.values[0], anything_like(param.values[1]), id=param.id) for param in WIRE_TYPES_AND_THEIR_JSON
]


@pytest.mark.parametrize(("type_", "json_strategy"), ANY_JSON_FOR_EACH_WIRE_TYPE)
@settings(deadline=None, max_examples=100)
@given(data=st.data())
def test_any_json_is_structured_or_refused_with_a_structure_error(
    type_: Any, json_strategy: st.SearchStrategy, data: st.DataObject
) -> None:
    value = structure_or_refuse(data.draw(json_strategy), type_)
    if value is not None:
        # What is accepted is a well-formed value: it survives a round trip.
        assert structure(unstructure(value), type_) == value


def config_like_objects() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*GOOD_CONFIG, "repeat", "x"]), cs.json_values(), max_size=5)


@settings(deadline=None, max_examples=60)
@given(data=st.one_of(cs.json_values(), config_like_objects()))
def test_any_json_is_a_configuration_or_refused_with_a_structure_error(data: Any) -> None:
    structure_or_refuse(data, Config, config_converter())


CELLS = st.one_of(st.integers(-1, 5), st.sampled_from(["0alice1", "3alice2", "1bob1", "2bob2", "4bob2", "0carl1"]))


@settings(deadline=None, max_examples=60)
@given(st.lists(st.lists(CELLS, max_size=7), max_size=7))
def test_any_grid_of_cells_is_a_board_or_refused_with_a_structure_error(data: list[list[Any]]) -> None:
    value = structure_or_refuse(data, Board)
    if value is not None:
        assert structure(unstructure(value), Board) == value


# ---------------------------------------------------------------------------
# Examples: the spec's board, and a short one


def test_the_example_board_of_the_spec_parses() -> None:
    board = structure(EXAMPLE_BOARD, Board)
    assert board.worker_at(Place(1, 1)) == Worker(Name("alice"), 1)
    assert board.worker_at(Place(5, 3)) == Worker(Name("bob"), 2)
    assert board.height(Place(2, 2)) == 1
    assert board.height(Place(5, 4)) == 1
    assert sum(board.heights) == 2
    assert unstructure(board) == EXAMPLE_BOARD


def test_a_board_of_short_rows_parses() -> None:
    rows = [[], ["0alice1"], [1, 2, "3bob1"], [], ["0alice2", 0, 0, 0, 0, "2bob2"]]
    board = structure(rows, Board)
    assert board.height(Place(1, 2)) == 2
    assert board.height(Place(2, 2)) == 3
    assert board.height(Place(5, 4)) == 2
    assert board.height(Place(5, 5)) == 0
    assert sum(board.heights) == 8
    assert board.worker_at(Place(0, 1)) == Worker(Name("alice"), 1)
    assert unstructure(board)[5] == [0] * SIZE


# ---------------------------------------------------------------------------
# Rejections, each with the path of the offending value


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        ([True, 1], Place, "$[0]"),
        ([1, True], Place, "$[1]"),
        (["alice1", True, 0], WorkerPlace, "$[1]"),
        (board_with(c2_3=True), Board, "$[3][2]"),
        ([["alice1", 0, True]], Placement, "$[0][2]"),
    ],
)
def test_true_is_not_a_number(data: Any, type_: Any, path: str) -> None:
    assert paths(rejection(data, type_)) == [path]


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        (["5", 1], Place, "$[0]"),
        (["alice1", 0, "5"], WorkerPlace, "$[2]"),
        (board_with(c4_0="2"), Board, "$[0][4]"),
        (board_with(c4_0="5"), Board, "$[0][4]"),
    ],
)
def test_a_string_is_not_a_number(data: Any, type_: Any, path: str) -> None:
    assert paths(rejection(data, type_)) == [path]


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        ("ab", Place, "$"),
        ("abc", Placement, "$"),
        ("abc", Board, "$"),
        ("alice", WorkerPlace, "$"),
        ("ab", EncounterOutcome, "$"),
        ("ab", Results, "$"),
        (["ab"], Results, "$[0]"),
        ("playing-as", PlayingAs, "$"),
        (["abc"], Placement, "$[0]"),
        ([*board_with()[:2], "abcdef", *board_with()[3:]], Board, "$[2]"),
    ],
)
def test_a_string_is_not_a_list(data: Any, type_: Any, path: str) -> None:
    message = rejection(data, type_)
    assert paths(message) == [path]
    assert "JSON array" in message


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        ([1.0, 2], Place, "$[0]"),
        ([1, 2.5], Place, "$[1]"),
        (["alice1", 0, 1.0], WorkerPlace, "$[2]"),
        (board_with(c0_4=1.0), Board, "$[4][0]"),
    ],
)
def test_a_float_is_not_a_whole_number(data: Any, type_: Any, path: str) -> None:
    assert paths(rejection(data, type_)) == [path]


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        ([6, 0], Place, "$[0]"),
        ([0, -1], Place, "$[1]"),
        (["alice1", 0, 6], WorkerPlace, "$[2]"),
        ([["alice1", 0, 0], ["bob1", -1, 5]], Placement, "$[1][1]"),
    ],
)
def test_a_coordinate_is_in_0_to_5(data: Any, type_: Any, path: str) -> None:
    assert paths(rejection(data, type_)) == [path]


@pytest.mark.parametrize(
    ("cells", "path"),
    [
        ({"c2_2": 5}, "$[2][2]"),
        ({"c2_2": -1}, "$[2][2]"),
        ({"c5_5": "5bob1"}, "$[5][5]"),
        ({"c5_5": "-1bob1"}, "$[5][5]"),
    ],
)
def test_a_height_is_in_0_to_4(cells: dict[str, Any], path: str) -> None:
    assert paths(rejection(board_with(**cells), Board)) == [path]


def test_a_worker_cannot_stand_on_a_capped_tower() -> None:
    assert paths(rejection(board_with(c1_1="4alice1"), Board)) == ["$[1][1]"]


def test_a_height_is_an_ascii_digit() -> None:
    # "٣" is ARABIC-INDIC DIGIT THREE: str.isdigit() and int() accept it, the spec does not.
    assert paths(rejection(board_with(c1_1="٣alice1"), Board)) == ["$[1][1]"]
    assert paths(rejection(board_with(c1_1="²alice1"), Board)) == ["$[1][1]"]


BAD_NAMES = ["Alice", "alice2", "", "a" * 65, "é", "alicé", " alice", "alice\n", "ａlice"]  # noqa: RUF001 (a fullwidth a, U+FF41: a look-alike name)


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_a_name_is_1_to_64_lowercase_ascii_letters(bad: str) -> None:
    assert paths(rejection(bad, Name)) == ["$"]
    assert paths(rejection(bad, Action)) == ["$"]
    assert paths(rejection(["playing-as", bad], PlayingAs)) == ["$[1]"]
    assert paths(rejection([bad, "bob"], EncounterOutcome)) == ["$[0]"]
    assert paths(rejection([["bob", "carl"], ["bob", bad, "irregular"]], Results)) == ["$[1][1]"]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_a_worker_is_a_name_and_1_or_2(bad: str) -> None:
    assert paths(rejection(f"{bad}1", Worker)) == ["$"]
    assert paths(rejection([f"{bad}1", 0, 0], WorkerPlace)) == ["$[0]"]
    assert paths(rejection([f"{bad}2", "EAST", "PUT"], Action)) == ["$[0]"]
    assert paths(rejection(board_with(c1_1=f"0{bad}1", c0_5=f"0{bad}2"), Board)) == ["$[1][1]", "$[5][0]"]


def test_a_name_of_64_letters_is_a_name() -> None:
    assert structure("a" * 64, Name) == "a" * 64
    assert structure("z" * 64 + "2", Worker) == Worker(Name("z" * 64), 2)


@pytest.mark.parametrize("bad", ["alice", "alice0", "alice3", "alice12", "1", "alice 1"])
def test_a_worker_number_is_1_or_2(bad: str) -> None:
    assert paths(rejection(bad, Worker)) == ["$"]


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param({"c1_1": 0}, id="3 workers"),
        pytest.param({"c3_3": "0carl1"}, id="5 workers"),
        pytest.param({"c5_3": "0alice1"}, id="3+1 per player"),
        pytest.param({"c5_3": "0alice2", "c5_5": "0alice1"}, id="4+0 per player"),
        pytest.param({"c5_3": "0carl1"}, id="3 players"),
        pytest.param({"c1_1": 0, "c0_5": 0, "c5_3": 0, "c5_5": 0}, id="no workers"),
    ],
)
def test_a_board_holds_two_workers_of_each_of_two_players(cells: dict[str, Any]) -> None:
    message = rejection(board_with(**cells), Board)
    assert paths(message) == ["$"]
    assert "two workers of each of two players" in message


def test_a_board_cell_names_a_worker_1_or_2() -> None:
    assert paths(rejection(board_with(c5_3="0bob3"), Board)) == ["$[3][5]"]


def test_a_worker_may_stand_anywhere_on_heights_0_to_3() -> None:
    board = structure(board_with(c1_1=0, c2_2="3alice1"), Board)
    assert board.place_of(Worker(Name("alice"), 1)) == Place(2, 2)
    assert board.height(Place(2, 2)) == 3


def test_a_board_has_at_most_6_rows_of_at_most_6_cells() -> None:
    assert paths(rejection([*EXAMPLE_BOARD, [0]], Board)) == ["$"]
    assert paths(rejection([*EXAMPLE_BOARD, []], Board)) == ["$"]
    too_wide = copy.deepcopy(EXAMPLE_BOARD)
    too_wide[4].append(0)
    assert paths(rejection(too_wide, Board)) == ["$[4]"]


@pytest.mark.parametrize(
    "action",
    [
        ["alice1", "PUT", "PUT"],
        ["alice1", "PUT", "PUT", "EAST", "NORTH"],
        ["alice1", "EAST", "NORTH", "PUT", "PUT"],
    ],
)
def test_put_put_is_not_a_direction(action: list[str]) -> None:
    message = rejection(action, Action)
    assert paths(message) == ["$"]
    assert "PUT" in message


@pytest.mark.parametrize(
    ("action", "path"),
    [
        (["alice1", "EAST", "UP"], "$[2]"),
        (["alice1", "east", "PUT"], "$[1]"),
        (["alice1", "EAST", "PUT", "WEST", 0], "$[4]"),
        (["alice1", "EAST", "PUT", ["WEST"], "PUT"], "$[3]"),
        ([["alice1"], "EAST", "PUT"], "$[0]"),
    ],
)
def test_a_direction_is_one_of_its_three_words(action: list[Any], path: str) -> None:
    message = rejection(action, Action)
    assert paths(message) == [path]
    assert "expected" in message


@pytest.mark.parametrize(
    "action",
    [
        ["alice1", "EAST", "PUT", "WEST"],
        ["alice1", "EAST"],
        ["alice1"],
        [],
        ["alice1", "EAST", "PUT", "WEST", "PUT", "EAST"],
    ],
)
def test_an_action_has_3_or_5_elements(action: list[str]) -> None:
    assert paths(rejection(action, Action)) == ["$"]


def test_each_wrong_direction_word_is_reported() -> None:
    assert paths(rejection(["alice1", "EAST", "PUT", "NORTH", "WEST"], Action)) == ["$[3]", "$[4]"]


def test_a_four_element_action_is_refused() -> None:
    message = rejection(["alice1", "EAST", "PUT", "WEST"], Action)
    assert paths(message) == ["$"]
    assert "got 4" in message


@pytest.mark.parametrize("third", ["Irregular", "", True, 1, None, ["irregular"]])
def test_the_third_element_of_an_outcome_is_irregular(third: Any) -> None:
    assert paths(rejection(["alice", "bob", third], EncounterOutcome)) == ["$"]
    assert paths(rejection([["carl", "bob"], ["alice", "bob", third]], Results)) == ["$[1]"]


def test_an_outcome_has_2_or_3_elements() -> None:
    assert paths(rejection(["alice"], EncounterOutcome)) == ["$"]
    assert paths(rejection(["alice", "bob", "irregular", "irregular"], EncounterOutcome)) == ["$"]


def test_an_outcome_names_two_different_players() -> None:
    message = rejection(["alice", "alice"], EncounterOutcome)
    assert paths(message) == ["$"]
    assert "alice" in message
    assert paths(rejection([["alice", "bob"], ["bob", "bob", "irregular"]], Results)) == ["$[1]"]


def test_a_placement_has_at_most_3_entries() -> None:
    four = [["alice1", 0, 0], ["bob1", 1, 0], ["alice2", 2, 0], ["bob2", 3, 0]]
    message = rejection(four, Placement)
    assert paths(message) == ["$"]
    assert "got 4" in message
    assert structure(four[:3], Placement) == tuple(WorkerPlace(Worker.parse(w), Place(x, y)) for w, x, y in four[:3])


def test_a_placement_entry_has_3_elements() -> None:
    assert paths(rejection([["alice1", 0, 0], ["bob1", 0]], Placement)) == ["$[1]"]


@pytest.mark.parametrize("tag", ["playing_as", "PLAYING-AS", "", 1, None, ["playing-as"]])
def test_playing_as_has_its_tag(tag: Any) -> None:
    assert paths(rejection([tag, "alice"], PlayingAs)) == ["$[0]"]


def test_playing_as_has_2_elements() -> None:
    assert paths(rejection(["playing-as"], PlayingAs)) == ["$"]
    assert paths(rejection(["playing-as", "alice", "bob"], PlayingAs)) == ["$"]


def test_every_problem_is_reported_with_its_own_path() -> None:
    message = rejection([[True, "alice"], ["bob", "carl", "x"], ["dan", "dan"], "ab"], Results)
    assert paths(message) == ["$[0][0]", "$[1]", "$[2]", "$[3]"]


# ---------------------------------------------------------------------------
# Configurations: JSON objects of attrs classes


def test_a_configuration_parses() -> None:
    assert strict.structure(GOOD_CONFIG, Config, config_converter()) == Config(56789, 10, [Name("alice"), Name("bob")])
    assert strict.structure({**GOOD_CONFIG, "repeat": True}, Config, config_converter()).repeat is True
    assert strict.structure({**GOOD_CONFIG, "waiting for": 0.5}, Config, config_converter()).waiting_for == 0.5


def test_an_unknown_key_is_refused_by_name() -> None:
    message = rejection({**GOOD_CONFIG, "colour": "red"}, Config, config_converter())
    assert paths(message) == ["$"]
    assert '"colour"' in message


def test_a_field_name_is_not_a_key_when_the_key_is_renamed() -> None:
    data = {"port": 1, "waiting_for": 10, "names": []}
    message = rejection(data, Config, config_converter())
    assert paths(message) == ["$.waiting for", "$"]
    assert 'unknown key "waiting_for"' in message


@pytest.mark.parametrize(("key", "path"), [("port", "$.port"), ("names", "$.names"), ("waiting for", "$.waiting for")])
def test_a_missing_key_is_refused_by_name(key: str, path: str) -> None:
    data = {k: v for k, v in GOOD_CONFIG.items() if k != key}
    message = rejection(data, Config, config_converter())
    assert paths(message) == [path]
    assert "missing" in message


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("port", 1.0, "$.port"),
        ("port", True, "$.port"),
        ("port", "5", "$.port"),
        ("waiting for", "ten", "$.waiting for"),
        ("waiting for", True, "$.waiting for"),
        ("names", "abc", "$.names"),
        ("names", ["alice", "Bob"], "$.names[1]"),
        ("names", {"alice": 1}, "$.names"),
        ("repeat", 1, "$.repeat"),
    ],
)
def test_a_configuration_value_of_the_wrong_type_is_refused_by_its_key(key: str, value: Any, path: str) -> None:
    assert paths(rejection({**GOOD_CONFIG, key: value}, Config, config_converter())) == [path]


@pytest.mark.parametrize("data", [[], "port", 1, None, [["port", 1]]])
def test_a_configuration_is_a_json_object(data: Any) -> None:
    assert paths(rejection(data, Config, config_converter())) == ["$"]
