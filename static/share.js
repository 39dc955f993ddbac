/* Share tab: Copy buttons for the snippets. The clipboard API where the page may use it,
   else the snippet is selected and copied the old way; either way the result is announced. */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("sh-announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function selectAndCopy(field, done) {
    field.focus();
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    announce(copied ? done : "Selected: press Ctrl+C (or ⌘C on a Mac) to copy.");
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = button.getAttribute("data-copied") || "Copied.";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { announce(done); },
        function () { selectAndCopy(field, done); });
    } else {
      selectAndCopy(field, done);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".sh-copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  });
})();
