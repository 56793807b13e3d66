"""Reading an event log (`events.ndjson`) back: one JSON object per line, a torn last line dropped.

`read_events(path)` returns the events and whether the last line was torn.
A line is torn when it is the last one and has no newline: the server was
killed while writing it (its writer writes each event and its newline at
once, so nothing after a newline can be complete). Every other line must be
one JSON object of finite numbers; anything else (a blank line, text that
is not JSON, `NaN`, `1e400`, an array) is refused with an EventLogError
that names the line's number. What the events say is not judged here: the
fold (`Admin/tournament_state.py`) does that.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


class EventLogError(ValueError):
    """A line of an event log that is not one JSON object; the message names its line number."""


def read_events(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The events of the log at `path`, in order, and whether a torn last line was dropped.

    OSError if the file cannot be read; EventLogError for a bad line.
    """
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    torn = lines[-1] != b""  # a file that ends in a newline splits into an empty last piece
    events = [parse_event(line, number) for number, line in enumerate(lines[:-1], start=1)]
    return events, torn


def parse_event(line: bytes, number: int) -> dict[str, Any]:
    """The event on line `number` (counted from 1), or EventLogError naming that line."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EventLogError(f"line {number}: not UTF-8 (byte {error.start + 1})") from None
    try:
        event = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise EventLogError(f"line {number}: not JSON: {error.msg} at column {error.colno}") from None
    except ValueError as error:  # a constant or a number refused above
        raise EventLogError(f"line {number}: not JSON: {error}") from None
    if type(event) is not dict:
        raise EventLogError(f"line {number}: an event is a JSON object, got {_kind(event)}")
    return event


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large to be a finite number")
    return value


def _kind(value: Any) -> str:
    if type(value) is list:
        return "an array"
    if type(value) is str:
        return "a string"
    if value is None:
        return "null"
    if type(value) is bool:
        return "true or false"
    return "a number"
