// Hudong web chat widget. A company site adds one tag:
//   <script src="https://crm.example/static/webchat/widget.js" data-hudong="https://crm.example" defer></script>
// Optional: data-lang="en" (else the browser's language), data-touchpoint="<touchpoint code>".
// The widget asks the visitor's name and phone or email, opens a chat and keeps it live with
// server-sent events. Every text from the network is shown with textContent, never as HTML.
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-hudong]");
  if (!script || window.__hudongChat || !window.fetch || !window.EventSource) { return; }
  window.__hudongChat = true;

  var base = (script.getAttribute("data-hudong") || new URL(script.src).origin).replace(/\/+$/, "");
  var lang = script.getAttribute("data-lang") || navigator.language || "";
  var touchpoint = script.getAttribute("data-touchpoint") || "";
  var STORE = "hudong-chat:" + base;
  var T = {};
  var maxText = 2000;
  var chat = null;  // {session, token, urls}
  var source = null;
  var seen = {};
  var ui = {};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function headers(withToken) {
    var h = { "Content-Type": "application/json" };
    if (lang) { h["Accept-Language"] = lang; }
    if (withToken && chat) { h["X-Hudong-Chat-Token"] = chat.token; }
    return h;
  }

  function call(method, path, body, withToken) {
    var options = { method: method, headers: headers(withToken), credentials: "omit" };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    return fetch(base + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.detail || T.error || "error");
          error.status = response.status;
          error.code = data.code || "";
          throw error;
        }
        return data;
      });
    });
  }

  function showError(text) {
    ui.error.textContent = text || "";
    ui.error.hidden = !text;
  }

  function save() {
    try {
      if (chat) { sessionStorage.setItem(STORE, JSON.stringify(chat)); }
      else { sessionStorage.removeItem(STORE); }
    } catch (e) { /* storage may be off: the chat then lasts as long as the page */ }
  }

  function lineText(line) {
    if (line.sender === "system") {
      if (line.text === "accepted") { return (T.accepted || "").replace("{agent}", line.agent || T.agent); }
      if (line.text === "ended") { return T.ended; }
      return "";
    }
    return line.text;
  }

  function render(line) {
    if (!line || seen[line.id]) { return; }
    seen[line.id] = true;
    var item = el("li", "hdc-line hdc-" + line.sender);
    item.setAttribute("data-id", String(line.id));
    if (line.sender !== "system") {
      var who = line.sender === "customer" ? T.you : (line.agent || T.agent);
      item.appendChild(el("span", "hdc-who", who));
    }
    item.appendChild(el("span", "hdc-text", lineText(line)));
    ui.lines.appendChild(item);
    ui.lines.scrollTop = ui.lines.scrollHeight;
    if (line.sender === "system" && line.text === "ended") { finished(); }
  }

  function finished() {
    if (source) { source.close(); source = null; }
    chat = null;
    save();
    ui.reply.hidden = true;
    ui.endButton.hidden = true;
    ui.again.hidden = false;
  }

  function listen() {
    if (source) { source.close(); }
    var last = Object.keys(seen).reduce(function (m, k) { return Math.max(m, +k); }, 0);
    var url = base + chat.urls.events + "?token=" + encodeURIComponent(chat.token) + "&after=" + last;
    source = new EventSource(url);
    source.addEventListener("line", function (ev) {
      try { render(JSON.parse(ev.data)); } catch (e) { /* a broken frame is skipped */ }
    });
  }

  function opened(data) {
    chat = { session: data.session, token: data.token || chat.token, urls: data.urls };
    save();
    ui.prechat.hidden = true;
    ui.talk.hidden = false;
    ui.reply.hidden = data.status === "ended";
    ui.endButton.hidden = data.status === "ended";
    ui.again.hidden = data.status !== "ended";
    if (data.status === "waiting" && !ui.lines.childElementCount) {
      ui.lines.appendChild(el("li", "hdc-line hdc-system", T.waiting));
    }
    (data.lines || []).forEach(render);
    if (data.status !== "ended") { listen(); } else { finished(); }
  }

  function start(ev) {
    ev.preventDefault();
    showError("");
    var body = {
      name: ui.name.value, contact: ui.contact.value, message: ui.question.value,
      page: location.href, touchpoint: touchpoint
    };
    ui.startButton.disabled = true;
    call("POST", "/chat/w/sessions/", body, false).then(opened, function (err) {
      showError(err.message);
    }).then(function () { ui.startButton.disabled = false; });
  }

  function send(ev) {
    ev.preventDefault();
    var text = ui.text.value;
    if (!text.trim() || !chat) { return; }
    showError("");
    // Cleared at once, so the next line can be typed while this one is on its way; given back
    // if it could not be sent.
    ui.text.value = "";
    call("POST", chat.urls.messages, { text: text }, true).then(render, function (err) {
      if (!ui.text.value) { ui.text.value = text; }
      showError(err.message);
    });
  }

  function endChat() {
    if (!chat) { return; }
    call("POST", chat.urls.end, {}, true).then(function (data) {
      (data.lines || []).forEach(render);
      finished();
    }, function (err) { showError(err.message); });
  }

  function again() {
    ui.lines.textContent = "";
    seen = {};
    ui.question.value = "";
    ui.again.hidden = true;
    ui.talk.hidden = true;
    ui.prechat.hidden = false;
  }

  function field(form, label, input) {
    var wrap = el("label", "hdc-field");
    wrap.appendChild(el("span", "", label));
    wrap.appendChild(input);
    form.appendChild(wrap);
    return input;
  }

  function build() {
    var root = el("div", "hdc-root");
    root.setAttribute("data-hudong-chat", "");
    ui.launcher = el("button", "hdc-launcher", T.open);
    ui.launcher.type = "button";
    ui.launcher.setAttribute("data-hudong-chat", "open");
    ui.panel = el("section", "hdc-panel");
    ui.panel.hidden = true;
    ui.panel.setAttribute("aria-label", T.title);
    var head = el("header", "hdc-head");
    head.appendChild(el("strong", "", T.title));
    var close = el("button", "hdc-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", T.close);
    head.appendChild(close);
    ui.panel.appendChild(head);

    ui.prechat = el("form", "hdc-prechat");
    ui.prechat.setAttribute("data-hudong-chat", "prechat");
    ui.prechat.appendChild(el("p", "hdc-intro", T.intro));
    ui.name = field(ui.prechat, T.name, el("input"));
    ui.name.name = "name"; ui.name.required = true; ui.name.maxLength = 100; ui.name.autocomplete = "name";
    ui.contact = field(ui.prechat, T.contact, el("input"));
    ui.contact.name = "contact"; ui.contact.required = true; ui.contact.maxLength = 200;
    ui.question = field(ui.prechat, T.question, el("textarea"));
    ui.question.name = "message"; ui.question.rows = 2; ui.question.maxLength = maxText;
    ui.startButton = el("button", "hdc-primary", T.start);
    ui.startButton.type = "submit";
    ui.prechat.appendChild(ui.startButton);
    ui.panel.appendChild(ui.prechat);

    ui.talk = el("div", "hdc-talk");
    ui.talk.hidden = true;
    ui.lines = el("ol", "hdc-lines");
    ui.lines.setAttribute("aria-live", "polite");
    ui.lines.setAttribute("data-hudong-chat", "lines");
    ui.talk.appendChild(ui.lines);
    ui.reply = el("form", "hdc-reply");
    ui.reply.setAttribute("data-hudong-chat", "reply");
    ui.text = el("textarea");
    ui.text.name = "text"; ui.text.rows = 2; ui.text.placeholder = T.placeholder;
    ui.text.setAttribute("aria-label", T.placeholder);
    ui.reply.appendChild(ui.text);
    var sendButton = el("button", "hdc-primary", T.send);
    sendButton.type = "submit";
    ui.reply.appendChild(sendButton);
    ui.talk.appendChild(ui.reply);
    ui.endButton = el("button", "hdc-end", T.end);
    ui.endButton.type = "button";
    ui.talk.appendChild(ui.endButton);
    ui.again = el("button", "hdc-primary", T.again);
    ui.again.type = "button";
    ui.again.hidden = true;
    ui.talk.appendChild(ui.again);
    ui.panel.appendChild(ui.talk);
    ui.error = el("p", "hdc-error");
    ui.error.setAttribute("role", "alert");
    ui.error.hidden = true;
    ui.panel.appendChild(ui.error);

    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(root);

    ui.launcher.addEventListener("click", function () {
      ui.panel.hidden = !ui.panel.hidden;
      if (!ui.panel.hidden && !chat && !ui.prechat.hidden) { ui.name.focus(); }
    });
    close.addEventListener("click", function () { ui.panel.hidden = true; });
    ui.prechat.addEventListener("submit", start);
    ui.reply.addEventListener("submit", send);
    ui.text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { send(ev); }
    });
    ui.endButton.addEventListener("click", endChat);
    ui.again.addEventListener("click", again);
  }

  function resume() {
    var stored = null;
    try { stored = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { stored = null; }
    if (!stored || !stored.token || !stored.urls) { return; }
    chat = stored;
    call("GET", chat.urls.messages, undefined, true).then(function (data) {
      ui.panel.hidden = false;
      opened(data);
    }, function () { chat = null; save(); });
  }

  var css = el("link");
  css.rel = "stylesheet";
  css.href = script.src.replace(/widget\.js(\?.*)?$/, "widget.css");
  document.head.appendChild(css);

  fetch(base + "/chat/w/config/?lang=" + encodeURIComponent(lang), { credentials: "omit" })
    .then(function (r) { return r.json(); })
    .then(function (config) {
      T = config.strings || {};
      maxText = config.max_text || maxText;
      build();
      resume();
    })
    .catch(function () { /* Hudong unreachable: the site works without the chat */ });
})();
