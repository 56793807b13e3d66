// Santorini's view on the watch page (Game.board_view, served as /view.js): the board, the series' scores, its words.
//
// Registers with the page's Boards (Remote/watch/static/boards.js). The board
// shows heights and workers on the 6 x 6 board (places are [x, y], x to the
// EAST, y to the SOUTH), fed a game's record {players, steps, end}: show(record,
// upto) draws the game after its first `upto` steps (all when left out),
// applying only the steps it has not applied yet when the record has grown.
// A series' score is the games each player won, "2–1", the player of the row
// (or the first player) first. The grid itself (`grid`) is registered too, for
// the play view to draw the board a person plays on.
"use strict";

(function () {
  const SIZE = 6;
  const DX = { EAST: 1, PUT: 0, WEST: -1 };
  const DY = { NORTH: -1, PUT: 0, SOUTH: 1 };
  const DASH = "–";
  const element = Boards.element;

  function start(players) {
    return { players: players, heights: new Array(SIZE * SIZE).fill(0), workers: {}, placed: {}, last: null, note: "" };
  }

  function apply(model, step) {
    if (step.type === "placement") {
      const count = (model.placed[step.player] || 0) + 1;
      model.placed[step.player] = count;
      const worker = step.player + count;
      model.workers[worker] = [step.place[0], step.place[1]];
      model.last = { to: step.place, build: null };
      model.note = step.player + " places " + worker + " on [" + step.place.join(", ") + "]";
    } else if (step.type === "turn") {
      const action = step.action;
      if (typeof action === "string") {
        model.last = null;
        model.note = action + " gives up";
        return;
      }
      const from = model.workers[action[0]];
      if (!from) return;
      const to = [from[0] + DX[action[1]], from[1] + DY[action[2]]];
      model.workers[action[0]] = to;
      let build = null;
      if (action.length === 5) {
        build = [to[0] + DX[action[3]], to[1] + DY[action[4]]];
        model.heights[build[1] * SIZE + build[0]] += 1;
      }
      model.last = { from: from, to: to, build: build };
      model.note = action[0] + " moves to [" + to.join(", ") + "]" + (build ? ", builds on [" + build.join(", ") + "]" : " and wins");
    }
  }

  // The 6 x 6 grid in `container`, drawn from a model {players, heights, workers, last, note}: each square a cell
  // with data-x, data-y, data-height and data-worker; the first player's workers (players[0]) are "a", the others "b".
  // Shared by the board view and the play view (Remote/santorini/play_view.js).
  function grid(container) {
    const table = element("table", "santorini");
    const cells = [];
    for (let y = 0; y < SIZE; y++) {
      const row = element("tr");
      for (let x = 0; x < SIZE; x++) {
        const cell = element("td", "h0");
        cell.dataset.x = x;
        cell.dataset.y = y;
        row.appendChild(cell);
        cells.push(cell);
      }
      table.appendChild(row);
    }
    const note = element("p", "note");
    container.appendChild(table);
    container.appendChild(note);

    function draw(model) {
      const where = {};
      for (const [worker, place] of Object.entries(model.workers)) where[place[1] * SIZE + place[0]] = worker;
      const last = model.last || {};
      for (let index = 0; index < cells.length; index++) {
        const cell = cells[index], height = model.heights[index], worker = where[index] || "";
        const x = index % SIZE, y = Math.floor(index / SIZE);
        const at = (place) => place && place[0] === x && place[1] === y;
        cell.dataset.height = height;
        cell.dataset.worker = worker;
        let className = "h" + height;
        if (worker) className += worker.startsWith(model.players[0]) && worker.length === model.players[0].length + 1 ? " a" : " b";
        if (at(last.to)) className += " moved";
        if (at(last.build)) className += " built";
        cell.className = className;
        if (worker) {
          cell.replaceChildren(element("span", "worker", worker));  // clipped to its square (the title has it whole)
          if (height) cell.appendChild(element("span", "height", String(height)));
        } else {
          cell.textContent = height === 4 ? "" : String(height || "");
        }
        cell.title = "[" + x + ", " + y + "] height " + height + (worker ? ", " + worker : "");
      }
      note.textContent = model.note || "";
    }

    return { table: table, cells: cells, draw: draw };
  }

  function view(container) {
    const board = grid(container);
    let model = null, applied = 0, shownFor = null;
    return {
      show(record, upto) {
        const limit = upto === undefined ? record.steps.length : upto;
        if (model === null || shownFor !== record || limit < applied) {
          model = start(record.players);
          applied = 0;
          shownFor = record;
        }
        for (; applied < limit; applied++) apply(model, record.steps[applied]);
        board.draw(model);
      },
    };
  }

  function wins(ends, players) {
    const won = Object.fromEntries(players.map((player) => [player, 0]));
    for (const end of ends || []) if (end && end.winner in won) won[end.winner] += 1;
    return won;
  }

  function seriesScore(ends, players, first) {
    const won = wins(ends, players);
    const second = players.find((player) => player !== first);
    return won[first] + DASH + won[second];
  }

  Boards.register("santorini", {
    title: "Santorini",
    view: view,
    grid: grid,
    size: SIZE,
    legend: "After the letter, the games of the series each won, the row player's first.",
    scoresRevised: true,
    scoreAlone: false,
    scoreUnit: " in games",
    cell(encounter, row) {
      return (encounter.game_ends || []).length ? seriesScore(encounter.game_ends, encounter.players, row) : null;
    },
    ended(encounter) {
      return (encounter.game_ends || []).length ? seriesScore(encounter.game_ends, encounter.players, encounter.players[0]) : null;
    },
    running(encounter) {
      const games = encounter.games;
      return "game " + games.length + " · " + seriesScore(games.map((each) => each.end), encounter.players, encounter.players[0]);
    },
  });
})();
