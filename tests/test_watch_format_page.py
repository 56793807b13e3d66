"""The watch page of a Swiss event and of a knock-out in headless Chromium: rounds, bracket and ratings, checked against the log.

For every game of the registry, the kit's watched tournament (tests/page_kit.py: one player, "gus", holds
its first game still until the test opens its gate) is played as a Swiss event and as a knock-out.
While gus waits, the page must show each stage so far under its label with its pairings, byes and each
result as the crosstable words it (the running encounter as running), the rounds to come of a bracket as
empty boxes, and the ratings so far as the standings frame it has drawn says. At the end: the Swiss
standings and the bracket (every match with its winner) as the `summary` event has them, and the final
ratings. Screenshots of both moments are written where the test prints.

Played one encounter at a time, as tests/test_watch_formats.py says why. Needs Debian's `chromium` and
`chromium-driver`; without them the test is skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
import trio

from Admin.tournament_state import TournamentState, fold
from Remote.event_log_writer import EventLogWriter
from Remote.exports import IRREGULAR, REMOVED, cell_words
from Remote.game_registry import GAMES
from Remote.watch import WatchHub
from Remote.watch.snapshot import standings_json
from tests.game_conformance import kit_of
from tests.test_watch_browser import CHROMEDRIVER, CHROMIUM, WAIT, hub_progress, open_browser
from tests.test_watch_formats import play_staged
from tests.watch_client import log_events, start_watch

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no headless browser: install Debian's packages chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

FORMATS = {"swiss": {"kind": "swiss", "rounds": 3}, "knock-out": {"kind": "knock-out"}}

READ_FORMAT = """
const rows = (table) => table ? [...table.querySelectorAll("tr[data-row]")].map((tr) => JSON.parse(tr.dataset.row)) : [];
const words = (node) => [...node.querySelectorAll(".word")].map((word) => word.title);
const swiss = document.getElementById("swiss-standings");
const champion = document.getElementById("champion");
return {
  seq: Number(document.body.dataset.seq || -1),
  standingsSeq: document.getElementById("standings").dataset.seq === "" ? null : Number(document.getElementById("standings").dataset.seq),
  hidden: [document.getElementById("format-panel").hidden, document.getElementById("ratings-panel").hidden],
  kind: document.getElementById("format-body").dataset.kind,
  rounds: [...document.querySelectorAll("#format-body .round")].map((card) => ({
    label: card.querySelector("h3").textContent,
    pairings: [...card.querySelectorAll("tr[data-encounter]")].map((tr) =>
      [Number(tr.dataset.encounter), tr.dataset.players.split("\\n"), words(tr)]),
    byes: [...card.querySelectorAll("tr[data-bye]")].map((tr) => tr.dataset.bye)})),
  swiss: rows(swiss), swissFinal: swiss ? swiss.dataset.final : null,
  bracket: [...document.querySelectorAll("#bracket .bracket-round")].map((column) => ({
    label: column.querySelector("h3").textContent,
    boxes: [...column.querySelectorAll(".match")].map((match) => ({
      players: match.dataset.players ? match.dataset.players.split("\\n") : [], winner: match.dataset.winner ?? null,
      encounter: match.dataset.encounter === undefined ? null : Number(match.dataset.encounter),
      bye: match.classList.contains("bye"), empty: match.classList.contains("empty"), words: words(match)}))})),
  champion: champion ? champion.textContent : null,
  ratings: rows(document.getElementById("ratings")), ratingsFinal: document.getElementById("ratings").dataset.final,
};
"""


def wait_for_format(driver: Any, condition: str) -> dict:
    """The page's format panel once the JavaScript `condition` on it (`page`) holds, within WAIT seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(driver: Any) -> Any:
        page = driver.execute_script(READ_FORMAT)
        return page if driver.execute_script(f"const page = arguments[0]; return Boolean({condition});", page) else False

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(ready)


def expected_words(state: TournamentState, index: int, players: list[str]) -> list[str]:
    """What each player's result in the staged encounter `index` says (its crosstable word, running, or nothing yet)."""
    encounter = state.encounters.get(index)
    if encounter is None:
        return ["", ""]
    if not encounter.ended:
        return ["running", "running"]
    assert state.start is not None
    game = GAMES[state.start["game"]]
    words = cell_words(state, index, encounter.players, game.outcome_sides, culprit=REMOVED if game.group_game else IRREGULAR)
    return [words[player] for player in players]


