"""The watch page in a real browser: headless Chromium, driven by Selenium, watching a tournament of house players.

For every game of the registry (its players and what its board shows: the
kit's `page` entry, tests/page_kit.py): while one player holds its game
still (a gate the test opens), the page's crosstable, standings and running
board must equal what the log folds to at the event the page says it has
drawn; then the server drops every stream
(the listener stops and starts again) and the page must catch up by itself
with Last-Event-ID, applying every event once, to the end. A screenshot of
the page mid-tournament is written to a path the test prints.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them);
without them the test is skipped.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import trio

from Admin.tournament_state import fold
from Remote.event_log_writer import EventLogWriter
from Remote.exports import crosstable_csv
from Remote.game_description import Game, play_tournament
from Remote.game_registry import GAMES
from Remote.watch import WatchedRoom, WatchHub, WatchSettings, serve_watch
from Remote.watch.snapshot import standings_json
from tests.game_conformance import kit_of, log
from tests.watch_client import HOST, log_events

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,1500",
)
WAIT = 60
"""Seconds the browser may take to show what the test waits for (a bound, not a pace)."""

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no headless browser: install Debian's packages chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

READ_PAGE = """
const cells = {};
document.querySelectorAll("#crosstable td[data-row]").forEach((td) => {
  cells[td.dataset.row + "|" + td.dataset.column] = td.dataset.words;
});
const totals = {};
document.querySelectorAll("#crosstable tr[data-player]").forEach((tr) => {
  totals[tr.dataset.player] = [...tr.querySelectorAll("td.total")].map((td) => Number(td.textContent));
});
const table = document.getElementById("standings");
const boards = {};
const cellsOf = (board) => [...board.querySelectorAll("td, [data-tile]")].map((td) => [td.textContent, Object.assign({}, td.dataset)]);
document.querySelectorAll("#running article.encounter").forEach((card) => {
  boards[card.dataset.encounter] = {
    game: Number(card.dataset.game), steps: Number(card.dataset.steps), cells: cellsOf(card.querySelector(".board")),
  };
});
return {seq: Number(document.body.dataset.seq || -1), view: document.body.dataset.view || "", cells: cells, totals: totals,
        standings: {seq: table.dataset.seq === "" ? null : Number(table.dataset.seq),
                    rows: [...table.querySelectorAll("tr[data-row]")].map((tr) => JSON.parse(tr.dataset.row))},
        boards: boards, misbehaviours: [...document.querySelectorAll("#misbehaviours li[data-name]")].map((li) => li.dataset.name),
        finished: [...document.querySelectorAll("#finished li[data-encounter]")].map((li) => li.firstChild.textContent),
        debug: window.watchDebug};
"""


def replay_a_finished_game(driver: Any) -> tuple[int, int, int, list]:
    """Click the first game of the latest finished encounter, go to its end and one step back: the board shown then."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    button = driver.find_element(By.CSS_SELECTOR, "#finished li button.game")
    encounter = int(button.find_element(By.XPATH, "..").text.split(":")[0].split()[-1])
    button.click()
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "replay").is_displayed())
    driver.find_element(By.ID, "replay-last").click()
    driver.find_element(By.ID, "replay-back").click()
    shown = driver.execute_script(
        'return [document.getElementById("replay-step").textContent,'
        ' [...document.querySelectorAll("#replay-board td, #replay-board [data-tile]")]'
        ".map((td) => [td.textContent, Object.assign({}, td.dataset)])];"
    )
    step = int(shown[0].split()[1])
    return encounter, 0, step, shown[1]


def open_browser(profile: Path) -> Any:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))


