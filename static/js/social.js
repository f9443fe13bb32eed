// Comments, messages and sharing: the copy-link button, clearing a form once htmx has posted
// it, and showing a refused post's sentence where the person typed.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a self-hosted site on a LAN) has no clipboard API: copy from a hidden field.
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(field);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = button.closest(".share") && button.closest(".share").querySelector("[data-copy-status]");
    if (!source) { return; }
    copyText(source.value || source.textContent).then(function () {
      if (status) { status.textContent = "Link copied."; }
    }, function () {
      source.select && source.select();
      if (status) { status.textContent = "Your browser didn't allow copying. The link is selected: copy it with Ctrl+C or ⌘C."; }
    });
  });


  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-reset-on-success]") || !event.detail.successful) { return; }
    if (event.detail.xhr.getResponseHeader("HX-Retarget")) { return; }
    form.reset();
    form.querySelectorAll(".form-errors").forEach(function (slot) { slot.textContent = ""; });
  });

  // A thread opens at its newest message.
  document.addEventListener("DOMContentLoaded", function () {
    var thread = document.querySelector("[data-thread]");
    if (thread) { thread.scrollTop = thread.scrollHeight; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var thread = event.target.closest && event.target.closest("[data-thread]");
    if (thread) { thread.scrollTop = thread.scrollHeight; }
  });
})();
