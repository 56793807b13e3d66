// Fish's view on the watch page (Game.board_view, served as /view.js): the hex board, its fish, the penguins, the scores.
//
// Registers with the page's Boards (Remote/watch/static/boards.js). A game's
// record is `{players, colors, board, steps, end}`: `colors` and `board` are
// its `game-start` event's (the players' colours in seat order, and the board
// as dealt, `board[r][c]` fish, 0 a hole), the steps its `placement`, `turn`
// and `removed` events. The board is drawn in doubled rows (spec fish.md
// section 1): rows half a tile apart vertically, odd rows shifted right by
// half a tile, so that flat-topped hexagons meet edge to edge. Each step is
// replayed on the board: a penguin placed, a penguin moved (the tile it left
// becomes a hole and its fish go to the mover), a removed player's penguins
// taken off. Under the board, each player's colour, fish and whether it won
// or was removed.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const SIZE = 20; // centre to corner of a hexagon, in SVG units
  const HEIGHT = Math.sqrt(3) * SIZE;
  const element = Boards.element;

  function svg(tag, attributes, text) {
    const made = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) made.setAttribute(name, String(value));
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // Where the centre of tile [r, c] is: rows half a hexagon's height apart, tiles of a row three half-widths apart,
  // odd rows shifted by half of that.
  function centre(row, column) {
    return [SIZE + column * 3 * SIZE + (row % 2 ? 1.5 * SIZE : 0), HEIGHT / 2 + (row * HEIGHT) / 2];
  }

  function hexagon(x, y) {
    const corners = [];
    for (let corner = 0; corner < 6; corner += 1) {
      const angle = (Math.PI / 3) * corner;
      corners.push((x + SIZE * Math.cos(angle)).toFixed(2) + "," + (y + SIZE * Math.sin(angle)).toFixed(2));
    }
    return corners.join(" ");
  }

  // The game after its first `upto` steps: the board's fish, the penguins by tile, each player's fish, who was removed.
  function replay(record, upto) {
    const board = (record.board || []).map((row) => row.slice());
    const penguins = new Map();
    const scores = Object.fromEntries(record.players.map((player) => [player, 0]));
    const removed = new Set();
    const limit = upto === undefined ? record.steps.length : upto;
    for (const step of record.steps.slice(0, limit)) {
      if (step.type === "placement") penguins.set(step.place.join(","), step.player);
      else if (step.type === "turn") {
        const [[fromRow, fromColumn], to] = step.action;
        scores[step.player] = (scores[step.player] || 0) + ((board[fromRow] || [])[fromColumn] || 0);
        if (board[fromRow]) board[fromRow][fromColumn] = 0;
        penguins.delete(fromRow + "," + fromColumn);
        penguins.set(to.join(","), step.player);
      } else if (step.type === "removed") {
        removed.add(step.player);
        for (const [tile, player] of [...penguins]) if (player === step.player) penguins.delete(tile);
      }
    }
    return { board, penguins, scores, removed, limit };
  }

  function colorOf(record, player) {
    const seat = record.players.indexOf(player);
    return (record.colors && record.colors[seat]) || ["red", "white", "brown", "black"][seat] || "gray";
  }

  function drawBoard(picture, record, played) {
    picture.replaceChildren();
    const rows = played.board.length;
    const columns = Math.max(0, ...played.board.map((row) => row.length));
    picture.setAttribute("viewBox", "0 0 " + (columns * 3 * SIZE + 1.5 * SIZE) + " " + ((rows + 1) * HEIGHT) / 2);
    played.board.forEach((row, r) => row.forEach((fish, c) => {
      const [x, y] = centre(r, c);
      const tile = svg("g", { class: fish ? "tile" : "tile hole", "data-tile": r + "," + c, "data-fish": fish });
      tile.appendChild(svg("polygon", { points: hexagon(x, y), fill: fish ? "#cfe6f5" : "#ffffff", stroke: "#7a9bb0" }));
      const penguin = played.penguins.get(r + "," + c);
      if (penguin !== undefined) {
        const color = colorOf(record, penguin);
        tile.dataset.penguin = penguin;
        tile.appendChild(svg("circle", { cx: x, cy: y, r: SIZE * 0.55, fill: color, stroke: "#222", "stroke-width": 1.5 }));
        tile.appendChild(svg("title", {}, penguin + " (" + color + ") on " + fish + " fish"));
      }
      if (fish) {
        const light = penguin !== undefined && ["black", "brown", "red"].includes(colorOf(record, penguin));
        tile.appendChild(svg("text", { x: x, y: y + 4, "text-anchor": "middle", "font-size": 12, fill: light ? "#fff" : "#123" }, String(fish)));
      }
      picture.appendChild(tile);
    }));
  }

  function drawScores(list, record, played) {
    list.replaceChildren();
    const end = record.end && played.limit === record.steps.length ? record.end : null;
    record.players.forEach((player, seat) => {
      const item = element("li", "fish-player");
      item.dataset.player = player;
      const swatch = element("span", "swatch", "●");
      swatch.title = colorOf(record, player);
      swatch.dataset.color = colorOf(record, player);
      item.appendChild(swatch);
      const score = end ? end.scores[seat] : played.removed.has(player) ? null : played.scores[player];
      item.dataset.score = score === null ? "" : String(score);
      const note = played.removed.has(player) || (end && end.scores[seat] === null) ? " removed" : end && end.winners.includes(player) ? " won" : "";
      item.appendChild(document.createTextNode(" " + player + ": " + (score === null ? "–" : score + " fish") + note));
      list.appendChild(item);
    });
  }

  function view(container) {
    const picture = svg("svg", { class: "fish-board", width: "100%" });
    const missing = element("p", "note", "");
    const list = element("ul", "fish-scores");
    container.appendChild(picture);
    container.appendChild(missing);
    container.appendChild(list);
    return {
      show(record, upto) {
        const played = replay(record, upto);
        missing.textContent = record.board ? "" : "(no board in this record: the fish are counted from the turns only)";
        missing.hidden = Boolean(record.board);
        drawBoard(picture, record, played);
        drawScores(list, record, played);
        container.dataset.steps = String(played.limit);
      },
    };
  }

  function scoresText(players, scores) {
    return players.map((player, seat) => player + " " + (scores[seat] === null || scores[seat] === undefined ? "–" : scores[seat])).join(", ");
  }

  function describeEnd(end) {
    const won = end.winners && end.winners.length ? end.winners.join(" and ") + " won" : "nobody won";
    return won + " (" + scoresText(end.players || [], end.scores || []) + ")";
  }

  Boards.register("fish", {
    title: "Fish",
    view: view,
    describeEnd: describeEnd,
    legend: "Each encounter is one game of two to four players; its table gives each player's place and fish.",
    scoresRevised: false,
    scoreAlone: false,
    scoreUnit: " fish",
    // An ended encounter's fish, the players in seat order ("–": removed).
    ended(encounter) {
      const outcome = encounter.outcome;
      if (!outcome || !Array.isArray(outcome.scores)) return null;
      return outcome.scores.map((score) => (score === null ? "–" : String(score))).join(" : ");
    },
    // A running game's fish so far.
    running(encounter) {
      const record = encounter.games[encounter.games.length - 1];
      const played = replay(record);
      return "game " + encounter.games.length + " · " + scoresText(record.players, record.players.map((player) => (played.removed.has(player) ? null : played.scores[player])));
    },
  });
})();
