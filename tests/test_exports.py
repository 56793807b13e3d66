"""The exports of an event log, for every game of the registry: results.json, crosstable.csv, games.ndjson, and the command.

Random tournaments (hypothesis) of every game, played by the real tournament
manager with a scripted referee (tests/export_logs.py; how a plan becomes an
outcome is the game's, the kit's `exports` entry), whose EventLog keeps the
events. What a user notices: results.json reads back through its strict
converter and holds the Results xserver printed; the crosstable reads the
same from both sides and its totals are the standings; games.ndjson has each
game once, in order; `python -m Remote.rebuild_exports DIR` rebuilds exactly the
files the server writes, also from a log with a torn last line, and refuses
a bad log in one line. Each game's logs written by hand, with their exports
spelled out, are in its own tests (test_santorini_exports.py,
test_ipd_exports.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from Admin.tournament_state import fold
from Common.strict import StructureError
from Remote import rebuild_exports
from Remote.event_log_reader import EventLogReadError, read_events
from Remote.exports import (
    CROSSTABLE_CSV,
    GAMES_NDJSON,
    KINDS,
    RESULTS_JSON,
    TOURNAMENT_TRF,
    crosstable_csv,
    games_ndjson,
    results_export,
    results_json,
    results_so_far,
    structure_export,
    unstructure_export,
    write_exports,
)
from Remote.game_registry import DEFAULT_GAME, GAMES
from tests.export_logs import events, play, start, table
from tests.game_conformance import kit_of

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("ann", "bob", "cat", "dan", "eve")


def example_log(game_name: str) -> list[dict]:
    """A small finished tournament of the game among three players, scripted by its kit's example plans (a misbehaviour)."""
    game = GAMES[game_name]
    kit = kit_of(game)
    return play(game, kit.exports, NAMES[:3], kit.exports.examples, kit.own)[0]


EXAMPLE = example_log(DEFAULT_GAME)
"""The default game's example: for the behaviours of the exports that no game changes."""


# ---------------------------------------------------------------------------
# The converter of results.json


def test_results_json_refuses_wrong_types_naming_where():
    data = unstructure_export(results_export(fold(EXAMPLE), GAMES[DEFAULT_GAME]))
    wrong = [
        (["version"], True, r"whole number, got true @ \$\.version"),
        (["version"], "1", r"@ \$\.version"),
        (["finished"], 1, r"true or false, got 1 @ \$\.finished"),
        (["players", 0, "assigned"], 5, r"@ \$\.players\[0\]\.assigned"),
        (["encounters", 0, "status"], "won", r"status .* got \"won\""),
        (["encounters", 0, "players"], ["ann"], r"@ \$\.encounters\[0\]\.players"),
        (["encounters", 0, "index"], 0.0, r"@ \$\.encounters\[0\]\.index"),
        (["configuration"], [], r"expected a JSON object"),
        (["standings"], {}, r"@ \$\.standings"),
    ]
    for path, value, message in wrong:
        bad = json.loads(json.dumps(data))
        place = bad
        for key in path[:-1]:
            place = place[key]
        place[path[-1]] = value
        with pytest.raises(StructureError, match=message):
            structure_export(bad)
    with pytest.raises(StructureError, match='unknown key "extra"'):
        structure_export({**data, "extra": 1})
    without = dict(data)
    del without["standings"]
    with pytest.raises(StructureError, match="required key missing"):
        structure_export(without)
    with pytest.raises(StructureError, match="finite"):
        structure_export({**data, "results": [1e400]})


# ---------------------------------------------------------------------------
# Random tournaments through the real manager


def tournaments(two_player: bool = False):
    """A random tournament of a random game of the registry (`two_player`: of a game of two players a game, whose crosstable
    has a cell per pair; a game of tables has a table per encounter, tests/test_k_player_exports.py): the game, its events
    and its output line."""

    def drawn(game_name):
        game = GAMES[game_name]
        kit = kit_of(game).exports
        return st.tuples(st.just(game), st.integers(2, 5), st.lists(kit.plan, min_size=1, max_size=12), kit.keys).map(
            lambda drawn: (game, *play(game, kit, NAMES[: drawn[1]], drawn[2], drawn[3]))
        )

    return st.sampled_from(sorted(name for name, game in GAMES.items() if not (two_player and game.group_game))).flatmap(drawn)


