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

})();
