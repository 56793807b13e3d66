"""What the watch page shows of each game, for the browser tests: the `page` entry of the kit's table (tests/game_conformance.py).

A PageKit says which tournament holds one game still (a player, "gus",
waits at a gate the test opens) and what a spectator must read on the page
of the game: a running encounter's heading, a crosstable cell, and the
board, each computed from the log's fold through the game's own rules, so
that the tests need not name the game.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import trio

from Admin.tournament_state import TournamentState
from Common.fish.replay import replay_state
from Common.fish.state import COLORS as FISH_COLORS
from Common.ipd.scoring import Payoffs, payoff_table
from Common.santorini.actions import Action
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Worker
from Common.santorini.rules import judge_turn
from Common.santorini.wire import structure
from Player.fish.greedy import Greedy
from Player.fish.local import LocalPlayer as FishLocalPlayer
from Player.fish.misbehaving import IllegalMove
from Player.ipd.classics import Cooperator, Defector
from Player.ipd.local import LocalPlayer as IpdLocalPlayer
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import IllegalAction
from Player.santorini.strategic import GoodStrategy


@attrs.frozen
class PageKit:
    """What the page of one game shows, computed from the log."""

    tournament: Callable[[], tuple[list, dict, Any]]
    """Its players (the last, "gus", held at a gate: `waiting` is set when it waits, `gate` lets it go) and its settings' keys."""
    running: Callable[[TournamentState, int], str]
    """How the heading of the running encounter `index` ends."""
    cell: Callable[[TournamentState, int, str, Any, str, str], None]
    """Asserts what the row player's cell shows of the ended, regular encounter `index` (its revised outcome): text and classes."""
    board: Callable[[dict, list[dict]], list]
    """The board after a game's steps, as its cells show them: `[text, data attributes]` of each cell (a `td`, or a
    Fish tile, `[data-tile]`), in order; from the game's start (its players and the game-start's own keys, Fish's
    board and colours) and its steps."""


# ---------------------------------------------------------------------------
# Santorini


def santorini_players() -> list:
    """ann, dan (wins its first encounter, then breaks a rule: a revision), bob, cat."""
    return [("ann", LocalPlayer("ann", GoodStrategy())), ("dan", LocalPlayer("dan", IllegalAction(40)))] + [
        (name, LocalPlayer(name, GoodStrategy())) for name in ("bob", "cat")
    ]


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


def series(state: TournamentState, index: int, first: str) -> str:
    """A Santorini encounter's games won, `first`'s first: "2–1"."""
    encounter = state.encounters[index]
    second = next(player for player in encounter.players if player != first)
    ends = encounter.game_ends if encounter.ended else [game.end for game in encounter.games]
    won = [sum(1 for end in ends if end and end.get("winner") == player) for player in (first, second)]
    return f"{won[0]}–{won[1]}"


def santorini_running(state: TournamentState, index: int) -> str:
    encounter = state.encounters[index]
    return f"game {len(encounter.games)} · {series(state, index, encounter.players[0])}"


def santorini_cell(state: TournamentState, index: int, row: str, outcome: Any, text: str, classes: str) -> None:
    assert text.endswith(" " + series(state, index, row)), (row, index, text)


def santorini_board(start: dict, steps: list[dict]) -> list:
    """The board after `steps`, through Common's rules: each square's data (x, y, height, worker) and its text."""
    board, placed = Board.empty(), {}
    for step in steps:
        player = step["player"]
        if step["type"] == "placement":
            placed[player] = placed.get(player, 0) + 1
            board = board.with_worker(Worker(player, placed[player]), structure(step["place"], Place))
        else:
            board = judge_turn(board, player, structure(step["action"], Action)).board
    workers = {(wp.place.x, wp.place.y): str(wp.worker) for wp in board.workers}
    cells = []
    for y in range(6):
        for x in range(6):
            height, worker = board.heights[y * 6 + x], workers.get((x, y), "")
            text = worker + (str(height) if height else "") if worker else "" if height in (0, 4) else str(height)
            cells.append([text, {"x": str(x), "y": str(y), "height": str(height), "worker": worker}])
    return cells


# ---------------------------------------------------------------------------
# The prisoner's dilemma


class GatedCooperator(IpdLocalPlayer):
    """A cooperator that, at round `at` of its first match to get there, waits for the test to open its gate."""

    def __init__(self, name: str, at: int) -> None:
        super().__init__(name, Cooperator())
        self.at = at
        self.waiting, self.gate = trio.Event(), trio.Event()

    async def move(self, round: int, prev: Any) -> Any:
        if round == self.at and not self.waiting.is_set():
            self.waiting.set()
            await self.gate.wait()
        return await super().move(round, prev)


def santorini_tournament() -> tuple[list, dict, GatedPlayer]:
    """The watched Santorini players, and gus, held at its fourth turn."""
    gated = GatedPlayer("gus", at=4)
    return [*santorini_players(), ("gus", gated)], {}, gated


