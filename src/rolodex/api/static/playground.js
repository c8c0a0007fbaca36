// Starts Swagger UI on the page Rolodex serves at GET /rest/docs (api/rest/playground.py).
// Kept out of the page so that its Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  var root = document.getElementById("rolodex-app");
  var config = JSON.parse(document.getElementById("rolodex-config").textContent);
  var SPEC_URL = config.specUrl;
  var SCHEME = "bearer";
  var specKey = null;  // the key the shown document was fetched with

  if (!window.SwaggerUIBundle) {
    root.innerHTML = "";
    var notice = document.createElement("p");
    notice.className = "rolodex-notice";
    notice.textContent = "Swagger UI's files did not load (see the browser console). " +
      "The OpenAPI document is at " + SPEC_URL + ".";
    root.appendChild(notice);
    return;
  }
  root.innerHTML = "";

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
    return value ? String(value).replace(/^Bearer\s+/i, "").trim() || null : null;
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
    return {statePlugins: {auth: {wrapActions: {authorize: wrap, logout: wrap}}}};
  }

  window.ui = SwaggerUIBundle({
    url: SPEC_URL,
    dom_id: "#rolodex-app",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    // The default sends the document to a public validator for a badge.
    validatorUrl: null,
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
