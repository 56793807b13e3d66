"""The watch page in a real browser: headless Chromium, driven by Selenium, watching a tournament of house players.

While one player holds its game still (a gate the test opens), the page's
crosstable, standings and running board must equal what the log folds to at
the event the page says it has drawn; then the server drops every stream
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
from Common.santorini.actions import Action
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Worker
from Common.santorini.rules import judge_turn
from Common.santorini.wire import structure
from Player.santorini.local import LocalPlayer
from Player.santorini.strategic import GoodStrategy
from Remote.event_log import EventLog
from Remote.exports import crosstable_csv
from Remote.game_registry import GAMES
from Remote.watch import WatchHub, WatchSettings, serve_watch
from Remote.watch.snapshot import standings_json
from tests.game_conformance import play, santorini_players
from tests.watch_client import HOST, log_events

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1300,1500")
WAIT = 60
"""Seconds the browser may take to show what the test waits for (a bound, not a pace)."""

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no headless browser: install Debian's packages chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

READ_PAGE = """
const cells = {};
document.querySelectorAll("#crosstable td[data-row]").forEach((td) => { cells[td.dataset.row + "|" + td.dataset.column] = td.dataset.words; });
const totals = {};
document.querySelectorAll("#crosstable tr[data-player]").forEach((tr) => {
  totals[tr.dataset.player] = [...tr.querySelectorAll("td.total")].map((td) => Number(td.textContent));
});
const table = document.getElementById("standings");
const boards = {};
document.querySelectorAll("#running article.encounter").forEach((card) => {
  boards[card.dataset.encounter] = {game: Number(card.dataset.game), steps: Number(card.dataset.steps),
    cells: [...card.querySelectorAll("td[data-x]")].map((td) => [Number(td.dataset.x), Number(td.dataset.y), Number(td.dataset.height), td.dataset.worker])};
});
return {seq: Number(document.body.dataset.seq || -1), cells: cells, totals: totals,
        standings: {seq: table.dataset.seq === "" ? null : Number(table.dataset.seq), rows: [...table.querySelectorAll("tr[data-row]")].map((tr) => JSON.parse(tr.dataset.row))},
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
        ' [...document.querySelectorAll("#replay-board td[data-x]")].map((td) => [Number(td.dataset.x), Number(td.dataset.y), Number(td.dataset.height), td.dataset.worker])];'
    )
    step = int(shown[0].split()[1])
    return encounter, 0, step, shown[1]


class GatedPlayer(LocalPlayer):
    """A good player that, at its `at`-th turn, waits for the test to open its gate: its game stays on the board."""

    def __init__(self, name: str, at: int) -> None:
        super().__init__(name, GoodStrategy())
        self.at, self.turns = at, 0
        self.waiting, self.gate = trio.Event(), trio.Event()

    async def take_turn(self, board):
        self.turns += 1
        if self.turns == self.at:
            self.waiting.set()
            await self.gate.wait()
        return await super().take_turn(board)


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


def expected_cells(events: list[dict]) -> tuple[dict[str, str], dict[str, list[int]]]:
    """crosstable.csv of the log up to these events, as the page shows it: encounters not yet started left out."""
    rows = list(csv.reader(io.StringIO(crosstable_csv(fold(events), GAMES["santorini"]))))
    roster = rows[0][1 : -4]
    cells, totals = {}, {}
    for row in rows[1:]:
        for column, cell in zip(roster, row[1 : -4]):
            cells[f"{row[0]}|{column}"] = "; ".join(word for word in cell.split("; ") if word and word != "to play")
        totals[row[0]] = [int(count) for count in row[-4:]]
    return cells, totals


def expected_board(steps: list[dict]) -> list[list]:
    """The board after a game's steps, through Common's rules, as the page's cells: [x, y, height, worker]."""
    board, placed = Board.empty(), {}
    for step in steps:
        player = step["player"]
        if step["type"] == "placement":
            placed[player] = placed.get(player, 0) + 1
            board = board.with_worker(Worker(player, placed[player]), structure(step["place"], Place))
        else:
            board = judge_turn(board, player, structure(step["action"], Action)).board
    workers = {(wp.place.x, wp.place.y): str(wp.worker) for wp in board.workers}
    return [[x, y, board.heights[y * 6 + x], workers.get((x, y), "")] for y in range(6) for x in range(6)]


def check_against_the_log(page: dict, events: list[dict]) -> None:
    seq = page["seq"]
    cells, totals = expected_cells(events[:seq])
    assert page["cells"] == cells
    assert page["totals"] == totals
    standings = page["standings"]
    assert standings["seq"] is not None and standings["seq"] <= seq
    assert standings == standings_json(fold(events[: standings["seq"]]), GAMES["santorini"])
    state = fold(events[:seq])
    assert sorted(page["misbehaviours"]) == sorted(state.misbehaviours)
    for index, board in page["boards"].items():
        game = state.encounters[int(index)].games[board["game"]]
        assert board["steps"] == len(game.steps)
        assert board["cells"] == expected_board(game.steps), f"the board of encounter {index}"


async def test_the_page_shows_the_folded_state_and_catches_up_after_the_server_drops_it(tmp_path, capsys):
    game, hub, event_log = GAMES["santorini"], WatchHub(), EventLog(tmp_path)
    gated = GatedPlayer("gus", at=4)
    players = santorini_players() + [("gus", gated)]
    screenshot = tmp_path / "watch-page-mid-tournament.png"
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "chromium-profile")
    try:
        async with trio.open_nursery() as nursery:
            watching = trio.CancelScope()

            async def serve(port: int, task_status=trio.TASK_STATUS_IGNORED) -> None:
                with watching:
                    await serve_watch(WatchSettings(port=port, host=HOST), hub, task_status=task_status)

            port = await nursery.start(serve, 0)
            hub.attach(event_log, game)
            nursery.start_soon(play, game, players, None, None, 60.0, event_log)
            await gated.waiting.wait()
            url = f"http://{HOST}:{port}/"
            await trio.to_thread.run_sync(driver.get, url)
            condition = "page.seq >= %d && page.boards['%d'] && page.standings.seq !== null && page.totals.gus"
            running = next(e for e in hub.state.running if "gus" in e.players)
            page = await trio.to_thread.run_sync(wait_for, driver, condition % (hub.state.last_seq, running.index))
            await trio.to_thread.run_sync(driver.save_screenshot, str(screenshot))
            check_against_the_log(page, log_events(tmp_path))
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
    check_against_the_log(page, events)
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
    assert cells == expected_board(record["steps"][:-1]), "the replay's board one step before the end"
    assert any(" R" in word or "revised" in word for word in page["cells"].values()), "a revised cell was drawn"


async def hub_progress(event_log: EventLog) -> None:
    """Until the log publishes its next batch."""
    published = trio.Event()

    def tell(events: list, lines: list) -> None:
        published.set()

    event_log.subscribers.append(tell)
    try:
        await published.wait()
    finally:
        event_log.subscribers.remove(tell)

