// Feed videos play muted while mostly on screen and pause when scrolled away.
(function () {
  "use strict";
  var observer = null;
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var video = entry.target;
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
          if (video.preload === "none") { video.preload = "auto"; }
          video.muted = true;
          var played = video.play();
          if (played && played.catch) { played.catch(function () {}); }
        } else {
          video.pause();
        }
      });
    }, { threshold: [0, 0.6, 1] });
  }
  function watch(root) {
    if (!observer) { return; }
    root.querySelectorAll("video[data-autoplay]:not([data-watched])").forEach(function (video) {
      video.setAttribute("data-watched", "1");
      observer.observe(video);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  document.addEventListener("htmx:afterSettle", function (event) { watch(event.target.parentNode || document); });
})();