MIRRORED_WORDS = {
    ("won", "lost"),
    ("won", "irregular"),
    ("irregular", "irregular"),
    ("not scored", "irregular"),
    ("not played", "not played"),
    ("revised away", "revised away"),
    ("running", "running"),
    ("to play", "to play"),
    ("", ""),
}
"""Pairs of words that mirror each other; the empty cell: a pair that never meets."""


def mirrored(mine, theirs):
    """Whether two words are the two sides of one encounter."""
    if mine.startswith("revised ") and theirs.startswith("revised ") and "away" not in (mine[8:], theirs[8:]):
        return mirrored(mine[8:], theirs[8:])
    word, _, score = mine.partition(" ")
    other_word, _, other_score = theirs.partition(" ")
    if score and ":" in score:
        return (
            score.split(":") == other_score.split(":")[::-1]
            and (word, other_word) in {("won", "lost"), ("lost", "won"), ("drawn", "drawn")}
            and (word == "drawn") == (score.split(":")[0] == score.split(":")[1])
        )
    if score and "–" in score:  # a series' games, the winner's more
        return (
            score.split("–") == other_score.split("–")[::-1]
            and {word, other_word} == {"won", "lost"}
            and ((word == "won") == (int(score.split("–")[0]) > int(score.split("–")[1])))
        )
    return (mine, theirs) in MIRRORED_WORDS or (theirs, mine) in MIRRORED_WORDS


def check_crosstable(state, game):
    """Antisymmetric, the totals those of the standings; returns the table."""
    header, rows = table(crosstable_csv(state, game))
    roster = list(state.roster)
    assert header == ["player", *roster, *KINDS]
    for a in roster:
        assert rows[a][a] == ""
        for b in roster:
            if a != b:
                mine, theirs = rows[a][b].split("; "), rows[b][a].split("; ")
                assert len(mine) == len(theirs)
                assert all(mirrored(x, y) for x, y in zip(mine, theirs, strict=True)), (a, b, mine, theirs)
    for encounter in state.encounters.values():
        for culprit in encounter.culprits if encounter.ended and state.revised(encounter.index) == encounter.outcome else ():
            other = encounter.players[1] if culprit == encounter.players[0] else encounter.players[0]
            assert "irregular" in rows[culprit][other].split("; ")  # where it misbehaved, also when both did
    standings = results_export(state, game).standings
    for row in standings:
        for kind in KINDS:
            if kind in row:
                assert int(rows[row["player"]][kind]) == row[kind], (row, rows[row["player"]])
    for name in set(roster) - {row["player"] for row in standings}:  # a game may list nobody who misbehaved
        assert name in state.out and all(rows[name][kind] == "0" for kind in ("won", "drawn", "lost"))
    return rows


FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(tournaments())
def test_results_json_round_trips_and_holds_the_output_printed(tournament):
    game, log, output = tournament
    state = fold(log)
    export = results_export(state, game)
    assert structure_export(json.loads(results_json(state, game))) == export
    assert export.results == output == state.results["output"]
    assert results_so_far(state, game) == output
    assert [player.assigned for player in export.players] == list(state.roster)
    assert {p.assigned for p in export.players if p.misbehaviour is not None} == set(state.out)
    assert [entry.index for entry in export.encounters] == list(range(state.total))


@FEW
@given(tournaments(two_player=True))
def test_the_crosstable_reads_the_same_from_both_sides_and_sums_to_the_standings(tournament):
    game, log, _ = tournament
    check_crosstable(fold(log), game)


