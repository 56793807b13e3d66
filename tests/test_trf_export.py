"""tournament.trf (Admin/trf.py, written by Remote/exports.py): a Swiss or round-robin event as a FIDE TRF16 file.

What a user of the file notices: every `001` line has its fields in the
spec's fixed columns (read back by a strict reader here, which checks each
column); a Swiss's rounds are its stages, with the pairings, colours (who
starts is white) and results of the event log, a bye as `0000 - U`, and the
points and ranks of its standings; a round robin is laid out in rounds
where every player meets each other once per cycle and both lines of a
game agree; a culprit's encounter is a forfeit ("-" for it, "+" for its
opponent) and its later rounds are blank; the file is rewritten as the
event goes without a written round ever changing; other formats get no
file. The events come from the real manager, with a scripted referee
(tests/export_logs.py) or with the IPD's built-in players and the event
log's writer. With bbpPairings at hand (`BBPPAIRINGS=path` or on PATH), its
checker reads our files too.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import attrs
import pytest
import trio
from hypothesis import given
from hypothesis import strategies as st

from Admin.formats.settings import read_format
from Admin.tournament_state import fold
from Admin.trf import NAME_WIDTH, ReportedPlayer, RoundEntry, berger_round, player_line, start_date
from Player.configuration import LocalPlayerEntry, create_players
from Remote import rebuild_exports
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE, EventLogWriter, LogDirectory
from Remote.exports import TOURNAMENT_TRF, export_texts, kind_of, results_so_far_value, tournament_trf
from Remote.game_description import play_tournament
from Remote.game_registry import GAMES
from tests.export_logs import IPD, SANTORINI, events, play, sign_ups, start

NAMES = ("ann", "bob", "cat", "dan", "eve", "fay", "gus")
CODES = {"won": "1", "drawn": "=", "lost": "0"}


# ---------------------------------------------------------------------------
# A strict reader of the TRF16 columns (1-based, both ends included)


@attrs.frozen
class ReadPlayer:
    number: int
    name: str
    points: float
    rank: int
    rounds: tuple[tuple[int, str, str] | None, ...]


def cols(line: str, first: int, last: int) -> str:
    return line[first - 1 : last]


def number_in(field: str, what: str) -> int:
    assert re.fullmatch(r" *\d+", field), f"{what}: {field!r} is not a right-aligned number"
    return int(field)


BLANK_FIELDS = {"sex and title": (10, 13), "rating": (49, 52), "federation": (54, 56), "FIDE number": (58, 68), "birth date": (70, 79)}
SEPARATORS = (4, 9, 14, 48, 53, 57, 69, 80, 85)


def read_player_line(line: str) -> ReadPlayer:
    """One `001` line, every field in its columns: what a TRF reader takes from it (AssertionError otherwise)."""
    assert cols(line, 1, 3) == "001" and len(line) >= 89, line
    assert line == line.rstrip(), "no trailing blanks"
    for column in SEPARATORS:
        assert cols(line, column, column) == " ", f"column {column} of {line!r}"
    for what, (first, last) in BLANK_FIELDS.items():
        assert cols(line, first, last).strip() == "", what
    name = cols(line, 15, 47)
    assert name.strip() and not name.startswith(" "), "the name starts in column 15"
    points = cols(line, 81, 84)
    assert re.fullmatch(r" *\d{1,2}\.\d", points), f"points {points!r}"
    rounds = []
    rest = line[89:]
    assert len(rest) % 10 == 0, "each round is a block of 10 columns from column 90"
    for start_at in range(0, len(rest), 10):
        block = rest[start_at : start_at + 10]  # columns 90-91 blank, 92-95 opponent, 97 colour, 99 result
        assert block[:2] == "  ", block
        if not block.strip():
            rounds.append(None)
            continue
        opponent, colour, result = block[2:6], block[7], block[9]
        assert block[6] == " " and block[8] == " ", block
        assert colour in "wb-" and result in "10=+-U", block
        number = 0 if opponent == "0000" else number_in(opponent, "opponent")
        assert (number == 0) == (colour == "-") == (result == "U"), f"a bye is 0000 - U and only a bye: {block!r}"
        rounds.append((number, colour, result))
    return ReadPlayer(
        number=number_in(cols(line, 5, 8), "starting rank"),
        name=name.rstrip(),
        points=float(points),
        rank=number_in(cols(line, 86, 89), "rank"),
        rounds=tuple(rounds),
    )


def read_trf(text: str) -> tuple[dict[str, str], dict[int, ReadPlayer]]:
    """The header lines by tag and the players by starting rank; every line ends in CR LF."""
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    headers, players = {}, {}
    for line in lines:
        assert "\r" not in line and "\n" not in line
        if line.startswith("001"):
            player = read_player_line(line)
            assert player.number not in players
            players[player.number] = player
        else:
            tag, space, value = line[:3], line[3:4], line[4:]
            assert space == " " and tag not in headers, line
            headers[tag] = value
    assert sorted(players) == list(range(1, len(players) + 1)), "starting ranks 1 .. n"
    assert int(headers["062"]) == len(players)
    for player in players.values():  # what TRF readers check: the points are the rounds'
        worth = {"1": 1.0, "+": 1.0, "U": 1.0, "=": 0.5, "0": 0.0, "-": 0.0}
        assert player.points == sum(worth[entry[2]] for entry in player.rounds if entry is not None), player
        assert len(player.rounds) <= int(headers["XXR"])
    return headers, players


# ---------------------------------------------------------------------------
# The columns


entries = st.one_of(
    st.none(),
    st.just(RoundEntry(0, "-", "U")),
    st.builds(RoundEntry, st.integers(1, 9999), st.sampled_from("wb"), st.sampled_from("10=+-")),
)


@given(
    number=st.integers(1, 9999),
    name=st.text("abcdefghijklmnopqrstuvwxyzABC0123456789_-", min_size=1, max_size=64),
    points=st.integers(0, 199).map(lambda halves: halves / 2),
    rank=st.integers(1, 9999),
    rounds=st.lists(entries, max_size=12),
)
def test_a_player_line_has_each_field_in_the_columns_of_the_spec(number, name, points, rank, rounds):
    if rounds and rounds[-1] is None:
        rounds.append(RoundEntry(0, "-", "U"))  # a line's trailing blank rounds are dropped, like its trailing blanks
    line = player_line(ReportedPlayer(number, name, points, rank, tuple(rounds)))
    read = read_player_line(line)
    assert (read.number, read.name, read.points, read.rank) == (number, name[:NAME_WIDTH], points, rank)
    assert read.rounds == tuple(None if entry is None else (entry.opponent, entry.colour, entry.result) for entry in rounds)


def test_a_line_spelled_out():
    line = player_line(ReportedPlayer(3, "cat", 1.5, 2, (RoundEntry(12, "w", "="), None, RoundEntry(0, "-", "U"))))
    assert line == "001    3      cat" + " " * 64 + "1.5    2    12 w =            0000 - U"
    assert (
        cols(line, 5, 8) == "   3"
        and cols(line, 81, 84) == " 1.5"
        and cols(line, 92, 99) == "  12 w ="
        and cols(line, 112, 119) == "0000 - U"
    )


@pytest.mark.parametrize("players", range(2, 15))
def test_the_circle_method_gives_every_pair_one_round_and_every_player_one_game_a_round(players):
    rounds = players - 1 + players % 2
    seen: dict[int, set[int]] = {round_: set() for round_ in range(rounds)}
    for first in range(players):
        for second in range(first + 1, players):
            round_ = berger_round(first, second, players)
            assert 0 <= round_ < rounds and not seen[round_] & {first, second}
            seen[round_] |= {first, second}
    assert all(len(playing) == players - players % 2 for playing in seen.values())  # one rest a round with an odd field


def test_the_start_date_is_the_day_the_event_log_writer_names_the_tournament_by(tmp_path):
    now = 1796639173.0
    named = LogDirectory(tmp_path).new_tournament(now).name
    assert start_date(named) == time.strftime("%Y/%m/%d", time.gmtime(now))
    assert start_date("t-1") is None and start_date(None) is None


# ---------------------------------------------------------------------------
# Against the event log


def trf_of(log, game):
    return tournament_trf(fold(log), game)


def expected_entries(log, game):
    """From the events alone: each ended played encounter's two round entries (by name), its index, and the byes by stage."""
    roster = next(event for event in log if event["type"] == "roster")["players"]
    number = {name: place for place, name in enumerate(roster, start=1)}
    games = []
    for event in log:
        if event["type"] != "encounter-end" or event["outcome"] is None:
            continue
        first, second = event["players"]
        culprits = event["culprits"]
        if culprits:
            codes = {name: "-" if name in culprits else "+" for name in (first, second)}
        else:
            codes = {name: CODES[kind_of(word)] for name, word in game.outcome_sides(event["outcome"], ()).items()}
        games.append((event["encounter"], {first: (number[second], "w", codes[first]), second: (number[first], "b", codes[second])}))
    byes = {event["stage"] - 1: event["byes"] for event in log if event["type"] == "stage"}
    return number, games, byes


