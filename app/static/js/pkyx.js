/* pkyx: shared page behaviour. No inline scripts anywhere (the CSP forbids them).
 *
 * - pkyx.csrfToken(): the token of <meta name="csrf-token">, for fetch() writes.
 * - pkyx.postForm(form): submit a form with fetch and JSON back (pages fall back to a
 *   plain POST when JavaScript is off).
 * - A form with data-csrf-from (the login modal of anonymous pages, which nginx may
 *   cache for everyone) fetches its CSRF token when its modal opens.
 * - Header menus (the language and account menus, and the phone menu) are
 *   <details data-menu> that work without JavaScript; here one open menu closes the
 *   others, and Escape or a click elsewhere closes it.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function postForm(form, extraHeaders) {
    var headers = Object.assign({ "X-CSRFToken": csrfToken(), "Accept": "application/json" },
                                extraHeaders || {});
    return fetch(form.action, {
      method: (form.getAttribute("method") || "post").toUpperCase(),
      body: new FormData(form),
      headers: headers,
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { response: response, data: data }; });
    });
  }

  function fillCsrf(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    if (!input || input.value) { return; }
    fetch(form.getAttribute("data-csrf-from"), {
      headers: { "Accept": "application/json" }, credentials: "same-origin",
    }).then(function (response) { return response.json(); })
      .then(function (data) { input.value = data.csrf_token; })
      .catch(function () { /* the submit then fails with a CSRF message, never silently */ });
  }

  document.addEventListener("show.bs.modal", function (event) {
    var form = event.target.querySelector("form[data-csrf-from]");
    if (form) { fillCsrf(form); }
  });

  function menus() { return document.querySelectorAll("details[data-menu]"); }

  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-menu]") || !opened.open) { return; }
    menus().forEach(function (menu) { if (menu !== opened) { menu.open = false; } });
  }, true);
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus().forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });

  window.pkyx = { csrfToken: csrfToken, postForm: postForm };
})();
