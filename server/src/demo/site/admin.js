// Acme Ledger admin: a console that routes in the URL fragment (#/pets/42, #!/settings),
// as many admin tools and API consoles do.
(function () {
  "use strict";
  function render() {
    var path = location.hash.replace(/^#!?/, "").split("?")[0] || "/";
    var view = document.getElementById("admin-view");
    var title = path === "/settings" ? "Settings" : path.indexOf("/pets/") === 0 ? "Pet " + path.slice(6) : "Pets";
    if (view) view.textContent = title;
    document.title = title + " · Acme Ledger admin";
  }
  window.addEventListener("hashchange", render);
  document.addEventListener("DOMContentLoaded", render);
})();
