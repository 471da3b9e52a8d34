/* ctxgen default theme: graphs (vis-network) and search (MiniSearch).
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

  // --- search ------------------------------------------------------------------------------
  const MAX_RESULTS = 10;

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url.href;
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => reject(new Error(`cannot load ${url.pathname}`)));
      document.head.append(script);
    });
  }

  async function loadIndex(input) {
    if (typeof MiniSearch === "undefined") await loadScript(siteUrl("static/vendor/minisearch.js"));
    const src = input.dataset.indexSrc ? sameOrigin(input.dataset.indexSrc) : siteUrl("search/index.json");
    const manifest = await fetchJSON(src);
    let documents = manifest.documents || [];
    if (manifest.chunks) { // a split index: chunk paths are relative to the site root
      const parts = await Promise.all(manifest.chunks.map((p) => fetchJSON(siteUrl(p))));
      documents = documents.concat(...parts.map((part) => part.documents || []));
    }
    const index = new MiniSearch({
      fields: ["name", "aliases", "text"],
      storeFields: ["name", "aliases", "types", "url"],
      // aliases is a list: indexed as one text, stored as the list
      stringifyField: (value) => (Array.isArray(value) ? value.join(" ") : String(value)),
      searchOptions: { boost: { name: 3, aliases: 2 }, prefix: true, fuzzy: 0.2, combineWith: "AND" },
    });
    index.addAll(documents);
    return index;
  }

  function initSearch() {
    const input = document.getElementById("ctx-search-input");
    const results = document.getElementById("ctx-search-results");
    if (!input || !results) return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", "ctx-search-results");
    input.setAttribute("aria-expanded", "false");
    results.setAttribute("role", "listbox");

    let indexPromise = null;
    let active = -1;

    const options = () => Array.from(results.children);

    function setActive(i) {
      const items = options();
      active = items.length ? (i + items.length) % items.length : -1;
      items.forEach((item, k) => item.setAttribute("aria-selected", k === active ? "true" : "false"));
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      results.replaceChildren();
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    /** The alias that made a hit match, when its name alone does not explain it. */
    function matchedAlias(hit, terms) {
      const name = hit.name.toLowerCase();
      if (terms.some((t) => name.includes(t))) return null;
      for (const alias of hit.aliases || []) {
        const lower = alias.toLowerCase();
        if (terms.some((t) => lower.includes(t))) return alias.length > 60 ? alias.slice(0, 59) + "…" : alias;
      }
      return null;
    }

    function render(hits, query) {
      results.replaceChildren();
      active = -1;
      if (!query) return close();
      if (!hits.length) {
        const li = el("li", "ctx-search-empty", "No topic found");
        li.setAttribute("role", "option");
        li.setAttribute("aria-disabled", "true");
        li.id = "ctx-search-none";
        results.append(li);
      }
      hits.slice(0, MAX_RESULTS).forEach((hit, i) => {
        const li = el("li", "ctx-search-result");
        li.id = `ctx-search-option-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const url = siteUrl(hit.url);
        const link = el("a", "ctx-search-name", hit.name);
        if (url) link.href = url.href;
        link.tabIndex = -1;
        li.append(link);
        const alias = matchedAlias(hit, hit.terms || []);
        const details = [];
        if (alias) details.push(`also: ${alias}`);
        if (hit.types && hit.types.length) details.push(hit.types.join(", "));
        if (details.length) li.append(el("span", "ctx-search-details", " " + details.join(" · ")));
        results.append(li);
      });
      input.setAttribute("aria-expanded", "true");
    }

    /** The index, loaded once; a failed load is retried on the next use. */
    function getIndex() {
      if (!indexPromise) {
        indexPromise = loadIndex(input);
        indexPromise.catch((err) => {
          console.warn("ctxgen: search index", err);
          indexPromise = null;
        });
      }
      return indexPromise;
    }

    function update() {
      const query = input.value.trim();
      if (!query) return close();
      getIndex().then((index) => {
        if (input.value.trim() === query) render(index.search(query), query);
      }, () => {});
    }

    function open(i) {
      const item = options()[i];
      const link = item && item.querySelector("a[href]");
      if (link) location.assign(link.href);
    }

    input.addEventListener("focus", () => {
      getIndex();
      if (input.value.trim()) update();
    });
    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      const n = options().filter((li) => li.querySelector("a[href]")).length;
      if (event.key === "ArrowDown" && n) {
        event.preventDefault();
        setActive(active + 1);
      } else if (event.key === "ArrowUp" && n) {
        event.preventDefault();
        setActive(active - 1);
      } else if (event.key === "Enter" && n) {
        event.preventDefault();
        open(active >= 0 ? active : 0);
      } else if (event.key === "Escape") {
        if (results.children.length) {
          event.preventDefault();
          close();
        }
      }
    });
    // Keep focus in the box while a result is clicked; close when focus leaves the search.
    results.addEventListener("pointerdown", (event) => event.preventDefault());
    input.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== input) close();
    }, 0));
  }

  function init() {
    initGraphs();
    initSearch();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
