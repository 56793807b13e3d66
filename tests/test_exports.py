"""The exports of an event log, for both games: results.json, crosstable.csv, games.ndjson, and the command.

Two sources of logs: small ones written out by hand, whose exports are
spelled out in full, and random tournaments (hypothesis) played by the real
tournament manager with a scripted referee, whose Journal keeps the events.
What a user notices: results.json reads back through its strict converter
and holds the Results xserver printed; the crosstable reads the same from
both sides and its totals are the standings; games.ndjson has each game
once, in order; `python -m Remote.export DIR` rebuilds exactly the files
the server writes, also from a log with a torn last line, and refuses a
bad log in one line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from Admin.encounter import EncounterResult, Misbehaviour
from Admin.journal import Journal
from Admin.tournament_state import fold
from Common.ipd.outcomes import Irregular, Scored
from Common.participant import Participant
from Common.santorini.results import EncounterOutcome
from Common.strict import StructureError
from Remote import export
from Remote.event_reading import EventLogError, read_events
from Remote.game_description import play_tournament
from Remote.exports import (
    CROSSTABLE_CSV,
    GAMES_NDJSON,
    KINDS,
    RESULTS_JSON,
    ExportError,
    crosstable_csv,
    games_ndjson,
    results_export,
    results_json,
    results_so_far,
    structure_export,
    unstructure_export,
    write_exports,
)
from Remote.ipd import exports as ipd_exports
from Remote.ipd.game import GAME as IPD_GAME
from Remote.santorini import exports as santorini_exports
from Remote.santorini.game import GAME as SANTORINI_GAME

ROOT = Path(__file__).resolve().parent.parent
SANTORINI = attrs.evolve(
    SANTORINI_GAME, outcome_sides=santorini_exports.outcome_sides, standings_json=santorini_exports.standings_json
)
IPD = attrs.evolve(IPD_GAME, outcome_sides=ipd_exports.outcome_sides, standings_json=ipd_exports.standings_json)
WIRED = {game.name: game for game in (SANTORINI, IPD)}
"""Both games with their export hooks named here, so that these tests say which functions they check."""
NAMES = ("ann", "bob", "cat", "dan", "eve")


def events(*bodies):
    """Events from their bodies: seq counted from 1, t made up."""
    return [{"seq": seq, "t": 1000.0 + seq, **body} for seq, body in enumerate(bodies, start=1)]


def start(game, settings, configuration=None):
    configuration = {"time per call": 2.0, "house players": [], **settings} if configuration is None else configuration
    return {"type": "start", "version": 1, "tournament": "t-1", "game": game, "configuration": configuration, "settings": settings}


def sign_ups(*names):
    return [{"type": "sign-up", "requested": name, "assigned": name} for name in names]


def encounter(index, first, second, outcome, culprits=(), games=({},)):
    """An encounter that starts, plays `games` (each a dict of game-end fields) and ends."""
    played = [{"type": "encounter-start", "encounter": index, "players": [first, second], "repetition": 0, "meeting": 0}]
    for number, end in enumerate(games):
        played.append({"type": "game-start", "encounter": index, "game": number, "players": [first, second]})
        played.append({"type": "turn", "encounter": index, "game": number, "player": first, "action": first, "ms": 3})
        played.append({"type": "game-end", "encounter": index, "game": number, **end})
    culprits = list(culprits)
    played += [{"type": "misbehaviour", "name": name, "kind": "illegal", "reason": "no", "encounter": index} for name in culprits]
    played.append({"type": "encounter-end", "encounter": index, "players": [first, second], "outcome": outcome, "culprits": culprits})
    return played


def table(text):
    """The crosstable's header, and its rows as {row player: {column: cell}}."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


# ---------------------------------------------------------------------------
# Logs by hand, exports spelled out


