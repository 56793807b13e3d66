"""xserver's configuration as rooms: several events on one server, each read as a whole configuration is.

Without "rooms" a configuration is the one room of today, named None, read
exactly as before. With "rooms" the top level holds the server's listener
keys only; each room has a unique name that can stand in a URL, never a
listener key, and every error names its place in its room
(`@ $.rooms[1].format.kind`). Two rooms share no event log directory and
no ratings file, and a game's WebSocket door, which serves one event, is
refused. The games are the registry's.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.strict import StructureError, show
from Remote.cli import xserver_usage
from Remote.configuration import SERVER_KEYS, read_client_configuration, read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT
from Remote.room_configuration import Room, read_rooms

LISTENERS = ("port", "host", "websocket", "watch", "watch linger")
NAME_CHARACTERS = string.ascii_letters + string.digits + "-_."
FIRST_CHARACTERS = string.ascii_letters + string.digits
NAME_RULE = 'expected a room name: 1 to 64 letters, digits, "-", "_" or ".", the first a letter or a digit'
BESIDE_ROOMS = 'beside "rooms" stand only "port", "host", "websocket", "watch" and "watch linger"'
GAME_NAMES = list(GAMES)
DOORS = [(game.name, door) for game in GAMES.values() for door in game.websocket_doors]


def event(game: str, **keys: Any) -> dict[str, Any]:
    """A short event of `game` (a registry name), with its sign-up keys and `keys` (spaces for underscores)."""
    return {"game": game, "min players": 2, "waiting for": 1, "repeat": 0, **{key.replace("_", " "): value for key, value in keys.items()}}


def room(name: str, game: str = DEFAULT_GAME, **keys: Any) -> dict[str, Any]:
    return {"name": name, **event(game, **keys)}


def server(*rooms: dict[str, Any], **listeners: Any) -> dict[str, Any]:
    """A configuration with rooms; the port 0 unless `listeners` says otherwise."""
    return {"port": 0, **{key.replace("_", " "): value for key, value in listeners.items()}, "rooms": list(rooms)}


def read(configuration: Any) -> tuple[Room, ...]:
    return read_rooms(json.dumps(configuration), GAMES, DEFAULT_GAME)


def refusal(configuration: Any) -> str:
    with pytest.raises(StructureError) as refused:
        read(configuration)
    return str(refused.value)


def outcome(reader: Any, text: str) -> Any:
    """What `reader` makes of `text`: its value, or the words of its StructureError."""
    try:
        return reader(text, GAMES, DEFAULT_GAME)
    except StructureError as error:
        return ("refused", str(error))


def two_games() -> tuple[str, str]:
    """Two different games of the registry, the default first."""
    return DEFAULT_GAME, next(name for name in GAME_NAMES if name != DEFAULT_GAME)


# Without rooms: exactly as before


def example_configurations() -> list[Path]:
    return sorted((PROJECT_ROOT / "server-tests").glob("*-in.json"))


def json_blocks(path: Path) -> list[Any]:
    """The JSON values of `path`'s fenced ```json blocks that parse."""
    values = []
    for block in re.findall(r"```json\n(.*?)```", path.read_text(), re.DOTALL):
        try:
            values.append(json.loads(block))
        except ValueError:
            continue
    return values


def documented_configurations() -> list[Any]:
    """Every whole xserver configuration (an object with "waiting for" or "rooms") in a ```json block of the documents."""
    documents = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return [value for path in documents for value in json_blocks(path) if type(value) is dict and ({"waiting for", "rooms"} & set(value))]


@pytest.mark.parametrize("path", example_configurations(), ids=lambda path: path.name)
def test_an_example_configuration_without_rooms_is_one_room_named_none_read_as_before(path) -> None:
    text = path.read_text()
    assert read_rooms(text, GAMES, DEFAULT_GAME) == (Room(None, read_server_configuration(text, GAMES, DEFAULT_GAME)),)


