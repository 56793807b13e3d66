"""Event logs of encounters of two to four players, written by hand as the manager and a Fish referee write them, and a
stand-in Game that seats up to four.

The events are those of docs/event-log.md with `"players"` holding an
encounter's k names in seat order, and the game's own those of Fish
(`game-start` with colours and the board, `placement`, `turn`, `removed`,
`game-end` with players, scores and winners). The stand-in game "fish" reads
an outcome `{"players", "scores", "winners"}` as Fish's does, so that the
exports and the watch page can be tested before (and without) the real game.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from Admin.manager import TournamentRules
from Admin.tournament_state import TournamentState, fold
from Remote.game_registry import GAMES
from tests.export_logs import events

COLORS = ("red", "white", "brown", "black")
BOARD = [[1, 2, 3], [4, 5, 1], [2, 3, 4]]


def fish_outcome(players: Sequence[str], scores: Sequence[int | None]) -> dict[str, Any]:
    """Fish's outcome: the winners are the best of those left (the one left, when all others were removed)."""
    left = [score for score in scores if score is not None]
    best = max(left, default=None)
    winners = [name for name, score in zip(players, scores, strict=True) if score is not None and score == best]
    return {"players": list(players), "scores": list(scores), "winners": winners}


def places(outcome: dict[str, Any]) -> list[tuple[str, int | None, Any]]:
    """Each player's place (1 + how many scored more; None: removed) and fish, in seat order."""
    scores = outcome["scores"]
    return [
        (name, None if score is None else 1 + sum(other is not None and other > score for other in scores), score)
        for name, score in zip(outcome["players"], scores, strict=True)
    ]


def sides(outcome: dict[str, Any], game_ends: Sequence[Any]) -> dict[str, str]:
    return {name: "won" if name in outcome["winners"] else "lost" for name in outcome["players"]}


def _results(outcomes: Sequence[Any], roster: Sequence[str], out: Any) -> list[list[str]]:
    """The winners of the last encounter played, then who misbehaved, each in sign-up order."""
    winners = set(outcomes[-1]["winners"]) if outcomes else set()
    return [[name for name in roster if name in winners], [name for name in roster if name in out]]


def _standings(results: list[list[str]], roster: Sequence[str]) -> list[dict[str, Any]]:
    return [{"player": name, "won": name in results[0]} for name in sorted(roster, key=lambda name: name not in results[0])]


RULES = TournamentRules(
    revise=lambda outcome, culprit, before: outcome,
    results=_results,
    max_name_length=12,
    score=lambda outcome, name: 1 / len(outcome["winners"]) if name in outcome["winners"] else 0 if outcome["winners"] else None,
)

FISH = attrs.evolve(
    GAMES["santorini"],
    name="fish",
    read_settings=lambda keys: None,
    settings_json=lambda settings: {},
    rules=lambda settings: RULES,
    output=lambda results, settings: results,
    outcome_sides=sides,
    outcome_places=places,
    standings_json=_standings,
    board_view=Path(__file__).parent.parent / "Remote" / "fish" / "board_view.js",
    players_per_encounter=(2, 4),
)
"""A stand-in for Fish's Game: what the exports and the watch page read of it."""

KNOCK_OUT = {"kind": "knock-out", "players per game": 4}
"""The course's knock-out in games of up to four (the stages' events say who plays)."""


def start(format_: dict[str, Any] | None = KNOCK_OUT) -> dict[str, Any]:
    configuration = {"time per call": 2.0, "house players": []} | ({} if format_ is None else {"format": format_})
    return {"type": "start", "version": 1, "tournament": "t-fish", "game": "fish", "configuration": configuration, "settings": {}}


def opening(*names: str, encounters: int = 0) -> list[dict[str, Any]]:
    """start, a sign-up each, the roster."""
    return [
        start(),
        *({"type": "sign-up", "requested": name, "assigned": name} for name in names),
        {"type": "roster", "players": list(names), "encounters": encounters},
    ]


def stage(number: int, first: int, groups: Sequence[Sequence[str]], byes: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "stage",
        "stage": number,
        "label": f"knock-out round {number}",
        "first": first,
        "pairings": [list(group) for group in groups],
        "byes": list(byes),
    }


def encounter_start(index: int, players: Sequence[str]) -> dict[str, Any]:
    return {"type": "encounter-start", "encounter": index, "players": list(players), "repetition": 0, "meeting": 0}


def fish_game(index: int, players: Sequence[str], removed: Sequence[str] = (), game: int = 0) -> list[dict[str, Any]]:
    """One Fish game as its referee notes it: start, a penguin each, a turn each, `removed` removed, the end."""
    at = {"encounter": index, "game": game}
    played: list[dict[str, Any]] = [
        {"type": "game-start", **at, "players": list(players), "colors": list(COLORS[: len(players)]), "board": BOARD}
    ]
    tiles = [[row, column] for row in range(len(BOARD)) for column in range(len(BOARD[row]))]
    for seat, name in enumerate(players):
        played.append({"type": "placement", **at, "player": name, "place": tiles[seat], "ms": 3})
    for seat, name in enumerate(players):
        if name in removed:
            played.append({"type": "removed", **at, "player": name})
        else:
            played.append({"type": "turn", **at, "player": name, "action": [tiles[seat], tiles[seat + len(players)]], "ms": 5})
    return played


def fish_encounter(index: int, players: Sequence[str], scores: Sequence[int | None]) -> list[dict[str, Any]]:
    """An encounter of one Fish game that starts and ends; a player whose score is None misbehaved in it."""
    removed = [name for name, score in zip(players, scores, strict=True) if score is None]
    outcome = fish_outcome(players, scores)
    return [
        encounter_start(index, players),
        *fish_game(index, players, removed),
        {"type": "game-end", "encounter": index, "game": 0, **outcome},
        *({"type": "misbehaviour", "name": name, "kind": "illegal", "reason": "a hole", "encounter": index} for name in removed),
        {"type": "encounter-end", "encounter": index, "players": list(players), "outcome": outcome, "culprits": removed},
    ]


def unplayed(index: int, players: Sequence[str]) -> dict[str, Any]:
    return {"type": "encounter-end", "encounter": index, "players": list(players), "outcome": None, "culprits": []}


def ending(results: list[list[str]]) -> list[dict[str, Any]]:
    return [{"type": "summary", "ratings": [], "format": None}, {"type": "results", "results": results, "output": results}]


def log(*parts: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of `parts` (events, or lists of them), numbered."""
    bodies: list[dict[str, Any]] = []
    for part in parts:
        bodies.extend(part if isinstance(part, list) else [part])
    return events(*bodies)


NINE = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy")
"""Nine players: a course knock-out plays 4 + 3 + 2, then a final of the winners."""


def knock_out_of_nine() -> list[dict[str, Any]]:
    """A whole knock-out of nine: round 1 in games of 4, 3 and 2 (cat removed), then a final of four."""
    return log(
        opening(*NINE),
        stage(1, 0, [NINE[0:4], NINE[4:7], NINE[7:9]]),
        fish_encounter(0, NINE[0:4], [7, 3, None, 7]),
        fish_encounter(1, NINE[4:7], [2, 9, 4]),
        fish_encounter(2, NINE[7:9], [5, 1]),
        stage(2, 3, [["ann", "dan", "fay", "hal"]]),
        fish_encounter(3, ["ann", "dan", "fay", "hal"], [4, 11, 6, 2]),
        ending([["dan"], ["cat"]]),
    )


def fold_k(log_events: list[dict[str, Any]]) -> TournamentState:
    """The state of a log of k-player encounters, folded as the server folds it."""
    return fold(log_events)