SANTORINI_LOG = events(
    start("santorini", {"best of": 1}),
    *sign_ups("ann", "bob", "cat"),
    {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
    *encounter(0, "ann", "bob", ["ann", "bob"], games=[{"winner": "ann", "how": "height 3"}]),
    *encounter(1, "ann", "cat", ["cat", "ann"], games=[{"winner": "cat", "how": "gave up"}]),
    *encounter(2, "bob", "cat", ["bob", "cat", "irregular"], ["cat"], games=[{"winner": None, "how": "misbehaved", "culprit": "cat"}]),
    {"type": "revision", "encounter": 1, "culprit": "cat", "outcome": ["ann", "cat"]},
    {"type": "results", "results": [["ann", "bob"], ["ann", "cat"], ["bob", "cat", "irregular"]],
     "output": [["ann", "bob"], ["ann", "cat"], ["bob", "cat", "irregular"]]},
)


def test_a_santorini_crosstable_reads_each_encounter_from_the_row_players_side():
    assert crosstable_csv(fold(SANTORINI_LOG), SANTORINI).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 1–0,revised won,2,0,0,0",
        "bob,lost 0–1,,won,1,0,1,0",
        "cat,revised lost,irregular,,0,0,1,1",
    ]


def test_a_santorini_results_json_holds_players_encounters_results_and_standings():
    data = json.loads(results_json(fold(SANTORINI_LOG), SANTORINI))
    assert data["version"] == 1 and data["tournament"] == "t-1" and data["game"] == "santorini" and data["finished"] is True
    assert data["configuration"] == {"time per call": 2.0, "house players": [], "best of": 1}
    assert data["settings"] == {"best of": 1}
    assert data["players"][2] == {"requested": "cat", "assigned": "cat",
                                  "misbehaviour": {"kind": "illegal", "reason": "no", "encounter": 2}}
    assert data["players"][0]["misbehaviour"] is None
    assert data["encounters"][1] == {
        "index": 1, "players": ["ann", "cat"], "repetition": 0, "meeting": 0, "status": "played",
        "outcome": ["cat", "ann"], "culprits": [], "revised": ["ann", "cat"], "games": [{"winner": "cat", "how": "gave up"}],
    }
    assert data["results"] == SANTORINI_LOG[-1]["output"]
    assert data["standings"] == [
        {"rank": 1, "player": "ann", "won": 2, "lost": 0, "irregular": 0},
        {"rank": 2, "player": "bob", "won": 1, "lost": 1, "irregular": 0},
        {"rank": 3, "player": "cat", "won": 0, "lost": 1, "irregular": 1},
    ]
    assert structure_export(data) == results_export(fold(SANTORINI_LOG), SANTORINI)


def test_a_revision_that_deletes_an_outcome_reads_revised_away_and_equal_players_share_a_rank():
    log = events(
        start("santorini", {"best of": 1}),
        *sign_ups("ann", "bob", "cat"),
        {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
        *encounter(0, "ann", "bob", ["ann", "bob"]),
        *encounter(1, "ann", "cat", ["cat", "ann", "irregular"], ["ann"]),
        {"type": "revision", "encounter": 0, "culprit": "ann", "outcome": ["bob", "ann"]},
        *encounter(2, "bob", "cat", ["cat", "bob", "irregular"], ["bob"]),
        {"type": "revision", "encounter": 0, "culprit": "bob", "outcome": None},
    )
    state = fold(log)
    assert crosstable_csv(state, SANTORINI).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,revised away,irregular,0,0,0,1",
        "bob,revised away,,irregular,0,0,0,1",
        "cat,won,won,,2,0,0,0",
    ]
    export = results_export(state, SANTORINI)
    assert export.results is None and export.finished is False  # no results event: the log stops before it
    assert [(row["player"], row["rank"]) for row in export.standings] == [("cat", 1), ("ann", 2), ("bob", 2)]
    assert export.encounters[0].outcome == ["ann", "bob"] and export.encounters[0].revised is None
    assert results_so_far(state, SANTORINI) == [["cat", "ann", "irregular"], ["cat", "bob", "irregular"]]