@FEW
@given(tournaments(two_player=True), st.data())
def test_while_unfinished_the_exports_follow_the_outcomes_so_far(tournament, data):
    game, log, _ = tournament
    cuts = [number for number, event in enumerate(log) if event["type"] in ("encounter-start", "results")]
    cut = data.draw(st.sampled_from(cuts))
    state = fold(log[:cut])  # after an encounter's end and its revisions, or before the first encounter
    check_crosstable(state, game)
    export = results_export(state, game)
    assert export.results is None and structure_export(unstructure_export(export)) == export
    revised = [entry.revised for entry in export.encounters if entry.status == "played" and entry.revised is not None]
    so_far = results_so_far(state, game)
    assert kit_of(game).outcomes(so_far) == revised  # the revise loop agrees with the revision events


@FEW
@given(tournaments())
def test_games_ndjson_has_one_line_per_game_in_encounter_and_game_order(tournament):
    _, log, _ = tournament
    state = fold(log)
    lines = [json.loads(line) for line in games_ndjson(state).splitlines()]
    started = [(event["encounter"], event["game"]) for event in log if event["type"] == "game-start"]
    assert [(line["encounter"], line["game"]) for line in lines] == sorted(started)
    for line in lines:
        assert line["end"] == {"how": "scripted"} and line["steps"][0]["type"] == "turn"
        assert line["players"] == list(state.encounters[line["encounter"]].players)


# ---------------------------------------------------------------------------
# Files, and the command


def log_directory(tmp_path, log, name="t-1"):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "events.ndjson").write_text("".join(json.dumps(event) + "\n" for event in log))
    return directory


def exports_of(directory):
    """The exports written in `directory`: the three of every tournament, and the TRF where there is one (a round robin of a
    game of two players a game)."""
    written = {
        name: (directory / name).read_bytes()
        for name in (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, TOURNAMENT_TRF)
        if (directory / name).exists()
    }
    assert {RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON} <= set(written)
    return written


