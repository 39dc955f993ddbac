/* Leadform embed: <div data-leadform="workspace/form"></div><script src=".../embed.js" async></script>
   Inline: an iframe that grows with its content. Popup: a button with
   data-leadform-mode="popup" opens the form in an accessible modal dialog.
   The host page's address, referrer and UTM parameters travel with the form. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var PASS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid"];

  function formUrl(slug) {
    var url = new URL("/f/" + slug.split("/").map(encodeURIComponent).join("/"), origin);
    var here = new URLSearchParams(location.search);
    here.forEach(function (value, name) {
      if (PASS.indexOf(name) >= 0 || name.indexOf("utm_") === 0) url.searchParams.set(name, value);
    });
    url.searchParams.set("embed", "1");
    url.searchParams.set("lf_page", location.href);
    if (document.referrer) url.searchParams.set("lf_ref", document.referrer);
    return url.toString();
  }

  function frame(slug, title) {
    var iframe = document.createElement("iframe");
    iframe.src = formUrl(slug);
    iframe.title = title || "Form";
    if (title) iframe.setAttribute("data-leadform-named", "");
    iframe.setAttribute("loading", "lazy");
    iframe.style.cssText = "width:100%;border:0;display:block;height:480px;";
    return iframe;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data) return;
    var frames = document.querySelectorAll("iframe[data-leadform-frame]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow !== event.source) continue;
      if (event.data.type === "leadform:resize" && typeof event.data.height === "number") {
        frames[i].style.height = Math.max(120, Math.min(event.data.height, 5000)) + "px";
        // Screen readers announce the frame by its title: the form's own, unless the host named it.
        var named = frames[i].hasAttribute("data-leadform-named");
        if (!named && typeof event.data.title === "string" && event.data.title) {
          frames[i].title = event.data.title.slice(0, 200);
        }
      }
      // Escape pressed inside the form reaches the iframe, not the host's dialog.
      var dialog = frames[i].closest("dialog");
      if (event.data.type === "leadform:close" && dialog && dialog.open) dialog.close();
    }
  });

  function inline(host) {
    var iframe = frame(host.getAttribute("data-leadform"), host.getAttribute("data-leadform-title"));
    iframe.setAttribute("data-leadform-frame", "");
    host.appendChild(iframe);
  }

  function popup(button) {
    var dialog;
    button.setAttribute("aria-haspopup", "dialog");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.setAttribute("aria-label", button.getAttribute("data-leadform-title") || button.textContent.trim() || "Form");
        dialog.style.cssText = "width:min(40rem,94vw);max-height:92vh;padding:0;border:0;border-radius:12px;overflow:auto;";
        var close = document.createElement("button");
        close.type = "button";
        close.textContent = "\u00d7";
        close.setAttribute("aria-label", "Close");
        close.style.cssText = "position:sticky;top:0;float:right;margin:.4rem;font-size:1.5rem;line-height:1;background:#fff;border:0;cursor:pointer;padding:.2rem .6rem;";
        close.addEventListener("click", function () { dialog.close(); });
        var iframe = frame(button.getAttribute("data-leadform"), button.getAttribute("data-leadform-title"));
        iframe.setAttribute("data-leadform-frame", "");
        iframe.removeAttribute("loading");
        dialog.appendChild(close);
        dialog.appendChild(iframe);
        dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
        dialog.addEventListener("close", function () { button.focus(); });
        document.body.appendChild(dialog);
      }
      dialog.showModal();
    });
  }

  function start() {
    var nodes = document.querySelectorAll("[data-leadform]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.getAttribute("data-leadform-ready")) continue;
      node.setAttribute("data-leadform-ready", "1");
      if (node.getAttribute("data-leadform-mode") === "popup") popup(node); else inline(node);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
