"""Fish, described for the host: the one value `Remote/game_registry.py` lists for it.

Its keys are those of `Common/fish/settings.py`: "rows" and "columns" (2 to
9 each, default 5, at least 9 tiles), "fish" (1 to 5 on every tile; absent,
1 to 5 a tile drawn from "seed") and "seed". A tournament whose fish are
drawn and that has no "seed" draws one from the operating system and logs
it, as the prisoner's dilemma does, so that the organiser can play the same
boards again. An encounter is one game of 2 to 4 players
(`players_per_encounter`), refereed by `Admin/fish/referee.py`; without a
"format" the tournament is the course's knock-out of games of up to four
(`default_format`, docs/fish-protocol.md section 6); each call has 10 s
unless "time per call" says otherwise (the course's server allows as much).

The line on standard output is the winners, then the players removed for
misbehaving, each in sign-up order: `[["bob"], ["cat"]]` (spec section 4).
A client knows only whether each of its players won (`end`): xclients prints
the same two lists from its own players' view, those told `true`, then those
kicked out, in configuration order (`received_output`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from Admin.fish.referee import DEFAULT_TIME_PER_CALL, make_referee
from Admin.fish.tournament import RULES
from Admin.formats.settings import FormatSettings
from Common.fish.results import Outcome, Results
from Common.fish.settings import CHECKS, KEYS, MAX_SIDE, MIN_SIDE, MIN_TILES, FishSettings, read_settings, settings_json
from Common.fish.wire import structure, unstructure
from Player.fish.kinds import PLAYERS
from Remote.fish.remote_player import RemotePlayer
from Remote.fish.server_proxy import ServerProxy, recognises_server_message
from Remote.game_description import ClientProxy, Game

SEED_BITS = 63
MOST_PLAYERS = 4
COURSE_KNOCK_OUT = FormatSettings(kind="knock-out", players_per_game=MOST_PLAYERS)
"""The course's knock-out: games of up to four, formed from the front of the list (spec section 4)."""
WON, LOST, REMOVED = "won", "lost", "removed"


def prepare(settings: FishSettings) -> tuple[FishSettings, str | None]:
    """The settings with a seed when the fish are drawn: the configured one, or one drawn now; the log line that names it."""
    if settings.fish is not None:
        return settings, None
    if settings.seed is not None:
        return settings, f"seed {settings.seed}"
    seed = secrets.randbits(SEED_BITS)
    return attrs.evolve(settings, seed=seed), f'seed {seed} (drawn; "seed": {seed} plays the same boards again)'


def output(results: Results, settings: FishSettings) -> list[list[str]]:
    """xserver's line: the winners, then the culprits, each in sign-up order."""
    return [list(results.winners), list(results.culprits)]


def _outcome(data: Any) -> Outcome:
    """An outcome from its wire form, strictly; StructureError if it is not one."""
    return structure(data, Outcome)


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def describe(outcome: Outcome) -> str:
    """One game as a log line: `ann, bob and cat: bob won with 10 fish (ann 5, cat removed)`."""
    others = [
        f"{player} {'removed' if score is None else score}"
        for player, score in zip(outcome.players, outcome.scores, strict=True)
        if player not in outcome.winners
    ]
    rest = f" ({', '.join(others)})" if others else ""
    if not outcome.winners:
        return f"{_and(outcome.players)}: nobody won{rest}"
    best = outcome.scores[outcome.players.index(outcome.winners[0])]
    each = " each" if len(outcome.winners) > 1 else ""
    return f"{_and(outcome.players)}: {_and(outcome.winners)} won with {best} fish{each}{rest}"


def outcome_places(data: Any) -> list[tuple[str, int | None, int | None]]:
    """Each player's place (1 + how many scored more; None: removed) and fish, in seat order, of a raw outcome."""
    outcome = _outcome(data)
    scores = outcome.scores
    return [
        (player, None if score is None else 1 + sum(other is not None and other > score for other in scores), score)
        for player, score in zip(outcome.players, scores, strict=True)
    ]


