// Starts Pagefind's search UI on /buscar/ and runs the query sent by the header's search box.
// Kept in a file, not inline, so the pages' Content-Security-Policy can forbid inline scripts.
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({ element: "#buscador", showSubResults: true, showImages: false });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    ui.triggerSearch(q);
  }
});
