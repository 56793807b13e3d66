"""Cutting a byte stream into JSON values, and the one way we write a value.

Sans-IO, the way h11 does it: a JSONStreamDecoder is fed bytes as they arrive
and asked for the next complete value; it never reads, sleeps or looks at a
clock, and it knows nothing about what the values mean.

The stream is a sequence of JSON values separated by optional white space
(space, tab, line feed, carriage return). A value may be pretty-printed over
many lines, may arrive one byte at a time and need not end in a newline: an
array, object or string ends at its closing character; a top-level number or
literal (`42`, `true`) ends at white space, at the start of the next value, or
at the end of the stream.

A *message* is one value together with the white space before it: it starts
at the first byte after the previous value. Byte positions in error messages
count from the start of the stream, from 0.
"""

from __future__ import annotations

import enum
import gc
import json
import math
import re
from collections.abc import Mapping
from typing import Final, Protocol, TypeVar, cast

T = TypeVar("T")

DEFAULT_MAX_DEPTH: Final = 64
_BIG_VALUE_BYTES: Final = 1 << 20


class ErrorKind(enum.StrEnum):
    """What was wrong with the bytes, for callers that react differently."""

    TOO_LONG = "too long"
    BAD_UTF8 = "bad UTF-8"
    MALFORMED = "malformed JSON"
    NOT_FINITE = "not finite"
    TOO_DEEP = "too deep"
    UNFINISHED = "unfinished"


class ProtocolError(Exception):
    """The bytes are not a stream of JSON values within the limits.

    `str(error)` is one line a person can read; `error.kind` says which rule
    was broken.
    """

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


class _Sentinel(enum.Enum):
    NEED_DATA = "NEED_DATA"


NEED_DATA: Final = _Sentinel.NEED_DATA
"""What `next_value` returns when the bytes so far hold no further complete value."""

_ENCODER: Final = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def encode(value: object) -> bytes:
    """One message as we send it: compact JSON, then a newline.

    ASCII only (`\\u` escapes), so that every Python string, even one holding
    a lone surrogate received from a peer, can be sent back; ASCII is UTF-8.
    Raises ValueError for NaN or infinities, TypeError for non-JSON values.
    """
    return (_ENCODER.encode(value) + "\n").encode("ascii")


class _NotFinite(ValueError):
    """Raised from inside the json parser; becomes a ProtocolError."""


