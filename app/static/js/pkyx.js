/* pkyx: shared page behaviour. No inline scripts anywhere (the CSP forbids them).
 *
 * - pkyx.csrfToken(): the token of <meta name="csrf-token">, for fetch() writes.
 * - pkyx.postForm(form): submit a form with fetch and JSON back (pages fall back to a
 *   plain POST when JavaScript is off).
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

  window.pkyx = { csrfToken: csrfToken, postForm: postForm };
})();
