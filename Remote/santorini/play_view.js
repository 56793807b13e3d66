// Santorini's play view (Game.play_view, served as /play-view.js): a person places workers and takes turns by clicks.
//
// Registers with the play page's Play (Remote/watch/static/play.js) and draws
// with the board view's grid (board_view.js, `grid`). The server's messages
// carry no tag and are told apart by shape (docs/santorini-protocol.md,
// section 4): the opponent's Name begins a series; a Placement asks for a
// Place (`[]` is a Placement once a series has begun, the Results before);
// a Board asks for an Action; the Results end the tournament.
// Placing: click a free square. A turn: click one of your workers that can
// move, then a square to move to, then a square to build on; a move onto
// height 3 wins at once (no build). "Give up" sends the person's name.
// Each square says what it is in data attributes (data-x, data-y,
// data-height, data-worker) and, while a click is awaited, data-target:
// "place", "worker", "move" or "build".
"use strict";

(function () {
  const element = Boards.element;
  const SIZE = 6, TOP = 3, DOME = 4;
  const EAST_WEST = { 1: "EAST", 0: "PUT", "-1": "WEST" };
  const NORTH_SOUTH = { "-1": "NORTH", 0: "PUT", 1: "SOUTH" };
  const STEPS = [];
  for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) if (dx || dy) STEPS.push([dx, dy]);

  function isPlacement(message) {
    return message.every((entry) => Array.isArray(entry) && entry.length === 3 && typeof entry[0] === "string"
      && Number.isInteger(entry[1]) && Number.isInteger(entry[2]));
  }

  function isBoard(message) {
    return message.length === SIZE && message.every((row) => Array.isArray(row) && row.length === SIZE
      && row.every((cell) => Number.isInteger(cell) || (typeof cell === "string" && /^[0-3]/.test(cell))));
  }

  function isResults(message) {
    return message.every((entry) => Array.isArray(entry) && (entry.length === 2 || entry.length === 3)
      && entry.every((part) => typeof part === "string"));
  }

  function start(container, session) {
    const grid = Boards.of("santorini").grid;
    const heading = element("h3", "series", "waiting for your first series");
    const board = element("div", "board");
    const giveUp = element("button", "give-up", "Give up this game");
    const games = element("ul", "games");
    giveUp.hidden = true;
    container.replaceChildren(heading, board, element("p", "", ""), element("h3", "", "Games"), games);
    container.children[2].appendChild(giveUp);
    const drawn = grid(board);
    board.dataset.phase = "waiting";

    let opponent = null, seriesBegun = false, game = 0, model = null, phase = "waiting", chosen = null;

    const index = (x, y) => y * SIZE + x;
    const onBoard = (x, y) => x >= 0 && x < SIZE && y >= 0 && y < SIZE;
    const mine = (worker) => worker.startsWith(session.name) && worker.length === session.name.length + 1;

    function workerAt(x, y) {
      for (const [worker, place] of Object.entries(model.workers)) if (place[0] === x && place[1] === y) return worker;
      return "";
    }

    function moves(worker) {
      const [x, y] = model.workers[worker];
      const height = model.heights[index(x, y)];
      return STEPS.map(([dx, dy]) => [x + dx, y + dy]).filter(([tx, ty]) => onBoard(tx, ty) && !workerAt(tx, ty)
        && model.heights[index(tx, ty)] <= Math.min(TOP, height + 1));
    }

    function builds(worker, to) {
      const from = model.workers[worker];
      return STEPS.map(([dx, dy]) => [to[0] + dx, to[1] + dy]).filter(([tx, ty]) => onBoard(tx, ty)
        && (!workerAt(tx, ty) || (tx === from[0] && ty === from[1])) && model.heights[index(tx, ty)] < DOME);
    }

    function setPhase(name) {
      phase = name;
      board.dataset.phase = name;
      giveUp.hidden = name !== "worker" && name !== "move" && name !== "build";
    }

    // Draw the model, then mark the squares a click may choose now.
    function draw(targets, kind) {
      drawn.draw(model);
      const marked = new Set((targets || []).map(([x, y]) => index(x, y)));
      drawn.cells.forEach((cell, at) => {
        if (marked.has(at)) cell.dataset.target = kind;
        else delete cell.dataset.target;
        if (chosen && chosen.worker === cell.dataset.worker) cell.classList.add("chosen");
      });
    }

    function newModel() {
      return { players: [session.name, opponent || ""], heights: new Array(SIZE * SIZE).fill(0), workers: {}, last: null, note: "" };
    }

    function askWorker() {
      chosen = null;
      setPhase("worker");
      const movable = Object.keys(model.workers).filter((worker) => mine(worker) && moves(worker).length);
      draw(movable.map((worker) => model.workers[worker]), "worker");
      session.status("game " + game + ": your turn: click one of your workers", "your-turn");
    }

    function placement(entries) {
      if (entries.length <= 1) {
        game += 1;
        const item = element("li", "", "game " + game + ": " + (entries.length ? opponent + " placed first" : "you place first"));
        item.dataset.game = game;
        games.appendChild(item);
      }
      model = newModel();
      for (const [worker, x, y] of entries) model.workers[worker] = [x, y];
      chosen = null;
      setPhase("place");
      const free = [];
      for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (!workerAt(x, y)) free.push([x, y]);
      draw(free, "place");
      session.status("game " + game + ": place a worker: click a free square", "your-turn");
      session.ask(session.timePerCall);
    }

    function turn(rows) {
      model = newModel();
      rows.forEach((row, y) => row.forEach((cell, x) => {
        if (typeof cell === "number") {
          model.heights[index(x, y)] = cell;
        } else {
          model.heights[index(x, y)] = Number(cell[0]);
          model.workers[cell.slice(1)] = [x, y];
        }
      }));
      askWorker();
      session.ask(session.timePerCall);
    }

    function note(text) {
      if (games.lastChild) games.lastChild.textContent += ": " + text;
    }

    function wait(text) {
      chosen = null;
      setPhase("waiting");
      draw([], "");
      session.status(text, "waiting");
    }

    function clicked(x, y) {
      const at = [x, y];
      if (phase === "place") {
        if (workerAt(x, y)) return;
        session.send(at);
        const count = Object.keys(model.workers).filter(mine).length + 1;
        model.workers[session.name + count] = at;
        wait("game " + game + ": waiting for " + opponent);
      } else if (phase === "worker" || phase === "move") {
        const worker = workerAt(x, y);
        if (phase === "move" && chosen.targets.some(([tx, ty]) => tx === x && ty === y)) return moved(at);
        if (!worker || !mine(worker) || !moves(worker).length) return askWorker();
        chosen = { worker: worker, from: model.workers[worker], targets: moves(worker) };
        setPhase("move");
        draw(chosen.targets, "move");
        session.status("game " + game + ": click a square to move " + worker + " to", "your-turn");
      } else if (phase === "build") {
        if (!chosen.targets.some(([tx, ty]) => tx === x && ty === y)) return;
        const { worker, from, to } = chosen;
        session.send([worker, EAST_WEST[to[0] - from[0]], NORTH_SOUTH[to[1] - from[1]], EAST_WEST[x - to[0]], NORTH_SOUTH[y - to[1]]]);
        model.heights[index(x, y)] += 1;
        model.last = { to: to, build: at };
        wait("game " + game + ": waiting for " + opponent);
      }
    }

    function moved(to) {
      const { worker, from } = chosen;
      if (model.heights[index(to[0], to[1])] === TOP) {
        session.send([worker, EAST_WEST[to[0] - from[0]], NORTH_SOUTH[to[1] - from[1]]]);
        model.workers[worker] = to;
        model.last = { to: to, build: null };
        note("you won (" + worker + " climbed to height 3)");
        return wait("game " + game + ": you won");
      }
      chosen = { worker: worker, from: from, to: to, targets: builds(worker, to) };
      model.workers[worker] = to;
      setPhase("build");
      draw(chosen.targets, "build");
      session.status("game " + game + ": click a square to build on", "your-turn");
    }

    function results(outcomes) {
      const node = element("div", "santorini-results");
      const list = element("ul", "outcomes");
      for (const [winner, loser, irregular] of outcomes) {
        const item = element("li", winner === session.name || loser === session.name ? "me" : "",
          winner + " beat " + loser + (irregular ? " (" + loser + " misbehaved)" : ""));
        item.dataset.winner = winner;
        item.dataset.loser = loser;
        list.appendChild(item);
      }
      const won = outcomes.filter(([winner]) => winner === session.name).length;
      const played = outcomes.filter(([winner, loser]) => winner === session.name || loser === session.name).length;
      const summary = element("p", "summary", "You won " + won + " of your " + played + " series.");
      node.append(summary, list);
      session.results(node);
      wait("the tournament is over");
    }

    drawn.table.addEventListener("click", (event) => {
      const cell = event.target.closest("td");
      if (cell && model) clicked(Number(cell.dataset.x), Number(cell.dataset.y));
    });
    giveUp.addEventListener("click", () => {
      session.send(session.name);
      note("you gave up");
      wait("game " + game + ": you gave up");
    });

    return {
      receive(message) {
        if (typeof message === "string") {
          opponent = message;
          seriesBegun = true;
          game = 0;
          heading.textContent = "a series against " + opponent;
          heading.dataset.opponent = opponent;
          games.replaceChildren();
          session.status("a series against " + opponent + " begins", "waiting");
        } else if (!Array.isArray(message)) {
          return false;
        } else if (message.length === 0) {
          if (seriesBegun) placement(message);
          else results(message);
        } else if (isPlacement(message)) {
          placement(message);
        } else if (isBoard(message)) {
          turn(message);
        } else if (isResults(message)) {
          results(message);
        } else {
          return false;
        }
        return true;
      },
      closed() {
        chosen = null;
        setPhase("waiting");
        if (model) draw([], "");
      },
    };
  }

  Play.register("santorini", { start: start });
})();
