// Starts Pagefind's search UI on /buscar/ and runs the query sent by the header's search box.
// Kept in a file, not inline, so the pages' Content-Security-Policy can forbid inline scripts.
// A large site's index comes in parts (see src/search/parts.rs): the first part's folder holds
// Pagefind's code and `partes.js`, loaded before this file, which lists the other parts;
// they are merged into every search.
window.addEventListener("DOMContentLoaded", function () {
  var script = document.querySelector('script[src$="pagefind-ui.js"]');
  var bundle = new URL(".", script ? script.src : window.location.href);
  var parts = Array.isArray(window.informeBusquedaPartes) ? window.informeBusquedaPartes : [];
  var ui = new PagefindUI({
    element: "#buscador",
    showSubResults: true,
    showImages: false,
    mergeIndex: parts.map(function (part) {
      return { bundlePath: new URL(part, bundle).pathname };
    }),
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    ui.triggerSearch(q);
  }
});
