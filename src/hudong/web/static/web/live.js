// One live event stream per signed-in page. Every message is re-dispatched on `document` as a
// DOM event named "hudong:<topic>" (detail = the message's data), so any page or widget can
// listen without opening a second connection. A "screen_pop" message shows a banner that
// links to the customer; the text is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var tag = document.getElementById("hudong-live");
  if (!tag || !window.EventSource) { return; }
  var source = new EventSource(tag.getAttribute("data-live-url"));
  var topics = ["screen_pop", "call_ended", "chat_message", "inbox", "notice"];

  function relay(topic) {
    source.addEventListener(topic, function (ev) {
      var data = {};
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      document.dispatchEvent(new CustomEvent("hudong:" + topic, { detail: data }));
    });
  }
  topics.forEach(relay);
  document.documentElement.setAttribute("data-live", "connecting");
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live", "open");
  });

  function showPop(ev) {
    var d = ev.detail || {};
    var box = document.getElementById("screen-pop");
    if (!box) {
      box = document.createElement("aside");
      box.id = "screen-pop";
      box.className = "screen-pop";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = d.title || "";
    box.appendChild(title);
    if (d.detail) {
      var p = document.createElement("p");
      p.textContent = d.detail;
      box.appendChild(p);
    }
    if (d.url) {
      var a = document.createElement("a");
      a.href = d.url;
      a.textContent = d.link_text || d.url;
      a.setAttribute("data-action", "open-popped-customer");
      box.appendChild(a);
    }
    if (d.frame_url) {
      // The customer's 360 view opens in place, without leaving the agent's page.
      var frame = document.createElement("iframe");
      frame.src = d.frame_url;
      frame.title = d.title || "";
      frame.className = "screen-pop-frame";
      box.appendChild(frame);
    }
  }
  document.addEventListener("hudong:screen_pop", showPop);
  // A finished call replaces its pop with the link to the call's disposition form.
  document.addEventListener("hudong:call_ended", showPop);
})();
