/* Experiments: show the UTC times of the page in the viewer's own timezone. The server
   writes them in UTC, so the page reads correctly without JavaScript too. */
(function () {
  "use strict";

  function localise() {
    var format;
    try {
      format = new Intl.DateTimeFormat(undefined, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
        timeZoneName: "short"
      });
    } catch (e) { return; }
    var times = document.querySelectorAll("time[data-local-time]");
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) times[i].textContent = format.format(when);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", localise);
  else localise();
})();
