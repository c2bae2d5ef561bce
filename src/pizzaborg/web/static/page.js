// The class page: the websocket goes to this page's own host (so a TLS reverse proxy works without
// settings), and when the game closes the page asks the server why and says so. When the game is
// still running (a lost connection: Wi-Fi, a lid closed), the page loads itself again and gets the
// same game back, drawn again; while the server cannot be reached it asks again every few seconds.
// The game's terminal takes the keyboard as soon as it is drawn, and again when the window comes back:
// a learner types at once, without clicking the page first (docs/trainers.md, "Accessibility").
// The game starts while the page loads: this script comes before textual.js, opens the websocket at once
// (with the size the terminal will have, estimated) and hands it to the terminal when textual.js asks for
// one, with what the game sent meanwhile; the terminal starts when the page's HTML and its font are
// there, not at window.onload.
(function () {
  "use strict";
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  var early = openEarly();
  // Screen reader rows (docs/trainers.md, "Accessibility"): xterm.js's screenReaderMode shows the
  // game's rows to a screen reader as a list, behind the bar's toggle, remembered in this browser.
  // textual.js keeps no handle on its Terminal, so the one it makes is caught as it is stored
  // (`x.terminal = ...`); the catch then puts back whatever was there before (a test's own).
  var term = null, READER = "pbScreenReader";
  function readerOn() { try { return localStorage.getItem(READER) === "1"; } catch (e) { return false; } }
  function applyReader() {
    var on = readerOn(), b = document.getElementById("reader");
    if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    if (term && term.options.screenReaderMode !== on) { term.options.screenReaderMode = on; }
  }
  (function catchTerminal() {
    var before = Object.getOwnPropertyDescriptor(Object.prototype, "terminal");
    function own(obj, v) {
      Object.defineProperty(obj, "terminal", { value: v, writable: true, configurable: true, enumerable: true });
    }
    Object.defineProperty(Object.prototype, "terminal", {
      configurable: true,
      get: function () { return before && before.get ? before.get.call(this) : undefined; },
      set: function (v) {
        var found = !term && v && v.options && v.buffer && typeof v.onData === "function";
        if (found) {
          term = v;
          if (before) { Object.defineProperty(Object.prototype, "terminal", before); }
          else { delete Object.prototype.terminal; }
        }
        if (before && before.set) { before.set.call(this, v); } else { own(this, v); }
        if (found) { applyReader(); }
      }
    });
  })();
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
        if (data && typeof data.returnURL === "string" && /^https?:\/\//.test(data.returnURL)) {
          location.assign(data.returnURL);  // launched from an LMS (cmi5): back to it once the AU has terminated
          return;
        }
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
    var terminal = document.getElementById("terminal");
    var label = terminal && terminal.dataset.label;  // xterm.js names it "Terminal input", in English
    if (input && label && input.getAttribute("aria-label") !== label) { input.setAttribute("aria-label", label); }
    if (input && document.activeElement !== input && !document.body.classList.contains("-closed")) {
      input.focus({ preventScroll: true });
    }
  }
  function focusReload() {  // the game has ended or closed: the keyboard goes to the one thing left to do
    var reload = document.getElementById("reload");
    if (reload && document.activeElement !== reload) { reload.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var terminal = document.getElementById("terminal");
    if (terminal) { terminal.dataset.sessionWebsocketUrl = wsUrl; }
    var reader = document.getElementById("reader");
    if (reader) {
      reader.addEventListener("click", function () {  // Enter and Space on the button are clicks too
        try { localStorage.setItem(READER, readerOn() ? "0" : "1"); } catch (e) { return; }
        applyReader();
      });
      applyReader();
    }
    ["reload", "start"].forEach(function (id) {
      var b = document.getElementById(id);
      if (b) { b.addEventListener("click", function () { location.href = "/"; }); }
    });
    var seen = false;
    new MutationObserver(function () {
      if (!seen && document.body.classList.contains("-closed")) { seen = true; focusReload(); explain(0); }
      if (document.body.classList.contains("-first-byte")) { focusTerminal(); }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    window.addEventListener("focus", focusTerminal);
    document.addEventListener("keydown", function (e) {
      if (e.target === document.body) { focusTerminal(); }  // a key on the bare page: the next one counts
    });
    startTerminal();
  });
})();
