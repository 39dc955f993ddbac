/* Leadform slot picker: show times in the visitor's own timezone, and let a change of
   zone reload them (without JavaScript, a button does that). Loaded only where a
   meeting can be booked. */
(function () {
  "use strict";

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
  // htmx must be ready before it can reload the picker: wait for the page's scripts.
  if (document.readyState === "complete") watchZone();
  else window.addEventListener("load", watchZone);
})();
