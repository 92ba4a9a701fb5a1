/* pkyx: shared page behaviour. No inline scripts anywhere (the CSP forbids them).
 *
 * - pkyx.csrfToken(): the token of <meta name="csrf-token">, for fetch() writes.
 * - pkyx.postForm(form): submit a form with fetch and JSON back (pages fall back to a
 *   plain POST when JavaScript is off).
 * - A form with data-csrf-from (the login modal of anonymous pages, which nginx may
 *   cache for everyone) fetches its CSRF token when its modal opens.
 * - The header's phone menu closes on a click outside it or on Escape.
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

  // The phone menu (a <details>, open without JavaScript too) closes on a click elsewhere
  // and on Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.site-menu[open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.site-menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });

  window.pkyx = { csrfToken: csrfToken, postForm: postForm };
})();
