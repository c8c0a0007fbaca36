// Starts GraphiQL on the page Rolodex serves at GET /graphql (api/graphql/page.py).
// Kept out of the page so that its Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  var root = document.getElementById("rolodex-app");
  var config = JSON.parse(document.getElementById("rolodex-config").textContent);
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    root.innerHTML = "";
    var notice = document.createElement("p");
    notice.className = "rolodex-notice";
    notice.textContent = "GraphiQL's files did not load (see the browser console). " +
      "The API itself answers POST " + config.url + ".";
    root.appendChild(notice);
    return;
  }
  root.className = "rolodex-graphiql";
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.url }),
      defaultQuery: config.query,
      defaultHeaders: config.headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers"
    })
  );
})();
