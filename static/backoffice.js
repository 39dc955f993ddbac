/* Leadform back office: htmx requests carry the CSRF token, like the forms do. */
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) event.detail.headers["X-CSRFToken"] = meta.content;
  });
})();
