// motcua counter hall: the display board follows the calls by server-sent events (and reads
// each new call aloud once the hall's staff switch the voice on), the ticket page prints itself
// when the kiosk has just given it and keeps its place in the queue up to date on a phone.
(function () {
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  var speak = false;
  function say(call) {
    if (!speak || !window.speechSynthesis) return;
    var digits = call.label.split("").join(" ");
    var u = new SpeechSynthesisUtterance("Mời công dân có số " + digits + " đến quầy số " + call.counter);
    u.lang = "vi-VN";
    window.speechSynthesis.speak(u);
  }
  function board(el) {
    var last = null;
    var sound = document.getElementById("board-sound");
    if (sound) sound.addEventListener("click", function () {
      speak = !speak;
      sound.setAttribute("aria-pressed", speak ? "true" : "false");
    });
    var es = new EventSource(el.dataset.events);
    es.addEventListener("board", function (e) {
      var b = JSON.parse(e.data);
      var now = b.calls[0];
      document.getElementById("now-number").textContent = now ? now.label : "—";
      document.getElementById("now-counter").textContent = now ? now.counter : "—";
      var calls = document.getElementById("board-calls");
      calls.textContent = "";
      b.calls.forEach(function (c) {
        var tr = document.createElement("tr");
        cell(tr, c.label, "num"); cell(tr, String(c.counter)); cell(tr, c.at);
        calls.appendChild(tr);
      });
      var areas = document.getElementById("board-areas");
      areas.textContent = "";
      b.areas.forEach(function (a) {
        var tr = document.createElement("tr");
        cell(tr, a.code + " — " + a.name); cell(tr, String(a.waiting), "num");
        areas.appendChild(tr);
      });
      var key = now ? now.label + "@" + now.counter + "@" + now.at : null;
      if (key && last !== null && key !== last) {
        el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash");
        say(now);
      }
      last = key;
      el.dataset.updated = String(Date.now());
    });
  }
  function ticket(el) {
    if (el.hasAttribute("data-autoprint")) {
      window.addEventListener("load", function () { window.print(); });
    }
    if (el.dataset.status !== "waiting" && el.dataset.status !== "called") return;
    setInterval(function () {
      fetch("/api/v1/hall/tickets/" + encodeURIComponent(el.dataset.token))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (t) {
          if (!t || t.status === el.dataset.status && t.ahead === Number(el.dataset.ahead)) return;
          window.location.replace(window.location.pathname);
        })
        .catch(function () {});
    }, 15000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var b = document.getElementById("board");
    if (b) board(b);
    var t = document.getElementById("ticket");
    if (t) ticket(t);
  });
})();
