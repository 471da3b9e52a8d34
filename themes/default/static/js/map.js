/* ctxgen default theme: the map page (Leaflet) from map/points.json (docs/views.md).
 *
 * Background tiles come only from the tile server configured in ctxgen.yaml (`map: tiles:`):
 * without one, no request leaves the site and the points sit on a plain latitude/longitude grid.
 * Labels are untrusted text: tooltips are DOM nodes filled with textContent.
 */
(() => {
  "use strict";

  const api = window.ctxgen;
  const { siteUrl, el, startView } = api.util;

  /** Text as HTML (Leaflet's attribution control takes HTML). */
  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function grid(map) {
    const style = { color: "#9aa4b0", weight: 1, opacity: 0.5, interactive: false };
    for (let lat = -60; lat <= 60; lat += 30) L.polyline([[lat, -180], [lat, 180]], style).addTo(map);
    for (let lon = -180; lon <= 180; lon += 30) L.polyline([[-85, lon], [85, lon]], style).addTo(map);
  }

  function draw(container, data) {
    const tiles = container.dataset.tiles || "";
    const maxZoom = Number(container.dataset.maxZoom) || 18;
    const map = L.map(container, { preferCanvas: true, worldCopyJump: true, maxZoom });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom, attribution: escapeHtml(container.dataset.attribution || "") }).addTo(map);
    } else {
      container.classList.add("ctx-map-plain");
      grid(map);
    }
    const accent = getComputedStyle(document.documentElement).getPropertyValue("--ctx-accent").trim() || "#1f6f9a";
    const markers = data.points.map((p) => {
      const url = siteUrl(p.url);
      const marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: p.color || accent, fillOpacity: 0.9,
      });
      const tip = el("span", "ctx-map-tip");
      tip.append(el("strong", "", p.label), document.createTextNode(` — ${p.type}`));
      marker.bindTooltip(tip);
      marker.on("click", () => { if (url) location.assign(url.href); });
      marker.ctxTopic = p.topic;
      return marker.addTo(map);
    });
    if (markers.length) {
      const bounds = L.latLngBounds(data.points.map((p) => [p.lat, p.lon]));
      map.fitBounds(bounds.pad(0.1), { maxZoom: 6 });
    } else {
      map.setView([20, 0], 2);
    }
    api.map = map;
    api.mapMarkers = markers;
    container.dataset.ready = "true";
  }

  startView("ctx-map", "map", () => typeof L !== "undefined", draw);
})();
