"""The fgw door's match files (Remote/ipd/fgw_records.py): the websocket IPD server's CSV format, written when a match ends."""

from __future__ import annotations

from pathlib import Path

from Admin.encounter import Encounter, EncounterResult, Misbehaviour
from Common.ipd.records import MoveLog
from Remote.ipd.fgw_matches import new_matches
from Remote.ipd.fgw_records import FgwRecordWriter, fgw_csv, played_ids


def test_a_completed_match_reads_as_that_servers_file_b_for_defect_forfeit_for_a_forfeit_no_final_newline() -> None:
    text = fgw_csv("2026-12-07T16:02:20+0000", "alice", "bob", [("C", "D"), (None, "C")])
    assert text == "# 2026-12-07T16:02:20+0000\n# Participants: [alice,bob]\nalice,bob\nC,B\nForfeit,C\n# COMPLETED"


def test_an_irregular_match_names_the_culprit_on_its_last_line() -> None:
    assert fgw_csv("t", "alice", "bob", [], ["bob"]).endswith("alice,bob\n# IRREGULAR bob")


def test_the_writer_names_each_file_after_its_match_id_and_the_id_counts_as_played(tmp_path: Path) -> None:
    matches = new_matches([("alice", "bob"), ("carol", "dave")])
    played: set[str] = set()
    writer = FgwRecordWriter(tmp_path / "tournaments", matches, played)
    writer.started(["alice", "bob", "carol", "dave"])
    moves = MoveLog()
    moves.append("D", "C")
    writer.played(Encounter(1), "carol", "dave", EncounterResult(["carol", "dave", 5, 0, 1], record=moves))
    second = matches.matches[1].match_id
    assert played == {second} == played_ids(tmp_path / "tournaments")
    lines = (tmp_path / "tournaments" / f"{second}.csv").read_text().splitlines()
    assert lines[1:] == ["# Participants: [carol,dave]", "carol,dave", "B,C", "# COMPLETED"]
    culprit = Misbehaviour("bob", "move: it closed the connection", "broken")
    writer.played(Encounter(0), "alice", "bob", EncounterResult(["alice", "bob", "irregular"], (culprit,), record=MoveLog()))
    assert played_ids(tmp_path / "tournaments") == {match.match_id for match in matches}
