"""Strict JSON: structuring that coerces nothing, with errors that say where.

`strict_converter()` is a cattrs converter for which `true` is not a number,
`"5"` is not a number, a string is not a list, and an object must have
exactly the keys its class names. `structure` raises StructureError with one
line naming each offending value by its path (`$[1][2]`, `$.port`), as
`cattrs.transform_error` renders it. The building blocks (`whole_number`,
`array`, `elements`, ...) serve hand-written hooks, such as those of the wire
types in `Common/santorini/wire.py` and of the executables' configurations.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, get_origin, overload

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence, list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override
from cattrs.v import transform_error

from Common.participant import SIGN_UP

T = TypeVar("T")


class StructureError(ValueError):
    """A JSON value does not have the shape its type demands; the message is one line."""


OPTIONS_PLACE = 3
"""Where a sign-up holds its options object: `["sign-up", Name, Token, Options]` (Common.sign_up_options)."""
TOKEN_HIDDEN = "<token not shown>"
"""What `show` prints instead of a participant's token (no run of six token characters, so no piece of one)."""


def shorten(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters (ending in "...") when it is longer, for a one-line message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any, limit: int = 40) -> str:
    """`value` as the JSON text a person would recognise, every token hidden, cut to `limit` characters.

    The one way a participant's value is shown (in reasons, the log, events):
    a sign-up's token never appears, not even in part (see `hide_tokens`).
    """
    return _text(hide_tokens(value), limit)


def show_in_sign_up(value: Any, limit: int = 40) -> str:
    """`value`, a part of a sign-up after its name (its options, say), as `show` shows it there: every run of 16 or
    more token characters hidden, since any of them may be the token."""
    hider = _TokenHider()
    hider.after_sign_up = True
    return _text(hider.value(value), limit)