IPD_LOG = events(
    start("ipd", {"seed": 7}),
    *sign_ups("ann", "bob", "cat"),
    {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
    *encounter(0, "ann", "bob", ["ann", "bob", 30, 20, 10], games=[{"rounds": 10, "totals": [30, 20], "how": "completed", "culprits": []}]),
    *encounter(1, "ann", "cat", ["ann", "cat", "irregular"], ["cat"],
               games=[{"rounds": 0, "totals": [0, 0], "how": "misbehaved", "culprits": ["cat"]}]),
    {"type": "encounter-end", "encounter": 2, "players": ["bob", "cat"], "outcome": None, "culprits": []},
    {"type": "results", "results": ["results", [["ann", "bob", 30, 20, 10], ["ann", "cat", "irregular"]], [["ann", 3.0, 1], ["bob", 2.0, 1]]],
     "output": {"game": "ipd", "seed": 7, "outcomes": [["ann", "bob", 30, 20, 10], ["ann", "cat", "irregular"]],
                "standings": [["ann", 3.0, 1], ["bob", 2.0, 1]]}},
)

LOGS_BY_HAND = {log[0]["game"]: log for log in (SANTORINI_LOG, IPD_LOG)}
"""The logs written by hand above, by the game each is of."""


def test_an_ipd_crosstable_gives_each_sides_totals_and_marks_the_encounter_not_played():
    assert crosstable_csv(fold(IPD_LOG), IPD).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 30:20,not scored,1,0,0,0",
        "bob,lost 20:30,,not played,0,0,1,0",
        "cat,irregular,not played,,0,0,0,1",
    ]


def test_an_ipd_results_json_lists_the_standings_of_the_players_still_in():
    export = results_export(fold(IPD_LOG), IPD)
    assert export.results == IPD_LOG[-1]["output"]
    assert [entry.status for entry in export.encounters] == ["played", "played", "not played"]
    assert list(export.standings) == [
        {"rank": 1, "player": "ann", "score": 3.0, "matches": 1, "won": 1, "drawn": 0, "lost": 0},
        {"rank": 2, "player": "bob", "score": 2.0, "matches": 1, "won": 0, "drawn": 0, "lost": 1},
    ]
    assert results_so_far(fold(IPD_LOG), IPD) == IPD_LOG[-1]["output"]


def test_an_unfinished_tournament_shows_running_and_waiting_encounters_and_the_results_so_far():
    second_start = next(n for n, e in enumerate(SANTORINI_LOG) if e["type"] == "encounter-start" and e["encounter"] == 1)
    state = fold(SANTORINI_LOG[: second_start + 3])  # encounter 0 ended; encounter 1 started its game, one turn in
    assert crosstable_csv(state, SANTORINI).splitlines()[1:] == [
        "ann,,won 1–0,running,1,0,0,0",
        "bob,lost 0–1,,to play,0,0,1,0",
        "cat,running,to play,,0,0,0,0",
    ]
    export = results_export(state, SANTORINI)
    assert [entry.status for entry in export.encounters] == ["played", "running", "to play"]
    assert export.results is None and results_so_far(state, SANTORINI) == [["ann", "bob"]]
    assert games_ndjson(state).count("\n") == 1


def test_a_log_without_a_start_or_with_an_outcome_of_strangers_is_refused_in_one_line():
    with pytest.raises(ExportError, match="no start event"):
        results_export(fold(events(*sign_ups("ann"))), SANTORINI)
    strangers = events(
        start("santorini", {"best of": 1}), *sign_ups("ann", "bob"),
        {"type": "roster", "players": ["ann", "bob"], "encounters": 1},
        *encounter(0, "ann", "bob", ["cat", "dan"]),
    )
    with pytest.raises(ExportError, match="encounter 0.*not one of ann and bob"):
        crosstable_csv(fold(strangers), SANTORINI)
    broken = events(start("santorini", {"best of": 1}), *sign_ups("ann", "bob"),
                    {"type": "roster", "players": ["ann", "bob"], "encounters": 1}, *encounter(0, "ann", "bob", ["ann"]))
    with pytest.raises(ExportError, match=r"the outcome of encounter 0: .*@ \$"):
        results_export(fold(broken), SANTORINI)


