"""Remote.framing: a stream of JSON values in, the same values out, and every kind of garbage named."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Remote.framing import NEED_DATA, ErrorKind, JSONStreamDecoder, ProtocolError, encode

ROOMY = 1 << 20


def decode(chunks: Iterable[bytes], max_message_bytes: int = ROOMY, max_depth: int = 64) -> list[object]:
    """Feed the chunks the way a reader does, then end the stream; all values in order."""
    decoder = JSONStreamDecoder(max_message_bytes, max_depth)
    values = []
    for chunk in chunks:
        decoder.feed(chunk)
        while (value := decoder.next_value()) is not NEED_DATA:
            values.append(value)
    decoder.close()
    while (value := decoder.next_value()) is not NEED_DATA:
        values.append(value)
    return values


def outcome(chunks: Iterable[bytes], max_message_bytes: int = ROOMY) -> tuple[list[object], str | None]:
    """The values decoded before the first error, and that error's message."""
    decoder = JSONStreamDecoder(max_message_bytes)
    values: list[object] = []
    try:
        for chunk in chunks:
            decoder.feed(chunk)
            while (value := decoder.next_value()) is not NEED_DATA:
                values.append(value)
        decoder.close()
        while (value := decoder.next_value()) is not NEED_DATA:
            values.append(value)
    except ProtocolError as error:
        return values, str(error)
    return values, None


def single_bytes(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def split_at(data: bytes, points: Iterable[int]) -> list[bytes]:
    cuts = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(cuts)]


# ------------------------------------------------------------- strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
white_space = st.text(alphabet=" \t\n\r", max_size=3)


def is_bare(value: object) -> bool:
    """A top-level number or literal, which needs white space before another one."""
    return value is None or isinstance(value, (bool, int, float))


@st.composite
def json_streams(draw: st.DrawFn) -> tuple[list[object], bytes]:
    """Values and one way of writing them: compact or pretty, ASCII or not, random gaps."""
    values = draw(st.lists(json_values, max_size=6))
    parts = []
    previous_bare = False
    for value in values:
        indent = draw(st.sampled_from([None, 2, "\t"]))
        separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
        text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=draw(st.booleans()))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: only the escaped form is UTF-8
            text = json.dumps(value, indent=indent, separators=separators)
        gap = draw(white_space)
        if previous_bare and is_bare(value) and not gap:
            gap = " "
        parts += [gap, text]
        previous_bare = is_bare(value)
    parts.append(draw(white_space))
    return json.loads(json.dumps(values)), "".join(parts).encode("utf-8")


# ------------------------------------------------------ properties: values


@settings(max_examples=150)
@given(json_streams(), st.data())
def test_a_stream_cut_anywhere_decodes_to_its_values(stream: tuple[list[object], bytes], data: st.DataObject) -> None:
    values, encoded = stream
    points = data.draw(st.lists(st.integers(0, len(encoded)), max_size=8))
    assert decode(split_at(encoded, points)) == values


@settings(max_examples=60)
@given(json_streams())
def test_a_stream_fed_one_byte_at_a_time_decodes_to_its_values(stream: tuple[list[object], bytes]) -> None:
    values, encoded = stream
    assert decode(single_bytes(encoded)) == values


@given(json_streams())
def test_a_stream_fed_in_one_piece_decodes_to_its_values(stream: tuple[list[object], bytes]) -> None:
    values, encoded = stream
    assert decode([encoded]) == values


@given(st.lists(json_values, max_size=6), st.data())
def test_what_encode_writes_decodes_to_the_same_values(values: list[object], data: st.DataObject) -> None:
    encoded = b"".join(encode(value) for value in values)
    points = data.draw(st.lists(st.integers(0, len(encoded)), max_size=8))
    assert decode(split_at(encoded, points)) == json.loads(json.dumps(values))


