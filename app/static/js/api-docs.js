// Renders /api/docs with the vendored Swagger UI. Kept out of the page so that a
// Content-Security-Policy without 'unsafe-inline' scripts can serve it.
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("swagger-ui");
    if (!node || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      url: node.getAttribute("data-spec-url"),
      domNode: node,
      deepLinking: true,
      layout: "BaseLayout",
      presets: [window.SwaggerUIBundle.presets.apis],
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false,
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
