// The replay panel: one finished game, fetched from /games/<encounter>/<game>.json, drawn step by step.
"use strict";

const Replay = (function () {
  const $ = (id) => document.getElementById(id);
  let replaying = null;

  async function open(gameName, encounter, game) {
    const response = await fetch("games/" + encounter + "/" + game + ".json");
    if (!response.ok) return;
    const record = await response.json();
    close();
    const board = $("replay-board");
    board.replaceChildren();
    replaying = { record: record, step: 0, view: Boards.view(gameName, board), timer: 0 };
    $("replay-title").textContent = "Encounter " + encounter + ", game " + (game + 1) + ": " + record.players.join(" vs ") +
      " — " + Boards.describeEnd(gameName, record.end);
    $("replay").hidden = false;
    show(0);
  }

  function show(step) {
    if (!replaying) return;
    const steps = replaying.record.steps.length;
    replaying.step = Math.max(0, Math.min(steps, step));
    replaying.view.show(replaying.record, replaying.step);
    $("replay-step").textContent = "step " + replaying.step + " of " + steps;
  }

  function togglePlay() {
    if (!replaying) return;
    if (replaying.timer) {
      clearInterval(replaying.timer);
      replaying.timer = 0;
      return;
    }
    replaying.timer = setInterval(() => {
      if (replaying.step >= replaying.record.steps.length) togglePlay();
      else show(replaying.step + 1);
    }, 400);
  }

  function close() {
    if (replaying && replaying.timer) clearInterval(replaying.timer);
    replaying = null;
    $("replay").hidden = true;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("replay-first").addEventListener("click", () => show(0));
    $("replay-back").addEventListener("click", () => replaying && show(replaying.step - 1));
    $("replay-play").addEventListener("click", togglePlay);
    $("replay-forward").addEventListener("click", () => replaying && show(replaying.step + 1));
    $("replay-last").addEventListener("click", () => show(Infinity));
    $("replay-close").addEventListener("click", close);
    document.addEventListener("keydown", (key) => {
      if (!replaying) return;
      if (key.key === "ArrowLeft") show(replaying.step - 1);
      if (key.key === "ArrowRight") show(replaying.step + 1);
      if (key.key === "Escape") close();
    });
  });

  return { open: open };
})();