def ipd_tournament() -> tuple[list, dict, GatedCooperator]:
    """Cooperators and a defector in matches of 20 rounds: the cooperators' scores are equal, so is their rank."""
    gated = GatedCooperator("gus", at=7)
    players = [(name, IpdLocalPlayer(name, Cooperator())) for name in ("ann", "bob", "cat")] + [("dee", IpdLocalPlayer("dee", Defector()))]
    return [*players, ("gus", gated)], {"min rounds": 20, "max rounds": 20, "seed": 3, "time per move": 60}, gated


def ipd_totals(steps: list[dict]) -> tuple[int, int]:
    table = payoff_table(Payoffs())
    scores = [table[step["scored"][0], step["scored"][1]] for step in steps if step["type"] == "round"]
    return sum(a for a, _ in scores), sum(b for _, b in scores)


def ipd_running(state: TournamentState, index: int) -> str:
    game = state.encounters[index].games[-1]
    rounds = [step["round"] for step in game.steps if step["type"] == "round"]
    totals = ipd_totals(game.steps)
    return f"round {rounds[-1]} · {totals[0]} : {totals[1]}"


def ipd_cell(state: TournamentState, index: int, row: str, outcome: Any, text: str, classes: str) -> None:
    side = state.encounters[index].players.index(row)
    mine, theirs, rounds = outcome[2 + side], outcome[3 - side], outcome[4]
    kind = "won" if mine > theirs else "lost" if mine < theirs else "drawn"
    assert (text, classes) == (f"{mine / rounds:.6f}", f"word {kind}"), (row, index)


RECENT = 12
"""The rounds the IPD's board shows, the latest last."""


def ipd_board(start: dict, steps: list[dict]) -> list:
    """Each player's moves (as scored; "–" for none) in the recent rounds, a row per player."""
    rounds = [step for step in steps if step["type"] == "round"][-RECENT:]
    return [[(step.get("scored") or step["moves"])[side] or "–", {}] for side in (0, 1) for step in rounds]


# ---------------------------------------------------------------------------
# Fish


FISH_SETTINGS = {"rows": 4, "columns": 4, "seed": 3}


def fish_players() -> list:
    """ann, dan (moves another player's penguin at its first turn: removed), bob, cat."""
    return [("ann", FishLocalPlayer("ann", Greedy())), ("dan", FishLocalPlayer("dan", IllegalMove(1)))] + [
        (name, FishLocalPlayer(name, Greedy())) for name in ("bob", "cat")
    ]


class GatedFish(FishLocalPlayer):
    """A greedy player that, at its `at`-th turn, waits for the test to open its gate: its game stays on the board."""

    def __init__(self, name: str, at: int) -> None:
        super().__init__(name, Greedy())
        self.at, self.turns = at, 0
        self.waiting, self.gate = trio.Event(), trio.Event()

    async def move(self, state, actions):
        self.turns += 1
        if self.turns == self.at:
            self.waiting.set()
            await self.gate.wait()
        return await super().move(state, actions)


def fish_tournament() -> tuple[list, dict, GatedFish]:
    """The watched Fish players, and gus, held at its first turn."""
    gated = GatedFish("gus", at=1)
    return [*fish_players(), ("gus", gated)], dict(FISH_SETTINGS), gated


def _fish_replayed(players: list[str], start: dict, steps: list[dict]) -> Any:
    return replay_state([{"type": "game-start", "players": players, **start}, *steps])


def fish_running(state: TournamentState, index: int) -> str:
    """The running game's number and each player's fish so far (seat order; "–": removed)."""
    encounter = state.encounters[index]
    game = encounter.games[-1]
    replayed = _fish_replayed(game.players, game.start, game.steps)
    scores = [
        "–" if player in replayed.removed or replayed.state is None else str(replayed.state.player(FISH_COLORS[seat]).score)
        for seat, player in enumerate(game.players)
    ]
    return f"game {len(encounter.games)} · " + ", ".join(f"{player} {score}" for player, score in zip(game.players, scores, strict=True))


def fish_cell(state: TournamentState, index: int, row: str, outcome: Any, text: str, classes: str) -> None:
    word = "won" if row in outcome["winners"] else "lost"
    assert word in classes, (row, index, text, classes)


def fish_board(start: dict, steps: list[dict]) -> list:
    """Each tile of the board after `steps` (row by row): its fish, and the penguin on it, as the board view draws them."""
    seats = start["players"]
    replayed = _fish_replayed(seats, {key: value for key, value in start.items() if key != "players"}, steps)
    rows = start["board"] if replayed.state is None else [list(row) for row in replayed.state.board.rows]
    penguins = {}
    if replayed.state is not None:
        for player in replayed.state.players:
            for place in player.places:
                penguins[place.row, place.column] = seats[FISH_COLORS.index(player.color)]
    cells = []
    for r, row in enumerate(rows):
        for c, fish in enumerate(row):
            data = {"tile": f"{r},{c}", "fish": str(fish)}
            text = ""
            if (r, c) in penguins:
                data["penguin"] = penguins[r, c]
                text = f"{penguins[r, c]} ({FISH_COLORS[seats.index(penguins[r, c])].value}) on {fish} fish"
            cells.append([text + (str(fish) if fish else ""), data])
    return cells
