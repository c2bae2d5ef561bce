// The class page: the websocket goes to this page's own host (so a TLS reverse proxy works without
// settings), and when the game closes the page asks the server why and says so. The game's terminal
// takes the keyboard as soon as it is drawn, and again when the window comes back: a learner types at
// once, without clicking the page first.
(function () {
  "use strict";
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  function explain() {
    var box = document.getElementById("closed-message");
    fetch("/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (box && data && data.message) { box.textContent = data.message; } })
      .catch(function () {
        if (box) { box.textContent = box.dataset.lost || "The connection to the class server was lost. Your game is saved: reload when it is back."; }
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
      if (!seen && document.body.classList.contains("-closed")) { seen = true; explain(); }
      if (document.body.classList.contains("-first-byte")) { focusTerminal(); }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    window.addEventListener("focus", focusTerminal);
    document.addEventListener("keydown", function (e) {
      if (e.target === document.body) { focusTerminal(); }  // a key on the bare page: the next one counts
    });
  });
})();