# Fragments that make garbage interesting: brackets, strings, escapes, tokens, bad bytes.
garbage_fragments = st.sampled_from(
    [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b" ", b"\n", b"1", b"-", b"2.5e3",
     b"true", b"nul", b"NaN", b"Infinity", b'"a"', b"\xc3\xa9", b"\xc3", b"\xff", b"x"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(garbage_fragments, max_size=30).map(b"".join), st.integers(4, 40), st.data())
def test_the_outcome_of_any_bytes_does_not_depend_on_the_chunks(data_bytes: bytes, limit: int, data: st.DataObject) -> None:
    points = data.draw(st.lists(st.integers(0, len(data_bytes)), max_size=8))
    whole = outcome([data_bytes], limit)
    assert outcome(split_at(data_bytes, points), limit) == whole
    assert outcome(single_bytes(data_bytes), limit) == whole


# ------------------------------------------------- examples: the format


def test_a_value_split_into_single_bytes_decodes() -> None:
    data = '{"a": [1, "é€𝄞"], "b": null}\n'.encode()
    assert decode(single_bytes(data)) == [{"a": [1, "é€𝄞"], "b": None}]


def test_a_multi_byte_character_split_across_chunks_decodes() -> None:
    assert decode([b'["\xe2', b"\x82", b'\xac"]']) == [["€"]]


def test_a_pretty_printed_value_decodes() -> None:
    pretty = json.dumps({"board": [[0, 1], [2, "0alice1"]]}, indent=2).encode()
    assert b"\n" in pretty
    assert decode([pretty + b"\n"]) == [{"board": [[0, 1], [2, "0alice1"]]}]


def test_values_need_no_newline_between_them() -> None:
    assert decode([b'[1]{"a":2}"s"3 true[]']) == [[1], {"a": 2}, "s", 3, True, []]


def test_a_top_level_number_ends_at_the_start_of_the_next_value() -> None:
    assert decode([b'1"a"2[3]4{"b":5}null']) == [1, "a", 2, [3], 4, {"b": 5}, None]


def test_a_top_level_number_waits_for_what_follows_it() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"12")
    assert decoder.next_value() is NEED_DATA
    decoder.feed(b"34\n")
    assert decoder.next_value() == 1234


def test_a_top_level_number_at_the_end_of_the_stream_is_complete() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"[1] -4.5e1")
    assert decoder.next_value() == [1]
    assert decoder.next_value() is NEED_DATA
    decoder.close()
    assert decoder.next_value() == -45.0
    assert decoder.next_value() is NEED_DATA


def test_several_values_in_one_chunk_come_out_one_at_a_time() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b'[1]\n[2]\n"three"\n')
    assert [decoder.next_value() for _ in range(4)] == [[1], [2], "three", NEED_DATA]


def test_a_duplicate_key_keeps_the_last_value() -> None:
    assert decode([b'{"a":1,"a":2}']) == [{"a": 2}]


def test_brackets_and_escaped_quotes_inside_strings_are_text() -> None:
    assert decode(single_bytes(b'["]", "[{", "\\"]", "\\\\"] "}"')) == [["]", "[{", '"]', "\\"], "}"]


def test_value_pending_says_whether_a_further_value_has_begun() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"[1]\n[2]\n \n[3")
    assert decoder.value_pending()
    assert decoder.next_value() == [1]
    assert decoder.value_pending()
    assert decoder.next_value() == [2]
    assert decoder.value_pending()  # "[3" has begun
    assert decoder.next_value() is NEED_DATA
    decoder.feed(b"]\n\t")
    assert decoder.next_value() == [3]
    assert not decoder.value_pending()


# ------------------------------------------------- examples: the length limit

LIMIT = 16
EXACT = b'["abcdefghijkl"]'  # 16 bytes
ONE_MORE = b'["abcdefghijklm"]'  # 17 bytes
ways_to_deliver = pytest.mark.parametrize("deliver", [lambda data: [data], single_bytes], ids=["one chunk", "single bytes"])


