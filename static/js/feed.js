// The feed's daily-limit heartbeat and the mood slider's live label.
//
// While a feed video, or any video marked data-counted (a post page's), plays in a visible
// tab, the seconds it actually played are added up and reported every few seconds (the page
// says how often). The server caps each report at the
// real time since the previous one, so this count is a report, not an authority. When the
// answer says the limit is reached, every video pauses and the limit notice covers the feed.
(function () {
  "use strict";
  var pending = 0;
  var sending = false;

  function meter() { return document.getElementById("budget"); }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function onTimeUpdate(event) {
    var video = event.target;
    if (!video.matches || !video.matches("video[data-autoplay], video[data-counted]")) { return; }
    var now = video.currentTime;
    var last = video._soraLast;
    video._soraLast = now;
    if (last === undefined || video.paused || document.visibilityState !== "visible") { return; }
    var delta = now - last;
    // A loop jumps back to 0 and a seek jumps anywhere: only small forward steps are playback.
    if (delta > 0 && delta < 2) { pending += delta; }
  }

  function limitReached() {
    document.body.classList.add("limit-reached");
    document.querySelectorAll("video").forEach(function (video) { video.pause(); });
  }

  function beat() {
    var el = meter();
    if (!el || sending || pending < 1 || !window.htmx) { return; }
    var seconds = pending;
    pending = 0;
    sending = true;
    htmx.ajax("POST", el.getAttribute("data-heartbeat"), {
      source: el,
      target: "#budget",
      swap: "outerHTML",
      values: { seconds: seconds.toFixed(1) },
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function () { sending = false; }, function () { sending = false; pending += seconds; });
  }

  function flushOnLeave() {
    var el = meter();
    if (!el || pending < 1 || !navigator.sendBeacon) { return; }
    var data = new FormData();
    data.append("seconds", pending.toFixed(1));
    data.append("csrfmiddlewaretoken", csrfToken());
    navigator.sendBeacon(el.getAttribute("data-heartbeat"), data);
    pending = 0;
  }

  document.addEventListener("timeupdate", onTimeUpdate, true);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flushOnLeave(); }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var el = meter();
    if (el && el.hasAttribute("data-reached")) { limitReached(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var el = meter();
    if (!el) { return; }
    var every = parseFloat(el.getAttribute("data-every")) || 15;
    window.setInterval(beat, every * 1000);
  });

  // Snap points sit below the sticky top bar.
  function padBelowTopbar() {
    var bar = document.querySelector(".topbar");
    if (bar && document.querySelector("main.feed")) {
      document.documentElement.style.scrollPaddingTop = bar.offsetHeight + "px";
    }
  }
  document.addEventListener("DOMContentLoaded", padBelowTopbar);
  window.addEventListener("resize", padBelowTopbar);

  // The mood slider says where it sits while it moves; htmx saves it when it is let go.
  document.addEventListener("input", function (event) {
    var slider = event.target;
    if (slider.id !== "panel-mood" && slider.id !== "id_mood") { return; }
    var value = parseInt(slider.value, 10);
    var word = value < 40 ? "relaxed" : value > 60 ? "energized" : "in between";
    slider.setAttribute("aria-valuetext", word);
    slider.title = word;
  });
})();
