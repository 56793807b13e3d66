"""An arena's games.ndjson (Remote/arena_games.py): appended as encounters end, each encounter's games found again.

The property drives an ArenaGames with encounters ending in any order and
flushes at any point between, and holds it against a plain list: every
encounter's lines are found again, before and after their flush, and the
file, once flushed, is the lines in the order the encounters ended.
"""

from __future__ import annotations

import json

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from Remote import arena_games
from Remote.arena_games import ArenaGames

LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=12)


@st.composite
def endings(draw):
    """Encounters ending in some order, each with its games' lines, and after which of them a flush comes."""
    count = draw(st.integers(0, 12))
    order = draw(st.permutations(range(count)))
    games = [draw(st.lists(LINE.map(lambda text: json.dumps({"text": text})), min_size=1, max_size=3)) for _ in order]
    flushes = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return list(zip(order, games, flushes, strict=True))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endings())
def test_every_encounters_games_are_found_again_and_the_file_holds_them_in_the_order_they_ended(tmp_path, ended):
    path = tmp_path / "games.ndjson"
    path.write_text("an older file's text\n")  # a resumed arena's fold writes it anew
    games = ArenaGames(path)
    added: dict[int, list[str]] = {}
    for encounter, lines, flush in ended:
        games.add(encounter, lines)
        added[encounter] = lines
        if flush:
            games.flush()
        assert {index: games.lines(index) for index in added} == added
        assert games.lines(encounter + 1000) is None
    expected = "".join(line + "\n" for _, lines, _ in ended for line in lines)
    assert games.text() == expected
    games.flush()
    assert path.read_text() == expected == games.text()
    assert {index: games.lines(index) for index in added} == added


def test_an_arena_that_keeps_no_log_keeps_the_games_of_its_latest_encounters_only(monkeypatch):
    monkeypatch.setattr(arena_games, "RECENT_ENCOUNTERS", 3)
    games = ArenaGames(None)
    for encounter in [4, 0, 2, 1, 3]:
        games.add(encounter, [f'{{"encounter":{encounter}}}'])
    games.flush()  # nothing to write
    assert [games.lines(encounter) for encounter in range(5)] == [None, ['{"encounter":1}'], ['{"encounter":2}'], ['{"encounter":3}'], None]
    assert games.text() == '{"encounter":2}\n{"encounter":1}\n{"encounter":3}\n'


def test_a_fold_of_a_long_log_writes_its_games_as_it_goes_instead_of_holding_them(tmp_path, monkeypatch):
    monkeypatch.setattr(arena_games, "FLUSH_OVER", 50)
    path = tmp_path / "games.ndjson"
    games = ArenaGames(path, flush_inline=True)
    games.add(0, ["x" * 30])
    assert not path.exists()
    games.add(1, ["y" * 30])
    assert path.read_text() == "x" * 30 + "\n" + "y" * 30 + "\n"
    assert games.lines(0) == ["x" * 30]
