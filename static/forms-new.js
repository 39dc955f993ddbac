/* New form page: the address follows the name until the marketer types an address of their own. */
(function () {
  "use strict";

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  }

  function start() {
    var name = document.getElementById("name");
    var slug = document.getElementById("slug");
    if (!name || !slug) return;
    // An address that is not the one made from the name was typed by someone: keep it.
    var own = slug.value !== "" && slug.value !== slugify(name.value);
    slug.addEventListener("input", function () {
      own = slug.value !== "";
    });
    name.addEventListener("input", function () {
      if (!own) slug.value = slugify(name.value);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
