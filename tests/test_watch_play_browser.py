"""A person plays from the watch page's play view in a real browser: headless Chromium, driven by Selenium, by clicks.

A real xserver runs on 127.0.0.1 with its TCP, WebSocket and watch
listeners and one house player; the window closes as soon as the person has
signed up ("max players": 2). The person opens `/play`, signs up with a name
and plays the whole tournament by clicking what the page offers: a whole
prisoner's dilemma match of 5 rounds against tit-for-tat (C, D, D, C, D), and
a Santorini series (best of 1) against the good player, each click chosen
from the squares the page marks as legal (`data-target`). What the person
sees at the end must be the Results the server printed. On a server with
tokens, a wrong one is refused, and a person who does not answer in time is
kicked and reads why.

Needs Debian's `chromium` and `chromium-driver` (as tests/test_watch_browser.py); without them the tests are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from Remote.loopback import ServerProcess
from Remote.signup import REFUSAL
from tests.raw_client import stop, wait_for_log_sync
from tests.test_watch_browser import CHROMEDRIVER, CHROMIUM, open_browser

WAIT = 60
"""Seconds the browser may take to show what the test waits for (a bound, not a pace)."""
PAGE = re.compile(r"the page is at (http://[^/]+/)")
GENEROUS = {"time per call": 30, "waiting for": 60, "min players": 2, "max players": 2, "repeat": 0}
"""A person's time: 30 s a call; the window closes once the house player and the person are in."""

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no headless browser: install Debian's packages chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

READ_PLAY = """
const board = document.querySelector("#game .board");
return {phase: document.body.dataset.phase || "", status: document.getElementById("status").textContent,
        asked: (document.querySelector("#game .moves") || {dataset: {}}).dataset.asked || "",
        board: board ? board.dataset.phase : "", kicked: document.getElementById("kicked").textContent,
        closed: document.getElementById("closed").textContent};
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory) -> Iterator[Any]:
    """One browser for the module's tests (it starts in about a second)."""
    browser = open_browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.quit()


def serve(configuration: dict) -> tuple[ServerProcess, str]:
    """xserver on `configuration` with its watch and WebSocket listeners on free ports; the server and its play page."""
    server = ServerProcess(GENEROUS | configuration | {"watch": {"port": 0}, "websocket": {"port": 0}})
    page = PAGE.search(wait_for_log_sync(server, "the page is at")[0])[1]
    return server, page + "play"


def wait_until(driver: Any, condition: str) -> dict:
    """The page's state once the JavaScript `condition` on it (`play`) holds, within WAIT seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(driver: Any) -> Any:
        play = driver.execute_script(READ_PLAY)
        return play if driver.execute_script(f"const play = arguments[0]; return Boolean({condition});", play) else False

    return WebDriverWait(driver, WAIT, poll_frequency=0.02).until(ready)


def sign_up(driver: Any, url: str, name: str, token: str | None = None) -> None:
    """Open the play page and sign up as `name`, with `token` where the server takes tokens (and only there is one asked)."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    wait_until(driver, 'play.phase === "form"')
    assert driver.find_element(By.ID, "token-label").is_displayed() == (token is not None)
    driver.find_element(By.ID, "name").send_keys(name)
    if token is not None:
        driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "join").click()


def click(driver: Any, selector: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, selector).click()


def the_end(driver: Any, server: ServerProcess) -> tuple[Any, str]:
    """The Results the server printed, once it has exited, and the end panel's text."""
    from selenium.webdriver.common.by import By

    finished = server.finish(WAIT)
    assert finished.status == 0, finished.log
    wait_until(driver, "play.closed !== ''")
    return json.loads(finished.output), driver.find_element(By.ID, "end-panel").text


def tit_for_tat_totals(moves: str) -> tuple[int, int]:
    """The person's and tit-for-tat's totals when the person plays `moves` (R 3, S 0, T 5, P 1)."""
    payoff = {"CC": (3, 3), "CD": (0, 5), "DC": (5, 0), "DD": (1, 1)}
    theirs = "C" + moves[:-1]
    points = [payoff[mine + other] for mine, other in zip(moves, theirs, strict=True)]
    return sum(point[0] for point in points), sum(point[1] for point in points)


