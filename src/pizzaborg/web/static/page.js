// The class page: the websocket goes to this page's own host (so a TLS reverse proxy works without
// settings), and when the game closes the page asks the server why and says so. When the game is
// still running (a lost connection: Wi-Fi, a lid closed), the page loads itself again and gets the
// same game back, drawn again; while the server cannot be reached it asks again every few seconds.
// The game's terminal takes the keyboard as soon as it is drawn, and again when the window comes back:
// a learner types at once, without clicking the page first.
// The game starts while the page loads: this script comes before textual.js, opens the websocket at once
// (with the size the terminal will have, estimated) and hands it to the terminal when textual.js asks for
// one, with what the game sent meanwhile; the terminal starts when the page's HTML and its font are
// there, not at window.onload.
(function () {
  "use strict";
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  var early = openEarly();
  var RETRY_MS = 3000, RETRIES = 200, RELOADS_PER_MINUTE = 3;
  function reloadsAllowed() {  // a game that keeps closing at once must not reload the page for ever
    var now = Date.now(), kept = [];
    try { kept = JSON.parse(sessionStorage.getItem("pbReloads") || "[]"); } catch (e) { kept = []; }
    kept = kept.filter(function (t) { return now - t < 60000; });
    if (kept.length >= RELOADS_PER_MINUTE) { return false; }
    kept.push(now);
    try { sessionStorage.setItem("pbReloads", JSON.stringify(kept)); } catch (e) { return false; }
    return true;
  }
  function explain(tries) {
    var box = document.getElementById("closed-message");
    fetch("/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (box && data && data.message) { box.textContent = data.message; }
        if (data && data.live && reloadsAllowed()) { location.reload(); }
      })
      .catch(function () {
        if (box) { box.textContent = box.dataset.lost || "The connection to the class server was lost. Your game is saved: this page tries again by itself."; }
        if (tries < RETRIES) { setTimeout(function () { explain(tries + 1); }, RETRY_MS); }
      });
  }
  function openEarly() {
    // the terminal fills the window below the 28px bar; xterm.js makes a Roboto Mono cell at 16px 9 x 20 px
    // (a wrong guess costs one resize, sent by the terminal once it has measured itself)
    var cols = Math.max(20, Math.floor(window.innerWidth / 9));
    var rows = Math.max(5, Math.floor((window.innerHeight - 28) / 20));
    var ws, queue = [], target = null;
    try {
      ws = new WebSocket(wsUrl + "?width=" + cols + "&height=" + rows);
    } catch (e) { return null; }
    ws.binaryType = "arraybuffer";
    function keep(e) { if (target) { target.fire(e.type, e); } else { queue.push(e); } }
    ["open", "message", "close", "error"].forEach(function (type) { ws.addEventListener(type, keep); });
    return {
      take: function () {  // what textual.js gets instead of a new WebSocket: this one, events replayed
        var listeners = {}, handed = {
          binaryType: "arraybuffer",
          addEventListener: function (type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
          removeEventListener: function (type, fn) {
            listeners[type] = (listeners[type] || []).filter(function (f) { return f !== fn; });
          },
          send: function (data) { ws.send(data); },
          close: function (code, reason) { ws.close(code, reason); },
          fire: function (type, e) { (listeners[type] || []).forEach(function (fn) { fn.call(handed, e); }); }
        };
        Object.defineProperty(handed, "readyState", { get: function () { return ws.readyState; } });
        setTimeout(function () {  // after textual.js has added its listeners
          var backlog = queue;
          queue = [];
          backlog.forEach(function (e) { handed.fire(e.type, e); });
          target = handed;
          while (queue.length) { var e = queue.shift(); handed.fire(e.type, e); }
        }, 0);
        return handed;
      }
    };
  }
  if (early && window.WebSocket) {
    var NativeWebSocket = window.WebSocket;
    window.WebSocket = function (url, protocols) {  // the terminal's first socket is the one already open
      if (early && String(url).indexOf(wsUrl + "?") === 0) {
        var handed = early.take();
        early = null;
        return handed;
      }
      return protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    };
    window.WebSocket.prototype = NativeWebSocket.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { window.WebSocket[k] = NativeWebSocket[k]; });
  }
  function startTerminal() {  // textual.js starts its terminal at window.onload: at DOMContentLoaded instead
    var start = window.onload, started = false;
    if (typeof start !== "function") { return; }
    window.onload = null;
    function go() { if (!started) { started = true; start(); } }
    if (document.fonts && document.fonts.load) {
      document.fonts.load('16px "Roboto Mono"').then(go, go);  // preloaded: the cells are measured in it
      setTimeout(go, 3000);
    } else { go(); }
  }
  function focusTerminal() {
    var input = document.querySelector("#terminal .xterm-helper-textarea");
    if (input && document.activeElement !== input && !document.body.classList.contains("-closed")) {
      input.focus({ preventScroll: true });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var terminal = document.getElementById("terminal");
    if (terminal) { terminal.dataset.sessionWebsocketUrl = wsUrl; }
    ["reload", "start"].forEach(function (id) {
      var b = document.getElementById(id);
      if (b) { b.addEventListener("click", function () { location.href = "/"; }); }
    });
    var seen = false;
    new MutationObserver(function () {
      if (!seen && document.body.classList.contains("-closed")) { seen = true; explain(0); }
      if (document.body.classList.contains("-first-byte")) { focusTerminal(); }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    window.addEventListener("focus", focusTerminal);
    document.addEventListener("keydown", function (e) {
      if (e.target === document.body) { focusTerminal(); }  // a key on the bare page: the next one counts
    });
    startTerminal();
  });
})();
