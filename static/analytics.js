// Analytics filters: typing a date means a custom range; choosing a preset forgets the dates.
// Without JavaScript the same form works: choose "Custom" and the dates.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var range = document.querySelector("[data-an-range]");
    if (!range) { return; }
    var days = document.querySelectorAll("[data-an-day]");
    days.forEach(function (input) {
      input.addEventListener("change", function () { range.value = "custom"; });
    });
    range.addEventListener("change", function () {
      if (range.value === "custom") { return; }
      days.forEach(function (input) { input.value = ""; });
    });
  });
})();
