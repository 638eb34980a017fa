/* Cercle: small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  // htmx 2 does not swap 4xx answers by default; our 400 and 409 answers carry the form
  // with its errors or a refusal message, so show them in place like a 200. Anything
  // else (403, 404, 500, network down) leaves the page as it is and says so.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      window.htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "40[09]", swap: true, error: false },
        { code: "...", swap: false, error: true },
      ];
    }
  });

  function showFailure() {
    var region = document.getElementById("request-failed");
    if (!region) return;
    region.textContent = document.body.getAttribute("data-request-failed") || "";
    region.hidden = false;
  }
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);

  // The composer shows only the fieldsets of the chosen kind of post (poll, event).
  function syncComposer(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    form.querySelectorAll("[data-kind-fields]").forEach(function (fieldset) {
      var shown = fieldset.getAttribute("data-kind-fields") === kind.value;
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
  }

  function initComposers(root) {
    (root || document).querySelectorAll("form[data-composer]").forEach(function (form) {
      syncComposer(form);
      var kind = form.querySelector("select[name=kind]");
      if (kind && !kind.dataset.cercleBound) {
        kind.dataset.cercleBound = "1";
        kind.addEventListener("change", function () { syncComposer(form); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initComposers(document); });
  document.addEventListener("htmx:afterSettle", function (event) { initComposers(event.target); });
})();