# ---------------------------------------------------------------------------
# The converter of results.json


def test_results_json_refuses_wrong_types_naming_where():
    data = unstructure_export(results_export(fold(SANTORINI_LOG), SANTORINI))
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


class Quiet(Participant):
    async def playing_as(self, name):
        pass

    async def end_of_tournament(self, results):
        pass


class Recording(Journal):
    """A journal that keeps the events, as the event log's writer numbers them."""

    tournament = "t-random"

    def __init__(self):
        self.events = []

    def write(self, event):
        self.events.append({"seq": len(self.events) + 1, "t": 0.0, **event})


def scripted_referee(game_name, plans):
    """A referee that plays each encounter as `plans[index]` says, reporting one game per plan through `note`."""

    def make(settings, time_per_call, note):
        async def referee(first, second, encounter):
            plan = plans[encounter.index % len(plans)]
            names = (first.name, second.name)
            games = plan["games"] if game_name == "santorini" else 1
            for number in range(games):
                note({"type": "game-start", "encounter": encounter.index, "game": number, "players": list(names)})
                note({"type": "turn", "encounter": encounter.index, "game": number, "player": names[0], "action": names[0], "ms": 1})
                note({"type": "game-end", "encounter": encounter.index, "game": number, "how": "scripted"})
            culprits = [names[side] for side in plan["culprits"]]
            misbehaviours = tuple(Misbehaviour(name, f"{name} was told to", "illegal") for name in culprits)
            if game_name == "santorini":
                if culprits:
                    (culprit,) = culprits
                    other = names[1] if culprit == names[0] else names[0]
                    return EncounterResult(EncounterOutcome(other, culprit, irregular=True), misbehaviours)
                winner = plan["winner"]
                return EncounterResult(EncounterOutcome(names[winner], names[1 - winner]), misbehaviours)
            if len(culprits) == 2:
                return EncounterResult(Irregular(*names), misbehaviours)
            if culprits:
                (culprit,) = culprits
                return EncounterResult(Irregular(names[1] if culprit == names[0] else names[0], culprit), misbehaviours)
            first_score, second_score, rounds = plan["scores"]
            return EncounterResult(Scored(*names, first_score, second_score, rounds), misbehaviours)

        return referee

    return make


def santorini_plans():
    plan = st.fixed_dictionaries({
        "winner": st.sampled_from([0, 1]),
        "culprits": st.sampled_from([(), (), (), (0,), (1,)]),
        "games": st.integers(1, 3),
    })
    return st.lists(plan, min_size=1, max_size=12)


def ipd_plans():
    plan = st.fixed_dictionaries({
        "scores": st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 10)),
        "culprits": st.sampled_from([(), (), (), (0,), (1,), (0, 1)]),
    })
    return st.lists(plan, min_size=1, max_size=12)


def play(game, players, plans, configured_keys):
    """The events of one tournament of `game` among `players`, every encounter as `plans` say, and its output."""
    scripted = attrs.evolve(game, make_referee=scripted_referee(game.name, plans))
    journal = Recording()
    configured = game.read_settings(configured_keys)

    async def main():
        return await play_tournament(
            scripted, configured, [(name, Quiet()) for name in players], 2.0, logging.getLogger("tests.exports"),
            concurrent=False, journal=journal, configuration={"time per call": 2.0, "house players": []},
        )

    output = trio.run(main)
    return journal.events, output


