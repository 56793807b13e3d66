"""Every game of the registry passes the conformance kit (tests/game_conformance.py), and the kit catches a broken game.

The games come from `Remote.game_registry.GAMES`: a game added there is under every
check, and fails naming the entry of the kit's table it has not filled in.
"""

from __future__ import annotations

import attrs
import pytest

from Remote.game_registry import GAMES
from tests import game_conformance as kit


@pytest.fixture(params=list(GAMES))
def game(request):
    return GAMES[request.param]


def test_every_game_has_an_entry_in_the_kits_table(game):
    kit.kit_of(game)
    assert kit.KITS[game.name].honest in game.players.honest


def misbehaving_kinds() -> list[tuple[str, str]]:
    """Every misbehaving kind of every game of the registry (`GamePlayers.misbehaving`)."""
    return [(name, kind) for name, game in GAMES.items() for kind in sorted(game.players.misbehaving)]


def test_a_loopback_tournament_of_built_in_players_over_tcp(game):
    kit.check_loopback_tournament(game)


@pytest.mark.parametrize("name, kind", misbehaving_kinds())
async def test_a_misbehaving_player_is_kicked_with_its_reason(name, kind):
    await kit.check_misbehaving_player_kicked(GAMES[name], kind)


async def test_encounters_in_the_encounter_loop_end_as_they_do_as_trio_tasks(game, monkeypatch):
    await kit.check_both_loops_agree(game, monkeypatch)


PLAIN_STRIDE, VARIANT_STRIDE = 4, 6
"""Stopped after every fourth event of a game's plain tournament, every sixth of a variant's, and each of the last ones:
after every single one took about two and a half minutes of CI's twenty (the formats' resume test strides too)."""


@pytest.mark.parametrize("name, variant", kit.variants(), ids=lambda value: value or "plain")
async def test_a_tournament_stopped_after_events_throughout_resumes_to_the_results_of_the_uninterrupted_run(name, variant, tmp_path):
    stride = VARIANT_STRIDE if variant else PLAIN_STRIDE
    await kit.check_resume_after_any_event(GAMES[name], tmp_path, variant, stride=stride)


async def test_the_live_exports_hold_the_printed_results_rebuild_from_the_log_and_every_game_replays(game, tmp_path):
    await kit.check_exports_rebuilt(game, tmp_path)


async def test_the_snapshot_at_any_point_and_the_later_events_equal_the_fold_of_the_whole_log(game, tmp_path):
    await kit.check_watch_snapshot_equals_fold(game, tmp_path)


def test_no_game_free_module_imports_the_game(game):
    kit.check_layout(game)


# ---------------------------------------------------------------------------
# The kit itself catches a broken game


def broken(monkeypatch) -> object:
    """A throwaway game registered for one test: the first game, under another name, whose misbehaving kinds play honestly."""
    model = next(iter(GAMES.values()))
    entry = kit.KITS[model.name]
    kinds = {**model.players.kinds} | dict.fromkeys(model.players.misbehaving, model.players.kinds[entry.honest])
    game = attrs.evolve(model, name="broken", players=attrs.evolve(model.players, kinds=kinds))
    monkeypatch.setitem(GAMES, game.name, game)
    monkeypatch.setitem(kit.KITS, game.name, entry)
    return game


async def test_the_kit_fails_a_game_whose_misbehaving_player_is_not_kicked(monkeypatch):
    game = broken(monkeypatch)
    kind = min(game.players.misbehaving)
    with pytest.raises(AssertionError, match=f"the {kind!r} player was not put out"):
        await kit.check_misbehaving_player_kicked(game, kind)


def test_the_kit_names_the_missing_entry_of_a_game_without_one(monkeypatch):
    model = next(iter(GAMES.values()))
    monkeypatch.setitem(GAMES, "newgame", attrs.evolve(model, name="newgame"))
    with pytest.raises(pytest.fail.Exception, match='KITS has no entry for the game "newgame"'):
        kit.kit_of(GAMES["newgame"])


def test_the_layout_check_fails_a_game_free_module_that_imports_the_game(monkeypatch):
    model = next(iter(GAMES.values()))
    real_imports = kit.imports
    monkeypatch.setattr(
        kit, "imports", lambda path: real_imports(path) | ({f"Admin.{model.name}.x"} if path.name == "manager.py" else set())
    )
    with pytest.raises(AssertionError, match=f"Admin/manager.py is game-free but imports Admin.{model.name}.x"):
        kit.check_layout(model)
