// A page that follows something (/stats, /t/{id}, today's /dashboard): fetch it again every
// <meta name="refresh-seconds"> seconds and swap its <main> in place, so a
// phone left open stays current. No reload: the reader keeps their place (a
// <meta http-equiv="refresh"> would take it, and cannot be paused).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="refresh-seconds"]');
  var seconds = meta ? parseInt(meta.getAttribute("content"), 10) : 0;
  if (!seconds || seconds < 10) { return; }
  function busy() {
    // Someone is choosing a day or an office: never swap the form from under them.
    var active = document.activeElement;
    return active && active.closest && active.closest("main form") !== null;
  }
  function refresh() {
    if (busy()) { window.setTimeout(refresh, seconds * 1000); return; }
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        var main = document.querySelector("main");
        if (fresh && main) { main.replaceChildren.apply(main, Array.from(fresh.childNodes)); }
      })
      .catch(function () { /* offline for now: the next round tries again */ })
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
}());