def wait_for(driver: Any, condition: str) -> Any:
    """The page's state once the JavaScript `condition` on it (`page`) holds, within WAIT seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(driver: Any) -> Any:
        page = driver.execute_script(READ_PAGE)
        return page if driver.execute_script(f"const page = arguments[0]; return Boolean({condition});", page) else False

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(ready)


def expected_cells(events: list[dict], game: Game) -> tuple[dict[str, str], dict[str, list[int]]]:
    """crosstable.csv of the log up to these events, as the page shows it: encounters not yet started left out."""
    rows = list(csv.reader(io.StringIO(crosstable_csv(fold(events), game))))
    roster = rows[0][1:-4]
    cells, totals = {}, {}
    for row in rows[1:]:
        for column, cell in zip(roster, row[1:-4], strict=True):
            cells[f"{row[0]}|{column}"] = "; ".join(word for word in cell.split("; ") if word and word != "to play")
        totals[row[0]] = [int(count) for count in row[-4:]]
    return cells, totals


def check_against_the_log(page: dict, events: list[dict], game: Game) -> None:
    seq = page["seq"]
    if not game.group_game:  # a game of tables has a table per encounter instead (tests/test_watch_k_players.py)
        cells, totals = expected_cells(events[:seq], game)
        assert page["cells"] == cells
        assert page["totals"] == totals
    standings = page["standings"]
    assert standings["seq"] is not None and standings["seq"] <= seq
    expected = standings_json(fold(events[: standings["seq"]]), game)
    assert expected is not None and standings == {"seq": expected["seq"], "rows": expected["rows"]}
    state = fold(events[:seq])
    assert sorted(page["misbehaviours"]) == sorted(state.misbehaviours)
    for index, board in page["boards"].items():
        played = state.encounters[int(index)].games[board["game"]]
        assert board["steps"] == len(played.steps)
        start = {"players": played.players, **played.start}
        assert board["cells"] == kit_of(game).page.board(start, played.steps), f"the board of encounter {index}"


@pytest.mark.parametrize("game_name", sorted(GAMES))
async def test_the_page_shows_the_folded_state_and_catches_up_after_the_server_drops_it(game_name, tmp_path, capsys):
    game, hub, event_log = GAMES[game_name], WatchHub(), EventLogWriter(tmp_path)
    players, settings, gated = kit_of(game).page.tournament()

    async def play() -> None:
        await play_tournament(game, game.read_settings(settings), players, 60.0, log, event_log=event_log, configuration={})

    screenshot = tmp_path / "watch-page-mid-tournament.png"
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "chromium-profile")
    try:
        async with trio.open_nursery() as nursery:
            watching = trio.CancelScope()

            async def serve(port: int, task_status=trio.TASK_STATUS_IGNORED) -> None:
                with watching:
                    await serve_watch(WatchSettings(port=port, host=HOST), [WatchedRoom(None, hub)], task_status=task_status)

            port = await nursery.start(serve, 0)
            hub.attach(event_log, game)
            nursery.start_soon(event_log.run)
            nursery.start_soon(play)
            await gated.waiting.wait()
            url = f"http://{HOST}:{port}/"
            await trio.to_thread.run_sync(driver.get, url)
            condition = (
                "page.seq >= %d && page.boards['%d'] && page.standings.seq !== null && (page.totals.gus || %s) && page.view === '%s'"
            )
            running = next(e for e in hub.state.running if "gus" in e.players)
            tables = "true" if game.group_game else "false"  # a game of tables has no crosstable totals
            page = await trio.to_thread.run_sync(wait_for, driver, condition % (hub.state.last_seq, running.index, tables, game.name))
            await trio.to_thread.run_sync(driver.save_screenshot, str(screenshot))
            check_against_the_log(page, log_events(tmp_path), game)
            assert page["debug"]["snapshots"] == 1

            watching.cancel()  # the server drops every stream...
            watching = trio.CancelScope()
            await nursery.start(serve, port)  # ... and comes back on the same port
            gated.gate.set()
            while hub.state.results is None:
                await hub_progress(event_log)
            last = hub.state.last_seq
            page = await trio.to_thread.run_sync(wait_for, driver, f"page.seq === {last} && page.standings.seq === {last}")
            replayed = await trio.to_thread.run_sync(replay_a_finished_game, driver)
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(driver.quit)
    with capsys.disabled():
        print(f"\nthe watch page mid-tournament: {screenshot}")
    events = log_events(tmp_path)
    check_against_the_log(page, events, game)
    debug = page["debug"]
    assert debug["snapshots"] == 1, "the page caught up with Last-Event-ID, not with a fresh snapshot"
    assert debug["seqs"] == list(range(debug["seqs"][0], last + 1)), "every event applied once, in order"
    assert debug["gaps"] == 0
    assert hub.from_memory >= 1
    played = [encounter for encounter in fold(events).encounters.values() if encounter.game_ends]
    assert len(page["finished"]) == len(set(page["finished"])) == len(played), "every encounter played, once; none not played"
    assert screenshot.stat().st_size > 0
    encounter, number, steps, cells = replayed
    record = json.loads(fold(events).game_lines[encounter, number])
    assert steps == len(record["steps"]) - 1
    start = {key: value for key, value in record.items() if key not in ("encounter", "game", "steps", "end")}
    assert cells == kit_of(game).page.board(start, record["steps"][:-1]), "the replay's board one step before the end"
    if any(event["type"] == "revision" for event in events):
        assert any(" R" in word or "revised" in word for word in page["cells"].values()), "a revised cell was drawn"


async def hub_progress(event_log: EventLogWriter) -> None:
    """Until the log publishes its next batch."""
    published = trio.Event()

    def tell(events: list, lines: list) -> None:
        published.set()

    event_log.subscribers.append(tell)
    try:
        await published.wait()
    finally:
        event_log.subscribers.remove(tell)
