// An arena's view: the live leaderboard, each player's rating over time, the queue and the latest results.
//
// Folded from the stream, never recomputed: the ratings are the server's
// (openskill runs there). The snapshot's `arena` carries the leaderboard,
// each player's rating history (μ − 3σ after its encounters, at their end
// times, thinned by the server) and misbehaviour count, and its latest
// ended encounters the latest results; then each `encounter-end`'s second
// line carries its players' leaderboard rows after it ({name, mu, sigma,
// ordinal, encounters, streak, change}), so the page keeps a row per player
// and adds a point to each one's history, thinned to at most 2 × HISTORY
// points a player. The queue is folded from `arena-join`,
// `arena-leave`, `encounter-start` and `encounter-end` as the matchmaking
// orders it: by the time a player waits from (its join, or its cool-down's
// end), then join order, then name. Drawn at most once per animation frame:
// the leaderboard's changed rows only, its rows moved only where the order
// changed; the chart redrawn only when a shown player's history grew.
"use strict";

const Arena = (function () {
  const TOP = 10;
  const RESULTS = 20;
  const HISTORY = 200;
  const QUEUE_SHOWN = 200;
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
  const SVG = (() => {  // the SVG namespace, as the HTML parser gives it to an <svg> (the page's files name no address)
    const box = document.createElement("div");
    box.innerHTML = "<svg></svg>";
    return box.firstChild.namespaceURI;
  })();
  const NEW_MU = 25, NEW_SIGMA = 25 / 3;
  const element = Boards.element;
  let arena = null;
  let redraw = () => {};

  function fresh(start) {
    const format = (start && start.configuration && start.configuration.format) || {};
    return {
      rows: new Map(), order: [], histories: new Map(), waiting: new Map(), joins: 0, playing: new Set(), cooling: new Map(),
      misbehaved: new Map(), out: new Set(), results: [], picked: new Set(), lines: new Map(), now: -Infinity,
      coolDown: typeof format["cool down"] === "number" ? format["cool down"] : 60,
      allowed: typeof format["misbehaviours allowed"] === "number" ? format["misbehaviours allowed"] : 2,
      dirty: { rows: new Set(), order: true, chart: true, queue: true, results: true },
    };
  }

  function is(state) {
    return Boolean(state.arenaView);
  }

  // Python's order of names (by code point), the leaderboard's last tie-break.
  function byCodePoint(a, b) {
    const first = [...a], second = [...b];
    for (let at = 0; at < Math.min(first.length, second.length); at += 1) {
      const difference = first[at].codePointAt(0) - second[at].codePointAt(0);
      if (difference) return difference;
    }
    return first.length - second.length;
  }

  // The leaderboard's order (Admin/arena_ratings.py's leaderboard_key): higher μ − 3σ, more encounters, the name.
  function better(a, b) {
    return b.ordinal - a.ordinal || b.encounters - a.encounters || byCodePoint(a.name, b.name);
  }

  function player(name) {
    if (!arena.rows.has(name)) {
      arena.rows.set(name, { name, mu: NEW_MU, sigma: NEW_SIGMA, ordinal: NEW_MU - 3 * NEW_SIGMA, encounters: 0, streak: 0 });
      arena.histories.set(name, []);
      arena.dirty.order = true;
      arena.dirty.rows.add(name);
    }
    return arena.rows.get(name);
  }

  // A player's leaderboard row as the server sent it (`change` left out).
  function take(row) {
    arena.rows.set(row.name, { name: row.name, mu: row.mu, sigma: row.sigma, ordinal: row.ordinal, encounters: row.encounters, streak: row.streak });
    arena.dirty.rows.add(row.name);
    arena.dirty.order = true;
  }

  // An encounter that ended after the snapshot: its players' rows, a point of each one's history, a latest result.
  function rated(encounter, rows, time) {
    for (const row of rows || []) {
      const known = player(row.name);
      if (row.encounters < known.encounters) continue;
      take(row);
      if (row.encounters > known.encounters) {
        const history = arena.histories.get(row.name);
        history.push([time, row.ordinal]);
        if (history.length > 2 * HISTORY) arena.histories.set(row.name, history.filter((_, at) => (history.length - 1 - at) % 2 === 0));  // the latest kept
        arena.dirty.chart = true;
      }
    }
    if (rows) addResult(encounter, rows);
  }

  function addResult(encounter, rows) {
    arena.results.push({ encounter: encounter.encounter, players: encounter.players, words: encounter.words, rows });
    if (arena.results.length > 4 * RESULTS) arena.results.splice(0, arena.results.length - RESULTS);
    arena.dirty.results = true;
  }

  function wait(name, time) {
    arena.joins += 1;
    arena.waiting.set(name, { name, since: Math.max(time, arena.cooling.get(name) ?? -Infinity), order: arena.joins });
    arena.dirty.queue = true;
  }

  // -- the fold

  function fromSnapshot(state, snapshot) {
    state.arenaView = Boolean(snapshot.arena) || kindOf(snapshot.start) === "arena";
    if (!state.arenaView) return;
    arena = fresh(snapshot.start);
    document.getElementById("leaderboard").replaceChildren();
    const shown = snapshot.arena || { waiting: [], playing: [], out: [], cooling: {} };
    for (const row of shown.leaderboard || []) take(row);
    for (const name of snapshot.roster || []) player(name);
    for (const [name, points] of Object.entries(shown.history || {})) arena.histories.set(name, points.slice(-2 * HISTORY));
    for (const [name, count] of Object.entries(shown.misbehaved || {})) arena.misbehaved.set(name, count);
    const ended = snapshot.encounters.filter((encounter) => encounter.ended && encounter.ratings);  // the latest results only
    ended.sort((a, b) => (a.ended_at ?? 0) - (b.ended_at ?? 0) || a.encounter - b.encounter);
    for (const encounter of ended.slice(-RESULTS)) addResult(encounter, encounter.ratings);
    for (const [name, until] of Object.entries(shown.cooling || {})) arena.cooling.set(name, until);
    shown.waiting.forEach((name) => {  // in queue order already: a cooling player waits from its cool-down's end
      arena.joins += 1;
      arena.waiting.set(name, { name, since: arena.cooling.get(name) ?? -Infinity, order: arena.joins });
    });
    for (const name of shown.playing) arena.playing.add(name);
    for (const name of shown.out) arena.out.add(name);
  }

  function kindOf(start) {
    const format = start && start.configuration && start.configuration.format;
    return format && typeof format === "object" ? format.kind : null;
  }

  // One event of the log (after watch.js folded it into `state`); `extra` is its second line.
  function apply(state, event, extra) {
    if (event.type === "start") {
      state.arenaView = kindOf(state.start) === "arena";
      arena = state.arenaView ? fresh(state.start) : null;
      document.getElementById("leaderboard").replaceChildren();
    }
    if (!is(state)) return;
    if (typeof event.t === "number") arena.now = Math.max(arena.now, event.t);
    switch (event.type) {
      case "arena-join":
        player(event.name);
        wait(event.name, event.t);
        return;
      case "arena-leave":
        arena.waiting.delete(event.name);
        arena.dirty.queue = true;
        return;
      case "encounter-start":
        for (const name of event.players) { arena.waiting.delete(name); arena.playing.add(name); }
        arena.dirty.queue = true;
        return;
      case "encounter-end": {
        for (const name of event.players) arena.playing.delete(name);
        for (const culprit of event.culprits) {
          const count = (arena.misbehaved.get(culprit) || 0) + 1;
          arena.misbehaved.set(culprit, count);
          if (count > arena.allowed) arena.out.add(culprit);
          else arena.cooling.set(culprit, event.t + arena.coolDown);
        }
        rated(state.encounters.get(event.encounter) || event, extra && extra.ratings, event.t);
        arena.dirty.queue = true;
        return;
      }
      case "resume":
        for (const name of arena.playing) arena.playing.delete(name);
        arena.dirty.queue = true;
        return;
      case "summary":  // the final leaderboard: the server's rows as they are
        for (const row of event.ratings) { arena.rows.set(row.name, row); arena.dirty.rows.add(row.name); }
        arena.dirty.order = true;
        return;
    }
  }

  // The standings frame: the server's leaderboard as of its seq (rows the page may have missed).
  function standings(state, frame) {
    if (!is(state) || !frame || !frame.rows) return;
    for (const row of frame.rows) {
      const known = arena.rows.get(row.name);
      if (known && known.encounters > row.encounters) continue;
      if (!known || known.mu !== row.mu || known.sigma !== row.sigma || known.streak !== row.streak) {
        arena.rows.set(row.name, Object.assign({}, row));
        if (!arena.histories.has(row.name)) arena.histories.set(row.name, []);
        arena.dirty.rows.add(row.name);
        arena.dirty.order = true;
      }
    }
  }

  // -- drawing

  const number = (value, digits) => Number(value).toFixed(digits === undefined ? 1 : digits);
  const signed = (value) => (value > 0 ? "+" : value < 0 ? "−" : "±") + Math.abs(value).toFixed(1);

  function shownPlayers() {
    if (arena.picked.size) return arena.order.filter((name) => arena.picked.has(name));
    return arena.order.slice(0, TOP);
  }

  function toggle(name) {
    if (arena.picked.has(name)) arena.picked.delete(name);
    else {
      if (!arena.picked.size) for (const top of arena.order.slice(0, TOP)) arena.picked.add(top);
      arena.picked.add(name);
    }
    arena.dirty.chart = true;
    redraw();
  }

  function leaderboardRow(name) {
    const line = element("tr");
    line.dataset.player = name;
    for (const style of ["rank", "name", "number rating", "number interval", "number", "number streak", "pick"]) line.appendChild(element("td", style));
    const box = document.createElement("input");
    box.type = "checkbox";
    box.title = "show in the chart";
    box.addEventListener("change", () => toggle(name));
    line.lastChild.appendChild(box);
    return line;
  }

  function fillRow(line, row, rank, charted) {
    const cells = line.children;
    line.dataset.row = JSON.stringify(row);
    cells[0].textContent = rank;
    cells[1].textContent = row.name;
    cells[2].textContent = number(row.ordinal);
    cells[3].textContent = number(row.mu - 3 * row.sigma) + " … " + number(row.mu + 3 * row.sigma);
    cells[3].title = "μ " + number(row.mu, 2) + ", σ " + number(row.sigma, 2);
    cells[4].textContent = String(row.encounters);
    cells[5].textContent = row.streak > 0 ? "+" + row.streak : row.streak < 0 ? "−" + -row.streak : "0";
    cells[5].className = "number streak " + (row.streak > 0 ? "won" : row.streak < 0 ? "lost" : "");
    cells[6].firstChild.checked = charted;
  }

  function drawLeaderboard() {
    const table = document.getElementById("leaderboard");
    let body = table.tBodies[0];
    if (!body) {
      const head = element("thead");
      const header = element("tr");
      for (const key of ["#", "player", "rating", "μ ± 3σ", "games", "streak", "chart"]) header.appendChild(element("th", "", key));
      head.appendChild(header);
      body = element("tbody");
      table.append(head, body);
    }
    if (arena.dirty.order) {
      arena.order = [...arena.rows.values()].sort(better).map((row) => row.name);
      arena.dirty.chart = true;
    }
    const charted = new Set(shownPlayers());
    const lines = body.children;
    arena.order.forEach((name, at) => {
      let line = arena.lines.get(name);
      const fresh = !line;
      if (fresh) arena.lines.set(name, (line = leaderboardRow(name)));
      if (lines[at] !== line) body.insertBefore(line, lines[at] || null);
      const rank = String(at + 1), ticked = charted.has(name) ? "1" : "0";
      if (fresh || arena.dirty.rows.has(name)) {
        fillRow(line, arena.rows.get(name), rank, charted.has(name));
        counted("arenaRows");
      } else if (line.dataset.rank !== rank || line.dataset.charted !== ticked) {
        line.children[0].textContent = rank;  // moved, or ticked: its rank and its box alone
        line.children[6].firstChild.checked = charted.has(name);
        counted("arenaRanks");
      } else return;
      line.dataset.rank = rank;
      line.dataset.charted = ticked;
    });
    table.dataset.players = arena.order.length;
  }

  // The page's counters (window.watchDebug), for the tests and the measures: rows filled, ranks moved, the slowest draw.
  function counted(what, value) {
    const debug = window.watchDebug;
    if (debug) debug[what] = value === undefined ? (debug[what] || 0) + 1 : Math.max(debug[what] || 0, value);
  }

  function drawChart() {
    const holder = document.getElementById("arena-chart");
    const names = shownPlayers();
    const width = 720, height = 260, left = 44, right = 8, top = 8, bottom = 22;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    let low = Infinity, high = -Infinity, first = Infinity, last = -Infinity;
    for (const name of names) {
      for (const [time, value] of arena.histories.get(name) || []) {
        low = Math.min(low, value); high = Math.max(high, value); first = Math.min(first, time); last = Math.max(last, time);
      }
    }
    if (low === Infinity) { low = 0; high = 1; first = 0; last = 1; }
    if (high - low < 1) { low -= 0.5; high += 0.5; }
    if (last <= first) last = first + 1;
    const x = (time) => left + ((width - left - right) * (time - first)) / (last - first);
    const y = (value) => top + ((height - top - bottom) * (high - value)) / (high - low);
    const axis = (x1, y1, x2, y2) => {
      const line = document.createElementNS(SVG, "line");
      for (const [key, value] of Object.entries({ x1, y1, x2, y2 })) line.setAttribute(key, value);
      line.setAttribute("class", "axis");
      return line;
    };
    const label = (text, at, where, anchor) => {
      const shown = document.createElementNS(SVG, "text");
      shown.setAttribute("x", at);
      shown.setAttribute("y", where);
      shown.setAttribute("text-anchor", anchor);
      shown.textContent = text;
      return shown;
    };
    svg.append(axis(left, top, left, height - bottom), axis(left, height - bottom, width - right, height - bottom));
    svg.append(label(number(high), left - 4, top + 10, "end"), label(number(low), left - 4, height - bottom, "end"));
    svg.append(label("0 s", left, height - 6, "start"), label(number(last - first, 0) + " s", width - right, height - 6, "end"));
    if (low < 0 && high > 0) svg.appendChild(axis(left, y(0), width - right, y(0))).setAttribute("class", "zero");
    names.forEach((name, at) => {
      const points = arena.histories.get(name) || [];
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", points.map(([time, value]) => x(time).toFixed(1) + "," + y(value).toFixed(1)).join(" "));
      line.setAttribute("stroke", COLOURS[at % COLOURS.length]);
      line.setAttribute("data-player", name);
      line.setAttribute("data-points", points.length);
      const title = document.createElementNS(SVG, "title");
      title.textContent = name;
      line.appendChild(title);
      svg.appendChild(line);
      if (points.length) {  // the latest point, seen even when it is the only one
        const [time, value] = points[points.length - 1];
        const dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x(time).toFixed(1));
        dot.setAttribute("cy", y(value).toFixed(1));
        dot.setAttribute("r", "2.5");
        dot.setAttribute("fill", COLOURS[at % COLOURS.length]);
        svg.appendChild(dot);
      }
    });
    holder.replaceChildren(svg);
    const legend = document.getElementById("arena-legend");
    legend.replaceChildren(...names.map((name, at) => {
      const item = element("span", "key", name);
      item.style.borderColor = COLOURS[at % COLOURS.length];
      return item;
    }));
    document.getElementById("arena-chart-note").textContent = arena.picked.size ? "the players ticked in the leaderboard" :
      "the top " + Math.min(TOP, arena.order.length) + " (tick others in the leaderboard)";
  }

  function drawQueue() {
    const list = document.getElementById("arena-queue");
    const queue = [...arena.waiting.values()].sort((a, b) => a.since - b.since || a.order - b.order || byCodePoint(a.name, b.name));
    list.replaceChildren(...queue.slice(0, QUEUE_SHOWN).map((waiting) => {
      const item = element("li", (arena.cooling.get(waiting.name) ?? -Infinity) > arena.now ? "cooling" : "", waiting.name);
      item.dataset.name = waiting.name;
      return item;
    }));
    if (queue.length > QUEUE_SHOWN) list.appendChild(element("li", "more", "and " + (queue.length - QUEUE_SHOWN) + " more"));
    document.getElementById("arena-counts").textContent = arena.rows.size + " players: " + queue.length + " waiting, " + arena.playing.size +
      " playing" + (arena.out.size ? ", " + arena.out.size + " out for good" : "");
  }

  function drawResults(state) {
    const list = document.getElementById("arena-results");
    list.replaceChildren(...arena.results.slice(-RESULTS).reverse().map((result) => {
      const item = element("li");
      item.dataset.encounter = result.encounter;
      const words = result.words || {};
      item.appendChild(element("span", "arena-encounter", "encounter " + result.encounter + ": "));
      result.rows.forEach((row, seat) => {
        const word = words[row.name] || "";
        const part = element("span", "side " + word.split(" ")[0], (seat ? ", " : "") + row.name + " " + word + " · μ " + number(row.mu) + " (" + signed(row.change) + ")");
        part.dataset.player = row.name;
        item.appendChild(part);
      });
      const encounter = state.encounters.get(result.encounter);
      if (encounter && (encounter.game_ends || []).length) item.addEventListener("click", () => Replay.open(state.game, result.encounter, 0));
      return item;
    }));
  }

  function draw(state) {
    if (!is(state) || !arena) return;
    const dirty = arena.dirty;
    const began = performance.now();
    if (dirty.order || dirty.rows.size) drawLeaderboard();
    if (dirty.chart) drawChart();
    if (dirty.queue) drawQueue();
    if (dirty.results) drawResults(state);
    arena.dirty = { rows: new Set(), order: false, chart: false, queue: false, results: false };
    const debug = window.watchDebug || {};
    counted(debug.arenaDraws ? "arenaSlowestMs" : "arenaFirstMs", performance.now() - began);  // the first builds every row
    counted("arenaDraws");
  }

  // `schedule`: how the page asks for a frame (a player ticked or unticked for the chart).
  function init(schedule) {
    redraw = schedule;
  }

  return { init, is, fromSnapshot, apply, standings, draw, debug: () => arena };
})();
