"""The three exports the page links to, served over HTTP and read with a strict client (h11): the log's own, for every game.

A finished tournament of house players, played in this process and
watched through the hub as xserver does; `/results.json`,
`/crosstable.csv` and `/games.ndjson` must be the bytes the event log's
exports make from the whole log.
"""

from __future__ import annotations

import pytest
import trio

from Admin.tournament_state import fold
from Remote.exports import crosstable_csv, games_ndjson, results_json
from Remote.game_registry import GAMES
from Remote.watch import WatchHub
from tests.game_conformance import kit_of, play
from tests.watch_client import get, log_events, start_watch


@pytest.mark.parametrize("game_name", sorted(GAMES))
async def test_each_export_the_page_links_to_is_served_as_the_log_makes_it(game_name, tmp_path):
    game, hub = GAMES[game_name], WatchHub()
    await play(game, kit_of(game).watch_players(), hub, tmp_path)
    whole = fold(log_events(tmp_path))
    expected = {
        "/results.json": ("application/json", results_json(whole, game)),
        "/crosstable.csv": ("text/csv; charset=utf-8", crosstable_csv(whole, game)),
        "/games.ndjson": ("application/x-ndjson", games_ndjson(whole)),
    }
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for path, (kind, text) in expected.items():
            response = await get(port, path)
            assert (response.status, response.headers["content-type"], response.body.decode()) == (200, kind, text), path
            head = await get(port, path, method="HEAD")
            assert (head.status, head.body, head.headers["content-length"]) == (200, b"", str(len(text.encode()))), path
        nursery.cancel_scope.cancel()
    assert expected["/games.ndjson"][1].count("\n") == len(whole.game_lines) > 0


async def test_before_any_tournament_the_exports_are_404():
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub())
        for path in ("/results.json", "/crosstable.csv", "/games.ndjson"):
            assert (await get(port, path)).status == 404, path
        nursery.cancel_scope.cancel()
