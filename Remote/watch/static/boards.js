// The boards of the games in progress and of the replays: one drawer per game, fed a game's record.
//
// A record is {players, steps, end} as the event stream and /games/<e>/<g>.json
// give it. Boards[game].view(container) returns {show(record, upto)}: it draws
// the game after its first `upto` steps (all of them when left out), applying
// only the steps it has not applied yet when the record has grown.
"use strict";

const Boards = (function () {
  const SIZE = 6;
  const DX = { EAST: 1, PUT: 0, WEST: -1 };
  const DY = { NORTH: -1, PUT: 0, SOUTH: 1 };

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // -- Santorini: heights and workers on the 6 x 6 board (places are [x, y], x to the EAST, y to the SOUTH)

  function santoriniStart(players) {
    return { players: players, heights: new Array(SIZE * SIZE).fill(0), workers: {}, placed: {}, last: null, note: "" };
  }

  function santoriniApply(model, step) {
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

  function santoriniView(container) {
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
    let model = null, applied = 0, shownFor = null;

    function draw() {
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
      note.textContent = model.note;
    }

    return {
      show(record, upto) {
        const limit = upto === undefined ? record.steps.length : upto;
        if (model === null || shownFor !== record || limit < applied) {
          model = santoriniStart(record.players);
          applied = 0;
          shownFor = record;
        }
        for (; applied < limit; applied++) santoriniApply(model, record.steps[applied]);
        draw();
      },
    };
  }

  // -- The prisoner's dilemma: the round, and the recent moves of both players

  const RECENT = 12;

  function ipdView(container) {
    const heading = element("p", "round");
    const table = element("table", "ipd");
    container.appendChild(heading);
    container.appendChild(table);
    return {
      show(record, upto) {
        const limit = upto === undefined ? record.steps.length : upto;
        const rounds = record.steps.slice(0, limit).filter((step) => step.type === "round");
        const last = rounds.length ? rounds[rounds.length - 1].round : 0;
        heading.dataset.round = last;
        heading.textContent = "round " + last + (record.end && limit === record.steps.length ? " — " + describeIpdEnd(record.end) : "");
        table.replaceChildren();
        const recent = rounds.slice(-RECENT);
        const header = element("tr");
        header.appendChild(element("th", "", ""));
        for (const round of recent) header.appendChild(element("th", "", String(round.round)));
        table.appendChild(header);
        record.players.forEach((player, side) => {
          const row = element("tr");
          row.appendChild(element("th", "", player));
          for (const round of recent) {
            const move = round.scored ? round.scored[side] : round.moves[side];
            const cell = element("td", move === "C" ? "cooperate" : move === "D" ? "defect" : "forfeit", move || "–");
            cell.title = "sent " + (round.moves[side] || "nothing") + ", scored " + (move || "nothing");
            row.appendChild(cell);
          }
          table.appendChild(row);
        });
      },
    };
  }

  function describeIpdEnd(end) {
    return end.how === "completed" ? "totals " + end.totals.join(" : ") + " after " + end.rounds + " rounds" : end.how;
  }

  // -- Any other game: the steps, counted

  function plainView(container) {
    const note = element("p", "note");
    container.appendChild(note);
    return {
      show(record, upto) {
        const limit = upto === undefined ? record.steps.length : upto;
        note.textContent = limit + " steps" + (limit ? ": the last " + JSON.stringify(record.steps[limit - 1]) : "");
      },
    };
  }

  const VIEWS = { santorini: santoriniView, ipd: ipdView };

  return {
    view(game, container) {
      return (VIEWS[game] || plainView)(container);
    },
    describeEnd(game, end) {
      if (!end) return "";
      if (game === "ipd") return describeIpdEnd(end);
      return end.winner ? end.winner + " won (" + end.how + ")" : end.how + (end.culprit ? ": " + end.culprit : "");
    },
  };
})();
