// The class page: the websocket goes to this page's own host (so a TLS reverse proxy works without
// settings), and when the game closes the page asks the server why and says so.
(function () {
  "use strict";
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  function explain() {
    var box = document.getElementById("closed-message");
    fetch("/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (box && data && data.message) { box.textContent = data.message; } })
      .catch(function () {
        if (box) { box.textContent = "The connection to the class server was lost. Your game is saved: reload when it is back."; }
      });
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
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
  });
})();