def test_every_documented_configuration_without_rooms_reads_as_before_and_every_one_with_rooms_reads() -> None:
    configurations = documented_configurations()
    with_rooms = [configuration for configuration in configurations if "rooms" in configuration]
    assert with_rooms and len(with_rooms) < len(configurations)
    for configuration in configurations:
        text = json.dumps(configuration)
        rooms = read_rooms(text, GAMES, DEFAULT_GAME)
        if "rooms" in configuration:
            assert [one.name for one in rooms] == [one["name"] for one in configuration["rooms"]]
        else:
            assert rooms == (Room(None, read_server_configuration(text, GAMES, DEFAULT_GAME)),)


def test_the_documents_xclients_example_reads_and_names_rooms_of_its_server_example() -> None:
    blocks = [value for value in json_blocks(PROJECT_ROOT / "docs" / "rooms.md") if type(value) is dict]
    [server_example] = [value for value in blocks if "rooms" in value]
    [client_example] = [value for value in blocks if "players" in value]
    rooms = {one.name: one.config.game for one in read(server_example)}
    client = read_client_configuration(json.dumps(client_example), GAMES, DEFAULT_GAME)
    assert client.port == server_example["port"] and client.players
    for player in client.players:
        assert player.options.room in rooms and rooms[player.options.room] == client.game


values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 70000) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["port", "host", "kind", "x"]), inner, max_size=2),
    max_leaves=6,
)
keys = st.sampled_from(
    [*SERVER_KEYS.values(), "game", "name", "min player", *(key for game in GAMES.values() for key in game.settings_keys)]
)


@given(
    base=st.fixed_dictionaries(
        {}, optional={"min players": st.just(2), "port": st.just(0), "waiting for": st.just(1), "repeat": st.just(0)}
    ),
    game=st.sampled_from(GAME_NAMES),
    changes=st.dictionaries(keys, values, max_size=3),
)
def test_any_configuration_without_rooms_reads_or_is_refused_exactly_as_before(base, game, changes) -> None:
    text = json.dumps({**base, "game": game, **changes})
    expected = outcome(read_server_configuration, text)
    got = outcome(read_rooms, text)
    assert got == (expected if type(expected) is tuple else (Room(None, expected),))


@pytest.mark.parametrize("text", ["[]", "3", "not json", '{"waiting for": 1e400}'])
def test_a_document_that_is_no_configuration_is_refused_as_before(text) -> None:
    assert outcome(read_rooms, text) == outcome(read_server_configuration, text)


# With rooms: each room is read as a whole configuration is


def test_an_ipd_arena_and_a_santorini_round_robin_share_one_server_and_its_listeners() -> None:
    ipd, santorini = GAMES["ipd"], GAMES["santorini"]
    arena = room("ipd-arena", ipd.name, min_players=0, min_rounds=100, max_rounds=100, format={"kind": "arena", "minutes": 30})
    cup = room("santorini-cup", santorini.name, min_players=3, best_of=5, event_log="events/cup")
    configuration = server(arena, cup, port=8000, host="127.0.0.1", watch={"port": 8080}, websocket={"port": 8765}, watch_linger=5)
    first, second = read(configuration)
    assert (first.name, second.name) == ("ipd-arena", "santorini-cup")
    for one, game in [(first, ipd), (second, santorini)]:
        assert one.config.game == game.name
        assert (one.config.port, one.config.host, one.config.watch_linger) == (8000, "127.0.0.1", 5)
        assert one.config.watch is not None and (one.config.watch.port, one.config.watch.host) == (8080, "127.0.0.1")
        assert one.config.websocket is not None and (one.config.websocket.port, one.config.websocket.host) == (8765, "127.0.0.1")
    assert first.config.event_format.arena is not None and first.config.settings.game.max_rounds == 100
    assert second.config.event_format.kind == "round robin" and second.config.settings.best_of == 5
    assert (first.config.event_log, second.config.event_log, second.config.min_players) == (None, "events/cup", 3)


