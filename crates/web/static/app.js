// motcua UI: small enhancements on top of server-rendered pages (all pages work without it).
// htmx sends the CSRF token of the page with every request it makes.
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m) e.detail.headers["x-csrf-token"] = m.content;
});
// Buttons marked data-print print the page (official forms are laid out for A4).
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-print]");
  if (b) { e.preventDefault(); window.print(); }
});
// Links marked data-back go to the previous page (the error page's "Quay lại").
document.addEventListener("click", function (e) {
  var a = e.target.closest("[data-back]");
  if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
// On a phone the top menu folds behind a button (without this script it simply stays open).
document.addEventListener("DOMContentLoaded", function () {
  var b = document.querySelector("header.top .menu-toggle");
  if (!b) return;
  document.documentElement.classList.add("js");
  b.hidden = false;
  b.addEventListener("click", function () {
    var open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", open ? "true" : "false");
    b.closest("header").classList.toggle("open", open);
  });
});
