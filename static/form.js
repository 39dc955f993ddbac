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

  // The slot picker shows times in the visitor's own timezone: detect it, and let a
  // change of zone reload the times (without JavaScript, a button does that).
  function watchZone() {
    var form = document.querySelector("form[data-lf-tz]");
    if (!form || form.lfWatched) return;
    form.lfWatched = true;
    document.documentElement.classList.add("lf-js");
    var select = form.querySelector("select");
    var reload = function () {
      if (!window.htmx) return form.submit();
      window.htmx.ajax("GET", form.getAttribute("action"),
        { target: "#lf-booking", swap: "outerHTML", values: { tz: select.value } });
    };
    select.addEventListener("change", reload);
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (form.getAttribute("data-lf-tz-default") !== "1" || !zone || zone === select.value) return;
    if (!select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) {
      select.add(new Option(zone.replace(/_/g, " "), zone));
    }
    select.value = zone;
    reload();
  }
  document.addEventListener("htmx:afterSettle", watchZone);
  function ready() {
    if (embedded) document.documentElement.classList.add("lf-embedded");
    if (document.readyState === "complete") watchZone();
    reportHeight();
  }
  // Loaded async: the document may already be parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("load", function () { watchZone(); reportHeight(); });
  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
})();