@given(
    games=st.lists(st.sampled_from(GAME_NAMES), min_size=1, max_size=4),
    keys=st.fixed_dictionaries(
        {}, optional={"host": st.sampled_from(["", "127.0.0.1"]), "watch": st.just({"port": 8080}), "watch linger": st.just(2)}
    ),
)
def test_each_room_reads_as_the_same_event_would_alone_with_the_listener_keys(games, keys) -> None:
    events = [event(game, max_players=2 + index) for index, game in enumerate(games)]
    rooms = read(
        server(
            *({"name": f"room{index}", **one} for index, one in enumerate(events)),
            **{key.replace(" ", "_"): value for key, value in keys.items()},
        )
    )
    assert [one.name for one in rooms] == [f"room{index}" for index in range(len(games))]
    for one, alone in zip(rooms, events, strict=True):
        assert one.config == read_server_configuration(json.dumps({**alone, "port": 0, **keys}), GAMES, DEFAULT_GAME)


valid_names = st.builds(lambda first, rest: first + rest, st.sampled_from(FIRST_CHARACTERS), st.text(NAME_CHARACTERS, max_size=63))


@given(names=st.lists(valid_names, min_size=1, max_size=6, unique=True), data=st.data())
def test_the_rooms_keep_their_order_and_names(names, data) -> None:
    games = [data.draw(st.sampled_from(GAME_NAMES)) for _ in names]
    rooms = read(server(*(room(name, game) for name, game in zip(names, games, strict=True))))
    assert [(one.name, one.config.game) for one in rooms] == list(zip(names, games, strict=True))


def is_room_name_by_the_rule(text: str) -> bool:
    """The rule as rooms.md says it: 1 to 64 letters, digits, "-", "_", ".", the first a letter or a digit."""
    return 1 <= len(text) <= 64 and text[0] in FIRST_CHARACTERS and all(character in NAME_CHARACTERS for character in text)


@given(name=valid_names)
def test_any_room_name_by_the_rule_is_taken(name) -> None:
    assert [one.name for one in read(server(room(name), room("other." + name[:58])))] == [name, "other." + name[:58]]


def with_one_bad_character(name: str, character: str, place: int) -> str:
    place = place % (len(name) + 1)
    return name[:place] + character + name[place:]


invalid_names = st.one_of(
    st.text().filter(lambda text: not is_room_name_by_the_rule(text)),
    st.builds(lambda first, rest: first + rest, st.sampled_from("-_."), st.text(NAME_CHARACTERS, max_size=20)),
    st.builds(lambda first, rest: first + rest, st.sampled_from(FIRST_CHARACTERS), st.text(NAME_CHARACTERS, min_size=64, max_size=80)),
    st.builds(
        with_one_bad_character, valid_names, st.characters().filter(lambda character: character not in NAME_CHARACTERS), st.integers(0, 70)
    ),
)


@given(name=invalid_names)
def test_any_string_outside_the_rule_is_refused_as_a_room_name(name) -> None:
    assert refusal(server(room("first"), room(name))) == f"{NAME_RULE}, got {show(name)} @ $.rooms[1].name"


@pytest.mark.parametrize("name", [None, 7, ["cup"], {"name": "cup"}, True], ids=repr)
def test_a_room_name_that_is_no_string_is_refused(name) -> None:
    assert refusal(server(room(name))) == f"{NAME_RULE}, got {show(name)} @ $.rooms[0].name"


def test_a_room_without_a_name_is_refused() -> None:
    nameless = event(DEFAULT_GAME)
    assert refusal(server(room("cup"), nameless)) == "required key missing @ $.rooms[1].name"


def test_two_rooms_of_one_name_are_refused_naming_both_places() -> None:
    first, second = two_games()
    assert refusal(server(room("cup", first), room("arena", second), room("cup", second))) == (
        'two rooms are named "cup": $.rooms[0] and $.rooms[2] @ $.rooms[2].name'
    )


def test_names_differing_in_case_are_two_rooms() -> None:
    assert [one.name for one in read(server(room("cup"), room("Cup")))] == ["cup", "Cup"]


@pytest.mark.parametrize("rooms", [[], {}, "cup", None, 3], ids=repr)
def test_rooms_must_be_a_non_empty_list(rooms) -> None:
    assert refusal({"port": 0, "rooms": rooms}) == (
        f"expected a non-empty list of rooms (a JSON array of objects), got {show(rooms)} @ $.rooms"
    )


