// The list of rooms (a server with rooms): /rooms.json asked every few seconds, each room a row linking its page.
//
// Only what changed is written again: a row keeps its elements, and each
// cell's text is set when it differs. Every value is set as text, never as
// HTML; a room's link is its name, under rooms/ relative to this page.
"use strict";

(function () {
  const POLL_MS = 3000;
  const COLUMNS = ["game", "format", "players", "running", "finished", "state"];
  const debug = (window.roomsDebug = { polls: 0, failures: 0 });
  const rows = new Map();
  const $ = (id) => document.getElementById(id);

  function connection(what) {
    const shown = $("connection");
    shown.dataset.state = what;
    shown.textContent = what;
  }

  function stateOf(room) {
    if (room.ended) return "ended";
    return room.started ? "playing" : "waiting for its event";
  }

  function rowOf(room) {
    let row = rows.get(room.name);
    if (row) return row;
    row = document.createElement("tr");
    row.dataset.room = room.name;
    const name = document.createElement("td");
    const link = document.createElement("a");
    link.href = "rooms/" + encodeURIComponent(room.name) + "/";
    link.textContent = room.name;
    name.append(link);
    row.append(name);
    for (const column of COLUMNS) {
      const cell = document.createElement("td");
      cell.dataset.column = column;
      row.append(cell);
    }
    rows.set(room.name, row);
    return row;
  }

  function draw(listed) {
    const body = $("rooms").tBodies[0];
    const seen = new Set();
    listed.rooms.forEach((room, at) => {
      seen.add(room.name);
      const row = rowOf(room);
      const values = { game: room.game, format: room.format, players: room.players, running: room.running, finished: room.finished,
                       state: stateOf(room) };
      for (const cell of row.querySelectorAll("td[data-column]")) {
        const text = String(values[cell.dataset.column]);
        if (cell.textContent !== text) cell.textContent = text;
      }
      row.dataset.state = room.ended ? "ended" : room.started ? "playing" : "waiting";
      if (body.children[at] !== row) body.insertBefore(row, body.children[at] || null);
    });
    for (const [name, row] of rows) {
      if (!seen.has(name)) {
        row.remove();
        rows.delete(name);
      }
    }
  }

  async function poll() {
    try {
      const response = await fetch("rooms.json", { cache: "no-store" });
      if (!response.ok) throw new Error("status " + response.status);
      draw(await response.json());
      debug.polls += 1;
      connection("live");
    } catch (error) {
      debug.failures += 1;
      connection("offline");
    }
    setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", poll);
})();