def test_write_exports_replaces_each_file_whole_and_leaves_no_temporary_file(tmp_path):
    game = GAMES[DEFAULT_GAME]
    directory = log_directory(tmp_path, EXAMPLE)
    (directory / RESULTS_JSON).write_text("old")
    write_exports(directory, fold(EXAMPLE[: len(EXAMPLE) // 2]), game)
    write_exports(directory, fold(EXAMPLE), game)
    assert sorted(os.listdir(directory)) == sorted([RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, TOURNAMENT_TRF, "events.ndjson"])
    assert json.loads((directory / RESULTS_JSON).read_text())["finished"] is True
    assert (directory / GAMES_NDJSON).read_text() == games_ndjson(fold(EXAMPLE))


@pytest.mark.parametrize("game_name", sorted(GAMES))
def test_the_command_rebuilds_the_files_the_server_writes(tmp_path, game_name, capsys):
    log = example_log(game_name)
    live = log_directory(tmp_path, log, "live")
    write_exports(live, fold(log), GAMES[game_name])
    rebuilt = log_directory(tmp_path, log, "rebuilt")
    assert rebuild_exports.main([str(rebuilt)], games=GAMES) == 0
    assert exports_of(rebuilt) == exports_of(live)
    out, err = capsys.readouterr()
    assert out == f"{rebuilt}: wrote {', '.join(exports_of(live))} (finished)\n" and err == ""
    assert (TOURNAMENT_TRF in exports_of(live)) == (not GAMES[game_name].group_game)


def test_a_torn_last_line_is_dropped_with_one_line_saying_so(tmp_path, capsys):
    whole = log_directory(tmp_path, EXAMPLE[:-1], "whole")
    write_exports(whole, fold(EXAMPLE[:-1]), GAMES[DEFAULT_GAME])
    torn = log_directory(tmp_path, EXAMPLE[:-1], "torn")
    with open(torn / "events.ndjson", "a") as file:
        file.write(json.dumps(EXAMPLE[-1])[:25])
    assert rebuild_exports.main([str(torn)], games=GAMES) == 0
    assert exports_of(torn) == exports_of(whole)
    out, err = capsys.readouterr()
    assert err == f"export: {torn}/events.ndjson: dropped a torn last line (line {len(EXAMPLE)}): the server stopped while writing it\n"
    total = fold(EXAMPLE).total
    assert f"unfinished, {total} of {total} encounters ended" in out


def test_read_events_drops_only_a_last_line_without_its_newline(tmp_path):
    path = tmp_path / "events.ndjson"
    path.write_text('{"seq": 1}\n{"seq": 2}\n')
    assert read_events(path) == ([{"seq": 1}, {"seq": 2}], False)
    path.write_text('{"seq": 1}\n{"seq": 2}')  # complete, but its newline never came: not written whole
    assert read_events(path) == ([{"seq": 1}], True)
    path.write_text("")
    assert read_events(path) == ([], False)
    for text, message in [
        ('{"seq": 1}\n\n{"seq": 3}\n', "line 2: not JSON"),
        ('{"seq": 1}\n{"t": NaN}\n', "line 2: not JSON: NaN is not a JSON number"),
        ('{"t": 1e400}\n', "line 1: not JSON: 1e400 is too large"),
        ('{"t": -Infinity}\n', "line 1: not JSON: -Infinity"),
        ('{"seq": 1}\n[1, 2]\n', "line 2: an event is a JSON object, got an array"),
        ('{"seq": 1}\n{"seq": 2}\n\xff\n', "line 3: not UTF-8"),
    ]:
        path.write_bytes(text.encode("latin-1"))
        with pytest.raises(EventLogReadError, match=message):
            read_events(path)


def run_command(*arguments):
    return subprocess.run(
        [sys.executable, "-m", "Remote.rebuild_exports", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def one_line_refusal(result, *fragments):
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("export: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_the_command_refuses_a_missing_directory_a_bad_line_and_an_unknown_game_in_one_line(tmp_path):
    one_line_refusal(run_command(str(tmp_path / "nowhere")), "nowhere: no such directory")
    one_line_refusal(run_command(str(tmp_path)), "no events.ndjson")
    bad = log_directory(tmp_path, EXAMPLE, "bad")
    lines = (bad / "events.ndjson").read_text().splitlines(keepends=True)
    lines[3] = '{"seq": 4, "type": "sign-up", "requested": "bob", \n'
    (bad / "events.ndjson").write_text("".join(lines))
    one_line_refusal(run_command(str(bad)), "events.ndjson: line 4: not JSON")
    assert sorted(os.listdir(bad)) == ["events.ndjson"]
    out_of_order = log_directory(tmp_path, EXAMPLE[:3] + EXAMPLE[4:], "gap")
    one_line_refusal(run_command(str(out_of_order)), "line 4: event 5 follows event 3")
    chess = log_directory(tmp_path, events(start("chess", {})), "chess")
    one_line_refusal(run_command(str(chess)), f"unknown game 'chess' (this program knows {', '.join(sorted(GAMES))})")


def test_the_command_says_what_it_does_in_help():
    result = run_command("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert "python -m Remote.rebuild_exports" in result.stdout and "DIR" in result.stdout
    for name in (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, TOURNAMENT_TRF, "torn last line"):
        assert name in result.stdout


@pytest.mark.parametrize("game_name", sorted(GAMES))
def test_the_command_as_a_process_rebuilds_the_files_from_a_log_with_a_torn_line(tmp_path, game_name):
    log = example_log(game_name)
    live = log_directory(tmp_path, log, "live")
    write_exports(live, fold(log), GAMES[game_name])
    rebuilt = log_directory(tmp_path, log, "rebuilt")
    with open(rebuilt / "events.ndjson", "a") as file:
        file.write('{"seq": 99, "t": 1')
    result = run_command(str(rebuilt))
    assert result.returncode == 0, result.stderr
    assert "dropped a torn last line" in result.stderr and result.stderr.count("\n") == 1
    assert exports_of(rebuilt) == exports_of(live)