def check_against_log(log, game, round_of=None):
    """The TRF holds exactly the log's games (in the round `round_of` gives, for a Swiss) and byes; its players and header."""
    headers, players = read_trf(trf_of(log, game))
    number, games, byes = expected_entries(log, game)
    assert [players[place].name for place in sorted(players)] == list(number)
    used = set()
    for index, sides in games:
        (first, first_entry), (second, second_entry) = sides.items()
        rounds = players[number[first]].rounds
        found = [round_ for round_, entry in enumerate(rounds) if entry == first_entry and (number[first], round_) not in used]
        assert found, f"encounter {index} ({first} v {second}) is not in {first}'s line"
        round_ = found[0] if round_of is None else round_of[index]
        assert round_ in found
        assert players[number[second]].rounds[round_] == second_entry, f"encounter {index}: {second}'s line disagrees"
        used |= {(number[first], round_), (number[second], round_)}
    for round_, names in byes.items():
        for name in names:
            assert players[number[name]].rounds[round_] == (0, "-", "U")
            used.add((number[name], round_))
    written = {(place, round_) for place, player in players.items() for round_, entry in enumerate(player.rounds) if entry is not None}
    assert written == used, "nothing but the log's games and byes"
    return headers, players


def swiss_rounds(log):
    """Each encounter's round: its stage's."""
    return {
        event["first"] + board: event["stage"] - 1 for event in log if event["type"] == "stage" for board in range(len(event["pairings"]))
    }


