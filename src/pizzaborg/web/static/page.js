// The class page: the websocket goes to this page's own host (so a TLS reverse proxy works without
// settings), and when the game closes the page asks the server why and says so. When the game is
// still running (a lost connection: Wi-Fi, a lid closed), the page loads itself again and gets the
// same game back, drawn again; while the server cannot be reached it asks again every few seconds.
// The game's terminal takes the keyboard as soon as it is drawn, and again when the window comes back:
// a learner types at once, without clicking the page first.
(function () {
  "use strict";
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
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
  });
})();
