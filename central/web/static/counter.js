// The counter page: its live panel, its actions sent with fetch, its keyboard keys.
// No inline script (the page's Content-Security-Policy forbids it): this file only.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var live = document.getElementById("live");
  var message = document.getElementById("counter-message");
  var registration = document.getElementById("registration");
  var transferForm = document.getElementById("transfer-form");
  var transferButton = document.getElementById("action-transfer");
  var shownRegistration = null;
  var pending = null;
  var generation = 0;

  function panel() { return live.querySelector(".panel"); }

  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "problem" : "notice";
  }

  function showTransfer(open) {
    transferForm.hidden = !open;
    transferButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { document.getElementById("transfer-queue").focus(); }
  }

  // A fetch the server sent to its login page: the session has ended (logged out in
  // another tab, the account's sessions revoked). The page goes there itself, to come
  // back here after the login, rather than paste the login form into the panel.
  function sessionEnded(r) {
    if (!r.redirected) { return false; }
    generation += 1;  // no poll in flight goes on
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    return true;
  }

  function loadRegistration(ticketId) {
    if (ticketId === shownRegistration) { return; }
    shownRegistration = ticketId;
    registration.textContent = "";
    if (!ticketId) { return; }
    fetch("/counter/registration/" + encodeURIComponent(ticketId), { credentials: "same-origin" })
      .then(function (r) { return sessionEnded(r) ? null : r.text(); })
      .then(function (html) {
        if (html !== null && shownRegistration === ticketId) { registration.innerHTML = html; }
      })
      .catch(function () { shownRegistration = null; });
  }

  // After the panel changed: the buttons that need a called ticket (or a counter the office
  // still has, or a ticket of today: the server says which, as it renders them), its id in
  // every form.
  function follow() {
    var current = panel() ? panel().getAttribute("data-current") : "";
    var gone = panel() ? panel().getAttribute("data-counter-gone") === "1" : false;
    var past = panel() ? panel().getAttribute("data-current-past") === "1" : false;
    document.querySelectorAll("[data-needs-ticket], [data-needs-counter]").forEach(function (el) {
      el.hidden = (el.hasAttribute("data-needs-ticket") && !current) ||
        (el.hasAttribute("data-needs-counter") && gone) ||
        (el.hasAttribute("data-needs-today") && past);
    });
    document.querySelectorAll("input.current-ticket").forEach(function (el) { el.value = current; });
    if (!current || past) { showTransfer(false); }
    loadRegistration(current);
  }

  function panelQuery() {
    var p = panel();
    if (!p) { return "?after=-1"; }
    return "?after=" + encodeURIComponent(p.getAttribute("data-last-event")) +
      "&seen=" + encodeURIComponent(p.getAttribute("data-seen") || "");
  }

  // Swap in only the parts of the panel that changed, and keep the focus where it was:
  // a keyboard or screen-reader user on a held ticket's button stays on it.
  function swap(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var next = fresh.querySelector(".panel");
    var old = panel();
    var parts = next ? Array.prototype.slice.call(next.querySelectorAll("[data-part]")) : [];
    var whole = !next || !old || parts.some(function (part) {
      return !old.querySelector('[data-part="' + part.getAttribute("data-part") + '"]');
    });
    if (whole) { live.innerHTML = html; return; }
    var focused = document.activeElement;
    var focusedId = focused && focused !== document.body && live.contains(focused) ? focused.id : "";
    ["data-last-event", "data-seen", "data-current", "data-counter-gone", "data-current-past"].forEach(function (name) {
      old.setAttribute(name, next.getAttribute(name) || "");
    });
    parts.forEach(function (part) {
      var here = old.querySelector('[data-part="' + part.getAttribute("data-part") + '"]');
      if (here.outerHTML !== part.outerHTML) { here.replaceWith(part); }
    });
    if (focusedId && !live.contains(document.activeElement)) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus(); }
    }
  }

  // Ask for the panel; the server holds the request until the desk has news (or ~20 s pass).
  function poll() {
    var mine = ++generation;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(live.getAttribute("data-panel-url") + panelQuery(), {
      credentials: "same-origin", signal: pending.signal
    }).then(function (r) {
      if (sessionEnded(r)) { return null; }
      if (!r.ok) { throw new Error("panel " + r.status); }
      return r.text();
    }).then(function (html) {
      if (html === null || mine !== generation) { return; }
      swap(html);
      follow();
      poll();
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      if (mine === generation) { window.setTimeout(poll, 2000); }
    });
  }

  function send(form) {
    var body = new URLSearchParams(new FormData(form));
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body
    }).then(function (r) {
      return r.json().then(function (data) { say(data.message, !data.ok); });
    }).catch(function () {
      say(document.documentElement.lang === "en" ? "No connection to the server." : "Tidak terhubung ke server.", true);
    }).then(function () {
      buttons.forEach(function (b) { b.disabled = false; });
      if (form === transferForm) { showTransfer(false); }
      poll();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-action")) { return; }
    event.preventDefault();
    send(form);
  });

  transferButton.addEventListener("click", function () { showTransfer(transferForm.hidden); });
  document.getElementById("transfer-cancel").addEventListener("click", function () { showTransfer(false); });

  // One key per action, as its button shows; not while typing or choosing in a field.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) { return; }
    var target = event.target;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      if (event.key === "Escape") { showTransfer(false); }
      return;
    }
    var key = (event.key || "").toUpperCase();
    var button = document.querySelector('button.action[data-key="' + key + '"]');
    if (!button || button.closest("[hidden]") || button.hidden || button.disabled) { return; }
    event.preventDefault();
    button.click();
  });

  follow();
  poll();
})();
