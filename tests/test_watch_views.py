"""The watch page names no game: it asks the server for the watched game's view (`Game.board_view`), served as /view.js.

The games come from the registry. Each game's script registers its view
under the game's own name (checked in Node.js where it is installed, with a
stand-in for the page's Boards); the page's own files name none of them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
import trio

from Remote.event_log_writer import EventLogWriter
from Remote.game_description import GameError, register
from Remote.game_registry import GAMES
from Remote.watch import WatchHub
from Remote.watch.routes import STATIC
from tests.watch_client import get, start_watch

NODE = shutil.which("node")


@pytest.fixture(params=list(GAMES))
def game(request):
    return GAMES[request.param]


@pytest.mark.parametrize("name", sorted(STATIC))
def test_no_file_of_the_page_names_a_game(name):
    text = STATIC[name].decode()
    for game in GAMES.values():
        for word in {game.name, *game.title.split()} - {"the", "The", "s", ""}:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), f"{name} names {word!r} ({game.name})"


async def test_the_server_serves_the_watched_games_view_and_its_style_and_a_comment_before_any(game, tmp_path):
    hub = WatchHub()
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        before = await get(port, "/view.js")
        assert before.status == 200 and before.headers["content-type"].startswith("text/javascript")
        assert before.body.startswith(b"/*") and b"Boards.register" not in before.body
        hub.attach(EventLogWriter(tmp_path), game)
        script = await get(port, f"/view.js?game={game.name}")
        style = await get(port, f"/view.css?game={game.name}")
        nursery.cancel_scope.cancel()
    assert (script.status, script.headers["content-type"].split(";")[0], script.body) == (
        200,
        "text/javascript",
        game.board_view.read_bytes(),
    )
    css = game.board_view.with_suffix(".css")
    assert (style.status, style.headers["content-type"].split(";")[0]) == (200, "text/css")
    assert style.body == (css.read_bytes() if css.is_file() else b"")


STAND_IN = """
const registered = {};
globalThis.Boards = { element: () => ({}), register: (name, view) => { registered[name] = view; } };
globalThis.Scores = { decimals: (n) => Number(n).toFixed(6) };
require(process.argv[2]);
const views = Object.entries(registered).map(([name, view]) =>
  [name, typeof view.view, Object.keys(view).filter((key) => typeof view[key] === "function").sort()]);
console.log(JSON.stringify(views));
"""


@pytest.mark.skipif(NODE is None, reason="no Node.js to run the game's script in")
def test_the_games_script_registers_a_view_under_the_games_own_name(game, tmp_path):
    runner = tmp_path / "stand_in.js"
    runner.write_text(STAND_IN)
    ran = subprocess.run([NODE, str(runner), str(game.board_view)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    ((name, view, functions),) = json.loads(ran.stdout)
    assert (name, view) == (game.name, "function"), f"{game.board_view} registers {name!r}"
    assert set(functions) <= {"view", "describeEnd", "cell", "ended", "running", "grid"}


def test_a_game_whose_view_script_is_missing_is_refused_naming_it(game, tmp_path):
    missing = tmp_path / "nothing.js"
    with pytest.raises(
        GameError, match=rf"^the game 'broken': its board_view must be the path of its watch page script, got '{re.escape(str(missing))}'$"
    ):
        register(attrs.evolve(game, name="broken", board_view=missing))
    with pytest.raises(GameError, match="board_view"):
        register(attrs.evolve(game, name="broken", board_view=str(game.board_view)))


def test_every_game_has_its_view_beside_its_description(game):
    assert game.board_view.is_file() and game.board_view.parent == Path(__file__).resolve().parent.parent / "Remote" / game.name