def check_swiss_standings(log, players):
    """The points are the Swiss standings' scores; the ranks are its ranks."""
    (summary,) = [event for event in log if event["type"] == "summary"]
    for row in summary["format"]["standings"]:
        player = players[row["player"] + 1]
        assert (player.points, player.rank) == (row["score"], row["rank"])


SWISS = read_format({"kind": "swiss", "rounds": 3})
IPD_PLANS = [
    {"scores": (30, 20, 10), "culprits": ()},
    {"scores": (25, 25, 10), "culprits": ()},
    {"scores": (10, 30, 10), "culprits": ()},
    {"scores": (20, 21, 10), "culprits": ()},
]


def test_a_swiss_of_seven_over_three_rounds_gives_the_logs_pairings_colours_results_byes_points_and_ranks():
    game = GAMES["ipd"]
    log, _ = play(game, IPD, NAMES, IPD_PLANS, {"seed": 1}, SWISS)
    headers, players = check_against_log(log, game, swiss_rounds(log))
    assert headers["092"] == "Individual: Swiss system" and headers["XXR"] == "3" and headers["012"] == "ipd t-random"
    assert all(len(player.rounds) == 3 for player in players.values())
    assert sum(entry == (0, "-", "U") for player in players.values() for entry in player.rounds) == 3  # one bye a round
    assert {entry[2] for player in players.values() for entry in player.rounds if entry} >= {"1", "=", "0", "U"}
    check_swiss_standings(log, players)


def test_a_swiss_culprit_forfeits_its_encounter_and_is_blank_after_it():
    game = GAMES["ipd"]
    plans = [*IPD_PLANS[:3], {"scores": (0, 0, 1), "culprits": (1,)}, *IPD_PLANS[:2]]  # encounter 3: round 2's first board
    log, _ = play(game, IPD, NAMES, plans, {"seed": 1}, SWISS)
    _, players = check_against_log(log, game, swiss_rounds(log))
    (culprit,) = [event["name"] for event in log if event["type"] == "misbehaviour"]
    line = players[NAMES.index(culprit) + 1]
    assert line.rounds[1] is not None and line.rounds[1][2] == "-"
    assert players[line.rounds[1][0]].rounds[1] == (line.number, "b" if line.rounds[1][1] == "w" else "w", "+")
    assert len(line.rounds) == 2  # nothing in round 3: its line ends there
    check_swiss_standings(log, players)