@ways_to_deliver
def test_a_message_of_exactly_the_limit_is_accepted(deliver) -> None:
    assert len(EXACT) == LIMIT
    assert decode(deliver(EXACT + b"\n"), LIMIT) == [["abcdefghijkl"]]
    assert decode(deliver(EXACT), LIMIT) == [["abcdefghijkl"]]


@ways_to_deliver
@pytest.mark.parametrize(
    "data",
    [
        ONE_MORE + b"\n",  # complete, newline and all, in one chunk
        ONE_MORE,  # no newline
        b" " + EXACT + b"\n",  # the white space before a value counts
        b'[\n"abcdefghijkl"]',  # pretty-printed
        b"12345678901234567\n",  # a top-level number
        b"12345678901234567",  # ... ended by the end of the stream
    ],
    ids=["compact", "no newline", "leading white space", "pretty", "number", "number at the end"],
)
def test_a_message_one_byte_over_the_limit_is_refused(deliver, data: bytes) -> None:
    assert outcome(deliver(data), LIMIT) == ([], f"message longer than {LIMIT} bytes")


def test_the_newline_after_a_message_counts_towards_the_next_one() -> None:
    assert outcome([b"[1]\n" + EXACT + b"\n"], LIMIT) == ([[1]], f"message longer than {LIMIT} bytes")
    assert outcome([b"[1]" + EXACT + b"\n"], LIMIT) == ([[1], ["abcdefghijkl"]], None)


def test_white_space_after_a_value_on_its_line_counts_towards_the_next_message() -> None:
    fourteen = b'["abcdefghij"]'
    assert outcome([b"[1] \n" + fourteen + b"\n"], LIMIT) == ([[1], ["abcdefghij"]], None)
    assert outcome([b"[1]  \n" + fourteen + b"\n"], LIMIT) == ([[1]], f"message longer than {LIMIT} bytes")


def test_a_number_of_exactly_the_limit_is_accepted() -> None:
    assert decode([b"1234567890123456 "], LIMIT) == [1234567890123456]
    assert decode([b"1234567890123456"], LIMIT) == [1234567890123456]


def test_an_unfinished_message_fails_as_soon_as_it_passes_the_limit() -> None:
    decoder = JSONStreamDecoder(LIMIT)
    decoder.feed(EXACT[:-1] + b"x")  # 16 bytes, still open
    assert decoder.next_value() is NEED_DATA
    decoder.feed(b"]")  # would close it at 17 bytes
    with pytest.raises(ProtocolError, match=r"^message longer than 16 bytes$") as raised:
        decoder.next_value()
    assert raised.value.kind is ErrorKind.TOO_LONG


def test_white_space_alone_past_the_limit_fails() -> None:
    decoder = JSONStreamDecoder(LIMIT)
    decoder.feed(b" " * LIMIT)
    assert decoder.next_value() is NEED_DATA
    decoder.feed(b" ")
    with pytest.raises(ProtocolError, match=r"^message longer than 16 bytes$"):
        decoder.next_value()


def test_a_value_that_starts_past_the_limit_fails_whatever_it_is() -> None:
    assert outcome([b" " * LIMIT + b"]"], LIMIT) == ([], f"message longer than {LIMIT} bytes")


def test_a_mebibyte_without_a_newline_fails_once_the_limit_is_passed() -> None:
    limit = 64 * 1024
    attack = b'["' + b"a" * (1024 * 1024)
    decoder = JSONStreamDecoder(limit)
    fed = 0
    with pytest.raises(ProtocolError, match=r"^message longer than 65536 bytes$"):
        for start in range(0, len(attack), limit):
            decoder.feed(attack[start : start + limit])
            fed += limit
            assert decoder.next_value() is NEED_DATA
    assert fed == 2 * limit  # the first 64 KiB fit, the second pass the limit


def test_a_mebibyte_in_one_chunk_fails() -> None:
    assert outcome([b"[" + b"1," * (512 * 1024)], 64 * 1024) == ([], "message longer than 65536 bytes")


# ------------------------------------------------- examples: garbage

