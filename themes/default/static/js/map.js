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

  /** A graticule whose spacing follows the zoom (30° … 0.01°), each line labelled in degrees. */
  const STEPS = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01];

  function degrees(value, pos, neg) {
    const text = `${Math.abs(Number(value.toFixed(2)))}°`;
    return value === 0 ? text : `${text}${value > 0 ? pos : neg}`;
  }

  function grid(map) {
    const style = { color: "#9aa4b0", weight: 1, opacity: 0.6, interactive: false };
    const layer = L.layerGroup().addTo(map);
    const label = (latlng, text, cls) => L.marker(latlng, {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: `ctx-map-grid-label ${cls}`, html: "", iconSize: null }),
    }).on("add", (e) => { e.target.getElement().textContent = text; }).addTo(layer);
    function redraw() {
      layer.clearLayers();
      const b = map.getBounds();
      const span = Math.max(b.getNorth() - b.getSouth(), (b.getEast() - b.getWest()) / 2);
      const step = STEPS.find((s) => span / s >= 3 && span / s <= 12) || (span / 30 > 12 ? 30 : 0.01);
      const south = Math.max(-85, Math.floor(b.getSouth() / step) * step);
      const north = Math.min(85, Math.ceil(b.getNorth() / step) * step);
      const west = Math.floor(b.getWest() / step) * step;
      const east = Math.ceil(b.getEast() / step) * step;
      for (let lat = south; lat <= north + 1e-9; lat += step) {
        L.polyline([[lat, west], [lat, east]], style).addTo(layer);
        label([lat, b.getWest()], degrees(lat, "N", "S"), "ctx-map-grid-lat");
      }
      for (let lon = west; lon <= east + 1e-9; lon += step) {
        L.polyline([[south, lon], [north, lon]], style).addTo(layer);
        label([b.getSouth(), lon], degrees(((lon + 540) % 360) - 180, "E", "W"), "ctx-map-grid-lon");
      }
    }
    return redraw;  // the caller draws once the view is set, and on every move after that
  }

  function draw(container, data) {
    const tiles = container.dataset.tiles || "";
    const maxZoom = Number(container.dataset.maxZoom) || 18;
    const map = L.map(container, { preferCanvas: true, worldCopyJump: true, maxZoom });
    let graticule = null;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom, attribution: escapeHtml(container.dataset.attribution || "") }).addTo(map);
    } else {
      container.classList.add("ctx-map-plain");
      graticule = grid(map);
    }
    const accent = getComputedStyle(document.documentElement).getPropertyValue("--ctx-accent").trim() || "#1f6f9a";
    const markers = data.points.map((p) => {
      const url = siteUrl(p.url);
      const marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: p.color || accent, fillOpacity: 0.9,
      });
      const tip = el("span", "ctx-map-tip");
      tip.append(el("strong", "", p.label), document.createTextNode(` — ${p.type}`));
      // Without tiles nothing else says where a point is: a few points keep their names shown.
      marker.bindTooltip(tip, { permanent: !tiles && data.points.length <= 30, direction: "right" });
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
    if (graticule) {
      graticule();
      map.on("moveend", graticule);
    }
    api.map = map;
    api.mapMarkers = markers;
    container.dataset.ready = "true";
  }

  startView("ctx-map", "map", () => typeof L !== "undefined", draw);
})();