def outcome_sides(data: Any, game_ends: Sequence[Any]) -> dict[str, str]:
    """Each player's word for a raw outcome: "won", "lost", or "removed" for a player removed for misbehaving."""
    outcome = _outcome(data)
    return {
        player: REMOVED if score is None else WON if player in outcome.winners else LOST
        for player, score in zip(outcome.players, outcome.scores, strict=True)
    }


def _result(results: Results, name: str) -> str:
    return WON if name in results.winners else REMOVED if name in results.culprits else LOST


def standings_json(results: Results, roster: Sequence[str]) -> list[dict[str, Any]]:
    """The standings: the winners (rank 1), the others, then the culprits, each in sign-up order; equal results share a rank."""
    order = {WON: 0, LOST: 1, REMOVED: 2}
    rows = sorted(roster, key=lambda name: order[_result(results, name)])
    culprits = sum(_result(results, name) == REMOVED for name in roster)
    rank = {WON: 1, LOST: len(results.winners) + 1, REMOVED: len(roster) - culprits + 1}
    return [{"rank": rank[_result(results, name)], "player": name, "result": _result(results, name)} for name in rows]


def standings_table(results: Results, names: Sequence[str]) -> str:
    """The standings as aligned lines: rank, player, result."""
    rows = [("rank", "player", "result")] + [(str(row["rank"]), row["player"], row["result"]) for row in standings_json(results, names)]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "\n".join(f"{rank.rjust(widths[0])}  {player.ljust(widths[1])}  {result}".rstrip() for rank, player, result in rows)


def received_output(proxies: Sequence[ClientProxy]) -> list[list[str]]:
    """What xclients prints: its players told `true` at `end`, then those kicked out, each in sign-up order."""
    won = [proxy.name for proxy in proxies if getattr(proxy, "won", None) is True]
    kicked = [proxy.name for proxy in proxies if getattr(proxy, "kicked_because", None) is not None]
    return [won, kicked]


SETTINGS_HELP = f"""\
  "rows"           whole number {MIN_SIDE}..{MAX_SIDE}, default 5: the board's rows
  "columns"        whole number {MIN_SIDE}..{MAX_SIDE}, default 5: the board's columns ("rows" x "columns" at least {MIN_TILES})
  "fish"           whole number 1..5, default none: the fish on every tile; none: 1 to 5 a tile, drawn from "seed"
  "seed"           whole number >= 0, default drawn and logged: the boards' fish when "fish" is not given
  (fish's "time per call" defaults to {DEFAULT_TIME_PER_CALL:g} s and its "format" to the course's knock-out,
   {{"kind": "knock-out", "players per game": {MOST_PLAYERS}}}: games of up to {MOST_PLAYERS}, the winners go on)
"""

GAME = Game(
    name="fish",
    players=PLAYERS,
    settings_keys={key: CHECKS[field] for field, key in KEYS.items()},
    read_settings=read_settings,
    make_referee=lambda settings, time_per_call, note: make_referee(settings, time_per_call, note),
    rules=lambda settings: RULES,
    remote_player=RemotePlayer,
    client_proxy=ServerProxy,
    output=output,
    results_to_json=unstructure,
    no_results=[[], []],
    describe_outcome=describe,
    standings_table=standings_table,
    settings_json=settings_json,
    outcome_sides=outcome_sides,
    standings_json=standings_json,
    board_view=Path(__file__).with_name("board_view.js"),
    settings_help=SETTINGS_HELP,
    prepare=prepare,
    title="Fish",
    recognises_server_message=recognises_server_message,
    players_per_encounter=(2, MOST_PLAYERS),
    outcome_places=outcome_places,
    default_format=COURSE_KNOCK_OUT,
    default_time_per_call=DEFAULT_TIME_PER_CALL,
    received_output=received_output,
)
