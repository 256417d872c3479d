// Swagger UI for /docs, from bundled assets (no CDN). The token the web UI keeps in this
// tab is sent with every call; without one, use Swagger's Authorize button.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const token = sessionStorage.getItem("newstrace-token") || "";
  const ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: (req) => {
      if (token && !req.headers.Authorization) req.headers.Authorization = "Bearer " + token;
      return req;
    },
  });
  window.ui = ui;
});
