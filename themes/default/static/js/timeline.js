/* ctxgen default theme: the timeline page (vis-timeline) from timeline/items.json (docs/views.md).
 *
 * Item content is built as DOM nodes with textContent: labels are untrusted text, never HTML.
 * Nothing is fetched from another origin.
 */
(() => {
  "use strict";

  const ROOT = document.documentElement.dataset.root || "./";
  const api = (window.ctxgen = window.ctxgen || {});
  const CLUSTER_ABOVE = 300; // more items than this: vis-timeline groups close ones into clusters

  function siteUrl(relative) {
    const url = new URL(ROOT + relative, document.baseURI);
    return url.origin === location.origin ? url : null;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function content(item, url) {
    const a = el("a", "ctx-timeline-label", item.label);
    if (url) a.href = url.href;
    const when = item.kind === "range" ? `${item.type} ${item.start} – ${item.endType} ${item.end}` : `${item.type} ${item.start}`;
    a.title = `${item.label}: ${when}`; // an attribute set from script: text
    const span = el("span", "ctx-timeline-item");
    span.append(a);
    if (item.kind === "point") span.append(el("span", "ctx-timeline-type", ` (${item.type})`));
    return span;
  }

  async function init() {
    const container = document.getElementById("ctx-timeline");
    if (!container || typeof vis === "undefined") return;
    const src = new URL(container.dataset.src, document.baseURI);
    if (src.origin !== location.origin) return;
    const response = await fetch(src, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${src.pathname}: HTTP ${response.status}`);
    const data = await response.json();
    const urls = new Map();
    const items = data.items.map((item) => {
      const url = siteUrl(item.url);
      urls.set(item.id, url);
      const out = { id: item.id, start: item.start, content: content(item, url), className: `ctx-timeline-${item.kind}` };
      if (item.kind === "range") out.end = item.end;
      else out.type = "point";
      return out;
    });
    const options = {
      height: "70vh", zoomKey: "ctrlKey", stack: true, selectable: true, showTooltips: false,
      xss: { disabled: false }, // belt and braces: strings would be filtered (ours are DOM nodes)
    };
    if (items.length > CLUSTER_ABOVE) options.cluster = { maxItems: 4, fitOnDoubleClick: true };
    const timeline = new vis.Timeline(container, new vis.DataSet(items), options);
    timeline.on("click", (props) => {
      if (props.item !== null && props.item !== undefined && urls.get(props.item)) location.assign(urls.get(props.item).href);
    });
    api.timeline = timeline;
    api.timelineItems = data.items;
    timeline.once("changed", () => { container.dataset.ready = "true"; });
  }

  const start = () => init().catch((err) => console.warn("ctxgen: timeline", err));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
