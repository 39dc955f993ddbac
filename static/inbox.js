/* The sales inbox: SLA timers count down every second (the server rendered the same words),
   refused htmx requests still show their message, focus follows swapped-in messages, and
   the browser's timezone is remembered for the next page. No inline script: see the CSP. */
(function () {
  "use strict";

  function durationText(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var days = Math.floor(seconds / 86400), hours = Math.floor(seconds % 86400 / 3600);
    var minutes = Math.floor(seconds % 3600 / 60), secs = seconds % 60;
    if (days) return hours ? days + " d " + hours + " h" : days + " d";
    if (hours) return minutes ? hours + " h " + minutes + " min" : hours + " h";
    if (minutes) return secs ? minutes + " min " + secs + " s" : minutes + " min";
    return secs + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-sla-due]").forEach(function (element) {
      var due = Date.parse(element.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      var overdue = left <= 0;
      var text = overdue ? "overdue by " + durationText(-left) : durationText(left) + " left";
      if (element.textContent !== text) element.textContent = text;
      var badge = element.closest(".ib-sla");
      if (badge) badge.classList.toggle("ib-sla-overdue", overdue);
    });
  }

  function rememberZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
    if (!zone || !/^[A-Za-z0-9_\/+-]{1,64}$/.test(zone) || document.cookie.split("; ").some(function (c) { return c.indexOf("lf_tz=") === 0; })) return;
    document.cookie = "lf_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  // A 400 (bad filters) or 422 (refused action) carries the message to show: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a lead action the page comes back: move focus to its message or first error.
  document.addEventListener("htmx:afterSwap", function (event) {
    tick();
    var config = event.detail.requestConfig;
    if (config && config.verb === "post") {
      var message = document.querySelector("#main .bo-alert, #main .bo-has-error .bo-input, #main .bo-flash");
      if (message) {
        if (!message.matches("input, select, textarea")) message.setAttribute("tabindex", "-1");
        message.focus();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    rememberZone();
    tick();
    window.setInterval(tick, 1000);
  });
})();
