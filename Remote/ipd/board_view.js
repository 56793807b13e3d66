// The prisoner's dilemma's view on the watch page (Game.board_view, served as /view.js): the recent rounds, the scores.
//
// Registers with the page's Boards (Remote/watch/static/boards.js). The board
// shows the round and the recent moves of both players. A match's crosstable
// cell is the row player's points per round; its running score the totals so
// far, from the rounds as scored and the payoffs of the start event (the rule
// of Common/ipd/scoring.py). Every score written as a number has exactly 6
// decimals (Scores.decimals).
"use strict";

(function () {
  const RECENT = 12;
  const element = Boards.element;

  function describeEnd(end) {
    return end.how === "completed" ? "totals " + end.totals.join(" : ") + " after " + end.rounds + " rounds" : end.how;
  }

  function view(container) {
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
        heading.textContent = "round " + last + (record.end && limit === record.steps.length ? " — " + describeEnd(record.end) : "");
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

  function totals(game, start) {
    if (game.end && game.end.totals) return game.end.totals;
    const table = payoffTable(start && start.settings && start.settings.payoffs);
    const sums = [0, 0];
    for (const step of game.steps) {
      if (step.type !== "round") continue;
      const [a, b] = table(step.scored[0], step.scored[1]);
      sums[0] += a;
      sums[1] += b;
    }
    return sums;
  }

  Boards.register("ipd", {
    title: "Prisoner's dilemma",
    view: view,
    describeEnd: describeEnd,
    legend: "A match's number is the row player's points per round; its colour says won, drawn or lost.",
    scoresRevised: false,
    scoreAlone: true,
    scoreUnit: " points per round",
    cell(encounter, row, outcome) {
      if (!Array.isArray(outcome) || outcome.length !== 5 || !outcome[4]) return null;
      const side = outcome[0] === row ? 0 : outcome[1] === row ? 1 : -1;
      return side < 0 ? null : Scores.decimals(outcome[2 + side] / outcome[4]);
    },
    running(encounter, start) {
      const game = encounter.games[encounter.games.length - 1];
      const rounds = game.steps.filter((step) => step.type === "round");
      return "round " + (rounds.length ? rounds[rounds.length - 1].round : 0) + " · " + totals(game, start).join(" : ");
    },
  });
})();
