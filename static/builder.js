/* Leadform editor: drag-and-drop reordering, the preview frame. The server decides everything else. */
(function () {
  "use strict";

  function postMove(url, values) {
    htmx.ajax("POST", url, {
      target: "#ed-build", select: "#ed-build", swap: "outerHTML", values: values
    });
  }

  function makeSortable(root) {
    if (!window.Sortable) return;
    var build = root.id === "ed-build" ? root : root.querySelector("#ed-build");
    if (!build) return;
    var moveField = build.getAttribute("data-move-field");
    var moveStep = build.getAttribute("data-move-step");
    build.querySelectorAll('[data-sortable="steps"]').forEach(function (list) {
      Sortable.create(list, {
        handle: ".ed-handle", draggable: ".ed-step", animation: 120, forceFallback: true,
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          postMove(moveStep.replace("__step__", encodeURIComponent(event.item.dataset.id)),
                   { index: event.newIndex });
        }
      });
    });
    build.querySelectorAll('[data-sortable="fields"]').forEach(function (list) {
      Sortable.create(list, {
        group: "fields", handle: ".ed-handle", draggable: ".ed-field", animation: 120,
        forceFallback: true,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          postMove(moveField.replace("__field__", encodeURIComponent(event.item.dataset.id)),
                   { step: event.to.dataset.step, index: event.newIndex });
        }
      });
    });
    var fresh = build.querySelector("[data-autofocus]");
    if (fresh) fresh.focus();
  }

  // No id on the frame: htmx would copy its height (a style attribute, refused by the CSP) onto the new one.
  function frame() { return document.querySelector(".ed-frame"); }

  function reloadPreview() {
    var iframe = frame();
    if (iframe && iframe.contentWindow) iframe.contentWindow.location.replace(iframe.src);
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.id !== "ed-preview-screen") return;
    var iframe = frame();
    if (iframe) iframe.src = select.getAttribute("data-preview-base") + "?screen=" + encodeURIComponent(select.value);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".ed-device-button") : null;
    if (!button) return;
    var wrap = document.querySelector(".ed-frame-wrap");
    if (wrap) wrap.setAttribute("data-device", button.getAttribute("data-device"));
    document.querySelectorAll(".ed-device-button").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
  });

  // The preview is a hosted form page: it reports its height like an embedded form does.
  window.addEventListener("message", function (event) {
    var iframe = frame();
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== window.location.origin) return;
    var data = event.data || {};
    if (data.type === "leadform:resize" && data.height > 0) iframe.style.height = Math.min(data.height + 8, 2000) + "px";
  });

  document.body.addEventListener("lf-draft-saved", reloadPreview);
  htmx.onLoad(makeSortable);
})();
