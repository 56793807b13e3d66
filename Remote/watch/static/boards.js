// The boards of the games in progress and of the replays: each game's view, which the game's own script registers.
//
// The page names no game. A game's Game names its view script
// (`Game.board_view`) and, beside it, its style sheet; the watch server
// serves the attached game's as /view.js and /view.css (asked relative to
// the page: a room's own), which the page loads once it learns the game's
// name (`load`).
// The script calls Boards.register(name, view), where view has:
//   view(container)          -> {show(record, upto)}: draws a game's record {players, steps, end}
//                               after its first `upto` steps (all of them when left out)
//   title                    the game as the page's heading names it (default: its name)
//   describeEnd(end)         a game's end in words (default: "ann won (height 3)")
//   legend                   what the crosstable's legend adds about its scores
//   cell(encounter, row, outcome), ended(encounter), running(encounter, start)
//                            scores: see scores.js (each may be left out: no score)
//   scoresRevised            whether a revised cell shows a score too
//   scoreAlone, scoreUnit    whether a cell's score replaces its letter, and the unit its title names
// Until the script has registered (and for a game without one) the steps are counted.
"use strict";

const Boards = (function () {
  const games = {};
  const requested = new Set();

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // -- Any game without a view: the steps, counted

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

  function describeEnd(end) {
    return end.winner ? end.winner + " won (" + end.how + ")" : end.how + (end.culprit ? ": " + end.culprit : "");
  }

  const PLAIN = { view: plainView, describeEnd: describeEnd, legend: "", scoresRevised: false, scoreAlone: false, scoreUnit: "" };

  return {
    element,

    // A game's script registers its view under the game's name.
    register(game, view) {
      games[game] = Object.assign({}, PLAIN, view);
    },

    // Ask the server for the view of `game` (once); `loaded` is called when its script has run.
    load(game, loaded) {
      if (!game || games[game] || requested.has(game)) return;
      requested.add(game);
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = "view.css?game=" + encodeURIComponent(game);
      document.head.appendChild(style);
      const script = document.createElement("script");
      script.src = "view.js?game=" + encodeURIComponent(game);
      script.addEventListener("load", () => { if (games[game]) loaded(); });
      document.head.appendChild(script);
    },

    // Whether the view of `game` has registered.
    has(game) {
      return Boolean(game && games[game]);
    },

    // The view of `game`: its own once registered, the counted steps until then.
    of(game) {
      return games[game] || PLAIN;
    },

    view(game, container) {
      return this.of(game).view(container);
    },

    describeEnd(game, end) {
      return end ? this.of(game).describeEnd(end) : "";
    },

    title(game) {
      return this.of(game).title || game;
    },
  };
})();
