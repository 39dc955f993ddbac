/* Leadform hosted form: small progressive enhancements; the server decides everything. */
(function () {
  "use strict";
  var embedded = window.parent !== window;

  function reportHeight() {
    if (!embedded) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "leadform:resize", height: height, title: document.title }, "*");
  }

  var focusAtSwap = null;

  function onSwap(event) {
    reportHeight();
    // Only a new screen moves focus; a field check settling must leave the visitor where they are.
    var screen = event.target;
    if (!screen || screen.id !== "lf-screen") return;
    var focusTarget = screen.querySelector("[autofocus]") || screen.querySelector("h1");
    // A visitor who already moved on (typing fast after Enter) keeps their place.
    var moved = document.activeElement !== focusAtSwap && document.activeElement !== document.body;
    if (focusTarget && !moved) {
      if (focusTarget.tagName === "H1") focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus({ preventScroll: embedded });
    }
    if (embedded && screen.classList.contains("lf-ending")) {
      window.parent.postMessage({ type: "leadform:completed" }, "*");
    }
  }

  // Enter on a radio button or checkbox continues, as it does in a text box.
  // Escape asks the embedding page to close its popup (the key never reaches it).
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape" && embedded && !event.defaultPrevented) {
      window.parent.postMessage({ type: "leadform:close" }, "*");
      return;
    }
    if (event.key !== "Enter" || !target || !target.form) return;
    if (target.type === "radio" || target.type === "checkbox") {
      event.preventDefault();
      var next = target.form.querySelector(".lf-next");
      if (next) target.form.requestSubmit(next);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "lf-screen") focusAtSwap = document.activeElement;
  });
  document.addEventListener("htmx:afterSettle", onSwap);
  function ready() {
    if (embedded) document.documentElement.classList.add("lf-embedded");
    reportHeight();
  }
  // Loaded async: the document may already be parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("load", reportHeight);
  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
})();
