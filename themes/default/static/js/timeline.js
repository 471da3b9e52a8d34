/* ctxgen default theme: the timeline page (vis-timeline) from timeline/items.json (docs/views.md).
 *
 * Item content is built as DOM nodes with textContent: labels are untrusted text, never HTML.
 * Nothing is fetched from another origin.
 */
(() => {
  "use strict";

  const api = window.ctxgen;
  const { siteUrl, el, startView } = api.util;
  const CLUSTER_ABOVE = 300; // more items than this: vis-timeline groups close ones into clusters

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

  function draw(container, data) {
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

  startView("ctx-timeline", "timeline", () => typeof vis !== "undefined", draw);
})();
