// The play page's shell, game-free: sign up over WebSocket, hand each message to the game's play view, show the end.
//
// The page names no game. It asks /play.json which game the server runs and
// where its WebSocket listener is, loads the game's board view (/view.js, for
// its drawing) and play view (/play-view.js, `Game.play_view`), which calls
//   Play.register(name, {start(container, session) -> {receive(message) -> bool, closed()}})
// receive() takes each message of the game's own conversation (one JSON
// value per text frame) and says whether it knew it; the shell itself takes
// what every game's server says alike: ["playing-as", Name], ["kicked",
// Reason] and ["refused", Text]. The session a view is given:
//   session.name            the name this person plays under (a "playing-as" changes it)
//   session.settings        the game's configuration keys; session.timePerCall: seconds, or null
//   session.send(value)     sends one JSON value (and stops the countdown)
//   session.ask(seconds)    shows the time left to answer the request just received
//   session.status(text, state)  the line saying what happens now (state: "your-turn", "waiting", ...)
//   session.results(node)   shows the tournament's results
// Everything the server says is shown as text, never as HTML. The page's
// URLs are relative to it: a room's play page (/rooms/R/play) asks its own
// room, and signs up for it: ["sign-up", Name, Token-or-null, {"room": R}].
"use strict";

const Play = (function () {
  const views = {};
  return {
    register(game, view) {
      views[game] = view;
    },
    of(game) {
      return views[game];
    },
  };
})();