def test_a_round_robin_meets_each_pair_once_a_cycle_and_both_lines_agree():
    game = GAMES["santorini"]
    plans = [{"winner": 0, "culprits": (), "games": 1}, {"winner": 1, "culprits": (), "games": 3}]
    log, _ = play(game, SANTORINI, NAMES[:5], plans, {"best of": 3}, read_format({"kind": "round robin", "cycles": 2}))
    headers, players = check_against_log(log, game)
    assert headers["092"] == "Individual: round robin, 2 cycles" and headers["XXR"] == "10"  # 5 players: 5 rounds a cycle
    for player in players.values():
        assert sum(entry is not None for entry in player.rounds) == 8  # 4 games a cycle, and a rest
        for cycle in (range(0, 5), range(5, 10)):
            met = [player.rounds[round_][0] for round_ in cycle if round_ < len(player.rounds) and player.rounds[round_]]
            assert sorted(met) == sorted(set(players) - {player.number})
    assert any(event["type"] == "results" for event in log)
    ranks = {row["player"]: row["rank"] for row in game.standings_json(results_so_far_value(fold(log), game), NAMES[:5])}
    assert {player.name: player.rank for player in players.values()} == ranks


def test_a_round_robin_culprit_forfeits_and_its_unplayed_encounters_are_blank_for_both():
    game = GAMES["ipd"]
    plans = [*IPD_PLANS, {"scores": (0, 0, 1), "culprits": (1,)}, {"scores": (0, 0, 1), "culprits": (0, 1)}, *IPD_PLANS]
    log, _ = play(game, IPD, NAMES[:6], plans, {"seed": 1})
    headers, players = check_against_log(log, game)
    assert headers["092"] == "Individual: round robin" and headers["XXR"] == "5"
    unplayed = [event for event in log if event["type"] == "encounter-end" and event["outcome"] is None]
    both = [event for event in log if event["type"] == "encounter-end" and len(event["culprits"]) == 2]
    assert unplayed and both  # check_against_log: their rounds are blank for both players
    forfeits = [entry[2] for player in players.values() for entry in player.rounds if entry and entry[2] in "+-"]
    assert forfeits.count("-") == 3 and forfeits.count("+") == 1


def test_the_file_is_rewritten_as_the_event_goes_and_a_written_round_never_changes():
    game = GAMES["ipd"]
    log, _ = play(game, IPD, NAMES, [*IPD_PLANS, {"scores": (0, 0, 1), "culprits": (0,)}], {"seed": 1}, SWISS)
    _, final = read_trf(trf_of(log, game))
    roster_at = next(number for number, event in enumerate(log) if event["type"] == "roster")
    grown = []
    for end in range(roster_at + 1, len(log) + 1):
        _, players = read_trf(trf_of(log[:end], game))
        for place, player in players.items():
            for round_, entry in enumerate(player.rounds):
                assert entry is None or entry == final[place].rounds[round_]
        grown.append(sum(entry is not None for player in players.values() for entry in player.rounds))
    assert grown == sorted(grown) and grown[0] == 0 and grown[-1] > 0
    assert trf_of(log[:roster_at], game) is None  # no roster, no file


@pytest.mark.parametrize(
    "format_value",
    [
        {"kind": "pairings", "pairings": [["ann", "bob"], ["cat", "dan"]]},
        {"kind": "knock-out"},
        {"kind": "gauntlet", "candidates": ["ann"]},
    ],
)
def test_other_formats_get_no_trf(format_value):
    game = GAMES["ipd"]
    log, _ = play(game, IPD, NAMES[:4], IPD_PLANS, {"seed": 1}, read_format(format_value))
    assert TOURNAMENT_TRF not in export_texts(fold(log), game)


def test_the_ipds_own_listed_pairings_get_no_trf_and_its_repetitions_are_cycles():
    game = GAMES["ipd"]
    listed, _ = play(game, IPD, NAMES[:3], IPD_PLANS, {"seed": 1, "pairings": [["ann", "bob"]]})
    assert trf_of(listed, game) is None
    repeated, _ = play(game, IPD, NAMES[:3], IPD_PLANS, {"seed": 1, "repetitions": 2})
    headers, _ = check_against_log(repeated, game)
    assert headers["092"] == "Individual: round robin, 2 cycles" and headers["XXR"] == "6"


