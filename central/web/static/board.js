// The waiting room's board: live calls over Server-Sent Events, announced clip by clip.
//
// The stream is reopened by this script (never left to the browser) with
// ?after=<last event id seen>, so after a network loss or a server restart the
// board gets every call it missed. While it is away it says "terputus".
// Announcements queue: one plays to its last clip's `ended` before the next
// starts, however many counters call at once. A revoked board (a `revoked`
// event, or a 403 when it connects again) says so and stops for good.
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var eventsPath = root.dataset.events.split("?")[0];
  var pagePath = eventsPath.replace(/\/events$/, "");
  var lastId = Number(root.dataset.lastId) || 0;
  var link = document.getElementById("link");
  var log = document.getElementById("announce-log");
  var source = null;
  var opened = false;
  var stopped = false;
  var retryMs = 1000;
  var lastHeard = Date.now();
  var WATCHDOG_MS = 40000;
  var CLIP_LIMIT_MS = 10000;

  function setLink(online) {
    link.textContent = online ? root.dataset.online : root.dataset.offline;
    link.classList.toggle("offline", !online);
    root.dataset.link = online ? "online" : "offline";
  }

  function record(what) {
    log.dataset.played = (log.dataset.played ? log.dataset.played + " " : "") + what;
  }

  // -- what the board shows
  function item(number, counter) {
    var li = document.createElement("li");
    var n = document.createElement("span");
    n.className = "number";
    n.textContent = number;
    var c = document.createElement("span");
    c.className = "counter";
    c.textContent = counter;
    li.append(n, " ", c);
    return li;
  }

  function showCall(m) {
    var number = document.getElementById("now-number");
    var counter = document.getElementById("now-counter");
    var recent = document.getElementById("recent");
    if (number.textContent !== "—" &&
        (number.textContent !== m.display || counter.textContent !== m.where)) {
      recent.prepend(item(number.textContent, counter.textContent));
      while (recent.children.length > 4) { recent.lastElementChild.remove(); }
    }
    number.textContent = m.display;
    counter.textContent = m.where;
    document.getElementById("now-service").textContent = m.service;
    number.classList.remove("flash");
    void number.offsetWidth;  // restart the animation
    number.classList.add("flash");
  }

  function showState(s) {
    var list = document.getElementById("waiting");
    list.replaceChildren.apply(list, s.waiting.map(function (w) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "service";
      name.textContent = w.service;
      var count = document.createElement("span");
      count.className = "count";
      count.textContent = String(w.waiting);
      li.append(name, " ", count);
      return li;
    }));
    var text = document.querySelector("#running-text span");
    if (text.textContent !== s.running_text) { text.textContent = s.running_text; }
  }

  // -- announcements, one at a time
  var pending = [];
  var speaking = false;
  var playing = 0;

  function enqueue(m) {
    pending.push(m);
    if (!speaking) { nextAnnouncement(); }
  }

  function nextAnnouncement() {
    var m = pending.shift();
    if (!m) { speaking = false; return; }
    speaking = true;
    record("start:" + m.display);
    log.dataset.announcing = m.display;
    playClips(m.announce.slice(), function () {
      record("done:" + m.display);
      nextAnnouncement();
    });
  }

  function playClips(names, done) {
    var name = names.shift();
    if (name === undefined) { done(); return; }
    var audio = new Audio("/voice/" + name + ".wav");
    var finished = false;
    var guard = setTimeout(function () { go("timeout:"); }, CLIP_LIMIT_MS);
    function go(how) {
      if (finished) { return; }
      finished = true;
      clearTimeout(guard);
      playing -= 1;
      record(how + name);
      playClips(names, done);
    }
    playing += 1;
    if (playing > 1) { log.dataset.overlap = String(Number(log.dataset.overlap) + 1); }
    audio.addEventListener("playing", function () { log.dataset.nowPlaying = name; });
    audio.addEventListener("ended", function () { go(""); });
    audio.addEventListener("error", function () { go("skip:"); });
    var started = audio.play();
    if (started && started.catch) { started.catch(function () { go("skip:"); }); }
  }

  // -- revoked: say so, stop reconnecting, stop announcing
  function revoked() {
    if (stopped) { return; }
    stopped = true;
    if (source) { source.close(); source = null; }
    pending.length = 0;
    link.textContent = root.dataset.offline;
    link.classList.add("offline");
    root.dataset.link = "revoked";
    document.getElementById("revoked").hidden = false;
  }

  // A stream that would not open: is the board refused (403), or the server away?
  function checkRefused() {
    fetch(pagePath, { cache: "no-store", credentials: "omit" }).then(function (r) {
      if (r.status === 403) { revoked(); }
    }, function () { /* the server is away: keep trying */ });
  }

  // -- the stream
  function onCall(e) {
    lastHeard = Date.now();
    var m = JSON.parse(e.data);
    if (m.id <= lastId) { return; }
    lastId = m.id;
    root.dataset.lastId = String(lastId);
    if (m.kind === "call" || m.kind === "recall") { showCall(m); }
    if (m.announce.length) { enqueue(m); }
  }

  function connect() {
    if (stopped) { return; }
    opened = false;
    source = new EventSource(eventsPath + "?after=" + lastId);
    source.addEventListener("open", function () {
      opened = true;
      lastHeard = Date.now();
      retryMs = 1000;
      setLink(true);
    });
    source.addEventListener("call", onCall);
    source.addEventListener("state", function (e) {
      lastHeard = Date.now();
      showState(JSON.parse(e.data));
    });
    source.addEventListener("heartbeat", function () { lastHeard = Date.now(); });
    source.addEventListener("revoked", revoked);
    source.addEventListener("error", function () { reconnect(); });
  }

  function reconnect() {
    if (stopped) { return; }
    if (source) { source.close(); source = null; }
    if (opened) {  // a stream that ended (as each does after a few minutes): at once
      opened = false;
      connect();
      return;
    }
    setLink(false);
    checkRefused();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  setInterval(function () {  // a connection that went silent (no heartbeat) is dead
    if (source && Date.now() - lastHeard > WATCHDOG_MS) { opened = false; reconnect(); }
  }, 5000);

  // -- the office clock, in the office's time zone
  var clock = document.getElementById("clock");
  var format = new Intl.DateTimeFormat("id-ID", {
    timeZone: root.dataset.zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  function tick() { clock.textContent = format.format(new Date()); }
  tick();
  setInterval(tick, 1000);

  connect();
}());
