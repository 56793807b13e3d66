"""The watch page at 1400 x 1000 in headless Chromium, every game: what a spectator reads, checked against the DOM and the log.

For each game of the registry a tournament of house players runs in this
process (the kit's `page` entry, tests/page_kit.py); one player holds its
game still (a gate the test opens) so that a running encounter is on the
page. Then, and at the end, the page must show: the standings whole (no
horizontal scrollbar), ranks shared by equal scores, every numeric score
with 6 decimals; the running encounter's own score and each crosstable cell
in the game's terms (the kit's, computed from the log); labels inside their
squares; a Finished list without "not played" lines; links to the three
exports. Screenshots are written where the test prints.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them);
without them the test is skipped.
"""

from __future__ import annotations

import pytest
import trio

from Admin.tournament_state import TournamentState, fold
from Remote.event_log_writer import EventLogWriter
from Remote.game_registry import GAMES
from Remote.watch import WatchedRoom, WatchHub, WatchSettings, serve_watch
from Remote.watch.snapshot import standings_json
from tests.game_conformance import kit_of, log
from tests.test_watch_browser import CHROMEDRIVER, CHROMIUM, hub_progress, open_browser, wait_for
from tests.watch_client import HOST, log_events

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no headless browser: install Debian's packages chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

READ_SCORES = """
const rect = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
const standings = document.getElementById("standings");
return {
  seq: Number(document.body.dataset.seq),
  standingsKeys: [...standings.querySelectorAll("tr:first-child th")].map((th) => th.textContent),
  standingsBox: [standings.parentElement.scrollWidth, standings.parentElement.clientWidth],
  ranks: [...standings.querySelectorAll("tr[data-row]")].map((tr) => [JSON.parse(tr.dataset.row),
    [...tr.children].map((td) => td.textContent)]),
  links: [...document.querySelectorAll("#downloads a[download]")].filter((a) => getComputedStyle(a).display !== "none")
    .map((a) => a.getAttribute("href")),
  finished: [...document.querySelectorAll("#finished li")].map((li) => [li.dataset.encounter ?? null, li.textContent]),
  cells: [...document.querySelectorAll("#crosstable td[data-row]")].map((td) => [td.dataset.row, td.dataset.column,
    [...td.querySelectorAll(".word")].map((span) => [span.textContent, span.className])]),
  running: [...document.querySelectorAll("#running article.encounter")].map((card) => [Number(card.dataset.encounter),
    card.querySelector("h3").textContent]),
  workers: [...document.querySelectorAll("#running .board td > span")].map((label) => [label.textContent, label.scrollWidth,
    label.clientWidth, rect(label), rect(label.closest("td"))]),
};
"""


def check_running(game_name: str, shown: dict, state: TournamentState) -> None:
    assert shown["running"], "a running encounter is on the page"
    page = kit_of(GAMES[game_name]).page
    for index, heading in shown["running"]:
        assert heading.endswith(f" · encounter {index} · {page.running(state, index)}"), heading
    for label, scroll_width, client_width, inner, square in shown["workers"]:
        assert scroll_width <= client_width, f"the label {label} is cut"
        assert square[0] <= inner[0] and inner[2] <= square[2] and square[1] <= inner[1] and inner[3] <= square[3], (
            f"{label} leaves its square"
        )


def check_the_end(game_name: str, shown: dict, state: TournamentState) -> None:
    game = GAMES[game_name]
    scroll_width, client_width = shown["standingsBox"]
    assert scroll_width <= client_width, "the standings are whole, without a horizontal scrollbar"
    rows = standings_json(state, game)["rows"]
    assert [row for row, _ in shown["ranks"]] == rows
    keys = shown["standingsKeys"]
    for row, cells in shown["ranks"]:
        assert cells[keys.index("rank")] == str(row["rank"]), "the rank is the standings' own, as in the log and results.json"
        equals = [other["rank"] for other in rows if "score" in row and other["score"] == row["score"]]
        assert len(set(equals)) <= 1, "equal scores share a rank"
        if "score" in row:
            assert cells[keys.index("score")] == f"{row['score']:.6f}", "a score has 6 decimals"
    assert shown["links"] == ["/results.json", "/crosstable.csv", "/games.ndjson"]

    played = [index for index, encounter in state.encounters.items() if encounter.ended and encounter.game_ends]
    listed = [int(index) for index, _ in shown["finished"] if index is not None]
    assert sorted(listed) == sorted(played), "the Finished list holds the encounters played, and only them"
    assert all("not played" not in text for index, text in shown["finished"] if index is not None)

    for row, column, words in shown["cells"]:
        indices = [i for i, e in sorted(state.encounters.items()) if e.ended and set(e.players) == {row, column} and row != column]
        assert len(words) == len(indices), (row, column)
        for (text, classes), index in zip(words, indices, strict=True):
            encounter = state.encounters[index]
            outcome = state.revisions.get(index, encounter.outcome)
            if encounter.culprits or outcome is None:
                continue
            kit_of(game).page.cell(state, index, row, outcome, text, classes)


@pytest.mark.parametrize("game_name", sorted(GAMES))
async def test_the_page_shows_each_games_scores_whole_and_in_its_own_terms(game_name, tmp_path, capsys):
    game, hub, event_log = GAMES[game_name], WatchHub(), EventLogWriter(tmp_path)
    players, settings, gated = kit_of(game).page.tournament()
    shots = [tmp_path / f"{game_name}-running.png", tmp_path / f"{game_name}-end.png"]
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "chromium-profile")
    try:
        await trio.to_thread.run_sync(driver.set_window_size, 1400, 1000)
        async with trio.open_nursery() as nursery:
            port = await nursery.start(serve_watch, WatchSettings(port=0, host=HOST), [WatchedRoom(None, hub)])
            hub.attach(event_log, game)
            nursery.start_soon(event_log.run)

            async def play() -> None:
                from Remote.game_description import play_tournament

                await play_tournament(game, game.read_settings(settings), players, 60.0, log, event_log=event_log, configuration={})

            nursery.start_soon(play)
            await gated.waiting.wait()
            await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/")
            running = next(e for e in hub.state.running if "gus" in e.players)
            await trio.to_thread.run_sync(
                wait_for, driver, f"page.seq >= {hub.state.last_seq} && page.boards['{running.index}'] && page.view === '{game.name}'"
            )
            shown = await trio.to_thread.run_sync(driver.execute_script, READ_SCORES)
            await trio.to_thread.run_sync(driver.save_screenshot, str(shots[0]))
            check_running(game_name, shown, fold(log_events(tmp_path)[: shown["seq"]]))

            gated.gate.set()
            while hub.state.results is None:
                await hub_progress(event_log)
            last = hub.state.last_seq
            await trio.to_thread.run_sync(wait_for, driver, f"page.seq === {last} && page.standings.seq === {last}")
            shown = await trio.to_thread.run_sync(driver.execute_script, READ_SCORES)
            await trio.to_thread.run_sync(driver.save_screenshot, str(shots[1]))
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(driver.quit)
    event_log.close()
    with capsys.disabled():
        print(f"\nthe watch page: {' '.join(map(str, shots))}")
    check_the_end(game_name, shown, fold(log_events(tmp_path)))
    scores = [row["score"] for row, _ in shown["ranks"] if "score" in row]
    assert len(set(scores)) < len(scores) or not scores, "a tournament with scores has equal scores to rank"
