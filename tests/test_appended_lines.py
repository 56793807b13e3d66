"""The files an arena appends to (Remote/appended_lines.py): each ended encounter's lines added, found again, flushed.

The property drives an indexed AppendedLines with encounters ending in any
order and flushes at any point between, and holds it against a plain list:
every encounter's lines are found again, before and after their flush, as
is every line so far, read back one at a time; and the file, once flushed, is its header and the lines in the order the
encounters ended, written anew over whatever was there.
"""

from __future__ import annotations

import json

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from Remote import appended_lines
from Remote.appended_lines import AppendedLines

LINE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(
    lambda text: json.dumps({"text": text}, ensure_ascii=False)  # as the server writes them: a line may hold U+2028
)


@st.composite
def endings(draw):
    """Encounters ending in some order, each with its lines, and after which of them a flush comes."""
    count = draw(st.integers(0, 12))
    order = draw(st.permutations(range(count)))
    lines = [draw(st.lists(LINE, min_size=1, max_size=3)) for _ in order]
    flushes = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return list(zip(order, lines, flushes, strict=True))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endings(), st.sampled_from(["", "encounter,players\r\n"]))
def test_every_encounters_lines_are_found_again_and_the_file_holds_them_in_the_order_they_ended(tmp_path, ended, header):
    path = tmp_path / "games.ndjson"
    path.write_text("an older file's text\n")  # a resumed arena's fold writes it anew
    appended = AppendedLines(path, header, indexed=True)
    added: dict[int, list[str]] = {}
    for encounter, lines, flush in ended:
        appended.add(encounter, lines)
        added[encounter] = lines
        if flush:
            appended.flush()
        assert {index: appended.lines(index) for index in added} == added
        assert appended.lines(encounter + 1000) is None
        so_far = header + "".join(line + "\n" for lines in added.values() for line in lines)
        assert list(appended.each_line()) == so_far.split("\n")[:-1], "read back whole, one line at a time"
    expected = header + "".join(line + "\n" for _, lines, _ in ended for line in lines)
    assert appended.text() == expected
    appended.flush()
    assert path.read_bytes().decode() == expected == appended.text()
    assert {index: appended.lines(index) for index in added} == added


def test_an_arena_that_keeps_no_log_keeps_the_lines_of_its_latest_encounters_only(monkeypatch):
    monkeypatch.setattr(appended_lines, "RECENT_ENCOUNTERS", 3)
    appended = AppendedLines(None, "head\n")
    for encounter in [4, 0, 2, 1, 3]:
        appended.add(encounter, [f'{{"encounter":{encounter}}}'])
    appended.flush()  # nothing to write
    assert [appended.lines(encounter) for encounter in range(5)] == [
        None,
        ['{"encounter":1}'],
        ['{"encounter":2}'],
        ['{"encounter":3}'],
        None,
    ]
    assert appended.text() == 'head\n{"encounter":2}\n{"encounter":1}\n{"encounter":3}\n'


def test_a_fold_of_a_long_log_writes_its_lines_as_it_goes_instead_of_holding_them(tmp_path, monkeypatch):
    monkeypatch.setattr(appended_lines, "FLUSH_OVER", 50)
    path = tmp_path / "games.ndjson"
    appended = AppendedLines(path, indexed=True, flush_inline=True)
    appended.add(0, ["x" * 30])
    assert not path.exists()
    appended.add(1, ["y" * 30])
    assert path.read_text() == "x" * 30 + "\n" + "y" * 30 + "\n"
    assert appended.lines(0) == ["x" * 30]


def test_an_empty_arena_still_leaves_its_files_with_their_headers(tmp_path):
    appended = AppendedLines(tmp_path / "crosstable.csv", "encounter,players\r\n")
    appended.flush()
    assert (tmp_path / "crosstable.csv").read_bytes() == b"encounter,players\r\n"