garbage = pytest.mark.parametrize(
    ("chunks", "message", "kind"),
    [
        ([b'"\xff"\n'], "invalid UTF-8 in message at byte 1", ErrorKind.BAD_UTF8),
        ([b'["\xe2\x82', b'"]\n'], "invalid UTF-8 in message at byte 2", ErrorKind.BAD_UTF8),
        ([b'"\xc0\xaf"'], "invalid UTF-8 in message at byte 1", ErrorKind.BAD_UTF8),  # overlong
        ([b'"\xed\xa0\x80"'], "invalid UTF-8 in message at byte 1", ErrorKind.BAD_UTF8),  # surrogate
        ([b"\xff"], "invalid UTF-8 in message at byte 0", ErrorKind.BAD_UTF8),
        ([b"[1 2]\n"], "malformed JSON: Expecting ',' delimiter at byte 3", ErrorKind.MALFORMED),
        ([b'["\xc3\xa9", 1 2]'], "malformed JSON: Expecting ',' delimiter at byte 9", ErrorKind.MALFORMED),
        ([b'{"a" 1}'], "malformed JSON: Expecting ':' delimiter at byte 5", ErrorKind.MALFORMED),
        ([b"[1,]"], "malformed JSON: Expecting value at byte 3", ErrorKind.MALFORMED),
        ([b"[1}"], "malformed JSON: Expecting ',' delimiter at byte 2", ErrorKind.MALFORMED),
        ([b"hello"], "malformed JSON: Expecting value at byte 0", ErrorKind.MALFORMED),
        ([b"'single'\n"], "malformed JSON: Expecting value at byte 0", ErrorKind.MALFORMED),
        ([b"tru\n"], "malformed JSON: Expecting value at byte 0", ErrorKind.MALFORMED),
        ([b"01\n"], "malformed JSON: Extra data at byte 1", ErrorKind.MALFORMED),
        ([b'"a\nb"'], "malformed JSON: Invalid control character at byte 2", ErrorKind.MALFORMED),
        ([b'"\\x"'], "malformed JSON: Invalid \\escape at byte 1", ErrorKind.MALFORMED),
        ([b"NaN\n"], "NaN/Infinity are not JSON", ErrorKind.NOT_FINITE),
        ([b"[Infinity]"], "NaN/Infinity are not JSON", ErrorKind.NOT_FINITE),
        ([b'{"a":-Infinity}'], "NaN/Infinity are not JSON", ErrorKind.NOT_FINITE),
        ([b"1e400\n"], "number out of range: 1e400", ErrorKind.NOT_FINITE),
        ([b"[" * 65 + b"]" * 65], "nesting deeper than 64 levels at byte 64", ErrorKind.TOO_DEEP),
        ([b"[" * 65 + b"]" * 65 + b"\n"], "nesting deeper than 64 levels at byte 64", ErrorKind.TOO_DEEP),
        ([b'{"a":' * 65 + b"1" + b"}" * 65], "nesting deeper than 64 levels at byte 320", ErrorKind.TOO_DEEP),
        ([b"[1, 2"], "end of stream inside an unfinished value", ErrorKind.UNFINISHED),
        ([b'"abc\\'], "end of stream inside an unfinished value", ErrorKind.UNFINISHED),
        ([b'{"a":'], "end of stream inside an unfinished value", ErrorKind.UNFINISHED),
        ([b"]"], "malformed JSON: unexpected ']' at byte 0", ErrorKind.MALFORMED),
        ([b"}\n"], "malformed JSON: unexpected '}' at byte 0", ErrorKind.MALFORMED),
        ([b", 1"], "malformed JSON: unexpected ',' at byte 0", ErrorKind.MALFORMED),
    ],
)


@garbage
@pytest.mark.parametrize("deliver", ["as given", "single bytes"])
def test_each_kind_of_garbage_is_named(chunks: list[bytes], message: str, kind: ErrorKind, deliver: str) -> None:
    if deliver == "single bytes":
        chunks = single_bytes(b"".join(chunks))
    with pytest.raises(ProtocolError) as raised:
        decode(chunks)
    assert str(raised.value) == message
    assert raised.value.kind is kind


