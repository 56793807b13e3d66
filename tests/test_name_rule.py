"""The one rule for players' names (Common/names.py): each game states its rule once, and every message says it alike.

The games come from the registry; each game's wire converter is
`Common.<game>.wire`, whose `name` hook reads a name off the wire.
"""

from __future__ import annotations

import importlib
import json
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.names import NameRule
from Common.strict import StructureError
from Remote.configuration import read_client_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES

RULES = st.sampled_from(
    [NameRule("a-z", 64, "lowercase letters"), NameRule("A-Za-z0-9_-", 36, "letters, digits, '_' or '-'"), NameRule("a-c", 3, "of a, b, c")]
)


@given(RULES, st.one_of(st.text(max_size=70), st.text(alphabet="abcABC_-09", max_size=70), st.integers(), st.none()))
def test_a_name_is_one_to_max_length_characters_of_the_class(rule, value):
    expected = type(value) is str and re.fullmatch(f"[{rule.characters}]{{1,{rule.max_length}}}", value) is not None
    assert rule.is_name(value) == expected
    assert (re.fullmatch(rule.pattern, value) is not None if type(value) is str else False) == expected


@given(RULES)
def test_the_rule_in_words_names_its_length_and_characters(rule):
    assert str(rule) == f"1 to {rule.max_length} {rule.words}"
    with pytest.raises(ValueError, match=re.escape(f"expected a name of {rule}, got 5")):
        rule.check(5)


def test_a_name_that_only_looks_like_a_string_is_refused():
    class Sneaky(str):
        pass

    assert not NameRule("a-z", 3, "lowercase letters").is_name(Sneaky("abc"))


def test_a_rule_of_no_length_is_refused():
    with pytest.raises(ValueError, match="max_length must be a whole number >= 1"):
        NameRule("a-z", 0, "lowercase letters")


@pytest.fixture(params=list(GAMES))
def game(request):
    return GAMES[request.param]


def test_the_game_has_one_name_rule_and_its_longest_name_is_the_rules(game):
    assert isinstance(game.players.names, NameRule)
    assert game.max_name_length == game.players.names.max_length
    assert game.players.name_rule == str(game.players.names)
    assert game.players.is_name("a" * game.max_name_length) and not game.players.is_name("a" * (game.max_name_length + 1))


def test_a_bad_name_is_refused_in_the_same_words_by_the_configuration_and_by_the_wire(game):
    honest = game.players.honest[0]
    text = json.dumps({"game": game.name, "players": [[honest, "no name!", ""]], "observers": [], "ip": "127.0.0.1", "port": 1})
    with pytest.raises(StructureError) as configured:
        read_client_configuration(text, GAMES, DEFAULT_GAME)
    wire = importlib.import_module(f"Common.{game.name}.wire")
    with pytest.raises(ValueError) as sent:
        wire.name("no name!")
    said = f"expected a name of {game.players.names}, got"
    assert said in str(configured.value) and str(sent.value).startswith(said)


def test_a_record_of_the_game_with_a_bad_name_says_the_games_rule(game):
    @attrs.frozen
    class Named:
        name: str = attrs.field(validator=game.players.names.validator)

    with pytest.raises(ValueError, match=re.escape(f"name must be a name of {game.players.names}, got ")):
        Named("no name!")
