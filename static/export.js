/* Export page: start the timezone on the browser's own zone, unless the URL chose one. */
(function () {
  "use strict";

  function detect() {
    var select = document.getElementById("ex-tz");
    if (!select || select.getAttribute("data-detect") !== "true") return;
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!zone || select.value === zone) return;
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (!known) {
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.replace(/_/g, " ");
      select.appendChild(option);
    }
    select.value = zone;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", detect);
  } else {
    detect();
  }
})();