def test_sixty_four_levels_of_nesting_are_accepted() -> None:
    deep = b"[" * 64 + b"]" * 64
    assert decode([deep]) == decode([deep + b"\n"]) == [json.loads(deep)]
    assert decode(single_bytes(deep)) == [json.loads(deep)]


@pytest.mark.parametrize("end", [b"", b"\n"], ids=["no newline", "newline"])
def test_nesting_beyond_what_python_can_parse_is_refused_even_when_allowed(end: bytes) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000 + end
    with pytest.raises(ProtocolError, match=r"^nesting too deep for the JSON parser at byte 0$"):
        decode([deep], max_depth=1_000_000)


def test_a_stray_closing_bracket_after_a_value_is_garbage() -> None:
    assert outcome([b"[1]]\n"]) == ([[1]], "malformed JSON: unexpected ']' at byte 3")


def test_positions_count_from_the_start_of_the_stream() -> None:
    assert outcome([b"[0]\n", b"[1 2]\n"]) == ([[0]], "malformed JSON: Expecting ',' delimiter at byte 7")


def test_close_reports_an_unfinished_value_at_once() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"  [1, 2")
    with pytest.raises(ProtocolError, match=r"^end of stream inside an unfinished value$"):
        decoder.close()


def test_close_leaves_complete_values_to_take_before_an_unfinished_one() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"[1] [2")
    decoder.close()
    assert decoder.next_value() == [1]
    with pytest.raises(ProtocolError, match=r"^end of stream inside an unfinished value$"):
        decoder.next_value()


def test_white_space_before_the_end_of_the_stream_is_no_value() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"[1] \n\t\r ")
    decoder.close()
    assert decoder.next_value() == [1]
    assert decoder.next_value() is NEED_DATA


def test_after_an_error_every_call_raises_it_again() -> None:
    decoder = JSONStreamDecoder(ROOMY)
    decoder.feed(b"[1 2]\n[3]\n")
    message = "malformed JSON: Expecting ',' delimiter at byte 3"
    calls = [decoder.next_value, decoder.close, decoder.value_pending, lambda: decoder.feed(b"1")]
    for call in calls:
        with pytest.raises(ProtocolError) as raised:
            call()
        assert str(raised.value) == message


def test_a_big_value_in_64_kib_chunks_decodes() -> None:
    value = [["alice", "bob", "irregular"], ["carol", "dave"], {"]": '[\\"'}] * 50_000
    encoded = encode(value)
    assert len(encoded) > 2 * 1024 * 1024
    assert decode(split_at(encoded, range(0, len(encoded), 64 * 1024)), 64 * 1024 * 1024) == [value]


@pytest.mark.parametrize("tail", [b"]", b", oops]"], ids=["good", "malformed"])
def test_a_big_value_leaves_the_garbage_collector_as_it_was(tail: bytes) -> None:
    assert gc.isenabled()
    with contextlib.suppress(ProtocolError):
        decode([b"[" + b"[1]," * (512 * 1024) + b"[2]" + tail], 64 * 1024 * 1024)
    assert gc.isenabled()


# ------------------------------------------------- encode


def test_encode_writes_compact_json_and_one_newline() -> None:
    assert encode({"a": [1, "x y"], "b": None}) == b'{"a":[1,"x y"],"b":null}\n'


def test_encode_escapes_newlines_and_non_ascii() -> None:
    encoded = encode(["line\nbreak", "é", "\ud800"])
    assert encoded.count(b"\n") == 1 and encoded.endswith(b"\n")
    assert encoded.isascii()
    assert decode([encoded]) == [["line\nbreak", "é", "\ud800"]]


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_encode_refuses_nan_and_infinity(number: float) -> None:
    with pytest.raises(ValueError):
        encode([number])
