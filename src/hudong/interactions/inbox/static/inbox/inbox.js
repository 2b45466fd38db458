// The inbox page listens to the live stream (live.js re-dispatches each "inbox" message as the
// DOM event "hudong:inbox"): it says what arrived in a status line (textContent only: the
// customer's name and subject are data, never markup) and reloads the queue table in place.
(function () {
  "use strict";
  var tag = document.getElementById("inbox-script");
  if (!tag) { return; }
  var rowsUrl = tag.getAttribute("data-rows-url");

  function refresh() {
    var table = document.getElementById("inbox-queue");
    if (!table || !window.htmx) { return; }
    window.htmx.ajax("GET", rowsUrl + window.location.search, { target: table, swap: "outerHTML" });
  }

  document.addEventListener("hudong:inbox", function (ev) {
    var d = ev.detail || {};
    var notice = document.getElementById("inbox-notice");
    if (notice) {
      var what = d.kind === "assigned" ? notice.getAttribute("data-assigned") : notice.getAttribute("data-message");
      notice.textContent = (what || "") + " " + (d.customer || "") + (d.subject ? " · " + d.subject : "");
      notice.setAttribute("data-thread", String(d.thread_id || ""));
      notice.hidden = false;
    }
    refresh();
  });
})();
