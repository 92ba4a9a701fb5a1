/* Autocomplete for every <input data-autocomplete> (the header's compare box, the
 * comparison page's "add an entry" box, and any later one).
 *
 * An ARIA 1.2 combobox: the input gets role=combobox, aria-expanded, aria-controls and
 * aria-activedescendant; the list is role=listbox with role=option items. Arrow keys move,
 * Enter picks (or submits when nothing is highlighted), Escape closes. Only the part after
 * the last "vs" / "pk" / "versus" is looked up and replaced, so "iPhone 15 vs Pi" becomes
 * "iPhone 15 vs Google Pixel 8". Suggestions come from GET /suggest?q= (or the input's
 * data-autocomplete-url) as [{slug, title, category}]. Text is set with textContent only.
 */
(function () {
  "use strict";

  var SEPARATOR = /(?<![A-Za-z])(?:vs\.?|versus|pk)(?![A-Za-z])/gi;
  var DELAY_MS = 150;
  var counter = 0;

  /* The text before the last name (kept as typed, ending in "vs ") and the last name. */
  function splitLast(value) {
    var last = null, match;
    SEPARATOR.lastIndex = 0;
    while ((match = SEPARATOR.exec(value)) !== null) { last = match; }
    if (!last) { return { head: "", name: value }; }
    var end = last.index + last[0].length;
    var head = value.slice(0, last.index).replace(/\s*$/, " ") + last[0] + " ";
    return { head: head.replace(/^\s+/, ""), name: value.slice(end).trim() };
  }

  function attach(input) {
    if (input.getAttribute("data-autocomplete-ready")) { return; }
    input.setAttribute("data-autocomplete-ready", "1");
    var id = "autocomplete-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "autocomplete-list list-group shadow-sm";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("placeholder") || "Suggestions");
    list.hidden = true;
    var host = input.parentNode;
    if (window.getComputedStyle(host).position === "static") { host.style.position = "relative"; }
    host.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var url = input.getAttribute("data-autocomplete-url") || "/suggest";
    var items = [], active = -1, timer = null, pending = null, lastQuery = null;

    function place() {
      list.style.left = input.offsetLeft + "px";
      list.style.top = (input.offsetTop + input.offsetHeight) + "px";
      list.style.minWidth = input.offsetWidth + "px";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, i) {
        var on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
        if (on) { option.scrollIntoView({ block: "nearest" }); }
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", id + "-" + index);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = splitLast(input.value).head + item.title;
      close();
      input.focus();
      input.dispatchEvent(new CustomEvent("autocomplete:pick", { detail: item, bubbles: true }));
    }

    function render(data) {
      items = Array.isArray(data) ? data.slice(0, 10) : [];
      list.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = id + "-" + i;
        option.className = "list-group-item list-group-item-action autocomplete-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var title = document.createElement("span");
        title.textContent = item.title;
        option.appendChild(title);
        if (item.category) {
          var category = document.createElement("small");
          category.className = "ms-2 text-body-secondary";
          category.textContent = item.category;
          option.appendChild(category);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input
          pick(i);
        });
        list.appendChild(option);
      });
      active = -1;
      if (items.length && document.activeElement === input) {
        place();
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function lookUp() {
      var query = input.value;
      if (!splitLast(query).name) { lastQuery = query; render([]); return; }
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      }).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(render).catch(function () { /* aborted or offline: keep what is shown */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { lastQuery = null; lookUp(); return; }
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); pick(active); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    document.querySelectorAll("input[data-autocomplete]").forEach(attach);
  }

  window.pkyxAutocomplete = { attach: attach, splitLast: splitLast };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