@pytest.mark.parametrize("one", ["cup", 3, None, [["name", "cup"]]], ids=repr)
def test_a_room_that_is_no_object_is_refused(one) -> None:
    assert refusal(server(room("first"), one)) == f"expected a room (a JSON object), got {show(one)} @ $.rooms[1]"


# The top level and the rooms each hold their own keys


def room_keys() -> list[str]:
    """Every key a room may hold (but its name), from the host's and every game's."""
    return sorted({*SERVER_KEYS.values(), "game", "name", *(key for game in GAMES.values() for key in game.settings_keys)} - set(LISTENERS))


@pytest.mark.parametrize("key", room_keys())
def test_a_rooms_key_beside_rooms_is_refused_saying_it_belongs_in_each_room(key) -> None:
    configuration = {**server(room("cup")), key: 1}
    assert refusal(configuration) == f'"{key}" belongs in each room: {BESIDE_ROOMS} @ $.{key}'


@pytest.mark.parametrize(
    ("key", "words"), [("min player", '; did you mean "min players"?'), ("romos", '; did you mean "rooms"?'), ("zzz", "")]
)
def test_an_unknown_key_beside_rooms_is_refused_with_the_nearest_known_key(key, words) -> None:
    assert refusal({**server(room("cup")), key: 1}) == f'unknown key "{key}"{words} @ $'


@pytest.mark.parametrize("key", LISTENERS)
def test_a_listener_key_in_a_room_is_refused_it_is_the_servers(key) -> None:
    value = {"port": 1} if key in ("watch", "websocket") else 1
    assert refusal(server(room("cup"), room("arena", **{key.replace(" ", "_"): value}))) == (
        f'"{key}" is the server\'s, not a room\'s: put it beside "rooms" @ $.rooms[1].{key}'
    )


def test_an_unknown_key_in_a_room_is_refused_in_its_place() -> None:
    assert (
        refusal(server(room("cup"), {**room("arena"), "min player": 2}))
        == 'unknown key "min player"; did you mean "min players"? @ $.rooms[1]'
    )


# Every error is placed in its room, but the listener keys' own


BAD_EVENTS = [
    pytest.param({"format": {"kind": "arenas"}}, ".format.kind", id="a format's key"),
    pytest.param({"min players": -1}, ".min players", id="a host key"),
    pytest.param({"waiting for": "ten"}, ".waiting for", id="a number"),
    pytest.param({"game": "chess"}, ".game", id="the game"),
    pytest.param({"house players": [["good", "ann", 1]]}, ".house players[0][2]", id="a house player"),
    pytest.param({"resume": True}, "", id="the whole room"),
    pytest.param({"zzz": 1}, "", id="an unknown key"),
]


@pytest.mark.parametrize(("change", "path"), BAD_EVENTS)
@pytest.mark.parametrize("index", [0, 1])
def test_an_error_in_a_room_says_what_a_whole_configuration_says_placed_in_the_room(change, path, index) -> None:
    bad = {**event(DEFAULT_GAME), **change}
    with pytest.raises(StructureError) as alone:
        read_server_configuration(json.dumps({**bad, "port": 0}), GAMES, DEFAULT_GAME)
    words = str(alone.value)
    assert words.endswith(f" @ ${path}")
    rooms = [room("cup"), room("arena")]
    rooms[index] = {"name": "bad", **bad}
    assert refusal(server(*rooms)) == words.removesuffix(f" @ ${path}") + f" @ $.rooms[{index}]{path}"


def test_a_key_of_another_game_in_a_room_is_refused_in_its_place_as_in_a_whole_configuration() -> None:
    first, second = (GAMES[name] for name in two_games())
    key = sorted(set(second.settings_keys) - set(first.settings_keys))[0]
    bad = event(first.name, **{key.replace(" ", "_"): 1})
    with pytest.raises(StructureError) as alone:
        read_server_configuration(json.dumps({**bad, "port": 0}), GAMES, DEFAULT_GAME)
    words = str(alone.value)
    assert words.startswith(f"{show(key)} is a key of ") and words.endswith(f" @ $.{key}")
    assert refusal(server(room("cup", second.name), {"name": "bad", **bad})) == words.replace(f" @ $.{key}", f" @ $.rooms[1].{key}")