def tournaments():
    santorini = st.tuples(st.just(SANTORINI), st.integers(2, 5), santorini_plans(), st.just({"best of": 3}))
    ipd = st.tuples(
        st.just(IPD), st.integers(2, 4), ipd_plans(),
        st.fixed_dictionaries({"seed": st.integers(0, 100), "repetitions": st.integers(1, 2)}),
    )
    return st.one_of(santorini, ipd).map(lambda drawn: (drawn[0], *play(drawn[0], NAMES[: drawn[1]], drawn[2], drawn[3])))


MIRRORED_WORDS = {("won", "lost"), ("won", "irregular"), ("irregular", "irregular"), ("not scored", "irregular"),
                  ("not played", "not played"), ("revised away", "revised away"), ("running", "running"), ("to play", "to play"),
                  ("", "")}
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
    if score and "–" in score:  # a Santorini series' games, the winner's more
        return score.split("–") == other_score.split("–")[::-1] and {word, other_word} == {"won", "lost"} and (
            (word == "won") == (int(score.split("–")[0]) > int(score.split("–")[1]))
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
    for name in set(roster) - {row["player"] for row in standings}:  # the IPD lists nobody who misbehaved
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
@given(tournaments())
def test_the_crosstable_reads_the_same_from_both_sides_and_sums_to_the_standings(tournament):
    game, log, _ = tournament
    check_crosstable(fold(log), game)


@FEW
@given(tournaments(), st.data())
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
    assert (so_far if game is SANTORINI else so_far["outcomes"]) == revised  # the revise loop agrees with the revision events


@FEW
@given(tournaments())
def test_games_ndjson_has_one_line_per_game_in_encounter_and_game_order(tournament):
    game, log, _ = tournament
    state = fold(log)
    lines = [json.loads(line) for line in games_ndjson(state).splitlines()]
    started = [(event["encounter"], event["game"]) for event in log if event["type"] == "game-start"]
    assert [(line["encounter"], line["game"]) for line in lines] == sorted(started)
    for line in lines:
        assert line["end"] == {"how": "scripted"} and line["steps"][0]["type"] == "turn"
        assert line["players"] == list(state.encounters[line["encounter"]].players)


def test_listed_pairings_join_a_pairs_encounters_and_leave_a_pair_that_never_meets_empty():
    plans = [{"scores": (3, 1, 1), "culprits": ()}]
    log, output = play(IPD, ("ann", "bob", "cat"), plans, {"seed": 1, "pairings": [["ann", "bob"], ["bob", "ann"]]})
    state = fold(log)
    assert crosstable_csv(state, IPD).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 3:1; lost 1:3,,1,0,1,0",
        "bob,lost 1:3; won 3:1,,,1,0,1,0",
        "cat,,,,0,0,0,0",
    ]
    check_crosstable(state, IPD)
    assert [entry.meeting for entry in results_export(state, IPD).encounters] == [0, 1]
    assert results_export(state, IPD).results == output


# ---------------------------------------------------------------------------
# Files, and the command


def log_directory(tmp_path, log, name="t-1"):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "events.ndjson").write_text("".join(json.dumps(event) + "\n" for event in log))
    return directory


def exports_of(directory):
    return {name: (directory / name).read_bytes() for name in (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON)}


def test_write_exports_replaces_each_file_whole_and_leaves_no_temporary_file(tmp_path):
    directory = log_directory(tmp_path, SANTORINI_LOG)
    (directory / RESULTS_JSON).write_text("old")
    write_exports(directory, fold(SANTORINI_LOG[:20]), SANTORINI)
    write_exports(directory, fold(SANTORINI_LOG), SANTORINI)
    assert sorted(os.listdir(directory)) == sorted([RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, "events.ndjson"])
    assert json.loads((directory / RESULTS_JSON).read_text())["finished"] is True
    assert (directory / GAMES_NDJSON).read_text() == games_ndjson(fold(SANTORINI_LOG))


