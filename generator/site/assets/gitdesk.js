// Listing filters (severity, component, status). Without JavaScript every row
// stays visible; nothing here fetches anything.
(function () {
  "use strict";
  function apply(form) {
    var rows = document.querySelectorAll("#" + form.dataset.gdFilter + " tbody tr");
    var wanted = {};
    form.querySelectorAll("select").forEach(function (s) { if (s.value) { wanted[s.name] = s.value; } });
    var shown = 0;
    rows.forEach(function (row) {
      var ok = Object.keys(wanted).every(function (key) {
        return (row.dataset[key] || "").split(" ").indexOf(wanted[key]) !== -1;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var out = form.querySelector(".gd-count");
    // the words come from the page, in the site's language
    if (out) {
      out.textContent = (out.dataset.words || "{shown} / {total}")
        .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
    }
  }
  function setup() {
    document.querySelectorAll("form.gd-filters").forEach(function (form) {
      form.addEventListener("change", function () { apply(form); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    });
  }
  // Material's instant loading swaps pages without a full load.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
