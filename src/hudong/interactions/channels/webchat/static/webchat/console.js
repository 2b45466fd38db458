// The agent's chat console: new lines arrive over the page's live stream (live.js re-dispatches
// them as "hudong:chat_message"); replies go to the API. Every text is set with textContent.
(function () {
  "use strict";
  var pane = document.getElementById("chat-pane");
  if (!pane || !pane.getAttribute("data-session")) { return; }
  var sid = pane.getAttribute("data-session");
  var list = document.getElementById("chat-lines");
  var form = document.getElementById("chat-reply");
  var error = document.getElementById("chat-error");
  var seen = {};
  Array.prototype.forEach.call(list.querySelectorAll("li[data-id]"), function (li) {
    seen[li.getAttribute("data-id")] = true;
  });

  function add(line) {
    var id = String(line.message_id || line.id || "");
    if (!id || seen[id]) { return; }
    seen[id] = true;
    var li = document.createElement("li");
    li.setAttribute("data-id", id);
    li.setAttribute("data-sender", line.sender);
    if (line.sender === "system") {
      var note = document.createElement("em");
      note.textContent = pane.getAttribute(line.text === "ended" ? "data-ended" : "data-accepted");
      li.appendChild(note);
    } else {
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = line.sender === "customer" ? pane.getAttribute("data-visitor") : pane.getAttribute("data-you");
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = line.text;
      li.appendChild(who);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    if (line.sender === "system" && line.text === "ended" && form) { form.hidden = true; }
  }

  document.addEventListener("hudong:chat_message", function (ev) {
    var d = ev.detail || {};
    if (d.session === sid) { add(d); }
  });

  // A line written between this page's rendering and its live stream opening is in neither:
  // when the stream opens (live.js marks <html data-live="open">), fetch the chat once more.
  function catchUp() {
    fetch(pane.getAttribute("data-session-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { lines: [] }; })
      .then(function (data) {
        (data.lines || []).forEach(function (l) {
          add({ message_id: l.id, sender: l.sender, text: l.text });
        });
      })
      .catch(function () { /* the live stream carries on; a reload shows everything */ });
  }
  new MutationObserver(function () {
    if (document.documentElement.getAttribute("data-live") === "open") { catchUp(); }
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-live"] });

  if (!form) { return; }
  var textarea = form.querySelector("textarea");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function send(ev) {
    ev.preventDefault();
    var text = textarea.value;
    if (!text.trim()) { return; }
    error.hidden = true;
    textarea.value = "";  // the next line may be typed while this one is on its way
    fetch(pane.getAttribute("data-reply-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ text: text })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || response.statusText); }
        add(data);
      });
    }).catch(function (err) {
      if (!textarea.value) { textarea.value = text; }
      error.textContent = err.message;
      error.hidden = false;
    });
  }

  form.addEventListener("submit", send);
  textarea.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { send(ev); }
  });
})();
