// The map of the public feedback page: the places listed on the page (`[data-lat][data-lon]`)
// as markers on the tiles of the configured server (`#feedback-map[data-tiles]`). Without a
// tile server, or without Leaflet, nothing happens: the places stay listed.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("feedback-map");
    if (!el || !window.L) return;
    var tiles = el.getAttribute("data-tiles");
    if (!tiles) return;
    var points = [];
    document.querySelectorAll("[data-lat][data-lon]").forEach(function (p) {
      var lat = parseFloat(p.getAttribute("data-lat"));
      var lon = parseFloat(p.getAttribute("data-lon"));
      if (isFinite(lat) && isFinite(lon)) points.push({ lat: lat, lon: lon, title: p.getAttribute("data-title") || "" });
    });
    el.hidden = false;
    var map = L.map(el).setView([16.0, 106.0], 5);
    L.tileLayer(tiles, { maxZoom: 19, attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
    var icon = L.icon({
      iconUrl: "/static/vendor/leaflet/marker-icon.png",
      iconRetinaUrl: "/static/vendor/leaflet/marker-icon-2x.png",
      shadowUrl: "/static/vendor/leaflet/marker-shadow.png",
      iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41]
    });
    var bounds = [];
    points.forEach(function (p) {
      var m = L.marker([p.lat, p.lon], { icon: icon, title: p.title }).addTo(map);
      m.bindPopup(document.createTextNode(p.title));
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
