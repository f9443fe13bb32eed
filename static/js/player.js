// The feed's player: one video plays at a time, the one in view, looping.
//
// - A tap on the video pauses or plays it; a play icon shows while it is paused.
// - A double tap likes it (the card's own like button, so htmx sends the same request).
// - The thin bar at the bottom of each card is how far the video has played.
// - The sound button mutes or unmutes every feed video and is remembered for this browser
//   session. Until the person turns sound on, videos play muted (browsers only autoplay muted).
// - On a keyboard: space pauses or plays, the up and down arrows move between videos, M mutes.
// The daily-limit heartbeat (feed.js) counts the time these videos play.
(function () {
  "use strict";
  var SOUND_KEY = "sora.sound";
  var DOUBLE_TAP_MS = 280;
  var INTERACTIVE = "a, button, summary, details, input, textarea, select, label, form, [role=button]";
  var current = null;
  var pendingTap = null;
  var soundWaitsForGesture = false;
  var observer = null;

  function soundOn() {
    try { return window.sessionStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }

  function rememberSound(on) {
    try { window.sessionStorage.setItem(SOUND_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  function videoOf(item) { return item ? item.querySelector("video[data-autoplay]") : null; }

  function itemOf(node) { return node && node.closest ? node.closest("article.feed-item") : null; }

  function items() { return Array.prototype.slice.call(document.querySelectorAll("article.feed-item")); }

  function limitReached() { return document.body.classList.contains("limit-reached"); }

  function showSound(item, muted) {
    var button = item && item.querySelector(".mute");
    if (!button) { return; }
    button.setAttribute("aria-pressed", muted ? "true" : "false");
    button.setAttribute("aria-label", muted ? "Sound is off: turn it on" : "Sound is on: turn it off");
    button.classList.toggle("sound-on", !muted);
  }

  function setMuted(video, muted) {
    video.muted = muted;
    showSound(itemOf(video), muted);
  }

  function play(video) {
    if (limitReached()) { return; }
    if (video.preload === "none") { video.preload = "auto"; }
    setMuted(video, !soundOn());
    var played = video.play();
    if (played && played.catch) {
      played.catch(function () {
        // A browser may refuse sound before the person has touched the page: play muted and
        // turn the sound back on at their first tap or key.
        if (!video.muted) {
          soundWaitsForGesture = true;
          setMuted(video, true);
          var again = video.play();
          if (again && again.catch) { again.catch(function () {}); }
        }
      });
    }
  }

  function toggle(item) {
    var video = videoOf(item);
    if (!video) { return; }
    if (video.paused) {
      item.removeAttribute("data-user-paused");
      play(video);
    } else {
      item.setAttribute("data-user-paused", "1");
      video.pause();
    }
  }

  function setSound(on) {
    rememberSound(on);
    soundWaitsForGesture = false;
    document.querySelectorAll("article.feed-item video[data-autoplay]").forEach(function (video) {
      setMuted(video, !on);
    });
  }

  function heartBurst(item, event) {
    var burst = document.createElement("span");
    burst.className = "heart-burst";
    burst.setAttribute("aria-hidden", "true");
    burst.innerHTML = '<svg class="icon"><use href="#i-heart"/></svg>';
    var box = item.getBoundingClientRect();
    var x = event && event.clientX ? event.clientX - box.left : box.width / 2;
    var y = event && event.clientY ? event.clientY - box.top : box.height / 2;
    burst.style.left = x + "px";
    burst.style.top = y + "px";
    item.appendChild(burst);
    window.setTimeout(function () { burst.remove(); }, 800);
  }

  function like(item, event) {
    var button = item.querySelector(".actions .like");
    if (!button) { return; }
    heartBurst(item, event);
    // A double tap only ever likes; the heart button itself un-likes.
    if (button.tagName === "BUTTON" && !button.classList.contains("liked")) { button.click(); }
    if (button.tagName === "A") { window.location.href = button.href; }
  }

  function onTap(event) {
    var item = itemOf(event.target);
    if (!item || event.target.closest(INTERACTIVE)) { return; }
    var now = Date.now();
    if (pendingTap && pendingTap.item === item && now - pendingTap.at < DOUBLE_TAP_MS) {
      window.clearTimeout(pendingTap.timer);
      pendingTap = null;
      like(item, event);
      return;
    }
    if (pendingTap) { window.clearTimeout(pendingTap.timer); }
    pendingTap = {
      item: item,
      at: now,
      timer: window.setTimeout(function () { pendingTap = null; toggle(item); }, DOUBLE_TAP_MS),
    };
  }

  function onClick(event) {
    var mute = event.target.closest && event.target.closest("article.feed-item .mute");
    if (mute) {
      event.preventDefault();
      var video = videoOf(itemOf(mute));
      setSound(video ? video.muted : !soundOn());
      return;
    }
    onTap(event);
  }

  function onFirstGesture() {
    if (soundWaitsForGesture && soundOn()) { setSound(true); }
  }

  function inView() {
    if (current && document.contains(current)) { return current; }
    var line = window.innerHeight / 2;
    return items().filter(function (item) {
      var box = item.getBoundingClientRect();
      return box.top <= line && box.bottom >= line;
    })[0] || null;
  }

  function moveBy(step) {
    var list = items();
    var here = list.indexOf(inView());
    var next = list[Math.max(0, Math.min(list.length - 1, here + step))];
    if (!next) { return; }
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    next.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var onControl = target.closest && target.closest("a, button, summary");
    if (event.key === " " || event.key === "Spacebar") {
      if (onControl) { return; }
      var item = inView();
      if (!item) { return; }
      event.preventDefault();
      toggle(item);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items().length) { return; }
      event.preventDefault();
      moveBy(event.key === "ArrowDown" ? 1 : -1);
    } else if ((event.key === "m" || event.key === "M") && items().length) {
      setSound(!soundOn());
    }
  }

  function onTimeUpdate(event) {
    var video = event.target;
    if (!video.matches || !video.matches("article.feed-item video[data-autoplay]")) { return; }
    var bar = itemOf(video).querySelector(".progress span");
    if (bar && video.duration) {
      bar.style.transform = "scaleX(" + Math.min(1, video.currentTime / video.duration) + ")";
    }
  }

  function onPlayState(event) {
    var video = event.target;
    if (!video.matches || !video.matches("article.feed-item video[data-autoplay]")) { return; }
    var item = itemOf(video);
    item.classList.toggle("paused", event.type === "pause" && item === current);
  }

  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var item = entry.target;
        var video = videoOf(item);
        if (!video) { return; }
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
          current = item;
          if (!item.hasAttribute("data-user-paused")) { play(video); }
        } else {
          if (current === item) { current = null; }
          item.removeAttribute("data-user-paused");
          video.pause();
          item.classList.remove("paused");
        }
      });
    }, { threshold: [0, 0.6, 1] });
  }

  function watch() {
    document.querySelectorAll("article.feed-item:not([data-player])").forEach(function (item) {
      item.setAttribute("data-player", "1");
      var video = videoOf(item);
      if (video) { showSound(item, !soundOn()); }
      if (observer) { observer.observe(item); }
    });
  }

  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  document.addEventListener("pointerdown", onFirstGesture, true);
  document.addEventListener("keydown", onFirstGesture, true);
  document.addEventListener("timeupdate", onTimeUpdate, true);
  document.addEventListener("play", onPlayState, true);
  document.addEventListener("pause", onPlayState, true);
  document.addEventListener("DOMContentLoaded", watch);
  document.addEventListener("htmx:afterSettle", watch);
})();
