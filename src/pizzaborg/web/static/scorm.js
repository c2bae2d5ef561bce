// The game page of a game launched from an LMS (web/scorm.py): framed by the package's launch page.
// Its websocket goes through the ticket in the page (a frame on another site gets no cookies), and
// it waits for the game's hand-in at /scorm/result/<ticket>; the result goes to the launch page by
// postMessage, to the LMS's origin only (the launch page checks the origin and the source again).
(function () {
  "use strict";
  var RETRY_MS = 3000;
  function focusTerminal() {
    var input = document.querySelector("#terminal .xterm-helper-textarea");
    if (input && document.activeElement !== input && !document.body.classList.contains("-closed")) {
      input.focus({ preventScroll: true });
    }
  }
  function waitForResult(ticket, lmsOrigin) {
    fetch("/scorm/result/" + encodeURIComponent(ticket), { credentials: "omit", cache: "no-store" })
      .then(function (r) {
        if (r.status === 200) { return r.json(); }
        if (r.status === 204) { return null; }
        throw new Error("status " + r.status);
      })
      .then(function (data) {
        if (data && data.type === "pizzaborg-result") {
          if (window.parent && window.parent !== window) { window.parent.postMessage(data, lmsOrigin); }
          return;
        }
        waitForResult(ticket, lmsOrigin);
      })
      .catch(function () { setTimeout(function () { waitForResult(ticket, lmsOrigin); }, RETRY_MS); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var ticket = document.body.dataset.ticket, lmsOrigin = document.body.dataset.lmsOrigin;
    var terminal = document.getElementById("terminal");
    if (terminal) {
      terminal.dataset.sessionWebsocketUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
        "/scorm/ws/" + encodeURIComponent(ticket);
    }
    ["reload", "start"].forEach(function (id) {
      var b = document.getElementById(id);
      if (b) { b.addEventListener("click", function () { location.reload(); }); }
    });
    var other = document.querySelector("#bar a");
    if (other) { other.remove(); }  // another resume code: not in a game the LMS launched
    new MutationObserver(function () {
      if (document.body.classList.contains("-first-byte")) { focusTerminal(); }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    window.addEventListener("focus", focusTerminal);
    document.addEventListener("keydown", function (e) { if (e.target === document.body) { focusTerminal(); } });
    if (ticket && lmsOrigin) { waitForResult(ticket, lmsOrigin); }
  });
})();