def check_the_stages(page: dict, state: TournamentState) -> None:
    """Each stage under its label, its pairings with each player's result, its byes (Swiss: a card; knock-out: a column)."""
    if page["kind"] == "swiss":
        assert [card["label"] for card in page["rounds"]] == [stage["label"] for stage in state.stages]
        for card, stage in zip(page["rounds"], state.stages, strict=True):
            assert [players for _, players, _ in card["pairings"]] == stage["pairings"]
            assert [index for index, _, _ in card["pairings"]] == list(range(stage["first"], stage["first"] + len(stage["pairings"])))
            assert card["byes"] == stage["byes"]
            for index, players, titles in card["pairings"]:
                for title, word in zip(titles, expected_words(state, index, players), strict=True):
                    assert title.startswith(word), (index, title, word)
        return
    columns = page["bracket"]
    for column, stage in zip(columns, state.stages, strict=False):
        assert column["label"] == stage["label"]
        played = [box for box in column["boxes"] if box["encounter"] is not None]
        assert sorted(box["encounter"] for box in played) == list(range(stage["first"], stage["first"] + len(stage["pairings"])))
        for box in played:
            assert box["players"] == stage["pairings"][box["encounter"] - stage["first"]]
            for title, word in zip(box["words"], expected_words(state, box["encounter"], box["players"]), strict=True):
                assert title.startswith(word), (box, word)
        assert sorted(box["players"][0] for box in column["boxes"] if box["bye"]) == sorted(stage["byes"])
    for column in columns[len(state.stages) :]:
        assert column["boxes"] and all(box["empty"] for box in column["boxes"]), "the rounds to come are empty boxes"


def check_the_end(page: dict, state: TournamentState) -> None:
    summary = state.summary
    assert summary is not None
    roster = list(state.roster or ())
    assert page["ratings"] == summary["ratings"] and page["ratingsFinal"] == "true"
    final = summary["format"]
    if final["kind"] == "swiss":
        assert page["swiss"] == final["standings"] and page["swissFinal"] == "true"
        return
    assert len(page["bracket"]) == final["rounds"]
    for column, matches in zip(page["bracket"], final["bracket"], strict=True):
        shown = sorted((box["players"], box["winner"]) for box in column["boxes"] if not box["empty"])
        expected = sorted(
            ([roster[player] for player in match["players"]], roster[match["winner"]])
            if "players" in match
            else ([roster[match["bye"]]], roster[match["bye"]])
            for match in matches
        )
        assert shown == expected
    assert page["champion"] == f"Winner: {roster[final['winner']]}"


@pytest.mark.parametrize("kind", sorted(FORMATS))
@pytest.mark.parametrize("game_name", sorted(GAMES))
async def test_the_page_shows_the_rounds_the_bracket_and_the_ratings_as_the_log_has_them(game_name, kind, tmp_path, capsys):
    game, hub, event_log = GAMES[game_name], WatchHub(), EventLogWriter(tmp_path)
    players, settings, gated = kit_of(game).page.tournament()
    event_format = FORMATS[kind]
    shots = [tmp_path / f"{game_name}-{kind}-running.png", tmp_path / f"{game_name}-{kind}-end.png"]
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "chromium-profile")
    try:
        await trio.to_thread.run_sync(driver.set_window_size, 1400, 1300)
        async with trio.open_nursery() as nursery:
            port = await start_watch(nursery, hub)
            hub.attach(event_log, game)
            nursery.start_soon(event_log.run)

            nursery.start_soon(play_staged, game, players, event_format, event_log, settings)
            await gated.waiting.wait()
            await trio.to_thread.run_sync(driver.get, f"http://127.0.0.1:{port}/")
            seq = hub.state.last_seq
            ended = [event["seq"] for event in log_events(tmp_path)[:seq] if event["type"] == "encounter-end"]
            standings = f"page.standingsSeq !== null && page.standingsSeq >= {ended[-1]}" if ended else "true"
            page = await trio.to_thread.run_sync(wait_for_format, driver, f"page.seq >= {seq} && {standings}")
            await trio.to_thread.run_sync(driver.save_screenshot, str(shots[0]))
            events = log_events(tmp_path)
            state = fold(events[: page["seq"]])
            assert page["hidden"] == [False, False] and page["kind"] == kind
            check_the_stages(page, state)
            assert any("running" in titles for titles in _results(page)), "gus's encounter is running on the page"
            if ended:
                shown = standings_json(fold(events[: page["standingsSeq"]]), game)
                assert page["ratings"] == (shown["ratings"] or []), "the ratings so far (none for tables of more than two)"
            else:
                assert page["ratings"] == [], "no ratings before an encounter has ended"
            assert page["ratingsFinal"] == "false"

            gated.gate.set()
            while hub.state.results is None:
                await hub_progress(event_log)
            last = hub.state.last_seq
            page = await trio.to_thread.run_sync(wait_for_format, driver, f"page.seq === {last} && page.ratingsFinal === 'true'")
            await trio.to_thread.run_sync(driver.save_screenshot, str(shots[1]))
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(driver.quit)
    event_log.close()
    with capsys.disabled():
        print(f"\nthe watch page of a {kind} event: {' '.join(map(str, shots))}")
    state = fold(log_events(tmp_path))
    check_the_stages(page, state)
    check_the_end(page, state)


def _results(page: dict) -> list[list[str]]:
    """Every encounter's results on the page, as the titles of its words."""
    if page["kind"] == "swiss":
        return [titles for card in page["rounds"] for _, _, titles in card["pairings"]]
    return [box["words"] for column in page["bracket"] for box in column["boxes"]]