def _reject_constant(name: str) -> object:
    raise _NotFinite("NaN/Infinity are not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise _NotFinite(f"number out of range: {shown}")
    return number


_QUOTE: Final = ord('"')
_OPENERS: Final = frozenset(b"[{")
_STRAYS: Final = frozenset(b"]},:")
_TOKEN_FIRST: Final = frozenset(b"-0123456789tfnNI")  # N, I: report NaN and Infinity as such
_UTF8_LEAD: Final = frozenset(range(0xC2, 0xF5))


class _Skipper(Protocol):
    """A compiled pattern that matches the empty string, so that `match` never answers None."""

    def match(self, string: bytes | bytearray, pos: int = ..., endpos: int = ..., /) -> re.Match[bytes]: ...


def _skipper(pattern: bytes, flags: int = 0) -> _Skipper:
    """`pattern` (which matches the empty string) compiled, typed as such."""
    compiled = re.compile(pattern, flags)
    if compiled.match(b"") is None:
        raise ValueError(f"a skipping pattern must match the empty string: {pattern!r}")
    return cast(_Skipper, compiled)


_WHITE_SPACE: Final = _skipper(rb"[ \t\n\r]*+")
_TOKEN: Final = _skipper(rb'[^ \t\n\r\[\]{}",:]*+')
# The rest of a string after its opening quote, up to (not including) the
# closing quote; stops early at a backslash that is the last byte available.
_STRING_BODY: Final = rb'[^"\\]*+(?:\\.[^"\\]*+)*+'
_STRING_REST: Final = _skipper(_STRING_BODY, re.DOTALL)
# Inside an array or object: everything up to the next bracket, skipping whole
# strings. The second pattern also skips whole innermost arrays and objects,
# so that a big value of small arrays costs one C call per outer bracket.
# (Loops unrolled as "plain (special plain)*": a third faster than alternation.)
_PLAIN: Final = rb'[^\[\]{}"]*+'
_FLAT: Final = _PLAIN + rb'(?:"' + _STRING_BODY + rb'"' + _PLAIN + rb")*+"
_SKIP: Final = _skipper(_FLAT, re.DOTALL)
_SKIP_INNERMOST: Final = _skipper(_PLAIN + rb'(?:(?:"' + _STRING_BODY + rb'"|[\[{]' + _FLAT + rb"[\]}])" + _PLAIN + rb")*+", re.DOTALL)


class JSONStreamDecoder:
    """Feed it bytes; ask it for values.

    The structure of the stream (where each value ends, how deep it nests,
    how long its message is) is found by a scanner that resumes where it
    stopped, so no byte is looked at again when more arrive; each complete
    value is then parsed once by `json`. Garbage inside an unfinished array or
    object is therefore reported when it closes, at the length limit, or at
    the end of the stream. After a ProtocolError every call raises it again.
    """

    def __init__(self, max_message_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if max_message_bytes < 1:
            raise ValueError(f"max_message_bytes must be positive, got {max_message_bytes}")
        if max_depth < 0:
            raise ValueError(f"max_depth must not be negative, got {max_depth}")
        self._max_bytes = max_message_bytes
        self._max_depth = max_depth
        self._json = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
        self._buffer = bytearray()
        self._discarded = 0  # stream position of _buffer[0]
        self._closed = False
        self._error: ProtocolError | None = None
        self._start_message(0)

    def _start_message(self, at: int) -> None:
        self._message_start = at  # indices into _buffer
        self._scanned = at  # everything before this has been scanned
        self._value_start: int | None = None  # the first byte that is not white space
        self._value_end: int | None = None  # known once the value is complete
        self._token = False  # the value is a top-level number or literal
        self._depth = 0
        self._in_string = False

    # ------------------------------------------------------------------ API

    def feed(self, data: bytes | bytearray) -> None:
        """Add the next bytes of the stream."""
        if self._error is not None:
            self._raise_if_dead()
        if self._closed:
            raise RuntimeError("feed() after close()")
        shift = self._message_start
        if shift:  # drop the messages already returned; cheap at the front of a bytearray
            del self._buffer[:shift]
            self._discarded += shift
            self._message_start = 0
            self._scanned -= shift
            if self._value_start is not None:
                self._value_start -= shift
            if self._value_end is not None:
                self._value_end -= shift
        self._buffer += data

    def next_value(self) -> object:
        """The next complete value, or NEED_DATA; raises ProtocolError on garbage."""
        if self._error is not None:
            self._raise_if_dead()
        if self._scanned == len(self._buffer) and not self._closed:
            return NEED_DATA  # every byte scanned, and no value ended among them
        try:
            if self._value_start is None and not self._closed:
                value = self._value_on_one_line()
                if value is not NEED_DATA:
                    return value
            if not self._find_end():
                return NEED_DATA
            assert self._value_start is not None and self._value_end is not None
            value = self._parse(self._value_start, self._value_end)
        except ProtocolError as error:
            self._error = error
            raise
        self._start_message(self._value_end)
        return value

    def close(self) -> None:
        """The stream has ended; a top-level number or literal just before the end is complete.

        Raises ProtocolError when the next value is unfinished; an unfinished
        value after complete ones is reported by `next_value` once they are taken.
        """
        self._raise_if_dead()
        self._closed = True
        try:
            self._find_end()
        except ProtocolError as error:
            self._error = error
            raise

    def take_known(self, known: Mapping[bytes, T]) -> T | _Sentinel | None:
        """The cheapest case: the bytes not yet taken are exactly one message of `known`; take it and give what `known` says of it.

        The keys of `known` are whole messages as `encode` writes them, a
        value in compact JSON with no array or object inside it, then a
        newline. When what is left in the buffer (after the white space
        already scanned) is one of them, its value is taken as `next_value`
        would take it, and `known`'s entry for it is returned: what the
        caller makes of that value. NEED_DATA when `next_value` would say so
        at once: nothing came since. Otherwise (anything else or more in the
        buffer, a value begun, the stream closed, an error) nothing is taken
        and the answer is None: ask `next_value`.
        """
        if self._value_start is not None or self._closed or self._error is not None:
            return None
        buffer = self._buffer
        size = len(buffer)
        scanned = self._scanned
        if scanned == size:
            return NEED_DATA
        entry = known.get(bytes(buffer[scanned:]) if scanned else bytes(buffer))
        if entry is None or size - 1 - self._message_start > self._max_bytes or self._max_depth < 1:
            return None
        self._message_start = size - 1  # _start_message(size - 1): the value ends before its newline, white space before the next;
        self._scanned = size  # no value had begun, so the rest of the state is as _start_message leaves it
        return entry

    def value_pending(self) -> bool:
        """Do the buffered bytes hold a further value, complete or begun?"""
        if self._error is not None:
            self._raise_if_dead()
        if self._value_start is not None:
            return True
        if self._scanned == len(self._buffer):
            return False
        self._scanned = _WHITE_SPACE.match(self._buffer, self._scanned).end()
        return self._scanned < len(self._buffer)

    # ------------------------------------------------------------ internals

    def _raise_if_dead(self) -> None:
        if self._error is not None:
            raise ProtocolError(str(self._error), self._error.kind)

    def _error_at(self, kind: ErrorKind, what: str, index: int) -> ProtocolError:
        return ProtocolError(f"{what} at byte {self._discarded + index}", kind)

    def _too_long(self) -> ProtocolError:
        return ProtocolError(f"message longer than {self._max_bytes} bytes", ErrorKind.TOO_LONG)

    def _too_deep(self, index: int) -> ProtocolError:
        return self._error_at(ErrorKind.TOO_DEEP, f"nesting deeper than {self._max_depth} levels", index)

    def _value_on_one_line(self) -> object:
        """The common case, a whole value on one line, with one call to `json`.

        Anything unusual (an error, a value spanning lines, two values on the
        line, a value that may be too deep) is left to the scanner, so this
        returns a value only when the scanner would return the same one.
        """
        buffer = self._buffer
        start = self._scanned = _WHITE_SPACE.match(buffer, self._scanned).end()
        newline = buffer.find(b"\n", start)
        if newline < 0:
            return NEED_DATA
        line = buffer[start:newline].rstrip(b" \t\r")
        end = start + len(line)
        if end - self._message_start > self._max_bytes or line.count(b"[") + line.count(b"{") > self._max_depth:
            return NEED_DATA
        try:
            text = line.decode("utf-8")
            value, stop = self._json.raw_decode(text)
        except (ValueError, RecursionError):  # ValueError includes the decoding errors, _NotFinite
            return NEED_DATA
        if stop != len(text):
            return NEED_DATA
        self._start_message(end)
        return value

    def _find_end(self) -> bool:
        """Scan on from where the last call stopped; True when the current value is complete."""
        if self._value_end is not None:
            return True
        buffer = self._buffer
        size = len(buffer)
        limit = self._message_start + self._max_bytes  # the message must end by this index
        if self._value_start is None:
            start = self._scanned = _WHITE_SPACE.match(buffer, self._scanned).end()
            if start == size:
                if not self._closed and start - self._message_start > self._max_bytes:
                    raise self._too_long()
                return False
            if start >= limit:
                raise self._too_long()
            self._value_start = start
            self._begin_value(buffer[start], start)
        if self._token:
            return self._find_token_end(buffer, size, limit)
        return self._find_closing(buffer, size, limit)

    def _begin_value(self, first: int, at: int) -> None:
        if first in _OPENERS:
            self._depth = 1
            if self._max_depth < 1:
                raise self._too_deep(at)
            self._scanned = at + 1
        elif first == _QUOTE:
            self._in_string = True
            self._scanned = at + 1
        elif first in _TOKEN_FIRST:
            self._token = True
        elif first in _STRAYS:
            raise self._error_at(ErrorKind.MALFORMED, f"malformed JSON: unexpected {chr(first)!r}", at)
        elif first >= 0x80 and first not in _UTF8_LEAD:
            raise self._error_at(ErrorKind.BAD_UTF8, "invalid UTF-8 in message", at)
        else:
            raise self._error_at(ErrorKind.MALFORMED, "malformed JSON: Expecting value", at)

    def _find_token_end(self, buffer: bytearray, size: int, limit: int) -> bool:
        end = _TOKEN.match(buffer, self._scanned, limit + 1).end()
        if end > limit:
            raise self._too_long()
        if end == size and not self._closed:
            self._scanned = end
            return False
        self._value_end = end
        return True

    def _find_closing(self, buffer: bytearray, size: int, limit: int) -> bool:
        """Find the bracket or quote that closes the current array, object or string."""
        position, depth, in_string = self._scanned, self._depth, self._in_string
        max_depth = self._max_depth
        stop = min(size, limit)
        complete = False
        while position < stop:
            if in_string:
                position = _STRING_REST.match(buffer, position, stop).end()
                if position == stop or buffer[position] != _QUOTE:
                    break  # the bytes end inside the string, maybe right after a backslash
                position += 1
                in_string = False
                if depth == 0:
                    complete = True
                    break
            else:
                skip = _SKIP_INNERMOST if depth < max_depth else _SKIP
                position = skip.match(buffer, position, stop).end()
                if position == stop:
                    break
                byte = buffer[position]
                position += 1
                if byte == _QUOTE:
                    in_string = True
                elif byte in _OPENERS:
                    depth += 1
                    if depth > max_depth:
                        raise self._too_deep(position - 1)
                else:
                    depth -= 1
                    if depth == 0:
                        complete = True
                        break
        self._scanned, self._depth, self._in_string = position, depth, in_string
        if complete:
            self._value_end = position
            return True
        if size > limit:
            raise self._too_long()
        if self._closed:
            raise ProtocolError("end of stream inside an unfinished value", ErrorKind.UNFINISHED)
        return False

    def _parse(self, start: int, end: int) -> object:
        raw = self._buffer[start:end]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            at = start + error.start
            raise self._error_at(ErrorKind.BAD_UTF8, "invalid UTF-8 in message", at) from None
        # Parsing a big value makes millions of small lists, each of which
        # would trigger the cyclic garbage collector; pausing it triples speed.
        pause_collector = end - start > _BIG_VALUE_BYTES and gc.isenabled()
        if pause_collector:
            gc.disable()
        try:
            value, stop = self._json.raw_decode(text)
        except _NotFinite as error:
            raise ProtocolError(str(error), ErrorKind.NOT_FINITE) from None
        except json.JSONDecodeError as error:
            what = error.msg.removesuffix(" at")  # "Invalid control character at"
            at = start + len(text[: error.pos].encode("utf-8"))
            raise self._error_at(ErrorKind.MALFORMED, f"malformed JSON: {what}", at) from None
        except ValueError as error:  # an integer with too many digits for int()
            what = str(error).split(";")[0]
            raise ProtocolError(f"malformed JSON: {what}", ErrorKind.MALFORMED) from None
        except RecursionError:  # only when max_depth is set above what Python can follow
            raise self._error_at(ErrorKind.TOO_DEEP, "nesting too deep for the JSON parser", start) from None
        finally:
            if pause_collector:
                gc.enable()
        if stop != len(text):
            at = start + len(text[:stop].encode("utf-8"))
            raise self._error_at(ErrorKind.MALFORMED, "malformed JSON: Extra data", at)
        return value
