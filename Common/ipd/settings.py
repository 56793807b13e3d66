"""The IPD's configuration keys, their defaults, and their strict checks.

| key | default | value |
|---|---|---|
| `"payoffs"` | `{"R": 3, "S": 0, "T": 5, "P": 1}` | four whole numbers with T > R > P > S and 2R > T + S |
| `"min rounds"` | 1 | a whole number >= 1, at most `"max rounds"` |
| `"end probability"` | 0.00346 | a number in 0..1 |
| `"max rounds"` | 2000 | a whole number >= 1 |
| `"seed"` | none: the server draws one | a whole number >= 0 |
| `"noise"` | 0 | a number in 0..1 |
| `"time per move"` | 1 | seconds, a positive finite number |
| `"forfeits allowed"` | 3 | a whole number >= 0 |
| `"repetitions"` | 1 | a whole number >= 1 |
| `"pairings"` | none: a round robin | a list of `[A, B]` name pairs, A and B different |

`register_settings(converter)` teaches a strict converter (see
`Common/strict.py`) to structure IPDSettings from a JSON object holding any
of these keys and no other; an error is one line naming the key, such as
`expected a number in 0..1, got 2 @ $.noise`. SETTINGS_KEYS lists the keys,
so that a host can tell the IPD's keys from its own and structure them
apart; KEYS, CHECKS and `check_rounds_together` are the parts, for a host
that would rather merge them into a configuration class of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError

from Common.ipd.chance import Horizon
from Common.ipd.names import Name, is_name
from Common.ipd.scoring import Payoffs, payoff_problem
from Common.ipd.wire import name
from Common.strict import (
    array,
    each,
    elements,
    positive_number,
    register_json_object,
    show,
    strict_converter,
    whole_number,
)
from Common.strict import seed as seed_number
from Common.strict import structure as structure_with

DEFAULT_MIN_ROUNDS = 1
DEFAULT_END_PROBABILITY = 0.00346
DEFAULT_MAX_ROUNDS = 2000
DEFAULT_NOISE = 0.0
DEFAULT_TIME_PER_MOVE = 1.0
DEFAULT_FORFEITS_ALLOWED = 3
DEFAULT_REPETITIONS = 1

Pairing = tuple[Name, Name]
"""A listed match: the first player (listed first in its outcome) and the second."""


def _at_least(lowest: int) -> Callable[[object, attrs.Attribute, object], None]:
    def check(instance: object, attribute: attrs.Attribute, value: object) -> None:
        if type(value) is not int or value < lowest:
            raise ValueError(f"{attribute.name} must be a whole number >= {lowest}, got {value!r}")

    return check


def _probability(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not float or not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be a float in 0..1, got {value!r}")


def _seed(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if value is not None and (type(value) is not int or value < 0):
        raise ValueError(f"{attribute.name} must be None or a whole number >= 0, got {value!r}")


def _time(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not float or not 0 < value < float("inf"):
        raise ValueError(f"{attribute.name} must be a positive finite float, got {value!r}")


def _pairings_validator(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if value is None:
        return
    if type(value) is not tuple or not all(
        type(pair) is tuple and len(pair) == 2 and is_name(pair[0]) and is_name(pair[1]) and pair[0] != pair[1] for pair in value
    ):
        raise ValueError(f"{attribute.name} must be None or a tuple of pairs of two different names, got {value!r}")


@attrs.frozen
class IPDSettings:
    """The IPD's part of a server configuration (see the module's docstring for the keys)."""

    payoffs: Payoffs = attrs.field(factory=Payoffs, validator=attrs.validators.instance_of(Payoffs))
    min_rounds: int = attrs.field(default=DEFAULT_MIN_ROUNDS, validator=_at_least(1))
    end_probability: float = attrs.field(default=DEFAULT_END_PROBABILITY, validator=_probability)
    max_rounds: int = attrs.field(default=DEFAULT_MAX_ROUNDS, validator=_at_least(1))
    seed: int | None = attrs.field(default=None, validator=_seed)
    """None: the server draws a seed from the operating system (and logs it)."""
    noise: float = attrs.field(default=DEFAULT_NOISE, validator=_probability)
    time_per_move: float = attrs.field(default=DEFAULT_TIME_PER_MOVE, validator=_time)
    forfeits_allowed: int = attrs.field(default=DEFAULT_FORFEITS_ALLOWED, validator=_at_least(0))
    repetitions: int = attrs.field(default=DEFAULT_REPETITIONS, validator=_at_least(1))
    pairings: tuple[Pairing, ...] | None = attrs.field(default=None, validator=_pairings_validator)
    """None: a round robin in sign-up order."""

    def __attrs_post_init__(self) -> None:
        if self.min_rounds > self.max_rounds:
            raise ValueError(_rounds_problem(self.min_rounds, self.max_rounds))

    @property
    def horizon(self) -> Horizon:
        """How long matches last."""
        return Horizon(self.min_rounds, self.end_probability, self.max_rounds)


def _rounds_problem(min_rounds: int, max_rounds: int) -> str:
    return f'expected at most "max rounds" ({max_rounds}), got {min_rounds}'


KEYS: dict[str, str] = {
    "payoffs": "payoffs",
    "min_rounds": "min rounds",
    "end_probability": "end probability",
    "max_rounds": "max rounds",
    "seed": "seed",
    "noise": "noise",
    "time_per_move": "time per move",
    "forfeits_allowed": "forfeits allowed",
    "repetitions": "repetitions",
    "pairings": "pairings",
}
"""The field of IPDSettings that each configuration key sets."""

SETTINGS_KEYS: frozenset[str] = frozenset(KEYS.values())
"""The IPD's configuration keys."""

