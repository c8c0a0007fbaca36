"""The HTML of the REST playground page (Swagger UI on the OpenAPI document)."""

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Rolodex API playground</title>
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
  <style>body { margin: 0; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
  <script>
  (function () {
    var SPEC_URL = __SPEC_URL__;
    var SCHEME = "bearer";
    var specKey = null;  // the key the shown document was fetched with

    // The key from Authorize: the live store once the UI exists, else what
    // persistAuthorization saved in localStorage on an earlier visit.
    function currentKey() {
      var value = null;
      try {
        if (window.ui) {
          value = window.ui.authSelectors.authorized().getIn([SCHEME, "value"]);
        } else {
          var saved = JSON.parse(localStorage.getItem("authorized") || "{}");
          value = saved[SCHEME] && saved[SCHEME].value;
        }
      } catch (e) { value = null; }
      return value ? String(value).replace(/^Bearer\\s+/i, "").trim() || null : null;
    }

    function reloadSpec() {
      if (window.ui && currentKey() !== specKey) { window.ui.specActions.download(); }
    }

    // After Authorize or Logout, fetch the document again so it shows the
    // workspace's custom fields (or stops showing them).
    function ReloadOnAuth() {
      function wrap(action) {
        return function (payload) {
          var result = action(payload);
          setTimeout(reloadSpec, 0);
          return result;
        };
      }
      return {statePlugins: {auth: {wrapActions: {
        authorize: wrap, logout: wrap
      }}}};
    }

    window.ui = SwaggerUIBundle({
      url: SPEC_URL,
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      presets: [SwaggerUIBundle.presets.apis],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl, ReloadOnAuth],
      // Swagger UI authorises API calls itself, but not the document fetch.
      requestInterceptor: function (req) {
        if (req.loadSpec) {
          specKey = currentKey();
          if (specKey) { req.headers.Authorization = "Bearer " + specKey; }
        }
        return req;
      },
      // A saved key that no longer works would hide the Authorize button
      // behind a failed load: forget it and show the public document.
      responseInterceptor: function (res) {
        if (res.status === 401 && specKey && String(res.url).indexOf(SPEC_URL) !== -1) {
          localStorage.removeItem("authorized");
          if (window.ui) { window.ui.authActions.logout([SCHEME]); }
        }
        return res;
      }
    });
  })();
  </script>
</body>
</html>
"""
