"""The configuration's `"format"`, read strictly, and what it makes for the manager: a schedule, or a format played in stages. Pure.

    {"kind": "round robin"}                       everyone meets everyone once (the default)
    {"kind": "round robin", "cycles": 2}          ... `cycles` times, who starts alternating between cycles
    {"kind": "pairings", "pairings": [[A, B]]}    the listed pairings, in order
    {"kind": "swiss", "rounds": 7}                7 rounds of Swiss pairings (Admin/formats/swiss.py)
    {"kind": "knock-out"}                         single elimination, seeded by sign-up order,
                                                  or "seeding": "rating" with "ratings": FILE of an earlier event
    {"kind": "knock-out", "players per game": 4}  the course's knock-out (Admin/formats/course_knock_out.py): games of
                                                  up to 4 from the front of the list, all tied winners going on;
                                                  "players per game" is 2 (the default: the seeded bracket) up to the
                                                  game's most (the configuration checks that: Remote/configuration.py)
    {"kind": "gauntlet", "candidates": [A], "cycles": 2, "sprt": {"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 0.05}}

    {"kind": "arena", "minutes": 30, "pairing": "rating"}
                                                  an arena (Admin/formats/arena.py): continuous matchmaking,
                                                  "first come" or by "rating"; read by `read_arena` (not yet
                                                  one of `read_format`'s kinds)

`read_format(value)` gives a FormatSettings or raises StructureError, one
line naming the key (`expected a whole number >= 1, got 0 @ $.format.rounds`).
`format_json` gives the configuration's value back (what the event log's
`start` records, and resume compares). The file of ratings is read by whoever
does I/O; `staged_format` takes its ratings by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from Admin.formats.arena import PAIRINGS as ARENA_PAIRINGS
from Admin.formats.arena import ArenaSettings
from Admin.formats.course_knock_out import CourseKnockOut
from Admin.formats.gauntlet import Gauntlet
from Admin.formats.knock_out import KnockOut
from Admin.formats.sprt import SPRTSettings
from Admin.formats.stage import Format, Stage, StageResult
from Admin.formats.swiss import Swiss
from Admin.schedule import ListedPairings, RoundRobin, Schedule, listed_pairings
from Common.strict import StructureError, array, finite_number, positive_number, show, string, unknown_keys, whole_number

ROUND_ROBIN, PAIRINGS, SWISS, KNOCK_OUT, GAUNTLET = "round robin", "pairings", "swiss", "knock-out", "gauntlet"
KINDS = (ROUND_ROBIN, PAIRINGS, SWISS, KNOCK_OUT, GAUNTLET)
STAGED = frozenset({SWISS, KNOCK_OUT, GAUNTLET})
"""The kinds played in stages: their pairings depend on the outcomes so far."""
SIGN_UP_ORDER, BY_RATING = "sign-up order", "rating"
PLAYERS_PER_GAME = "players per game"

_KEYS = {
    ROUND_ROBIN: ("kind", "cycles"),
    PAIRINGS: ("kind", "pairings"),
    SWISS: ("kind", "rounds"),
    KNOCK_OUT: ("kind", "seeding", "ratings", PLAYERS_PER_GAME),
    GAUNTLET: ("kind", "candidates", "cycles", "sprt"),
}
_REQUIRED = {PAIRINGS: ("pairings",), SWISS: ("rounds",), GAUNTLET: ("candidates",)}
_SPRT_KEYS = ("elo0", "elo1", "alpha", "beta")


@attrs.frozen
class FormatSettings:
    """The `"format"` of a configuration; the keys that do not apply to its kind keep their defaults."""

    kind: str = ROUND_ROBIN
    cycles: int = 1
    pairings: tuple[tuple[str, str], ...] = ()
    rounds: int = 0
    seeding: str = SIGN_UP_ORDER
    ratings: str | None = None
    """The ratings file (of an earlier event's `ratings out`) that seeds a knock-out by rating."""
    candidates: tuple[str, ...] = ()
    sprt: SPRTSettings | None = None
    players_per_game: int = 2
    """A knock-out's most players a game: 2, the seeded bracket; more, the course's knock-out (games from the front)."""
    arena: ArenaSettings | None = None
    """An arena's settings (Admin/formats/arena.py); None for every other kind."""

    @property
    def staged(self) -> bool:
        return self.kind in STAGED


DEFAULT = FormatSettings()


def read_format(value: Any) -> FormatSettings:
    """The format a configuration's `"format"` value describes; StructureError naming the key otherwise."""
    if type(value) is not dict:
        raise StructureError(f'expected a JSON object with a "kind", got {show(value)} @ $.format')
    kind = value.get("kind")
    if kind == ARENA and type(kind) is str:
        arena = read_arena(value)
        return FormatSettings(kind=ARENA, players_per_game=arena.players_per_game, arena=arena)
    if kind not in KINDS or type(kind) is not str:
        raise StructureError(f"expected one of {', '.join(map(show, (*KINDS, ARENA)))}, got {show(kind)} @ $.format.kind")
    unknown = [key for key in value if key not in _KEYS[kind]]
    if unknown:
        raise StructureError(f"{unknown_keys(unknown, _KEYS[kind])} (a {kind} has {', '.join(map(show, _KEYS[kind]))}) @ $.format")
    for key in _REQUIRED.get(kind, ()):
        if key not in value:
            raise StructureError(f"a {kind} needs {show(key)} @ $.format.{key}")
    read: dict[str, Any] = {"kind": kind}
    for key, element in value.items():
        if key == "kind":
            continue
        try:
            read[_FIELDS.get(key) or key] = _READERS[key](element)
        except StructureError:
            raise  # it names its key inside this one
        except ValueError as error:
            raise StructureError(f"{error} @ $.format.{key}") from None
    if read.get("seeding") == BY_RATING and "ratings" not in read:
        raise StructureError('"seeding": "rating" needs "ratings", the file of an earlier event\'s ratings @ $.format.ratings')
    if "ratings" in read and read.get("seeding") != BY_RATING:
        raise StructureError('"ratings" seeds a knock-out only with "seeding": "rating" @ $.format.seeding')
    if read.get("players_per_game", 2) > 2 and read.get("seeding", SIGN_UP_ORDER) != SIGN_UP_ORDER:
        raise StructureError("a knock-out of more than 2 players per game takes the players in sign-up order @ $.format.seeding")
    settings = FormatSettings(**read)
    if settings.sprt is not None and len(settings.candidates) != 1:
        raise StructureError(f"an SPRT needs exactly one candidate, got {len(settings.candidates)} @ $.format.candidates")
    if settings.sprt is not None and settings.cycles % 2:
        raise StructureError(
            f"with an SPRT the encounters come in pairs, sides swapped: expected even cycles, got {settings.cycles} @ $.format.cycles"
        )
    return settings


def _pairings(value: Any) -> tuple[tuple[str, str], ...]:
    pairs = []
    for pair in array(value, "a list of pairs of names"):
        first, second = array(pair, "a pair of names", range(2, 3))
        pairs.append((string(first, "a name"), string(second, "a name")))
    return tuple(pairs)


def _candidates(value: Any) -> tuple[str, ...]:
    names = tuple(string(name, "a name") for name in array(value, "a list of names"))
    if not names:
        raise ValueError("expected at least one candidate, got none")
    if len(set(names)) != len(names):
        raise ValueError(f"expected different candidates, got {show(list(names))}")
    return names


def _seeding(value: Any) -> str:
    if value not in (SIGN_UP_ORDER, BY_RATING) or type(value) is not str:
        raise ValueError(f"expected {show(SIGN_UP_ORDER)} or {show(BY_RATING)}, got {show(value)}")
    return value


def _probability(value: Any) -> float:
    number = finite_number(value)
    if not 0 < number < 0.5:
        raise ValueError(f"expected a probability between 0 and 0.5, got {show(value)}")
    return float(number)


def _sprt(value: Any) -> SPRTSettings:
    if type(value) is not dict:
        raise ValueError(f"expected a JSON object with {', '.join(map(show, _SPRT_KEYS))}, got {show(value)}")
    unknown = [key for key in value if key not in _SPRT_KEYS]
    missing = [key for key in _SPRT_KEYS if key not in value]
    if unknown:
        raise StructureError(f"{unknown_keys(unknown, _SPRT_KEYS)} @ $.format.sprt")
    if missing:
        raise StructureError(f"required key missing @ $.format.sprt.{missing[0]}")
    read = {}
    for key in _SPRT_KEYS:
        try:
            read[key] = float(finite_number(value[key])) if key.startswith("elo") else _probability(value[key])
        except ValueError as error:
            raise StructureError(f"{error} @ $.format.sprt.{key}") from None
    try:
        return SPRTSettings(elo0=read["elo0"], elo1=read["elo1"], alpha=read["alpha"], beta=read["beta"])
    except ValueError as error:
        raise StructureError(f"{error} @ $.format.sprt") from None


_READERS: dict[str, Callable[[Any], Any]] = {
    "cycles": lambda value: whole_number(value, 1),
    "pairings": _pairings,
    "rounds": lambda value: whole_number(value, 1),
    "seeding": _seeding,
    "ratings": lambda value: string(value, "the path of a ratings file"),
    "candidates": _candidates,
    "sprt": _sprt,
    PLAYERS_PER_GAME: lambda value: whole_number(value, 2),
}
_FIELDS: dict[str, str] = {PLAYERS_PER_GAME: "players_per_game"}
"""The FormatSettings field of each key whose name is not the key's."""


ARENA = "arena"
_ARENA_KEYS = {
    "minutes": "minutes",
    "pairing": "pairing",
    PLAYERS_PER_GAME: "players_per_game",
    "cool down": "cool_down",
    "misbehaviours allowed": "misbehaviours_allowed",
    "named opponent wait": "named_opponent_wait",
}
"""An arena's keys (besides "kind") and the ArenaSettings field of each; the times are in seconds, but "minutes"."""


def _non_negative_number(value: Any) -> float:
    number = finite_number(value)
    if number < 0:
        raise ValueError(f"expected a number >= 0, got {show(value)}")
    return float(number)


def _arena_pairing(value: Any) -> str:
    if value not in ARENA_PAIRINGS or type(value) is not str:
        raise ValueError(f"expected {' or '.join(map(show, ARENA_PAIRINGS))}, got {show(value)}")
    return value


_ARENA_READERS: dict[str, Callable[[Any], Any]] = {
    "minutes": lambda value: float(positive_number(value)),
    "pairing": _arena_pairing,
    PLAYERS_PER_GAME: lambda value: whole_number(value, 2),
    "cool down": _non_negative_number,
    "misbehaviours allowed": lambda value: whole_number(value, 0),
    "named opponent wait": _non_negative_number,
}


def read_arena(value: Any) -> ArenaSettings:
    """The arena a configuration's `"format"` value describes (`{"kind": "arena", ...}`, every other key optional);
    StructureError naming the key otherwise. Whether the game seats "players per game" is the caller's check."""
    if type(value) is not dict:
        raise StructureError(f'expected a JSON object with a "kind", got {show(value)} @ $.format')
    if value.get("kind") != ARENA or type(value.get("kind")) is not str:
        raise StructureError(f"expected {show(ARENA)}, got {show(value.get('kind'))} @ $.format.kind")
    keys = ("kind", *_ARENA_KEYS)
    unknown = [key for key in value if key not in keys]
    if unknown:
        raise StructureError(f"{unknown_keys(unknown, keys)} (an arena has {', '.join(map(show, keys))}) @ $.format")
    read = {}
    for key, element in value.items():
        if key == "kind":
            continue
        try:
            read[_ARENA_KEYS[key]] = _ARENA_READERS[key](element)
        except ValueError as error:
            raise StructureError(f"{error} @ $.format.{key}") from None
    return ArenaSettings(**read)


def arena_json(settings: ArenaSettings) -> dict[str, Any]:
    """The configuration's value of an arena's `settings`: every key, defaults too ("minutes" left out when there are none)."""
    value: dict[str, Any] = {"kind": ARENA}
    for key, field in _ARENA_KEYS.items():
        if getattr(settings, field) is not None:
            value[key] = getattr(settings, field)
    return value


def format_json(settings: FormatSettings) -> dict[str, Any]:
    """The configuration's value of `settings`: its kind's keys, each as written (defaults too)."""
    if settings.arena is not None:
        return arena_json(settings.arena)
    value: dict[str, Any] = {"kind": settings.kind}
    if settings.kind == ROUND_ROBIN:
        value["cycles"] = settings.cycles
    elif settings.kind == PAIRINGS:
        value["pairings"] = [list(pair) for pair in settings.pairings]
    elif settings.kind == SWISS:
        value["rounds"] = settings.rounds
    elif settings.kind == KNOCK_OUT:
        value["seeding"] = settings.seeding
        if settings.ratings is not None:
            value["ratings"] = settings.ratings
        if settings.players_per_game != 2:  # left out at 2, so that a seeded bracket's log is what it always was
            value[PLAYERS_PER_GAME] = settings.players_per_game
    else:
        value["candidates"] = list(settings.candidates)
        value["cycles"] = settings.cycles
        if settings.sprt is not None:
            value["sprt"] = settings.sprt.as_json()
    return value


def schedule_of(
    settings: FormatSettings,
    base: Callable[[Sequence[str]], Schedule],
    skipped: Callable[[str, str], None] = lambda first, second: None,
) -> Callable[[Sequence[str]], Schedule]:
    """The schedule of a format known from the roster (a round robin, listed pairings), given the game's own (`base`);
    `skipped` hears each listed pairing left out because a player of it did not sign up."""

    def schedule(names: Sequence[str]) -> Schedule:
        if settings.kind == PAIRINGS:
            listed: ListedPairings
            listed, left_out = listed_pairings(names, settings.pairings)
            for first, second in left_out:
                skipped(first, second)
            return listed
        own = base(names)
        if settings.cycles == 1:
            return own
        if isinstance(own, RoundRobin):
            return attrs.evolve(own, repetitions=settings.cycles, alternate=True)
        return RoundRobin(len(names), settings.cycles, alternate=True)

    return schedule


def staged_format(settings: FormatSettings, names: Sequence[str], ratings: Mapping[str, float] | None = None) -> Format:
    """The format played in stages that `settings` describe, among `names` (sign-up order).

    A knock-out by rating seeds the rated players by rating (higher first),
    then the unrated in sign-up order; `ratings` by name. ValueError, one
    line, when the players who signed up cannot play it (a gauntlet none of
    whose candidates came, an SPRT with more than one opponent).
    """
    if settings.kind == SWISS:
        return Swiss(settings.rounds)
    if settings.kind == KNOCK_OUT:
        if settings.players_per_game > 2:
            return CourseKnockOut(settings.players_per_game)
        if settings.seeding != BY_RATING:
            return KnockOut()
        rating = ratings or {}
        order = sorted(range(len(names)), key=lambda player: (names[player] not in rating, -rating.get(names[player], 0.0), player))
        return KnockOut(seeding=tuple(order))
    position = {name: index for index, name in enumerate(names)}
    candidates = tuple(position[name] for name in settings.candidates if name in position)
    if not candidates:
        raise ValueError(f"gauntlet: none of the candidates ({', '.join(settings.candidates)}) signed up")
    gauntlet = Gauntlet(candidates=candidates, cycles=settings.cycles, sprt=settings.sprt)
    gauntlet.expected_encounters(len(names))  # ValueError when the roster does not fit
    return gauntlet


@attrs.frozen
class NothingToPlay:
    """The format of an event that its players cannot play (`why`, for the log): no stage at all."""

    why: str

    def expected_encounters(self, players: int) -> int:
        return 0

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        return None

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        return {"kind": "none", "why": self.why}


def missing_candidates(settings: FormatSettings, names: Sequence[str]) -> list[str]:
    """The gauntlet's candidates who did not sign up (they are left out, and the log says so)."""
    return [name for name in settings.candidates if name not in names]