def test_a_person_plays_a_whole_prisoners_dilemma_match_by_clicks(driver):
    from selenium.webdriver.common.by import By

    moves = "CDDCD"
    house = {"house players": [["tit-for-tat", "house", ""]], "min rounds": 5, "max rounds": 5, "time per move": 30}
    server, url = serve({"game": "ipd"} | house)
    try:
        sign_up(driver, url, "ann")
        for round_number, move in enumerate(moves, start=1):
            asked = wait_until(driver, f'play.asked === "{round_number}"')
            assert asked["status"] == f"round {round_number}: your move"
            if round_number > 1:  # the match so far, from the person's side: tit-for-tat copies the person's last move
                history = driver.execute_script(
                    'return [...document.querySelectorAll("#game .history tr[data-side]")].map((row) =>'
                    ' [...row.querySelectorAll("td")].map((cell) => cell.textContent).join(""));'
                )
                assert history == [moves[: round_number - 1], ("C" + moves)[: round_number - 1]]
            click(driver, f'#game button[data-move="{move}"]')
        wait_until(driver, 'play.phase === "results"')
        output, end = the_end(driver, server)
    finally:
        stop(server)
    mine, theirs = tit_for_tat_totals(moves)
    assert output["outcomes"] == [["house", "ann", theirs, mine, 5]]
    match = driver.find_element(By.CSS_SELECTOR, "#game .matches li").text
    assert match == f"against house: {mine} : {theirs} after 5 rounds"
    rows = driver.execute_script(
        'return [...document.querySelectorAll("#results tr[data-name]")].map((row) =>'
        ' [...row.querySelectorAll("td")].map((cell) => cell.textContent));'
    )
    assert rows == [[name, f"{score:.6f}", str(matches)] for name, score, matches in output["standings"]]
    assert f"house vs ann: {theirs} : {mine} in 5 rounds" in end
    assert "the tournament is over for you" in end


def test_a_person_plays_a_santorini_series_by_clicks_on_legal_squares(driver):
    from selenium.webdriver.common.by import By

    server, url = serve({"game": "santorini", "house players": [["good", "house", ""]], "best of": 1})
    turns = placed = 0
    try:
        sign_up(driver, url, "ann")
        while True:
            play = wait_until(driver, 'play.phase === "results" || ["place", "worker"].includes(play.board)')
            if play["phase"] == "results":
                break
            if play["board"] == "place":
                click(driver, '#game td[data-target="place"]')
                placed += 1
                continue
            turns += 1
            click(driver, '#game td[data-target="worker"]')
            wait_until(driver, 'play.board === "move"')
            click(driver, '#game td[data-target="move"]')
            if wait_until(driver, '["build", "waiting"].includes(play.board)')["board"] == "build":  # not a winning move
                click(driver, '#game td[data-target="build"]')
        output, end = the_end(driver, server)
    finally:
        stop(server)
    assert placed == 2 and turns >= 1
    shown = driver.execute_script(
        'return [...document.querySelectorAll("#results li[data-winner]")].map((item) => [item.dataset.winner, item.dataset.loser]);'
    )
    assert [outcome[:2] for outcome in output] == shown and sorted(shown[0]) == ["ann", "house"]
    won = 1 if shown[0][0] == "ann" else 0
    assert f"You won {won} of your 1 series." in end
    assert driver.find_element(By.CSS_SELECTOR, "#game h3.series").text == "a series against house"


def test_with_tokens_a_wrong_one_is_refused_and_a_person_who_does_not_answer_is_kicked_and_reads_why(driver, tmp_path):
    from selenium.webdriver.common.by import By

    participants = tmp_path / "participants.csv"
    participants.write_text("participant,token\nann,ann-secret-token-0001\n")
    rules = {"time per move": 1, "forfeits allowed": 0, "min rounds": 5, "max rounds": 5}
    server, url = serve({"game": "ipd", "participants": str(participants), "house players": [["cooperator", "house", ""]]} | rules)
    try:
        sign_up(driver, url, "ann", "a-wrong-token-000001")
        refused = wait_until(driver, 'play.phase === "refused" && play.closed !== ""')
        assert refused["kicked"] == f"The server refused the sign-up: {REFUSAL}"
        assert refused["closed"] == "The server closed the connection: reload the page to sign up again."
        sign_up(driver, url, "ann", "ann-secret-token-0001")
        wait_until(driver, 'play.asked === "1"')  # and the person does not answer
        kicked = wait_until(driver, 'play.phase === "kicked" && play.closed !== ""')
        output, _ = the_end(driver, server)
    finally:
        stop(server)
    reason = driver.find_element(By.ID, "kicked").get_attribute("data-reason")
    assert reason == "move: 1 forfeit in one match, more than the 0 allowed"
    assert kicked["kicked"] == f"You are out of the tournament: {reason}"
    assert output["outcomes"] == [["house", "ann", "irregular"]]
    assert driver.find_elements(By.CSS_SELECTOR, "#game button[data-move]:enabled") == [], "nothing more to click"
