// What the page writes of each game's scores: a crosstable cell, an encounter's score, the standings' numbers.
//
// Each game's own scores come from its view (boards.js: `cell`, `ended`,
// `running`, `legend`), so that this file names no game. Every score the page
// writes as a number has exactly 6 decimals. A rank is the one the game's
// standings give (players equal in its ranking share one), never the page's own.
"use strict";

const Scores = (function () {
  function decimals(number) {
    return Number(number).toFixed(6);
  }

  return {
    decimals,

    // What the crosstable's legend adds about the game's scores.
    legend(gameName) {
      return Boards.of(gameName).legend || "";
    },

    // The text of the row player's cell for an ended encounter, or null for the page's letters alone.
    cell(gameName, encounter, row, outcome) {
      const view = Boards.of(gameName);
      return view.cell ? view.cell(encounter, row, outcome) : null;
    },

    // An ended encounter's score, the players in order, or null: nothing to add.
    ended(gameName, encounter) {
      const view = Boards.of(gameName);
      return view.ended ? view.ended(encounter) : null;
    },

    // A running encounter's heading: where it is and its score so far.
    running(gameName, encounter, start) {
      const games = encounter.games;
      if (!games[games.length - 1]) return "";
      const view = Boards.of(gameName);
      return view.running ? view.running(encounter, start) : "game " + games.length;
    },
    // The standings' rank of each row: the game's own, which players equal in its ranking share (1, 1, 3).
    ranks(rows) {
      return rows.map((row, at) => row.rank ?? at + 1);
    },

    // A standings value as the page writes it: a numeric score with 6 decimals.
    value(key, value) {
      if (key === "score" && typeof value === "number") return decimals(value);
      return String(value ?? "");
    },
  };
})();
