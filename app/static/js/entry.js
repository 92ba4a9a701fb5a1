/* pkyx entry page: edit attributes in place without reloading.
 *
 * Every form marked [data-entry-form] is a plain POST that works without JavaScript.
 * Here it is sent with fetch (pkyx.postForm: X-CSRFToken + Accept: application/json);
 * the server answers {ok, html, version, errors, message, key, confirm}. `html` is the
 * re-rendered attribute table, swapped into [data-attributes-slot]; `version` goes into
 * every hidden version field, so the next edit names the version now shown.
 *
 * The confirmation of an edit appears beside the edited row and is read out by screen
 * readers through the page's one polite live region ([data-attribute-status]). Adding an
 * attribute the entry has answers with a question (`confirm`: "Weight is already … —
 * replace it?") shown above the add form. A form with data-confirm (delete) asks first
 * and then sends confirmed=1; without JavaScript the server asks on a page of its own.
 * Anything unexpected (a login redirect, a network error) falls back to the plain POST.
 */
(function () {
  "use strict";

  var slot = document.querySelector("[data-attributes-slot]");
  if (!slot || !window.pkyx) { return; }
  var live = document.querySelector("[data-attribute-status]");
  var confirmSlot = document.querySelector("[data-confirm-slot]");

  var banner = document.createElement("div");
  banner.className = "alert d-none";
  slot.parentNode.insertBefore(banner, slot);

  function announce(message) {
    if (!live) { return; }
    live.textContent = "";
    // A new text node after clearing: screen readers announce the change.
    window.setTimeout(function () { live.textContent = message || ""; }, 30);
  }

  function say(message, kind) {
    banner.textContent = message || "";
    banner.className = message ? "alert alert-" + kind : "alert d-none";
    announce(message);
  }

  function sayNearRow(key, message) {
    var row = key && document.getElementById("attr-" + key);
    var cell = row && row.querySelector(".attr-value");
    if (!cell) { say(message, "success"); return; }
    say("", "success");
    var note = document.createElement("div");
    note.className = "attr-saved small text-success mt-1";
    note.setAttribute("data-row-status", "");
    var icon = document.createElement("i");
    icon.className = "bi bi-check-circle";
    icon.setAttribute("aria-hidden", "true");
    note.appendChild(icon);
    note.appendChild(document.createTextNode(" " + message));
    cell.appendChild(note);
    announce(message);
  }

  function setVersion(version) {
    if (version === undefined || version === null) { return; }
    document.querySelectorAll("[data-entry-version]").forEach(function (input) {
      input.value = String(version);
    });
    document.querySelectorAll("[data-entry-version-text]").forEach(function (el) {
      el.textContent = String(version);
    });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (slotEl) {
      slotEl.textContent = "";
      slotEl.hidden = true;
    });
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
  }

  function showErrors(form, errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (field) {
      var target = form.querySelector('[data-error-for="' + field + '"]') ||
                   form.querySelector('[data-error-for="value"]');
      if (target) {
        target.textContent = errors[field];
        target.hidden = false;
      }
      var input = form.querySelector('[name="' + field + '"]:not([type="hidden"])');
      if (input) {
        input.classList.add("is-invalid");
        first = first || input;
      }
    });
    if (first) { first.focus(); }
  }

  function swapTable(html, key) {
    slot.innerHTML = html;
    var row = key && document.getElementById("attr-" + key);
    if (row) { row.classList.add("attr-row-flash"); }
  }

  function nativeSubmit(form) {
    HTMLFormElement.prototype.submit.call(form);
  }

  function keyOf(form) {
    var key = form.querySelector('[name="key"]');
    if (key && key.value) { return key.value.trim().toLowerCase(); }
    var row = form.closest("[data-key]");
    return row ? row.getAttribute("data-key") : null;
  }

  function addForms() { return document.querySelectorAll("form[data-add-form]:not(.attr-confirm form)"); }

  function showQuestion(html) {
    if (!confirmSlot) { return; }
    confirmSlot.innerHTML = html || "";
    var button = confirmSlot.querySelector("button[type=submit]");
    if (button) { button.focus(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-entry-form]")) { return; }
    event.preventDefault();
    var question = form.getAttribute("data-confirm");
    if (question) {
      if (!window.confirm(question)) { return; }
      if (!form.querySelector('input[name="confirmed"]')) {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirmed";
        confirmed.value = "1";
        form.appendChild(confirmed);
      }
    }
    var isAdd = form.hasAttribute("data-add-form");
    var key = keyOf(form);
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    clearErrors(form);
    window.pkyx.postForm(form).then(function (result) {
      var data = result.data || {};
      buttons.forEach(function (b) { b.disabled = false; });
      if (data.ok === undefined) {  // a problem+json answer (CSRF token expired, 404…)
        say(data.detail || data.title || String(result.response.status), "danger");
        return;
      }
      if (data.ok) {
        swapTable(data.html, data.key || key);
        setVersion(data.version);
        if (isAdd) {
          showQuestion("");
          addForms().forEach(function (f) { f.reset(); });
        }
        sayNearRow(data.key || key, data.message);
        return;
      }
      if (data.confirm) {  // the entry has this attribute: ask before replacing
        setVersion(data.version);
        showQuestion(data.confirm);
        announce(data.message);
        return;
      }
      var stale = data.errors && data.errors.version;
      if (!isAdd || stale) {
        // The table comes back with this edit's form open, holding the editor's input.
        if (data.html) { swapTable(data.html, null); }
        setVersion(data.version);
      }
      if (isAdd) { showErrors(form, data.errors); }
      say(stale || Object.values(data.errors || {})[0] || "", stale ? "warning" : "danger");
    }).catch(function () {
      nativeSubmit(form);
    });
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-edit-toggle], [data-edit-cancel]");
    if (!toggle || !slot.contains(toggle)) { return; }
    event.preventDefault();
    var key = toggle.getAttribute("data-edit-toggle") || toggle.getAttribute("data-edit-cancel");
    var panel = document.getElementById("attr-edit-" + key);
    var opener = slot.querySelector('[data-edit-toggle="' + key + '"]');
    if (!panel) { return; }
    var open = toggle.hasAttribute("data-edit-cancel") ? false : panel.hidden;
    panel.hidden = !open;
    if (opener) { opener.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (open) {
      var input = panel.querySelector("input:not([type=hidden]), select");
      if (input) { input.focus(); }
    } else if (opener) {
      opener.focus();
    }
  });

  var compare = document.querySelector("[data-compare-prefix]");
  if (compare) {
    compare.addEventListener("focus", function () {
      var end = compare.value.length;
      try { compare.setSelectionRange(end, end); } catch (e) { /* type=search may refuse */ }
    });
  }
})();
