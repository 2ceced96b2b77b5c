// Starts Pagefind's search UI on /buscar/ and runs the query sent by the header's search box.
// Kept in a file, not inline, so the pages' Content-Security-Policy can forbid inline scripts.
// The index comes in parts (a few hundred pages each, see src/search/parts.rs): the first
// part's folder holds Pagefind's code and `partes.json`, the list of the other parts, which
// are merged into every search.
window.addEventListener("DOMContentLoaded", function () {
  var script = document.querySelector('script[src$="pagefind-ui.js"]');
  var bundle = new URL(".", script ? script.src : window.location.href);
  var start = function (parts) {
    var merge = (Array.isArray(parts) ? parts : []).map(function (part) {
      return { bundlePath: new URL(part, bundle).pathname };
    });
    var ui = new PagefindUI({
      element: "#buscador",
      showSubResults: true,
      showImages: false,
      mergeIndex: merge,
    });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) {
      ui.triggerSearch(q);
    }
  };
  fetch(new URL("partes.json", bundle))
    .then(function (r) {
      return r.ok ? r.json() : [];
    })
    .then(start, function () {
      start([]);
    });
});
