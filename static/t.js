/* Leadform page-view tracking: <script src="https://HOST/t.js" data-workspace="demo" async></script> */
(function () {
  "use strict";
  var script = document.currentScript;
  var workspace = script && script.getAttribute("data-workspace");
  if (!workspace) return;
  var endpoint = new URL("/t/" + encodeURIComponent(workspace), script.src).toString();
  function send() {
    var body = JSON.stringify({
      p: location.pathname.slice(0, 500),
      t: (document.title || "").slice(0, 300)
    });
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
    fetch(endpoint, { method: "POST", body: body, credentials: "include", keepalive: true });
  }
  if (document.readyState === "complete") send(); else window.addEventListener("load", send);
})();
