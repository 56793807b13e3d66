"""Event logs for the exports' tests: written by hand (the helpers), or played by the real manager with a scripted referee.

A scripted tournament plays every encounter as a plan says (who wins, who
misbehaves, how many games are reported); how a plan becomes the game's
outcome is the game's, in its ExportKit (the `exports` entry of the kit's
table, tests/game_conformance.py), so that game-free tests draw tournaments
of every game of the registry.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import attrs
import trio
from hypothesis import strategies as st

from Admin.encounter import EncounterResult, Misbehaviour
from Admin.event_log import EventLog
from Admin.formats.settings import DEFAULT as DEFAULT_FORMAT
from Admin.formats.settings import FormatSettings, format_json
from Common.fish.results import Outcome as FishOutcome
from Common.fish.results import winners_of
from Common.ipd.outcomes import Irregular, Scored
from Common.participant import Participant
from Common.santorini.results import EncounterOutcome
from Remote.game_description import Game, play_tournament


@attrs.frozen
class ExportKit:
    """How a game's scripted tournaments are played."""

    plan: Any
    """A hypothesis strategy of one encounter's plan: a dict with "culprits" (sides, 0 or 1), and what the game needs."""
    examples: tuple[dict, ...]
    """Plans of a small fixed tournament: a regular encounter, then one whose second player misbehaves."""
    keys: Any
    """A hypothesis strategy of the game's configuration keys for a scripted tournament."""
    outcome: Callable[[tuple[str, ...], dict, list[str]], Any]
    """The outcome of an encounter between `names` as its plan says, given its culprits' names."""


def events(*bodies):
    """Events from their bodies: seq counted from 1, t made up."""
    return [{"seq": seq, "t": 1000.0 + seq, **body} for seq, body in enumerate(bodies, start=1)]


def start(game, settings, configuration=None):
    configuration = {"time per call": 2.0, "house players": [], **settings} if configuration is None else configuration
    return {"type": "start", "version": 1, "tournament": "t-1", "game": game, "configuration": configuration, "settings": settings}


def sign_ups(*names):
    return [{"type": "sign-up", "requested": name, "assigned": name} for name in names]


def encounter(index, first, second, outcome, culprits=(), games=({},)):
    """An encounter that starts, plays `games` (each a dict of game-end fields) and ends."""
    played = [{"type": "encounter-start", "encounter": index, "players": [first, second], "repetition": 0, "meeting": 0}]
    for number, end in enumerate(games):
        played.append({"type": "game-start", "encounter": index, "game": number, "players": [first, second]})
        played.append({"type": "turn", "encounter": index, "game": number, "player": first, "action": first, "ms": 3})
        played.append({"type": "game-end", "encounter": index, "game": number, **end})
    culprits = list(culprits)
    played += [{"type": "misbehaviour", "name": name, "kind": "illegal", "reason": "no", "encounter": index} for name in culprits]
    played.append({"type": "encounter-end", "encounter": index, "players": [first, second], "outcome": outcome, "culprits": culprits})
    return played


def table(text):
    """The crosstable's header, and its rows as {row player: {column: cell}}."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


# ---------------------------------------------------------------------------
# Scripted tournaments through the real manager


class Quiet(Participant):
    async def playing_as(self, name):
        pass

    async def end_of_tournament(self, results):
        pass


class Recording(EventLog):
    """A journal that keeps the events, as the event log's writer numbers them."""

    tournament = "t-random"

    def __init__(self):
        self.events = []

    def write(self, event):
        self.events.append({"seq": len(self.events) + 1, "t": 0.0, **event})


def scripted_referee(kit: ExportKit, plans, group: bool = False):
    """A referee that plays each encounter as `plans[index]` says, reporting `plan["games"]` games (default 1) through `note`:
    a two-player referee (first, second), or with `group` a group referee (a table of Entrants in seat order)."""

    def make(settings, time_per_call, note):
        async def two(first, second, encounter):
            return await referee((first, second), encounter)

        async def referee(entrants, encounter):
            plan = plans[encounter.index % len(plans)]
            names = tuple(entrant.name for entrant in entrants)
            for number in range(plan.get("games", 1)):
                note({"type": "game-start", "encounter": encounter.index, "game": number, "players": list(names)})
                note({"type": "turn", "encounter": encounter.index, "game": number, "player": names[0], "action": names[0], "ms": 1})
                note({"type": "game-end", "encounter": encounter.index, "game": number, "how": "scripted"})
            culprits = [names[side] for side in plan["culprits"] if side < len(names)]
            misbehaviours = tuple(Misbehaviour(name, f"{name} was told to", "illegal") for name in culprits)
            return EncounterResult(kit.outcome(names, plan, culprits), misbehaviours)

        return referee if group else two

    return make


