"""Fish's board view (Remote/fish/board_view.js) in Node.js, with a small stand-in for the page's document: the board as
dealt, the penguins placed and moved, holes left behind, a removed player's penguins taken off, the fish per player."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.k_player_logs import BOARD, fish_game, fish_outcome

VIEW = Path(__file__).parent.parent / "Remote" / "fish" / "board_view.js"
NODE = shutil.which("node")

STAND_IN = """
class Node_ {
  constructor(tag) { this.tag = tag; this.children = []; this.attributes = {}; this.dataset = {}; this.textContent = ""; }
  setAttribute(name, value) { this.attributes[name] = value; }
  appendChild(child) { this.children.push(child); return child; }
  replaceChildren(...children) { this.children = children; }
}
globalThis.document = { createElementNS: (ns, tag) => new Node_(tag), createElement: (tag) => new Node_(tag),
                        createTextNode: (text) => Object.assign(new Node_("#text"), { textContent: text }) };
const registered = {};
globalThis.Boards = {
  element: (tag, className, text) => Object.assign(new Node_(tag), { className, textContent: text ?? "" }),
  register: (name, view) => { registered[name] = view; },
};
require(process.argv[2]);
const [record, upto] = JSON.parse(process.argv[3]);
const fish = registered.fish;
const container = new Node_("div");
fish.view(container).show(record, upto === null ? undefined : upto);
const [picture, , list] = container.children;
const tiles = picture.children.map((tile) =>
  [tile.attributes["data-tile"], Number(tile.attributes["data-fish"]), tile.dataset.penguin ?? null]);
const scores = list.children.map((item) =>
  [item.dataset.player, item.dataset.score, item.children.map((child) => child.textContent).join("")]);
const encounter = { games: [record], outcome: record.end };
console.log(JSON.stringify({ tiles, scores, running: fish.running(encounter), ended: record.end ? fish.ended(encounter) : null,
                             describe: record.end ? fish.describeEnd(record.end) : null }));
"""


def record_of(players, removed=(), ended=False):
    """A game's record as the page folds it: the game-start's fields, the steps, the end."""
    started, *steps = fish_game(0, players, removed)
    record = {key: value for key, value in started.items() if key not in ("type", "encounter", "game")}
    record["steps"] = [{key: value for key, value in step.items() if key not in ("encounter", "game")} for step in steps]
    record["end"] = None
    if ended:
        record["end"] = fish_outcome(players, [7, None, 3])
    return record


def shown(tmp_path, record, upto=None):
    runner = tmp_path / "stand_in.js"
    runner.write_text(STAND_IN)
    ran = subprocess.run([NODE, str(runner), str(VIEW), json.dumps([record, upto])], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


pytestmark = pytest.mark.skipif(NODE is None, reason="no Node.js to run the view in")


def test_the_board_is_dealt_as_the_game_start_says_before_any_step(tmp_path):
    page = shown(tmp_path, record_of(["ann", "bob", "cat"]), upto=0)
    assert [(tile, fish) for tile, fish, _ in page["tiles"]] == [(f"{r},{c}", BOARD[r][c]) for r in range(3) for c in range(3)]
    assert all(penguin is None for _, _, penguin in page["tiles"])
    assert [score for _, score, _ in page["scores"]] == ["0", "0", "0"]


def test_placements_turns_and_a_removal_move_the_penguins_and_score_the_fish_left_behind(tmp_path):
    # ann, bob, cat place on [0,0], [0,1], [0,2]; ann moves [0,0] -> [1,0], bob is removed, cat moves [0,2] -> [1,2]
    page = shown(tmp_path, record_of(["ann", "bob", "cat"], removed=["bob"]))
    tiles = {tile: (fish, penguin) for tile, fish, penguin in page["tiles"]}
    assert tiles["0,0"] == (0, None) and tiles["0,2"] == (0, None), "a tile left becomes a hole"
    assert tiles["1,0"] == (4, "ann") and tiles["1,2"] == (1, "cat")
    assert tiles["0,1"] == (2, None), "a removed player's penguins are taken off"
    assert [(player, score) for player, score, _ in page["scores"]] == [("ann", "1"), ("bob", ""), ("cat", "3")]
    assert "removed" in page["scores"][1][2]
    assert page["running"] == "game 1 · ann 1, bob –, cat 3"


def test_an_ended_game_shows_the_ends_scores_and_winners(tmp_path):
    page = shown(tmp_path, record_of(["ann", "bob", "cat"], removed=["bob"], ended=True))
    assert [(player, score) for player, score, _ in page["scores"]] == [("ann", "7"), ("bob", ""), ("cat", "3")]
    assert "won" in page["scores"][0][2] and "won" not in page["scores"][2][2]
    assert page["ended"] == "7 : – : 3"
    assert page["describe"] == "ann won (ann 7, bob –, cat 3)"
