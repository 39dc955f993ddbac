/* Design tab: keeps each colour picker and its hex box in step, and paints the sample
   with the custom properties the server computed (data-vars, refreshed by htmx). */
(function () {
  "use strict";

  function hex(text) {
    var value = text.trim().replace(/^#/, "");
    if (/^[0-9a-f]{3}$/i.test(value)) value = value.replace(/(.)/g, "$1$1");
    return /^[0-9a-f]{6}$/i.test(value) ? "#" + value.toLowerCase() : null;
  }

  function paint() {
    var sample = document.getElementById("ds-sample");
    var source = document.querySelector("#ds-contrast .ds-sample-vars");
    if (!sample || !source) return;
    var vars = {};
    try { vars = JSON.parse(source.getAttribute("data-vars") || "{}"); } catch (e) { return; }
    for (var i = sample.style.length - 1; i >= 0; i--) {
      var name = sample.style[i];
      if (name.indexOf("--lf-") === 0 || name === "color-scheme") sample.style.removeProperty(name);
    }
    Object.keys(vars).forEach(function (name) {
      if (name.indexOf("--lf-") === 0 || name === "color-scheme") sample.style.setProperty(name, vars[name]);
    });
    sample.hidden = false;
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    var pair = input.getAttribute && input.getAttribute("data-pair");
    if (pair) {
      var other = document.getElementById(pair);
      if (input.type === "color") other.value = input.value;
      else if (hex(input.value)) other.value = hex(input.value);
    }
    if (input.id === "ds-button_text") {
      var button = document.querySelector(".ds-sample-button");
      if (button) button.textContent = input.value.trim() || input.placeholder || "Submit";
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "ds-contrast") paint();
  });
  document.addEventListener("DOMContentLoaded", paint);
})();
