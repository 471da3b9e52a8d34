/* ctxgen default theme: graphs (vis-network). Search lives in search.js.
 *
 * Plain modern JavaScript, no build step. Reads the DOM contract of docs/themes.md and the JSON
 * formats of docs/graph-json.md. Every URL is resolved against <html data-root>, so the site works
 * at a domain root and under a sub-path; nothing is ever fetched from another origin.
 * Content is untrusted: it only ever reaches the page through textContent.
 */
(() => {
  "use strict";

  const ROOT = document.documentElement.dataset.root || "./";
  const api = (window.ctxgen = window.ctxgen || {});
  api.graphs = []; // the vis Network objects, in document order (for tests and user scripts)

  const SHAPE_GLYPHS = {
    dot: "●", diamond: "◆", star: "★", triangle: "▲", triangleDown: "▼", square: "■", hexagon: "⬢",
  };
  const MANY_EDGES = 400; // above this, edge labels only show on hover (they would hide the graph)
  const MANY_NODES = 800; // above this, a cheaper layout and physics off once stable
  const MAX_DRAWN_NODES = 1500; // a browser cannot lay out more usefully: the most connected are drawn

  // --- helpers -----------------------------------------------------------------------------
  /** A same-origin absolute URL for a path relative to the site root, or null. */
  function siteUrl(relative) {
    const url = new URL(ROOT + relative, document.baseURI);
    return url.origin === location.origin ? url : null;
  }

  /** A same-origin URL as written in an attribute (already root-prefixed by the template), or null. */
  function sameOrigin(href) {
    const url = new URL(href, document.baseURI);
    return url.origin === location.origin ? url : null;
  }

  async function fetchJSON(url) {
    if (!url) throw new Error("refusing to fetch from another origin");
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
    return response.json();
  }

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return {
      text: cssVar("--ctx-text", "#1d232a"),
      muted: cssVar("--ctx-muted", "#5d6673"),
      surface: cssVar("--ctx-surface", "#ffffff"),
      line: cssVar("--ctx-line", "#dfe2e6"),
      accent: cssVar("--ctx-accent", "#1f6f9a"),
    };
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- graphs ------------------------------------------------------------------------------
  function tooltip(text) {
    const div = el("div", "ctx-graph-tooltip", text); // vis shows an element title as it is: text only
    return div;
  }

  function visNode(node, focus, colors, typeLabels) {
    const isHub = node.kind === "association";
    const isFocus = node.id === focus;
    const typeLabel = isHub ? "association" : typeLabels.get(node.type) || "untyped";
    return {
      id: node.id,
      label: node.label,
      title: tooltip(isHub ? `${node.label} (${typeLabel})` : `${node.label} — ${typeLabel}`),
      shape: node.shape || "dot",
      size: isHub ? 7 : 10 + Math.min(14, 3 * Math.log2(1 + (node.degree || 0))) + (isFocus ? 6 : 0),
      color: {
        background: node.color,
        border: isFocus ? colors.accent : node.color,
        highlight: { background: node.color, border: colors.text },
        hover: { background: node.color, border: colors.text },
      },
      borderWidth: isFocus ? 4 : 1,
      font: { color: colors.text, size: isHub ? 11 : 15, strokeWidth: 3, strokeColor: colors.surface },
      ctxUrl: node.url || "",
    };
  }

  function visEdge(edge, index, colors, assocColors, showLabels) {
    if (edge.kind === "mention") {
      return { id: index, from: edge.from, to: edge.to, dashes: [4, 4], width: 1,
               color: { color: colors.muted, opacity: 0.7 }, arrows: { to: { enabled: true, scaleFactor: 0.4 } },
               title: tooltip("mentions") };
    }
    const roles = edge.roles || [];
    const directed = roles.length === 2 && roles[0] !== roles[1];
    const color = assocColors.get(edge.type) || colors.muted;
    return {
      id: index, from: edge.from, to: edge.to, width: 2,
      label: showLabels ? edge.label : undefined,
      title: tooltip(edge.label || edge.type),
      color: { color, highlight: color, hover: color },
      arrows: { to: { enabled: directed, scaleFactor: 0.6 } },
      font: { color: colors.muted, size: 11, strokeWidth: 3, strokeColor: colors.surface, align: "middle" },
    };
  }

  function legend(data) {
    const list = el("ul", "ctx-graph-legend");
    list.setAttribute("aria-label", "Legend");
    const types = data.legend.topic_types || [];
    if (types.length) {
      list.append(el("li", "ctx-graph-legend-title", "Node colour and shape: the topic's type"));
      for (const t of types) {
        const item = el("li", "ctx-graph-legend-type");
        const glyph = el("span", "ctx-graph-legend-glyph", SHAPE_GLYPHS[t.shape] || SHAPE_GLYPHS.dot);
        glyph.style.color = t.color;
        glyph.setAttribute("aria-hidden", "true");
        item.append(glyph, document.createTextNode(" " + t.label));
        list.append(item);
      }
    }
    const assocs = data.legend.association_types || [];
    const hasMentions = data.edges.some((e) => e.kind === "mention");
    if (assocs.length || hasMentions) {
      list.append(el("li", "ctx-graph-legend-title", "Lines: associations by type; dashed: mentions in text"));
      for (const a of assocs) {
        const item = el("li", "ctx-graph-legend-association");
        const glyph = el("span", "ctx-graph-legend-glyph", "━");
        glyph.style.color = a.color;
        glyph.setAttribute("aria-hidden", "true");
        item.append(glyph, document.createTextNode(" " + a.label));
        list.append(item);
      }
      if (hasMentions) {
        const item = el("li", "ctx-graph-legend-mention");
        const glyph = el("span", "ctx-graph-legend-glyph", "┄");
        glyph.setAttribute("aria-hidden", "true");
        item.append(glyph, document.createTextNode(" mentions"));
        list.append(item);
      }
    }
    if (data.truncated) {
      list.append(el("li", "ctx-graph-legend-note", `Showing the ${data.nodes.length} nearest nodes.`));
    }
    if (data.shownOf) {
      list.append(el("li", "ctx-graph-legend-note",
        `Showing the ${data.nodes.length} most connected of ${data.shownOf} nodes.`));
    }
    return list;
  }

  /** At most `limit` nodes, the most connected first (ties by id), with the edges among them. */
  function mostConnected(data, limit) {
    if (data.nodes.length <= limit) return data;
    const nodes = data.nodes.slice()
      .sort((a, b) => (b.degree || 0) - (a.degree || 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
    const kept = new Set(nodes.map((n) => n.id));
    const edges = data.edges.filter((e) => kept.has(e.from) && kept.has(e.to));
    return { ...data, nodes, edges, shownOf: data.nodes.length };
  }

  function drawGraph(container, fullData) {
    const data = mostConnected(fullData, MAX_DRAWN_NODES);
    const focus = container.dataset.focus || "";
    const colors = palette();
    const typeLabels = new Map((data.legend.topic_types || []).map((t) => [t.id, t.label]));
    const assocColors = new Map((data.legend.association_types || []).map((a) => [a.id, a.color]));
    const showLabels = data.edges.length <= MANY_EDGES;
    const big = data.nodes.length > MANY_NODES;
    const nodes = new vis.DataSet(data.nodes.map((n) => visNode(n, focus, colors, typeLabels)));
    const edges = new vis.DataSet(data.edges.map((e, i) => visEdge(e, i, colors, assocColors, showLabels)));
    const network = new vis.Network(container, { nodes, edges }, {
      autoResize: true,
      interaction: { hover: true, tooltipDelay: 150, keyboard: { enabled: true, bindToWindow: false } },
      layout: { improvedLayout: !big, randomSeed: 7 }, // a fixed seed: the same map draws the same way
      // Labels stay readable when a busy graph is zoomed out to fit (vis hides them below 5 px).
      nodes: { scaling: { label: { drawThreshold: 3 } } },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -30, springLength: 50, avoidOverlap: 0.3 },
        stabilization: { iterations: big ? 120 : 300, fit: true },
      },
    });
    network.ctxgenData = data;
    network.on("click", (params) => {
      if (!params.nodes.length) return;
      const node = nodes.get(params.nodes[0]);
      const url = node && node.ctxUrl ? siteUrl(node.ctxUrl) : null;
      if (url) location.assign(url.href);
    });
    network.on("hoverNode", (params) => {
      const node = nodes.get(params.node);
      container.style.cursor = node && node.ctxUrl ? "pointer" : "default";
    });
    network.on("blurNode", () => { container.style.cursor = "default"; });
    if (big) network.once("stabilizationIterationsDone", () => network.setOptions({ physics: false }));
    network.once("afterDrawing", () => { container.dataset.ready = "true"; });

    // Dark mode: recolour text and mentions from the CSS variables when the scheme changes.
    const scheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    if (scheme && scheme.addEventListener) {
      scheme.addEventListener("change", () => {
        const c = palette();
        nodes.update(data.nodes.map((n) => visNode(n, focus, c, typeLabels)));
        edges.update(data.edges.map((e, i) => visEdge(e, i, c, assocColors, showLabels)));
      });
    }
    container.after(legend(data));
    api.graphs.push(network);
    return network;
  }

  function initGraphs() {
    const containers = document.querySelectorAll(".ctx-graph[data-graph-src]");
    if (!containers.length) return;
    if (typeof vis === "undefined") {
      console.warn("ctxgen: vis-network is not loaded; graphs are not drawn");
      return;
    }
    containers.forEach((container) => {
      const fail = (err) => {
        container.dataset.ready = "error";
        container.append(el("p", "ctx-muted", "The graph could not be loaded."));
        console.warn("ctxgen: graph", err);
      };
      fetchJSON(sameOrigin(container.dataset.graphSrc))
        .then((data) => {
          if (!data.nodes.length) {
            container.dataset.ready = "true";
            container.append(el("p", "ctx-muted", "Nothing to show."));
            return;
          }
          drawGraph(container, data);
        })
        .catch(fail);
    });
  }

  function init() {
    initGraphs();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
