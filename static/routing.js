/* Scoring and Routing pages: show only the chosen destination's input, and after an
   htmx answer put the focus where the reader should look (an error, or the test result). */
(function () {
  "use strict";

  function sync(fieldset) {
    var checked = fieldset.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    fieldset.querySelectorAll("[data-kind-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-kind-panel") !== kind;
    });
  }

  function init(root) {
    if (!root || !root.querySelectorAll) return;
    var sets = root.matches && root.matches("[data-destination]") ? [root] : [];
    root.querySelectorAll("[data-destination]").forEach(function (set) { sets.push(set); });
    sets.forEach(function (fieldset) {
      sync(fieldset);
      if (fieldset.dataset.bound) return;
      fieldset.dataset.bound = "1";
      fieldset.addEventListener("change", function () { sync(fieldset); });
    });
  }

  var REGIONS = ["routing", "scoring", "test-panel"];  // the rule builder manages its own
  var swapped = null;
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    swapped = target && REGIONS.indexOf(target.id) >= 0 ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!swapped) return;
    var region = document.getElementById(swapped);
    swapped = null;
    if (!region) return;
    var invalid = region.querySelector('[aria-invalid="true"]');
    var result = region.querySelector("#test-result-heading");
    var focus = invalid || result || region.querySelector("[autofocus]");
    if (focus) focus.focus();
  });
})();
