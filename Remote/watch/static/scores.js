// What the page writes of each game's scores: a crosstable cell, a running encounter's score, the standings' numbers.
//
// Santorini: a series' score is the games each player won, "2–1", the
// player of the row (or the first player) first. The prisoner's dilemma:
// a match's cell is the row player's points per round, its running score the
// totals so far, from the rounds as scored and the payoffs of the start
// event (the rule of Common/ipd/scoring.py). Every IPD score the page writes
// as a number has exactly 6 decimals. A rank is the one the game's standings
// give (players equal in its ranking share one), never the page's own.
"use strict";

const Scores = (function () {
  const DASH = "–";

  function decimals(number) {
    return Number(number).toFixed(6);
  }

  // -- Santorini

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

  // -- The prisoner's dilemma

  function payoffTable(payoffs) {
    const { R, S, T, P } = payoffs || { R: 3, S: 0, T: 5, P: 1 };
    const legal = { CC: [R, R], CD: [S, T], DC: [T, S], DD: [P, P] };
    return (first, second) => {
      if (first == null && second == null) return [S, S];  // a forfeit scores S, and gives the opponent R
      if (first == null) return [S, R];
      if (second == null) return [R, S];
      return legal[first + second];
    };
  }

  function ipdTotals(game, start) {
    if (game.end && game.end.totals) return game.end.totals;
    const table = payoffTable(start && start.settings && start.settings.payoffs);
    const totals = [0, 0];
    for (const step of game.steps) {
      if (step.type !== "round") continue;
      const [a, b] = table(step.scored[0], step.scored[1]);
      totals[0] += a;
      totals[1] += b;
    }
    return totals;
  }

  function ipdPerRound(outcome, row) {
    if (!Array.isArray(outcome) || outcome.length !== 5 || !outcome[4]) return null;
    const side = outcome[0] === row ? 0 : outcome[1] === row ? 1 : -1;
    return side < 0 ? null : decimals(outcome[2 + side] / outcome[4]);
  }

  const LEGEND = {
    ipd: "A match's number is the row player's points per round; its colour says won, drawn or lost.",
    santorini: "After the letter, the games of the series each won, the row player's first.",
  };

  return {
    decimals,

    // What the crosstable's legend adds about the game's scores.
    legend(gameName) {
      return LEGEND[gameName] || "";
    },

    // The text of the row player's cell for an ended encounter, or null for the page's letters alone.
    cell(gameName, encounter, row, outcome) {
      if (gameName === "ipd") return ipdPerRound(outcome, row);
      if (gameName === "santorini" && (encounter.game_ends || []).length) return seriesScore(encounter.game_ends, encounter.players, row);
      return null;
    },

    // An ended encounter's score, the players in order: the series' games won, or nothing to add.
    ended(gameName, encounter) {
      if (gameName === "santorini" && (encounter.game_ends || []).length) return seriesScore(encounter.game_ends, encounter.players, encounter.players[0]);
      return null;
    },

    // A running encounter's heading: where it is and its score so far.
    running(gameName, encounter, start) {
      const games = encounter.games;
      const game = games[games.length - 1];
      if (!game) return "";
      if (gameName === "ipd") {
        const rounds = game.steps.filter((step) => step.type === "round");
        return "round " + (rounds.length ? rounds[rounds.length - 1].round : 0) + " · " + ipdTotals(game, start).join(" : ");
      }
      if (gameName === "santorini") {
        return "game " + games.length + " · " + seriesScore(games.map((each) => each.end), encounter.players, encounter.players[0]);
      }
      return "game " + games.length;
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