def roster_only(players, format_value):
    names = [f"p{number}" for number in range(players)]
    configuration = {"seed": 1, "format": format_value}
    return events(start("ipd", {"seed": 1}, configuration), *sign_ups(*names), {"type": "roster", "players": names, "encounters": 0})


def test_an_event_too_big_for_the_files_columns_gets_no_trf():
    game = GAMES["ipd"]
    assert trf_of(roster_only(4, {"kind": "swiss", "rounds": 99}), game) is not None
    assert trf_of(roster_only(4, {"kind": "swiss", "rounds": 100}), game) is None  # a score of 100 needs 5 columns
    assert trf_of(roster_only(100, {"kind": "round robin"}), game) is not None  # 99 rounds
    assert trf_of(roster_only(101, {"kind": "round robin"}), game) is None  # 101 rounds


# ---------------------------------------------------------------------------
# Real players, the event log's writer, and the command


def play_logged(directory: Path, game_name: str, kinds, format_value):
    game = GAMES[game_name]
    entries = [LocalPlayerEntry(kind, name, "") for kind, name in zip(kinds, NAMES, strict=False)]
    players = create_players(entries, "players", game.players)
    event_format = read_format(format_value)
    settings = game.read_settings({"seed": 7, "min rounds": 20, "max rounds": 20})

    async def main():
        writer = EventLogWriter(directory)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(writer.run)
            # one encounter at a time: concurrently, a staged format restarts encounters of the stage before (see the report)
            await play_tournament(
                game,
                settings,
                players,
                2.0,
                logging.getLogger("tests.trf"),
                concurrent=False,
                event_log=writer,
                configuration={"format": format_value},
                event_format=event_format,
            )
            nursery.cancel_scope.cancel()
        writer.close()

    trio.run(main)
    return read_events(directory / EVENTS_FILE)[0]


KINDS = ["tit-for-tat", "defector", "cooperator", "grudger", "alternator", "breaker", "random"]


@pytest.fixture(scope="module")
def logged_swiss(tmp_path_factory):
    """A Swiss of the IPD's built-in players (one breaks the rules), logged by the writer, its exports rebuilt by the command."""
    directory = tmp_path_factory.mktemp("swiss") / "20261201T120000Z-000000"
    directory.mkdir()
    log = play_logged(directory, "ipd", KINDS, {"kind": "swiss", "rounds": 3})
    assert rebuild_exports.main([str(directory)]) == 0
    return directory, log


def test_a_played_swiss_writes_tournament_trf_beside_the_other_exports(logged_swiss):
    directory, log = logged_swiss
    game = GAMES["ipd"]
    text = (directory / TOURNAMENT_TRF).read_bytes().decode("ascii")
    assert text == trf_of(log, game)
    headers, players = check_against_log(log, game, swiss_rounds(log))
    assert headers["012"] == "ipd 20261201T120000Z-000000" and headers["042"] == "2026/12/01"
    check_swiss_standings(log, players)
    assert any(entry and entry[2] == "-" for player in players.values() for entry in player.rounds)  # the breaker's forfeit


def bbp_pairings() -> str | None:
    return os.environ.get("BBPPAIRINGS") or shutil.which("bbpPairings") or shutil.which("bbpPairings.exe")


@pytest.mark.skipif(bbp_pairings() is None, reason="bbpPairings is not installed (BBPPAIRINGS=path, or on PATH)")
def test_bbppairings_checker_reads_our_swiss_and_round_robin(logged_swiss, tmp_path):
    """bbpPairings' checker reads each file (its format, both lines of each game, the points) and re-pairs each round.

    Our Swiss is not FIDE's Dutch system, so the checker may list pairings it would have made otherwise; what must
    hold is that it reads every round without an error."""
    directory, _ = logged_swiss
    game = GAMES["ipd"]
    round_robin, _ = play(game, IPD, NAMES[:5], [*IPD_PLANS, {"scores": (0, 0, 1), "culprits": (1,)}], {"seed": 1})
    (tmp_path / "round-robin.trf").write_text(trf_of(round_robin, game), newline="")
    for path, rounds in ((directory / TOURNAMENT_TRF, 3), (tmp_path / "round-robin.trf", 5)):
        checked = subprocess.run([bbp_pairings(), "--dutch", str(path), "-c"], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0 and "rror" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr
        assert all(f"Round #{number}" in checked.stdout + checked.stderr for number in range(1, rounds + 1))
