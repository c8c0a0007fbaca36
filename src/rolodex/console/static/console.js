// The console's progressive enhancement: every page works without it.
// Copy buttons, confirmations, playground keys and the live event view.
(function () {
  "use strict";

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    input.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        document.execCommand("copy"); done();
      });
    } else {
      document.execCommand("copy"); done();
    }
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); }
  });

  // The playgrounds keep their key in this origin's storage: GraphiQL its
  // headers, Swagger UI its authorisation. The console session is never used.
  var playground = document.querySelector("[data-playground]");
  if (playground) {
    playground.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var key = playground.querySelector("input[name=key]").value.trim();
      var target = ev.submitter ? ev.submitter.value : "graphql";
      if (target === "rest") {
        localStorage.setItem("authorized", JSON.stringify({
          bearer: {name: "bearer", schema: {type: "http", scheme: "bearer"}, value: key}
        }));
        window.location.href = "/rest/docs";
      } else {
        // GraphiQL reads stored headers only while it is told to keep them.
        localStorage.setItem("graphiql:shouldPersistHeaders", "true");
        localStorage.setItem("graphiql:headers",
          JSON.stringify({Authorization: "Bearer " + key}, null, 2));
        window.location.href = "/graphql";
      }
    });
  }

  // A test delivery still pending: look again shortly, until it has a result.
  var waiting = document.querySelector("[data-refresh]");
  if (waiting) {
    setTimeout(function () { window.location.reload(); },
      1000 * Number(waiting.getAttribute("data-refresh")));
  }

  var live = document.getElementById("live");
  if (live && window.EventSource) {
    var state = document.getElementById("live-state");
    var source = new EventSource(live.getAttribute("data-stream"));
    source.onopen = function () { state.textContent = "Connected: new events appear below."; };
    source.onerror = function () { state.textContent = "Disconnected; retrying…"; };
    source.onmessage = null;
    var show = function (ev) {
      var item = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent = ev.type + " #" + ev.lastEventId;
      var body = document.createElement("pre");
      try { body.textContent = JSON.stringify(JSON.parse(ev.data), null, 2); }
      catch (e) { body.textContent = ev.data; }
      item.appendChild(title);
      item.appendChild(body);
      live.insertBefore(item, live.firstChild);
      while (live.children.length > 200) { live.removeChild(live.lastChild); }
    };
    // Each event arrives under its own name (person.created, ...).
    var names = ["created", "updated", "deleted", "restored", "completed", "changed"];
    (live.getAttribute("data-objects") || "").split(" ").forEach(function (obj) {
      names.forEach(function (action) { source.addEventListener(obj + "." + action, show); });
    });
    source.addEventListener("message", show);
  }
})();
