/* Filter forms that apply at once: a <form data-auto-submit> (recent changes) submits
 * itself when a select or tick box changes, and a text field after a pause in typing.
 * Without JavaScript the same form has a button and works the same way.
 */
(function () {
  "use strict";

  var DELAY_MS = 600;

  function attach(form) {
    var timer = null;
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox]")) { form.requestSubmit(); }
    });
    form.addEventListener("input", function (event) {
      if (!event.target.matches("input[type=text], input:not([type])")) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { form.requestSubmit(); }, DELAY_MS);
    });
  }

  document.querySelectorAll("form[data-auto-submit]").forEach(attach);
})();