@pytest.mark.parametrize("log", LOGS_BY_HAND.values(), ids=LOGS_BY_HAND)
def test_the_command_rebuilds_the_files_the_server_writes(tmp_path, log, capsys):
    live = log_directory(tmp_path, log, "live")
    write_exports(live, fold(log), WIRED[log[0]["game"]])
    rebuilt = log_directory(tmp_path, log, "rebuilt")
    assert export.main([str(rebuilt)], games=WIRED) == 0
    assert exports_of(rebuilt) == exports_of(live)
    out, err = capsys.readouterr()
    assert out == f"{rebuilt}: wrote results.json, crosstable.csv, games.ndjson (finished)\n" and err == ""


def test_a_torn_last_line_is_dropped_with_one_line_saying_so(tmp_path, capsys):
    whole = log_directory(tmp_path, SANTORINI_LOG[:-1], "whole")
    write_exports(whole, fold(SANTORINI_LOG[:-1]), SANTORINI)
    torn = log_directory(tmp_path, SANTORINI_LOG[:-1], "torn")
    with open(torn / "events.ndjson", "a") as file:
        file.write(json.dumps(SANTORINI_LOG[-1])[:25])
    assert export.main([str(torn)], games=WIRED) == 0
    assert exports_of(torn) == exports_of(whole)
    out, err = capsys.readouterr()
    assert err == f"export: {torn}/events.ndjson: dropped a torn last line (line {len(SANTORINI_LOG)}): the server stopped while writing it\n"
    assert "unfinished, 3 of 3 encounters ended" in out


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
        with pytest.raises(EventLogError, match=message):
            read_events(path)


def run_command(*arguments):
    return subprocess.run(
        [sys.executable, "-m", "Remote.export", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def one_line_refusal(result, *fragments):
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("export: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_the_command_refuses_a_missing_directory_a_bad_line_and_an_unknown_game_in_one_line(tmp_path):
    one_line_refusal(run_command(str(tmp_path / "nowhere")), "nowhere: no such directory")
    one_line_refusal(run_command(str(tmp_path)), "no events.ndjson")
    bad = log_directory(tmp_path, SANTORINI_LOG, "bad")
    lines = (bad / "events.ndjson").read_text().splitlines(keepends=True)
    lines[3] = '{"seq": 4, "type": "sign-up", "requested": "bob", \n'
    (bad / "events.ndjson").write_text("".join(lines))
    one_line_refusal(run_command(str(bad)), "events.ndjson: line 4: not JSON")
    assert sorted(os.listdir(bad)) == ["events.ndjson"]
    out_of_order = log_directory(tmp_path, SANTORINI_LOG[:3] + SANTORINI_LOG[4:], "gap")
    one_line_refusal(run_command(str(out_of_order)), "line 4: event 5 follows event 3")
    chess = log_directory(tmp_path, events(start("chess", {})), "chess")
    one_line_refusal(run_command(str(chess)), "unknown game 'chess' (this program knows ipd, santorini)")


def test_the_command_says_what_it_does_in_help():
    result = run_command("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert "python -m Remote.export" in result.stdout and "DIR" in result.stdout
    for name in (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, "torn last line"):
        assert name in result.stdout


@pytest.mark.parametrize("log", LOGS_BY_HAND.values(), ids=LOGS_BY_HAND)
def test_the_command_as_a_process_rebuilds_the_files_from_a_log_with_a_torn_line(tmp_path, log):
    live = log_directory(tmp_path, log, "live")
    write_exports(live, fold(log), WIRED[log[0]["game"]])
    rebuilt = log_directory(tmp_path, log, "rebuilt")
    with open(rebuilt / "events.ndjson", "a") as file:
        file.write('{"seq": 99, "t": 1')
    result = run_command(str(rebuilt))
    assert result.returncode == 0, result.stderr
    assert "dropped a torn last line" in result.stderr and result.stderr.count("\n") == 1
    assert exports_of(rebuilt) == exports_of(live)
