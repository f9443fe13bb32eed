// Every page: forms that start slow work show it at once, and share buttons.
(function () {
  "use strict";

  // A refusal (4xx) that names its target with HX-Retarget is swapped in so the person reads it;
  // htmx leaves 4xx answers unswapped otherwise.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A form (or a button) marked data-busy starts slow work: rendering, uploading, checking,
  // exporting. On submit its button shows a spinner and stops taking clicks at once, so a
  // second tap can't send it twice. The button is disabled a moment later, after the browser
  // has read its name and value into the request. htmx requests get the same treatment and
  // give the button back when they finish; a page restored with the Back button is reset.
  var BUSY_TEXT = "data-busy-text";

  function busyButtons(form, submitter) {
    if (submitter && submitter.form === form) { return [submitter]; }
    return Array.prototype.slice.call(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"));
  }

  function setBusy(button, busy) {
    if (busy) {
      button.classList.add("busy");
      button.setAttribute("aria-busy", "true");
      var text = button.getAttribute(BUSY_TEXT);
      if (text && !button.hasAttribute("data-idle-text")) {
        button.setAttribute("data-idle-text", button.textContent);
        button.textContent = text;
      }
      window.setTimeout(function () { button.disabled = true; }, 0);
    } else {
      button.classList.remove("busy");
      button.removeAttribute("aria-busy");
      button.disabled = false;
      if (button.hasAttribute("data-idle-text")) {
        button.textContent = button.getAttribute("data-idle-text");
        button.removeAttribute("data-idle-text");
      }
    }
  }

  function marksBusy(form, submitter) {
    return form.hasAttribute("data-busy") || (submitter && submitter.hasAttribute("data-busy"));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    if (event.defaultPrevented || !marksBusy(form, submitter)) { return; }
    if (form.getAttribute("data-busy-state") === "sending") {
      event.preventDefault();
      return;
    }
    // htmx forms are marked by htmx:beforeRequest below, and given back after the response.
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
    form.setAttribute("data-busy-state", "sending");
    busyButtons(form, submitter).forEach(function (button) { setBusy(button, true); });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt.closest ? elt.closest("form") : null;
    if (!elt.hasAttribute("data-busy") && !(form && form.hasAttribute("data-busy"))) { return; }
    var buttons = elt.tagName === "FORM" || elt === form
      ? busyButtons(form, event.detail.requestConfig && event.detail.requestConfig.triggeringEvent
        ? event.detail.requestConfig.triggeringEvent.submitter : null)
      : [elt];
    elt._soraBusy = buttons;
    buttons.forEach(function (button) { setBusy(button, true); });
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    (elt._soraBusy || []).forEach(function (button) { setBusy(button, false); });
    elt._soraBusy = null;
  });

  // A link that starts slow work (the data export downloads a file, and the page stays): busy
  // until the download has had time to start, and a second tap meanwhile does nothing.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link) { return; }
    if (link.classList.contains("busy")) {
      event.preventDefault();
      return;
    }
    link.classList.add("busy");
    link.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      link.classList.remove("busy");
      link.removeAttribute("aria-busy");
    }, 6000);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-busy-state]").forEach(function (form) {
      form.removeAttribute("data-busy-state");
    });
    document.querySelectorAll(".busy").forEach(function (button) { setBusy(button, false); });
  });

  // Share: the phone's own share sheet where there is one, otherwise the link is copied.
  function toast(text) {
    var note = document.createElement("p");
    note.className = "toast";
    note.setAttribute("role", "status");
    note.textContent = text;
    document.body.appendChild(note);
    window.setTimeout(function () { note.remove(); }, 2200);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-share]");
    if (!link) { return; }
    var url = new URL(link.getAttribute("data-share"), window.location.href).href;
    if (navigator.share) {
      event.preventDefault();
      navigator.share({ url: url }).catch(function () {});
    } else if (navigator.clipboard && window.isSecureContext) {
      event.preventDefault();
      navigator.clipboard.writeText(url).then(
        function () { toast("Link copied."); },
        function () { window.location.href = link.href; }
      );
    }
  });
})();
