"""Santorini, described for the host: the one value `Remote/game_registry.py` lists.

Santorini's own configuration keys are "best of" (games per encounter, odd,
default 3) and "fair starts" (true or false, default false: with true the
round robin balances who starts game 1 of each series, `Admin/schedule.py`;
recorded in the event log only when true, so that a log written before the
key existed still resumes). Its Results are the list of encounter outcomes, printed as one
line of JSON, exactly as before the host knew other games. Its outcome is the
two-player win/loss outcome of `Admin/two_player.py`, whose revision,
standings, log lines and exports' words it takes as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from Admin import two_player
from Admin.manager import TournamentRules
from Admin.santorini.referee import DEFAULT_BEST_OF, RULES, Referee
from Admin.schedule import RoundRobin
from Common.santorini.wire import unstructure
from Common.strict import odd_number, register_json_object, show, strict_converter
from Common.strict import structure as structure_strictly
from Player.santorini.kinds import PLAYERS
from Remote.game_description import Game
from Remote.santorini.exports import outcome, outcome_sides, standings_json
from Remote.santorini.remote_player import RemotePlayer
from Remote.santorini.server_proxy import ServerProxy, recognises_server_message


@attrs.frozen
class SantoriniSettings:
    """Santorini's configuration: games per encounter, and whether the round robin balances who starts."""

    best_of: int = DEFAULT_BEST_OF
    fair_starts: bool = False


def _true_or_false(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"expected true or false, got {show(value)}")
    return value


_KEYS = {"best_of": "best of", "fair_starts": "fair starts"}
_CHECKS: dict[str, Callable[[Any], Any]] = {"best_of": odd_number, "fair_starts": _true_or_false}
_CONVERTER = strict_converter()
register_json_object(_CONVERTER, SantoriniSettings, keys=_KEYS, checks=_CHECKS)


def _rules(settings: SantoriniSettings) -> TournamentRules:
    """Santorini's rules for the manager; with fair starts, the round robin that balances who starts."""
    rules = attrs.evolve(RULES, to_json=unstructure, from_json=outcome)
    if settings.fair_starts:
        rules = attrs.evolve(rules, schedule=lambda names: RoundRobin(len(names), fair_starts=True))
    return rules


def settings_json(settings: SantoriniSettings) -> dict[str, Any]:
    """The keys that can change the Results; "fair starts" only when true (a log without it means false)."""
    return {"best of": settings.best_of} | ({"fair starts": True} if settings.fair_starts else {})


def read_settings(keys: Mapping[str, Any]) -> SantoriniSettings:
    return structure_strictly(dict(keys), SantoriniSettings, _CONVERTER)


GAME = Game(
    name="santorini",
    players=PLAYERS,
    settings_keys={key: _CHECKS[field] for field, key in _KEYS.items()},
    read_settings=read_settings,
    make_referee=lambda settings, time_per_call, note: Referee(settings.best_of, time_per_call, note=note),
    rules=_rules,
    remote_player=RemotePlayer,
    client_proxy=ServerProxy,
    output=lambda results, settings: unstructure(results),
    results_to_json=unstructure,
    no_results=[],
    describe_outcome=two_player.describe,
    standings_table=two_player.table,
    settings_help=(
        f'  "best of"        odd whole number, default {DEFAULT_BEST_OF}: games per encounter\n'
        '  "fair starts"    true or false, default false: each player starts game 1 in half of its series\n'
        "                   (false: the earlier signed up starts; recommended true for real events)\n"
    ),
    settings_json=settings_json,
    outcome_sides=outcome_sides,
    standings_json=standings_json,
    board_view=Path(__file__).with_name("board_view.js"),
    play_view=Path(__file__).with_name("play_view.js"),
    title="Santorini",
    recognises_server_message=recognises_server_message,
)