PAYOFF_KEYS: dict[str, str] = {"reward": "R", "sucker": "S", "temptation": "T", "punishment": "P"}


# ---------------------------------------------------------------------------
# Checks of single keys


def probability(value: Any) -> float:
    """`value` as a float if it is a JSON number in 0..1; ValueError otherwise."""
    if type(value) not in (int, float) or not 0 <= value <= 1:
        raise ValueError(f"expected a number in 0..1, got {show(value)}")
    return float(value)


def seconds(value: Any) -> float:
    """`value` as a float if it is a positive finite JSON number; ValueError otherwise."""
    return float(positive_number(value))


def _pairing(value: Any) -> Pairing:
    first, second = elements(array(value, "a pairing [A, B]", range(2, 3)), [name, name], tuple)
    if first == second:
        raise ValueError(f"a pairing needs two different players (no self-play), got {first} twice")
    return (first, second)


def pairings(value: Any) -> tuple[Pairing, ...]:
    """`value` as a tuple of pairings; ValueError (with the index of a bad one) otherwise."""
    return tuple(each(array(value, "a list of pairings [A, B]"), _pairing, tuple))


@attrs.frozen
class _PayoffKeys:
    """The four payoffs as they are written, before they are checked together."""

    reward: int
    sucker: int
    temptation: int
    punishment: int


_PAYOFF_CONVERTER = strict_converter()
register_json_object(_PAYOFF_CONVERTER, _PayoffKeys, PAYOFF_KEYS, dict.fromkeys(PAYOFF_KEYS, whole_number))


def payoffs(value: Any) -> Payoffs:
    """`value` as Payoffs if it is a JSON object of four whole numbers "R", "S", "T", "P" that make a dilemma."""
    keys = _PAYOFF_CONVERTER.structure(value, _PayoffKeys)
    problem = payoff_problem(keys.reward, keys.sucker, keys.temptation, keys.punishment)
    if problem is not None:
        raise ValueError(problem)
    return Payoffs(keys.reward, keys.sucker, keys.temptation, keys.punishment)


CHECKS: dict[str, Callable[[Any], Any]] = {
    "payoffs": payoffs,
    "min_rounds": lambda value: whole_number(value, 1),
    "end_probability": probability,
    "max_rounds": lambda value: whole_number(value, 1),
    "seed": seed_number,
    "noise": probability,
    "time_per_move": seconds,
    "forfeits_allowed": lambda value: whole_number(value, 0),
    "repetitions": lambda value: whole_number(value, 1),
    "pairings": pairings,
}
"""The check of each field's value (structuring it), for `register_json_object`; see also `check_rounds_together`."""


# ---------------------------------------------------------------------------
# Registration


def register_settings(converter: cattrs.Converter) -> None:
    """Teach the strict `converter` to structure IPDSettings from a JSON object of the IPD's keys."""
    register_json_object(converter, IPDSettings, KEYS, CHECKS)
    structure_fields = converter.get_structure_hook(IPDSettings)

    def structure(value: Any, type_: type) -> IPDSettings:
        check_rounds_together(value)
        return structure_fields(value, type_)

    converter.register_structure_hook(IPDSettings, structure)


def check_rounds_together(value: Any) -> None:
    """Refuse "min rounds" above "max rounds" in the JSON object `value`, naming "min rounds".

    Only when both are otherwise good (or left out): a bad value of either is
    reported by its own check. Raises a cattrs ClassValidationError, which
    `Common.strict.structure` renders as `... @ $.min rounds`.
    """
    if type(value) is not dict:
        return
    min_rounds = value.get("min rounds", DEFAULT_MIN_ROUNDS)
    max_rounds = value.get("max rounds", DEFAULT_MAX_ROUNDS)
    if type(min_rounds) is int and type(max_rounds) is int and 1 <= max_rounds < min_rounds:
        error = ValueError(_rounds_problem(min_rounds, max_rounds))
        error.add_note(AttributeValidationNote("Structuring class IPDSettings @ attribute min rounds", "min rounds", int))
        raise ClassValidationError("While structuring IPDSettings", [error], IPDSettings)


def read_settings(data: Any, converter: cattrs.Converter | None = None) -> IPDSettings:
    """The IPDSettings of the JSON object `data` (the IPD's keys only); StructureError naming the key otherwise."""
    if converter is None:
        converter = _CONVERTER
    return structure_with(data, IPDSettings, converter)


def _settings_converter() -> cattrs.Converter:
    converter = strict_converter()
    register_settings(converter)
    return converter


_CONVERTER = _settings_converter()
