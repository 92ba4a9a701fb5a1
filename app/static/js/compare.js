/* The comparison page's behaviour (no inline scripts: the CSP forbids them).
 *
 * Everything works without JavaScript; this file adds:
 * - the "only differences" switch: without JavaScript it stays hidden and a link asks
 *   the server for ?only=differences. With it, the switch hides equal rows at once and
 *   keeps the address in step; when the server already left equal rows out, turning it
 *   off reloads them;
 * - the product row's horizontal scroll kept in step with the table's (both ways), and
 *   the "N more →" cue: how many columns are still to the right, a click scrolls to
 *   the next one;
 * - --pkyx-header-h: the site bar's real height, where the product row sticks.
 */
(function () {
  "use strict";

  function onlyDifferences() {
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

  function headerHeight() {
    var bar = document.querySelector(".site-header");
    if (!bar) { return; }
    function measure() {
      document.documentElement.style.setProperty("--pkyx-header-h", bar.offsetHeight + "px");
    }
    measure();
    if (window.ResizeObserver) { new ResizeObserver(measure).observe(bar); }
  }

  function columns() {
    var root = document.getElementById("compare");
    if (!root) { return; }
    var head = root.querySelector(".cmp-head-scroll");
    var body = root.querySelector(".cmp-body");
    var more = root.querySelector(".cmp-more");
    var count = more && more.querySelector(".cmp-more-count");
    var entries = root.querySelectorAll(".cmp-entry");
    var template = null;
    root.classList.add("js-scroll");

    function hidden() {
      var right = body.getBoundingClientRect().right;
      var n = 0;
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].getBoundingClientRect().right > right + 1) { n++; }
      }
      return n;
    }

    function update() {
      var n = hidden();
      root.classList.toggle("has-more", n > 0);
      if (count && n > 0) {
        count.textContent = (template || count.textContent).replace(/\d+/, String(n));
      }
    }

    // Each scroller follows the other; the scroll event our own assignment causes (its
    // echo) is ignored, or it would pull the first one back mid-way through a smooth scroll.
    var echoes = new Map();
    var pending = false;
    function follow(source, target) {
      return function () {
        var left = source.scrollLeft;
        if (echoes.has(source) && Math.abs(echoes.get(source) - left) < 1) {
          echoes.delete(source);
        } else if (Math.abs(target.scrollLeft - left) >= 1) {
          echoes.set(target, left);
          target.scrollLeft = left;
        }
        if (!pending) {
          pending = true;
          window.requestAnimationFrame(function () { pending = false; update(); });
        }
      };
    }

    if (count) { template = count.textContent; }
    body.addEventListener("scroll", follow(body, head), { passive: true });
    head.addEventListener("scroll", follow(head, body), { passive: true });
    if (more) {
      more.addEventListener("click", function () {
        var right = body.getBoundingClientRect().right;
        for (var i = 0; i < entries.length; i++) {
          var box = entries[i].getBoundingClientRect();
          if (box.right > right + 1) {
            var labels = root.querySelector(".cmp-corner").getBoundingClientRect().width;
            body.scrollBy({ left: box.left - body.getBoundingClientRect().left - labels,
                            behavior: "smooth" });
            return;
          }
        }
      });
    }
    window.addEventListener("resize", update);
    update();
  }

  function init() {
    headerHeight();
    onlyDifferences();
    columns();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