def _text(hidden: Any, limit: int) -> str:
    try:
        text = json.dumps(hidden, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(hidden)
    return shorten(text, limit)


_LONG_RUN = re.compile(r"[A-Za-z0-9_-]{16,}")
"""A run of token characters long enough to be a token (`Common.participant.is_token`)."""
_RUN = re.compile(r"[A-Za-z0-9_-]+")


def hide_tokens(value: Any) -> Any:
    """`value` with every token that may be a participant's secret replaced by TOKEN_HIDDEN.

    Read in the order of its JSON text: in a list tagged "sign-up" every
    element after the name is a token, whatever its type, but for an object
    in the fourth place (the sign-up's options, `["sign-up", Name, Token,
    Options]`), which is shown as every value after a sign-up is; after a "sign-up"
    string, anywhere, every run of 16 or more token characters is one (a name
    that long is hidden too, as it may be a token sent in its place); and in
    a string that holds the text "sign-up" (a sign-up written as text, maybe
    cut short), every run of token characters after the first one that
    follows it (the name).
    """
    return _TokenHider().value(value)


class _TokenHider:
    def __init__(self) -> None:
        self.after_sign_up = False

    def value(self, value: Any) -> Any:
        if type(value) is str:
            return self.string(value)
        if type(value) in (list, tuple):
            if len(value) > 0 and value[0] == SIGN_UP:
                self.after_sign_up = True
                return [
                    SIGN_UP,
                    *map(self.value, value[1:2]),
                    *[self.after_name(place, element) for place, element in enumerate(value[2:], 2)],
                ]
            return [self.value(element) for element in value]
        if type(value) is dict:
            return {self.value(key): self.value(element) for key, element in value.items()}
        return value

    def after_name(self, place: int, element: Any) -> Any:
        """The element at `place` of a sign-up, after its name: hidden, unless it is the options object (place 3)."""
        return self.value(element) if place == OPTIONS_PLACE and type(element) is dict else TOKEN_HIDDEN

    def string(self, text: str) -> str:
        start = text.find(SIGN_UP)
        if self.after_sign_up:
            text = _LONG_RUN.sub(TOKEN_HIDDEN, text) if start < 0 else _LONG_RUN.sub(TOKEN_HIDDEN, text[:start]) + text[start:]
        if start < 0:
            return text
        self.after_sign_up = True
        start = text.find(SIGN_UP) + len(SIGN_UP)
        runs = list(_RUN.finditer(text, start))
        name = runs[:1] if runs and len(runs[0][0]) < 16 else []
        hidden, end = [text[:start]], start
        for run in runs[len(name) :]:
            hidden += [text[end : run.start()], TOKEN_HIDDEN]
            end = run.end()
        return "".join(hidden) + text[end:]


def whole_number(value: Any, lowest: int | None = None, highest: int | None = None) -> int:
    """`value` if it is a JSON integer within the bounds; ValueError otherwise."""
    if type(value) is not int:
        raise ValueError(f"expected a whole number, got {show(value)}")
    if (lowest is not None and value < lowest) or (highest is not None and value > highest):
        bounds = f"in {lowest}..{highest}" if highest is not None else f">= {lowest}"
        raise ValueError(f"expected a whole number {bounds}, got {value}")
    return value


def seed(value: Any) -> int:
    """A configuration's "seed": a whole number >= 0 (one function, so that every game that has the key reads it alike)."""
    return whole_number(value, 0)


def string(value: Any, what: str) -> str:
    """`value` if it is a JSON string; ValueError describing it as `what` otherwise."""
    if type(value) is not str:
        raise ValueError(f"expected {what}, got {show(value)}")
    return value


NOT_FINITE = "a number too large to be finite"
"""How a message shows a number such as `1e400`, which `json` reads as infinity."""


def finite_number(value: Any) -> float:
    """`value` if it is a finite JSON number; ValueError otherwise."""
    if type(value) not in (int, float):
        raise ValueError(f"expected a number, got {show(value)}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {NOT_FINITE}")
    return value


def positive_number(value: Any) -> float:
    """`value` if it is a finite JSON number greater than 0; ValueError otherwise."""
    if type(value) not in (int, float) or not value > 0:
        raise ValueError(f"expected a positive number, got {show(value)}")
    return finite_number(value)


def odd_number(value: Any) -> int:
    """`value` if it is a positive odd JSON integer; ValueError otherwise."""
    if whole_number(value, 1) % 2 == 0:
        raise ValueError(f"expected an odd whole number, got {value}")
    return value


def array(value: Any, what: str, lengths: range | None = None) -> list:
    """`value` if it is a JSON array whose length is in `lengths`; ValueError otherwise."""
    if type(value) is not list:
        raise ValueError(f"expected {what} (a JSON array), got {show(value)}")
    if lengths is not None and len(value) not in lengths:
        if len(lengths) == 1:
            expected = str(lengths[0])
        elif lengths.step == 1:
            expected = f"{lengths[0]} to {lengths[-1]}"
        else:
            expected = " or ".join(map(str, lengths))
        raise ValueError(f"expected {what} of {expected} elements, got {len(value)}")
    return value


def elements(values: list, structure_each: Sequence[Callable[[Any], Any]], type_: Any) -> list:
    """Structure `values[i]` with `structure_each[i]`, reporting every failure with its index, the cattrs way."""
    results, errors = [], []
    for index, (value, structure_one) in enumerate(zip(values, structure_each, strict=True)):
        try:
            results.append(structure_one(value))
        except (ValueError, TypeError, BaseValidationError) as error:
            error.add_note(IterableValidationNote(f"Structuring {type_} @ index {index}", index, type_))
            errors.append(error)
    if errors:
        raise IterableValidationError(f"While structuring {type_}", errors, type_)
    return results


def each(values: list, structure_one: Callable[[Any], T], type_: Any) -> list[T]:
    """Structure every element of `values` alike (see `elements`)."""
    return elements(values, [structure_one] * len(values), type_)


def _strict_primitive(kind: type, description: str) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind and not (kind is float and type(value) is int):
            raise ValueError(f"expected {description}, got {show(value)}")
        return finite_number(value) if kind is float else value

    return structure


def _strict_sequence_factory(type_: Any, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    origin = get_origin(type_) or type_
    make = homogenous_tuple_structure_factory if origin is tuple else list_structure_factory
    structure_elements = make(type_, converter)

    def structure(value: Any, _: type) -> Any:
        return structure_elements(array(value, "a list"), type_)

    return structure


def strict_converter() -> cattrs.Converter:
    """A converter that coerces nothing: exact JSON types, lists only from arrays, no unknown keys."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(int, _strict_primitive(int, "a whole number"))
    converter.register_structure_hook(float, _strict_primitive(float, "a number"))
    converter.register_structure_hook(str, _strict_primitive(str, "a string"))
    converter.register_structure_hook(bool, _strict_primitive(bool, "true or false"))
    converter.register_structure_hook_factory(is_sequence, _strict_sequence_factory)
    return converter


def register_json_object(
    converter: cattrs.Converter,
    cls: type,
    keys: dict[str, str],
    checks: dict[str, Callable[[Any], Any]] | None = None,
) -> None:
    """Structure the attrs class `cls` from a JSON object.

    `keys` maps field names to JSON keys; `checks` maps field names to
    functions that structure (and range-check) that key's value.
    """
    checks = checks or {}
    overrides = {
        field: override(rename=key, struct_hook=value_hook(checks[field]) if field in checks else None) for field, key in keys.items()
    }
    # The overrides are keyword arguments named after cls's fields, which cattrs' types cannot say.
    structure_fields: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **overrides)  # type: ignore[arg-type]

    def structure(value: Any, _: type) -> Any:
        if type(value) is not dict:
            raise ValueError(f"expected a JSON object, got {show(value)}")
        try:
            return structure_fields(value, cls)
        except ClassValidationError as error:
            _name_keys(error, keys)
            for exception in error.exceptions:
                if isinstance(exception, ForbiddenExtraKeysError):
                    exception.known_keys = list(keys.values())  # type: ignore[attr-defined]  # for _describe
            raise

    converter.register_structure_hook(cls, structure)


def _name_keys(error: ClassValidationError, keys: dict[str, str]) -> None:
    """Make the paths of `error` name the JSON keys a person wrote, not the fields they are renamed to."""
    for exception in error.exceptions:
        exception.__notes__ = [
            AttributeValidationNote(note, keys.get(note.name, note.name), note.type) if isinstance(note, AttributeValidationNote) else note
            for note in getattr(exception, "__notes__", [])
        ]


def unknown_keys(keys: Iterable[str], known: Iterable[str], shown: Callable[[Any], str] = show) -> str:
    """The words that refuse `keys`, each with the key of `known` it is nearest to, if one is near enough.

    `unknown key "min player"; did you mean "min players"?` (several keys: `unknown key "a", "b"; did you
    mean "x" for "a"?`). Nearness is difflib's similarity of the lowercase keys, at least 0.6. Every key is
    shown by `shown` (a sign-up's keys by `show_in_sign_up`).
    """
    keys, known = sorted(keys), sorted(known)
    by_lowercase = {key.lower(): key for key in reversed(known)}
    nearest = {}
    for key in keys:
        close = difflib.get_close_matches(key.lower(), list(by_lowercase), n=1) if type(key) is str else []
        if close:
            nearest[key] = by_lowercase[close[0]]
    words = f"unknown key {', '.join(map(shown, keys))}"
    if len(keys) == 1 and nearest:
        return f"{words}; did you mean {shown(nearest[keys[0]])}?"
    if nearest:
        return f"{words}; did you mean {', '.join(f'{shown(meant)} for {shown(key)}' for key, meant in nearest.items())}?"
    return words


def _describe(error: BaseException, type_: type | None) -> str:
    if isinstance(error, ForbiddenExtraKeysError):
        known = getattr(error, "known_keys", None)
        if known is None:
            known = [field.name for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        return unknown_keys(error.extra_fields, known)
    if isinstance(error, KeyError):
        return "required key missing"
    return str(error)


def value_hook(check: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """A cattrs structure hook that ignores the type and lets `check` structure the value."""
    return lambda value, _: check(value)


def is_type(alias: Any) -> Callable[[Any], bool]:
    """A cattrs hook predicate: whether the type asked for is `alias` (a union or a NewType)."""
    return lambda type_: type_ == alias


@overload
def structure(data: Any, type_: type[T], converter: cattrs.Converter) -> T: ...
@overload
def structure(data: Any, type_: Any, converter: cattrs.Converter) -> Any: ...
def structure(data: Any, type_: Any, converter: cattrs.Converter) -> Any:
    """`data` as a value of `type_`, or StructureError naming what is wrong and where."""
    try:
        return converter.structure(data, type_)
    except (ValueError, TypeError, BaseValidationError) as error:
        message = "; ".join(transform_error(error, format_exception=_describe))
        raise StructureError(_INNER_PATH.sub(r" @ \2\1", message)) from None


_INNER_PATH = re.compile(r" @ (\.[^@;]+) @ (\$[^@;]*)")
"""A check names a key inside its value (`... @ .rounds`), then cattrs the value's own (`@ $.format`):
one path, `@ $.format.rounds`."""


def parse_document(text: str, type_: type[T], converter: cattrs.Converter) -> T:
    """The JSON document `text` as a `type_`, or StructureError saying what is wrong and where."""
    return structure(load_document(text), type_, converter)


def load_document(text: str) -> Any:
    """The JSON value of the document `text` (NaN and Infinity refused), or StructureError."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise StructureError(f"not JSON: {error}") from None


def _no_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")