(function () {
  const byId = (id) => document.getElementById(id);
  const TICK_MS = 100;
  let info = null, socket = null, handler = null, ticking = null;
  let opened = false, ended = "";  // ended: "results", "kicked" or "refused", once the server has said so

  function notice(text) {
    byId("notice").textContent = text;
  }

  function connection(state, text) {
    const shown = byId("connection");
    shown.dataset.state = state;
    shown.textContent = text;
  }

  function phase(name) {
    document.body.dataset.phase = name;
  }

  function loadScript(src, loaded) {
    const script = document.createElement("script");
    script.src = src;
    script.addEventListener("load", loaded);
    script.addEventListener("error", () => notice("the page could not load " + src));
    document.head.appendChild(script);
  }

  function loadStyle(href) {
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = href;
    document.head.appendChild(style);
  }

  async function begin() {
    phase("asking");
    try {
      const response = await fetch("play.json", { cache: "no-store" });
      info = await response.json();
    } catch (error) {
      notice("the server did not say how to sign up: " + error);
      return;
    }
    if (!info.game) return notice("the server runs no game yet");
    if (!info.websocket) return notice("this server takes no players from the page: it has no WebSocket listener");
    if (!info.view) return notice("this game has no play view: play it with a program (xclients)");
    const query = "?game=" + encodeURIComponent(info.game);
    Boards.load(info.game, () => {
      byId("title").textContent = "Play " + Boards.title(info.game);
      loadStyle("play-view.css" + query);
      loadScript("play-view.js" + query, showForm);
    });
  }

  function showForm() {
    if (!Play.of(info.game)) return notice("this game has no play view: play it with a program (xclients)");
    notice(info.tokens ? "Sign up with your name and the token the organiser gave you." : "Sign up with a name.");
    byId("token-label").hidden = !info.tokens;
    byId("token").required = info.tokens;
    byId("sign-up").hidden = false;
    byId("sign-up").addEventListener("submit", (event) => {
      event.preventDefault();
      connect(byId("name").value.trim(), byId("token").value.trim());
    });
    phase("form");
  }

  // -- The countdown of the time per call

  function stopCountdown() {
    if (ticking !== null) clearInterval(ticking);
    ticking = null;
    byId("countdown").hidden = true;
  }

  function ask(seconds) {
    stopCountdown();
    if (typeof seconds !== "number" || !(seconds > 0)) return;
    const deadline = performance.now() + seconds * 1000;
    const shown = byId("seconds-left");
    const tick = () => {
      const left = Math.max(0, (deadline - performance.now()) / 1000);
      shown.textContent = left.toFixed(1);
      byId("countdown").dataset.late = left === 0 ? "true" : "false";
      if (left === 0) {
        clearInterval(ticking);
        ticking = null;
      }
    };
    byId("countdown").hidden = false;
    tick();
    ticking = setInterval(tick, TICK_MS);
  }

  // -- The conversation

  function connect(name, token) {
    if (!name) return;
    byId("sign-up").hidden = true;
    const session = {
      name: name,
      settings: info.settings || {},
      timePerCall: info["time per call"],
      send(value) {
        stopCountdown();
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(value));
      },
      ask: ask,
      status(text, state) {
        const line = byId("status");
        line.textContent = text;
        line.dataset.state = state || "";
      },
      results(node) {
        ended = "results";
        byId("end-panel").hidden = false;
        byId("results").replaceChildren(node);
        phase("results");
      },
    };
    byId("playing-as").textContent = "playing as " + name;
    byId("game-panel").hidden = false;
    handler = Play.of(info.game).start(byId("game"), session);
    session.status("connecting to " + info.websocket, "waiting");
    connection("connecting", "connecting");
    phase("connecting");
    socket = new WebSocket(info.websocket);
    socket.addEventListener("open", () => {
      opened = true;
      socket.send(JSON.stringify(signUp(name, token)));
      connection("live", "connected");
      notice("signed up as " + name);
      session.status("signed up: waiting for the tournament to start", "waiting");
      phase("playing");
    });
    socket.addEventListener("message", (event) => receive(event.data, session));
    socket.addEventListener("close", (event) => closed(event));
  }

  // The first message: a bare name, or with a token; in a room, always tagged, with the room in its options.
  function signUp(name, token) {
    if (typeof info.room === "string") return ["sign-up", name, info.tokens ? token : null, { room: info.room }];
    return info.tokens ? ["sign-up", name, token] : name;
  }

  function receive(data, session) {
    stopCountdown();  // whatever was asked before is over: a view asks again for a new request
    let message;
    try {
      message = JSON.parse(data);
    } catch (error) {
      return session.status("the server sent something that is not JSON: " + String(data).slice(0, 200), "error");
    }
    if (Array.isArray(message) && message.length === 2 && typeof message[1] === "string") {
      if (message[0] === "kicked") return kicked(message[1]);
      if (message[0] === "refused") return refused(message[1]);
      if (message[0] === "playing-as") {
        session.name = message[1];
        byId("playing-as").textContent = "playing as " + message[1] + " (the name you asked for was taken)";
        byId("playing-as").dataset.renamed = "true";
        return;
      }
    }
    if (!handler.receive(message)) session.status("the server sent a message this page does not know: " + String(data).slice(0, 200), "error");
  }

  // The server's last word: why it put the player out, or refused its sign-up (shown as text, never as HTML).
  function lastWord(how, words, reason) {
    ended = how;
    byId("end-panel").hidden = false;
    const line = byId("kicked");
    line.hidden = false;
    line.textContent = words + reason;
    line.dataset.reason = reason;
    phase(how);
  }

  function kicked(reason) {
    lastWord("kicked", "You are out of the tournament: ", reason);
  }

  function refused(text) {
    lastWord("refused", "The server refused the sign-up: ", text);
  }

  function closed(event) {
    stopCountdown();
    if (handler && handler.closed) handler.closed();
    connection("offline", "closed");
    byId("end-panel").hidden = false;
    let text;
    if (!opened) text = "cannot connect to " + info.websocket + ": is the sign-up window open?";
    else if (ended === "refused") text = "The server closed the connection: reload the page to sign up again.";
    else if (ended) text = "The server closed the connection: the tournament is over for you.";
    else text = "The server closed the connection" + (event.reason ? ": " + event.reason : "") + " (the sign-up may not have been taken).";
    byId("closed").textContent = text;
    if (!ended) phase("closed");
  }

  document.addEventListener("DOMContentLoaded", begin);
})();