def play(game: Game, kit: ExportKit, players, plans, configured_keys, event_format: FormatSettings = DEFAULT_FORMAT):
    """The events of one tournament of `game` among `players` in `event_format`, every encounter as `plans` say, and its output."""
    scripted = attrs.evolve(game, make_referee=scripted_referee(kit, plans, game.group_game))
    journal = Recording()
    configured = game.read_settings(configured_keys)
    configuration = {"time per call": 2.0, "house players": []}
    if event_format != DEFAULT_FORMAT:  # as xserver records it
        configuration["format"] = format_json(event_format)

    async def main():
        return await play_tournament(
            scripted,
            configured,
            [(name, Quiet()) for name in players],
            2.0,
            logging.getLogger("tests.exports"),
            concurrent=False,
            event_log=journal,
            configuration=configuration,
            event_format=event_format,
        )

    output = trio.run(main)
    return json.loads(json.dumps(journal.events)), output


# ---------------------------------------------------------------------------
# Each game's scripts


def _other(names: tuple[str, str], culprit: str) -> str:
    return names[1] if culprit == names[0] else names[0]


def santorini_outcome(names: tuple[str, str], plan: dict, culprits: list[str]) -> EncounterOutcome:
    if culprits:
        (culprit,) = culprits
        return EncounterOutcome(_other(names, culprit), culprit, irregular=True)
    winner = plan["winner"]
    return EncounterOutcome(names[winner], names[1 - winner])


SANTORINI = ExportKit(
    plan=st.fixed_dictionaries(
        {
            "winner": st.sampled_from([0, 1]),
            "culprits": st.sampled_from([(), (), (), (0,), (1,)]),
            "games": st.integers(1, 3),
        }
    ),
    examples=({"winner": 0, "culprits": (), "games": 2}, {"winner": 0, "culprits": (1,), "games": 1}),
    keys=st.just({"best of": 3}),
    outcome=santorini_outcome,
)


def ipd_outcome(names: tuple[str, str], plan: dict, culprits: list[str]) -> Scored | Irregular:
    if len(culprits) == 2:
        return Irregular(*names)
    if culprits:
        (culprit,) = culprits
        return Irregular(_other(names, culprit), culprit)
    first_score, second_score, rounds = plan["scores"]
    return Scored(*names, first_score, second_score, rounds)


IPD = ExportKit(
    plan=st.fixed_dictionaries(
        {
            "scores": st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 10)),
            "culprits": st.sampled_from([(), (), (), (0,), (1,), (0, 1)]),
        }
    ),
    examples=({"scores": (30, 20, 10), "culprits": ()}, {"scores": (0, 0, 1), "culprits": (1,)}),
    keys=st.fixed_dictionaries({"seed": st.integers(0, 100), "repetitions": st.integers(1, 2)}),
    outcome=ipd_outcome,
)


def fish_outcome(names: tuple[str, ...], plan: dict, culprits: list[str]) -> FishOutcome:
    """A Fish game of `names`: the plan's scores, seat by seat; None for a culprit."""
    scores = [None if name in culprits else score for name, score in zip(names, plan["scores"], strict=False)]
    return FishOutcome(names, scores, winners_of(names, scores))


FISH = ExportKit(
    plan=st.fixed_dictionaries(
        {
            "scores": st.tuples(*[st.integers(0, 12)] * 4),
            "culprits": st.sampled_from([(), (), (), (0,), (1,), (2,), (0, 1)]),
        }
    ),
    examples=({"scores": (9, 4, 7, 0), "culprits": ()}, {"scores": (5, 8, 2, 0), "culprits": (1,)}),
    keys=st.fixed_dictionaries({"rows": st.integers(3, 5), "columns": st.integers(3, 5), "seed": st.integers(0, 100)}),
    outcome=fish_outcome,
)
