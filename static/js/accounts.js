// Sign-up fills in the device's timezone; teen and family pages let htmx show refusals.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.querySelector("input[data-detect-timezone]");
    if (!field || !window.Intl) { return; }
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && (!field.value || field.value === field.defaultValue)) { field.value = zone; }
    } catch (e) { /* an old browser: the server's zone stays */ }
  });

  // A refusal (4xx) that names its target with HX-Retarget is swapped in so the person reads it;
  // htmx leaves 4xx answers unswapped otherwise.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
