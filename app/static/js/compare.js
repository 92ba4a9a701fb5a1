/* The comparison page's "only differences" switch (no inline scripts: the CSP forbids them).
 *
 * Without JavaScript the switch stays hidden and a link asks the server for
 * ?only=differences. With it, the switch hides equal rows at once and keeps the address
 * in step; when the server already left equal rows out, turning it off reloads them.
 */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector(".compare-only-form");
    var table = document.getElementById("compare-table");
    if (!form || !table) { return; }
    var box = form.querySelector("#only-differences");
    var note = document.getElementById("compare-no-differences");
    var serverOnly = form.getAttribute("data-server-only") === "true";
    form.classList.remove("d-none");

    function apply() {
      table.classList.toggle("only-differences", box.checked);
      if (note) {
        var differing = table.querySelectorAll(".row-differs").length;
        note.classList.toggle("d-none", serverOnly || !(box.checked && differing === 0));
      }
      var url = form.getAttribute(box.checked ? "data-only-url" : "data-all-url");
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", url);
      }
    }

    box.addEventListener("change", function () {
      if (serverOnly && !box.checked) {
        window.location.assign(form.getAttribute("data-all-url"));
        return;
      }
      apply();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    if (box.checked) { apply(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
