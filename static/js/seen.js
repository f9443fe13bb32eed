// Which feed videos were really watched. A card counts as seen once it has been at least 60% in
// view (or, for a card taller than the screen, covered 60% of it) for a whole second in a
// visible tab. Seen ids go to the address on this script's tag (data-url) in small batches,
// and whatever is still waiting goes with sendBeacon when the page is hidden or left. The
// server only accepts ids it sent this person lately, so this is a report, not an authority.
//
// It reads only the feed's card markup: <article class="feed-item" data-post="ID">, wherever
// such cards are on the page or are added later (htmx adds the next page after the last one).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("IntersectionObserver" in window) || !window.fetch) { return; }
  var url = script.getAttribute("data-url");
  var token = script.getAttribute("data-csrf") || "";
  if (!url) { return; }

  var CARDS = "article.feed-item[data-post]";
  var IN_VIEW = 0.6;
  var DWELL_MS = 1000;
  var BATCH_MS = 1500;
  var RETRY_MS = 10000;
  var PER_REPORT = 50; // the server takes up to 100 ids a report

  var timers = new Map(); // card -> the timer running while it is in view
  var reported = new Set(); // ids this page already counted
  var pending = [];
  var flushTimer = null;

  function idOf(card) {
    var id = card.getAttribute("data-post") || "";
    return /^[0-9]+$/.test(id) ? id : null;
  }

  function inView(entry) {
    if (!entry.isIntersecting) { return false; }
    if (entry.intersectionRatio >= IN_VIEW) { return true; }
    var screen = entry.rootBounds ? entry.rootBounds.height : window.innerHeight;
    return screen > 0 && entry.intersectionRect.height >= IN_VIEW * screen;
  }

  function stopTimer(card) {
    if (timers.has(card)) {
      window.clearTimeout(timers.get(card));
      timers.delete(card);
    }
  }

  function schedule(delay) {
    if (flushTimer === null) { flushTimer = window.setTimeout(flush, delay); }
  }

  function counted(card) {
    timers.delete(card);
    observer.unobserve(card);
    var id = idOf(card);
    if (!id || reported.has(id) || !card.isConnected) { return; }
    reported.add(id);
    pending.push(id);
    schedule(BATCH_MS);
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var card = entry.target;
      if (inView(entry) && document.visibilityState === "visible") {
        if (!timers.has(card)) {
          timers.set(card, window.setTimeout(function () { counted(card); }, DWELL_MS));
        }
      } else {
        stopTimer(card);
      }
    });
  }, { threshold: [0.25, 0.5, IN_VIEW, 0.75, 1] });

  function watch(root) {
    var cards = [];
    if (root.matches && root.matches(CARDS)) { cards.push(root); }
    if (root.querySelectorAll) { cards.push.apply(cards, root.querySelectorAll(CARDS)); }
    cards.forEach(function (card) {
      var id = idOf(card);
      if (id && !reported.has(id)) { observer.observe(card); }
    });
  }

  function form(ids) {
    var data = new FormData();
    data.append("posts", ids.join(","));
    data.append("csrfmiddlewaretoken", token);
    return data;
  }

  function retry(ids) {
    pending = ids.concat(pending);
    schedule(RETRY_MS);
  }

  function send(ids) {
    window.fetch(url, {
      method: "POST",
      body: form(ids),
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": token },
    }).then(function (response) {
      // A refusal (signed out, a bad id) would be refused again; a server hiccup is retried.
      if (response.status >= 500) { retry(ids); }
    }, function () { retry(ids); });
  }

  function flush() {
    flushTimer = null;
    while (pending.length) { send(pending.splice(0, PER_REPORT)); }
  }

  // The page may be closed before the next batch: hand what is waiting to the browser.
  function flushOnLeave() {
    if (flushTimer !== null) {
      window.clearTimeout(flushTimer);
      flushTimer = null;
    }
    while (pending.length) {
      var ids = pending.splice(0, PER_REPORT);
      if (!navigator.sendBeacon || !navigator.sendBeacon(url, form(ids))) { send(ids); }
    }
  }

  function pause() {
    timers.forEach(function (timer) { window.clearTimeout(timer); });
    timers.clear();
    flushOnLeave();
  }

  // Back in a visible tab, the cards in view start their second again.
  function resume() {
    document.querySelectorAll(CARDS).forEach(function (card) { observer.unobserve(card); });
    watch(document);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { pause(); } else { resume(); }
  });
  window.addEventListener("pagehide", pause);

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) { watch(node); }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  watch(document);
})();