def test_a_number_too_large_to_be_finite_in_a_room_is_refused_in_its_place() -> None:
    text = json.dumps(server(room("cup"), room("arena", time_per_call=1))).replace('"time per call": 1', '"time per call": 1e400')
    assert outcome(read_rooms, text) == (
        "refused",
        "expected a finite number, got a number too large to be finite @ $.rooms[1].time per call",
    )


@pytest.mark.parametrize(
    ("listeners", "words"),
    [
        ({}, "required key missing @ $.port"),
        ({"port": "x"}, 'expected a whole number, got "x" @ $.port'),
        ({"port": 0, "watch": {"prot": 1}}, 'required key missing @ $.watch.port; unknown key "prot"; did you mean "port"? @ $.watch'),
        ({"port": 0, "websocket": {"port": 1, "hots": ""}}, 'unknown key "hots"; did you mean "host"? @ $.websocket'),
        ({"port": 0, "watch linger": -1}, "expected a number of seconds >= 0, got -1 @ $.watch linger"),
    ],
    ids=["no port", "a bad port", "a bad watch", "a bad websocket", "a bad watch linger"],
)
def test_an_error_in_a_listener_key_stays_at_the_top_level(listeners, words) -> None:
    assert refusal({**listeners, "rooms": [room("cup"), room("arena")]}) == words


# What two rooms may not share


@pytest.mark.parametrize(("first", "second"), [("events", "events"), ("events", "./events/"), ("a/../events", "events")])
def test_two_rooms_may_not_share_an_event_log_directory(first, second) -> None:
    one, other = two_games()
    shown = f'"{first}"' if first == second else f'"{first}" and "{second}"'
    assert refusal(server(room("cup", one, event_log=first), room("arena", other), room("swiss", other, event_log=second))) == (
        f"two rooms write one event log directory, {shown} ($.rooms[0] and $.rooms[2]): each room needs its own @ $.rooms[2].event log"
    )


def test_two_rooms_may_not_share_a_ratings_file() -> None:
    one, other = two_games()
    assert refusal(server(room("cup", one, ratings_out="ratings.json"), room("arena", other, ratings_out="./ratings.json"))) == (
        'two rooms write one ratings file, "ratings.json" and "./ratings.json" ($.rooms[0] and $.rooms[1]): '
        "each room needs its own @ $.rooms[1].ratings out"
    )


def test_rooms_with_their_own_event_logs_and_ratings_files_are_taken() -> None:
    one, other = two_games()
    rooms = read(
        server(
            room("cup", one, event_log="events/cup", ratings_out="cup.json"),
            room("arena", other, event_log="events/arena", ratings_out="arena.json"),
            room("quiet", other),
        )
    )
    assert [(each.config.event_log, each.config.ratings_out) for each in rooms] == [
        ("events/cup", "cup.json"),
        ("events/arena", "arena.json"),
        (None, None),
    ]


@pytest.mark.parametrize(("game", "door"), DOORS, ids=[f"{game} {door}" for game, door in DOORS])
@pytest.mark.parametrize("opened", [True, False])
def test_a_games_websocket_door_is_refused_with_rooms(game, door, opened) -> None:
    configuration = server(room("first", game), room("second", game), websocket={"port": 8765, door: opened})
    assert refusal(configuration) == f"a game's WebSocket door serves one event: not with rooms @ $.websocket.{door}"


def test_some_game_of_the_registry_has_a_websocket_door() -> None:
    assert DOORS, "no game has a WebSocket door: the door tests above test nothing"


# The usage text


def test_the_usage_text_describes_rooms_and_points_to_their_document() -> None:
    usage = xserver_usage(GAMES, DEFAULT_GAME)
    rooms = usage[usage.index('  "rooms"') :].split("\n\n")[0]
    assert "docs/rooms.md" in rooms and '{"room": N}' in rooms and "first room" in rooms
    for key in LISTENERS:
        assert f'"{key}"' in rooms
    assert "highest of the rooms' statuses" in usage
