"""What a game says of its local players (Player/game_players.py): its misbehaving kinds are among its kinds, and not all of them.

The games come from the registry.
"""

from __future__ import annotations

import attrs
import pytest

from Remote.game_registry import GAMES


@pytest.fixture(params=list(GAMES))
def game(request):
    return GAMES[request.param]


def test_every_game_offers_misbehaving_kinds_among_its_kinds_and_honest_ones_besides(game):
    assert game.players.misbehaving and game.players.misbehaving <= set(game.players.kinds)
    assert game.players.honest == tuple(kind for kind in game.players.kinds if kind not in game.players.misbehaving)
    assert game.players.honest


def test_a_misbehaving_kind_that_is_not_a_kind_is_refused_naming_it(game):
    with pytest.raises(ValueError, match=f"^{game.name}: misbehaving kinds that are not among its kinds: nokind, zzz$"):
        attrs.evolve(game.players, misbehaving=frozenset({"zzz", "nokind"}))


def test_a_game_whose_every_kind_misbehaves_is_refused(game):
    with pytest.raises(ValueError, match="every kind misbehaves"):
        attrs.evolve(game.players, misbehaving=frozenset(game.players.kinds))
