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

  function loadRegistration(ticketId) {
    if (ticketId === shownRegistration) { return; }
    shownRegistration = ticketId;
    registration.textContent = "";
    if (!ticketId) { return; }
    fetch("/counter/registration/" + encodeURIComponent(ticketId), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { if (shownRegistration === ticketId) { registration.innerHTML = html; } })
      .catch(function () { shownRegistration = null; });
  }

  // After the panel changed: the buttons that need a called ticket, its id in every form.
  function follow() {
    var current = panel() ? panel().getAttribute("data-current") : "";
    document.querySelectorAll("[data-needs-ticket]").forEach(function (el) { el.hidden = !current; });
    document.querySelectorAll("input.current-ticket").forEach(function (el) { el.value = current; });
    if (!current) { showTransfer(false); }
    loadRegistration(current);
  }

  function lastEvent() {
    var p = panel();
    return p ? p.getAttribute("data-last-event") : "-1";
  }

  // Ask for the panel; the server answers when the office has news (or after a while).
  function poll() {
    var mine = ++generation;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(live.getAttribute("data-panel-url") + "?after=" + encodeURIComponent(lastEvent()), {
      credentials: "same-origin", signal: pending.signal
    }).then(function (r) {
      if (!r.ok) { throw new Error("panel " + r.status); }
      return r.text();
    }).then(function (html) {
      if (mine !== generation) { return; }
      live.innerHTML = html;
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
