/* ctxgen default theme: graphs (vis-network). Search lives in search.js.
 *
 * Plain modern JavaScript, no build step. Reads the DOM contract of docs/themes.md and the JSON
 * formats of docs/graph-json.md (version 2): positions are computed at build time, so no graph
 * runs a physics simulation. The global graph starts as one node per cluster and opens a
 * cluster on click; a topic page draws its neighbourhood in rings with a depth control.
 * A topic page paints its neighbourhood on a plain canvas first (vis-network needs ~250 ms of CPU
 * to parse, start and draw), then loads vis-network, which takes over with the same view.
 * Every URL is resolved against <html data-root>; nothing is fetched from another origin.
 * Content is untrusted: it only ever reaches the page through textContent.
 */
(() => {
  "use strict";

  const api = window.ctxgen;
  const { siteUrl, sameOrigin, fetchJSON, el } = api.util;
  api.graphs = []; // the vis Network objects, in document order; each has .ctxgen (see docs)

  const SHAPE_GLYPHS = {
    dot: "●", diamond: "◆", star: "★", triangle: "▲", triangleDown: "▼", square: "■", hexagon: "⬢",
  };
  const OPEN_ALL_BELOW = 1200; // a global graph with fewer nodes (and 3x fewer edges) starts open
  const EDGE_LABELS_BELOW = 300; // edge labels drawn when fewer edges are visible (else on hover)
  const RING_RADIUS = 190; // local graph: distance between rings
  const VIS_SRC = "static/vendor/vis-network.min.js"; // loaded after a first paint: it is not on its path

  // --- helpers -----------------------------------------------------------------------------
  const mark = (name) => { if (performance.mark) performance.mark(`ctxgen:${name}`); }; // read by scripts/bench_views.py

  let visLoading = null;
  /** vis-network, loaded once, when a graph needs it. */
  function loadVis() {
    if (typeof vis !== "undefined") return Promise.resolve();
    if (!visLoading) {
      visLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = siteUrl(VIS_SRC).href;
        script.onload = () => (typeof vis !== "undefined" ? resolve() : reject(new Error("vis-network did not load")));
        script.onerror = () => reject(new Error(`${VIS_SRC} could not be loaded`));
        document.head.append(script);
      });
    }
    return visLoading;
  }

  /** Resolves after the browser has shown what was drawn so far. */
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  const legends = new Map();
  function fetchLegend(path) { // one request per page, shared by its graphs
    if (!legends.has(path)) legends.set(path, fetchJSON(siteUrl(path)));
    return legends.get(path);
  }

  function palette() { // one style read for all four colours
    const style = getComputedStyle(document.documentElement);
    const cssVar = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    return {
      text: cssVar("--ctx-text", "#1d232a"),
      muted: cssVar("--ctx-muted", "#5d6673"),
      surface: cssVar("--ctx-surface", "#ffffff"),
      accent: cssVar("--ctx-accent", "#1f6f9a"),
    };
  }

  const tooltip = (text) => el("div", "ctx-graph-tooltip", text); // vis shows an element as it is

  // --- the model: nodes and edges of the JSON, with the legend resolved ----------------------
  /** A node of a v2 node array: [id, label, t, degree, ...extra, url?]. */
  function readNode(arr, nExtra, legend) {
    const [id, label, t, degree] = arr;
    const extra = arr.slice(4, 4 + nExtra);
    const url = arr.length > 4 + nExtra ? arr[4 + nExtra] : id + "/";
    const hub = id.startsWith("assoc:");
    const type = hub ? legend.association_types[t] : legend.topic_types[t];
    return { id, label, hub, type, degree, extra, url: hub && arr.length <= 4 + nExtra ? "" : url };
  }

  function nodeTitle(n) {
    return tooltip(n.hub ? `${n.label} (association)` : `${n.label} — ${n.type ? n.type.label : "untyped"}`);
  }

  function edgeTitle(style) {
    if (style.kind === "mention") return tooltip("mentions (a link in the text)");
    const roles = style.role_labels || [];
    let text = style.label;
    if (roles.length === 2) text = `${roles[0]} — ${style.label} — ${roles[1]}`;
    else if (roles.length === 1) text = `${style.label}: role ${roles[0]}`;
    if (style.scope && style.scope.length) text += ` (scope: ${style.scope.join(", ")})`;
    return tooltip(text);
  }

  function visNode(n, focus, colors, extra) {
    const isFocus = n.id === focus;
    const color = n.hub ? (n.type ? n.type.color : colors.muted) : n.type.color;
    return {
      id: n.id, label: n.hub ? "" : n.label, title: nodeTitle(n),
      shape: n.hub ? "diamond" : n.type.shape || "dot",
      size: n.hub ? 6 : 9 + Math.min(12, 2.5 * Math.log2(1 + (n.degree || 0))) + (isFocus ? 6 : 0),
      color: { background: color, border: isFocus ? colors.accent : color,
               highlight: { background: color, border: colors.text }, hover: { background: color, border: colors.text } },
      borderWidth: isFocus ? 4 : 1,
      font: { color: colors.text, size: 14, strokeWidth: 3, strokeColor: colors.surface },
      ctxUrl: n.url, ...extra,
    };
  }

  function visEdge(id, from, to, style, colors, legend, showLabel, solid) {
    if (style.kind === "mention") {
      return { id, from, to, dashes: solid ? false : [4, 4], width: 1, color: { color: colors.muted, opacity: 0.6 },
               arrows: { to: { enabled: true, scaleFactor: 0.4 } }, title: edgeTitle(style) };
    }
    const type = legend.association_types.find((a) => a.id === style.type);
    const color = type ? type.color : colors.muted;
    const roles = style.roles || [];
    return {
      id, from, to, width: 2, label: showLabel ? (roles.length === 1 ? style.label : style.label) : undefined,
      title: edgeTitle(style), color: { color, highlight: color, hover: color },
      arrows: { to: { enabled: roles.length === 2 && roles[0] !== roles[1], scaleFactor: 0.6 } },
      font: { color: colors.muted, size: 11, strokeWidth: 3, strokeColor: colors.surface, align: "middle" },
    };
  }

  // --- filters and legend ------------------------------------------------------------------
  /** What is shown: sets of hidden topic type ids, association type ids and scope ids. */
  function newFilter() {
    return { types: new Set(), assocs: new Set(), scopes: new Set(), mentions: true };
  }

  function styleVisible(style, filter) {
    if (style.kind === "mention") return filter.mentions;
    if (filter.assocs.has(style.type)) return false;
    return !(style.scope || []).some((s) => filter.scopes.has(s));
  }

  function checkbox(label, glyph, color, checked, onChange, className) {
    const item = el("li", className);
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", () => onChange(box.checked));
    const lab = el("label");
    if (glyph) {
      const g = el("span", "ctx-graph-legend-glyph", glyph);
      if (color) g.style.color = color;
      g.setAttribute("aria-hidden", "true");
      lab.append(box, g, document.createTextNode(" " + label));
    } else {
      lab.append(box, document.createTextNode(" " + label));
    }
    item.append(lab);
    return item;
  }

  /** The legend, whose entries are also the filters. `present` limits it to what the graph has. */
  function legendPanel(legend, present, filter, apply, solidMentions) {
    const list = el("ul", "ctx-graph-legend");
    list.setAttribute("aria-label", "Legend and filters");
    const types = legend.topic_types.filter((t) => present.types.has(t.id));
    if (types.length) {
      list.append(el("li", "ctx-graph-legend-title", "Node colour and shape: the topic's type"));
      for (const t of types) {
        list.append(checkbox(t.label, SHAPE_GLYPHS[t.shape] || SHAPE_GLYPHS.dot, t.color, !filter.types.has(t.id),
          (on) => { on ? filter.types.delete(t.id) : filter.types.add(t.id); apply(); },
          "ctx-graph-legend-type"));
        list.lastChild.dataset.type = t.id;
      }
    }
    const assocs = legend.association_types.filter((a) => present.assocs.has(a.id));
    if (assocs.length || present.mentions) {
      list.append(el("li", "ctx-graph-legend-title", `Lines: associations by type (◆ joins the players of one association); ${solidMentions ? "thin grey" : "dashed"}: mentions in text`));
      for (const a of assocs) {
        list.append(checkbox(a.label, "━", a.color, !filter.assocs.has(a.id),
          (on) => { on ? filter.assocs.delete(a.id) : filter.assocs.add(a.id); apply(); },
          "ctx-graph-legend-association"));
        list.lastChild.dataset.association = a.id;
      }
      if (present.mentions) {
        list.append(checkbox("mentions", solidMentions ? "─" : "┄", "", filter.mentions,
          (on) => { filter.mentions = on; apply(); }, "ctx-graph-legend-mention"));
      }
    }
    const scopes = legend.scopes.filter((s) => present.scopes.has(s.id));
    if (scopes.length) {
      list.append(el("li", "ctx-graph-legend-title", "Associations in scope"));
      for (const s of scopes) {
        list.append(checkbox(s.label, "", "", !filter.scopes.has(s.id),
          (on) => { on ? filter.scopes.delete(s.id) : filter.scopes.add(s.id); apply(); },
          "ctx-graph-legend-scope"));
        list.lastChild.dataset.scope = s.id;
      }
    }
    return list;
  }

  function presentIn(nodes, styles) {
    const present = { types: new Set(), assocs: new Set(), scopes: new Set(), mentions: false };
    for (const n of nodes) if (!n.hub && n.type) present.types.add(n.type.id);
    for (const s of styles) {
      if (s.kind === "mention") present.mentions = true;
      else {
        present.assocs.add(s.type);
        for (const sc of s.scope || []) present.scopes.add(sc);
      }
    }
    return present;
  }

  // --- drawing -----------------------------------------------------------------------------
  function newNetwork(container, nodes, edges, big) {
    const network = new vis.Network(container, { nodes, edges }, {
      autoResize: true,
      physics: false, // positions come from the build (global) or the ring layout (local)
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                     keyboard: { enabled: true, bindToWindow: false } },
      // level of detail: labels only once they are readable
      nodes: { scaling: { label: { enabled: false, drawThreshold: big ? 9 : 5 } } },
      edges: { smooth: false, selectionWidth: 1 },
    });
    network.on("hoverNode", (params) => {
      const node = nodes.get(params.node);
      container.style.cursor = node && (node.ctxUrl || node.ctxCluster !== undefined) ? "pointer" : "default";
    });
    network.on("blurNode", () => { container.style.cursor = "default"; });
    return network;
  }

  function navigate(node) {
    const url = node && node.ctxUrl ? siteUrl(node.ctxUrl) : null;
    if (url) location.assign(url.href);
  }

  /** What the filter lets through: {shown: Set of node ids, edgeShown: Map edge id -> bool}; a hub
   * needs two visible players. */
  function visibility(modelNodes, modelEdges, filter, extraNodeRule) {
    const shown = new Set();
    for (const n of modelNodes.values()) {
      const ok = (n.hub ? !filter.assocs.has(n.type && n.type.id) : !filter.types.has(n.type.id))
                 && (!extraNodeRule || extraNodeRule(n));
      if (ok) shown.add(n.id);
    }
    const edgeShown = new Map();
    const hubEdges = new Map();
    for (const e of modelEdges.values()) {
      const styled = e.styles ? e.styles.some(([st]) => styleVisible(st, filter)) : styleVisible(e.style, filter);
      const ok = shown.has(e.from) && shown.has(e.to) && styled && (!e.rule || e.rule());
      edgeShown.set(e.id, ok);
      if (ok) for (const end of [e.from, e.to]) {
        if (modelNodes.get(end) && modelNodes.get(end).hub) hubEdges.set(end, (hubEdges.get(end) || 0) + 1);
      }
    }
    for (const n of modelNodes.values()) {
      if (n.hub && (hubEdges.get(n.id) || 0) < 2) shown.delete(n.id);
    }
    for (const e of modelEdges.values()) {
      if (edgeShown.get(e.id) && !(shown.has(e.from) && shown.has(e.to))) edgeShown.set(e.id, false);
    }
    return { shown, edgeShown };
  }

  /** Hide the nodes and edges the filter rules out (updates the vis DataSets); returns the shown ids. */
  function applyFilter(nodes, edges, modelNodes, modelEdges, filter, extraNodeRule) {
    const { shown, edgeShown } = visibility(modelNodes, modelEdges, filter, extraNodeRule);
    const nodeUpdates = [];
    for (const n of modelNodes.values()) {
      const hidden = !shown.has(n.id);
      if (n.hidden !== hidden) { n.hidden = hidden; nodeUpdates.push({ id: n.id, hidden }); }
    }
    const edgeUpdates = [];
    for (const e of modelEdges.values()) {
      const hidden = !edgeShown.get(e.id);
      if (e.hidden !== hidden) { e.hidden = hidden; edgeUpdates.push({ id: e.id, hidden }); }
    }
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    return shown;
  }

  // --- the local graph ---------------------------------------------------------------------
  /** Rings around the focus; each node near the angle of its first neighbour one ring in. */
  function ringLayout(model, edgesByNode) {
    const pos = new Map();
    const rings = [];
    for (const n of model) (rings[n.ring] = rings[n.ring] || []).push(n);
    const angle = new Map();
    rings.forEach((members, r) => {
      if (!members) return;
      if (r === 0) { members.forEach((n) => { pos.set(n.id, { x: 0, y: 0 }); angle.set(n.id, 0); }); return; }
      const want = members.map((n, i) => {
        const inner = (edgesByNode.get(n.id) || []).map((m) => angle.get(m)).find((a) => a !== undefined);
        return [inner !== undefined ? inner : (2 * Math.PI * i) / members.length, i, n];
      }).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const offset = want.length ? want[0][0] : 0;
      want.forEach(([, , n], i) => {
        const a = offset + (2 * Math.PI * i) / want.length;
        angle.set(n.id, a);
        const radius = RING_RADIUS * r * (1 + (r > 1 ? 0.25 * (i % 2) : 0));
        pos.set(n.id, { x: Math.round(radius * Math.cos(a)), y: Math.round(radius * Math.sin(a)) });
      });
    });
    return pos;
  }

  /** A topic page's graph before any drawing: nodes in rings, edges, the depth-2 view's visibility,
   * and the vis node and edge objects (plain objects: vis-network is not needed yet). */
  function localGraph(data, legend, colors) {
    const focus = data.focus;
    const model = new Map();
    for (const arr of data.nodes) {
      const n = readNode(arr, 1, legend);
      n.ring = n.extra[0];
      model.set(n.id, n);
    }
    const modelEdges = new Map();
    const edgesByNode = new Map();
    data.edges.forEach(([a, b, s], i) => {
      const from = data.nodes[a][0], to = data.nodes[b][0];
      modelEdges.set(i, { id: i, from, to, style: legend.styles[s] });
      for (const [x, y] of [[from, to], [to, from]]) {
        if (!edgesByNode.has(x)) edgesByNode.set(x, []);
        edgesByNode.get(x).push(y);
      }
    });
    // a node's neighbours one ring in come first when placing it
    for (const list of edgesByNode.values()) list.sort((p, q) => model.get(p).ring - model.get(q).ring);
    const pos = ringLayout(model.values(), edgesByNode);
    const g = { data, legend, colors, focus, model, modelEdges, filter: newFilter(), depth: Math.min(2, data.depth) };
    g.nodeRule = (n) => n.ring <= g.depth || n.id === focus;
    for (const e of modelEdges.values()) {
      const rf = model.get(e.from), rt = model.get(e.to);
      // an edge between two nodes of the outer ring is left out (a hub's edges always count)
      e.rule = () => rf.ring <= g.depth && rt.ring <= g.depth && (Math.min(rf.ring, rt.ring) < g.depth || rf.hub || rt.hub);
    }
    const { shown, edgeShown } = visibility(model, modelEdges, g.filter, g.nodeRule);
    const showLabels = data.edges.length <= EDGE_LABELS_BELOW;
    g.visNodes = [...model.values()].map((n) => {
      n.hidden = !shown.has(n.id);
      return { ...visNode(n, focus, colors, pos.get(n.id)), hidden: n.hidden };
    });
    g.visEdges = [...modelEdges.values()].map((e) => {
      e.hidden = !edgeShown.get(e.id);
      return { ...visEdge(e.id, e.from, e.to, e.style, colors, legend, showLabels), hidden: e.hidden };
    });
    return g;
  }

  // --- the local graph's first paint: a plain canvas, until vis-network has loaded ------------
  const FIT_PADDING = 24; // px around the drawing
  const MAX_FIT_SCALE = 1.5;

  /** The view showing every visible node: {position, scale} as vis-network's moveTo takes it. */
  function fitView(visNodes, width, height) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of visNodes) {
      if (n.hidden) continue;
      x0 = Math.min(x0, n.x - n.size); x1 = Math.max(x1, n.x + n.size);
      y0 = Math.min(y0, n.y - n.size); y1 = Math.max(y1, n.y + n.size + 18); // the label below
    }
    if (x0 === Infinity) return { position: { x: 0, y: 0 }, scale: 1 };
    const scale = Math.min(MAX_FIT_SCALE, (width - 2 * FIT_PADDING) / Math.max(1, x1 - x0),
                           (height - 2 * FIT_PADDING) / Math.max(1, y1 - y0));
    return { position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: Math.max(0.05, scale) };
  }

  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    const polygon = (points) => { points.forEach(([px, py], i) => (i ? ctx.lineTo(x + px, y + py) : ctx.moveTo(x + px, y + py))); ctx.closePath(); };
    const ring = (k, radius, turn) => Array.from({ length: k }, (_, i) => {
      const a = turn + (2 * Math.PI * i) / k;
      return [radius * Math.cos(a), radius * Math.sin(a)];
    });
    if (shape === "square") ctx.rect(x - r, y - r, 2 * r, 2 * r);
    else if (shape === "diamond") polygon([[0, -r], [r, 0], [0, r], [-r, 0]]);
    else if (shape === "triangle") polygon(ring(3, 1.15 * r, -Math.PI / 2));
    else if (shape === "triangleDown") polygon(ring(3, 1.15 * r, Math.PI / 2));
    else if (shape === "hexagon") polygon(ring(6, r, 0));
    else if (shape === "star") {
      const outer = ring(5, 1.2 * r, -Math.PI / 2), inner = ring(5, 0.5 * r, -Math.PI / 2 + Math.PI / 5);
      polygon(outer.flatMap((p, i) => [p, inner[i]]));
    } else ctx.arc(x, y, r, 0, 2 * Math.PI);
  }

  function strokedText(ctx, text, x, y, font) {
    ctx.font = `${font.size}px arial`;
    ctx.lineWidth = font.strokeWidth;
    ctx.strokeStyle = font.strokeColor;
    ctx.fillStyle = font.color;
    ctx.strokeText(text, x, y);
    ctx.fillText(text, x, y);
  }

  /** Draw the visible nodes and edges with the view; returns the canvas (clicks on a node navigate). */
  function paintPreview(container, g, view) {
    const width = container.clientWidth, height = container.clientHeight, dpr = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.className = "ctx-graph-preview";
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    Object.assign(canvas.style, { position: "absolute", left: "0", top: "0", width: `${width}px`, height: `${height}px` });
    if (getComputedStyle(container).position === "static") container.style.position = "relative";
    const ctx = canvas.getContext("2d");
    const { scale, position } = view;
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * (width / 2 - position.x * scale), dpr * (height / 2 - position.y * scale));
    const byId = new Map(g.visNodes.map((n) => [n.id, n]));
    ctx.lineJoin = "round";
    ctx.textAlign = "center";
    for (const e of g.visEdges) {
      if (e.hidden) continue;
      const a = byId.get(e.from), b = byId.get(e.to);
      ctx.globalAlpha = e.color.opacity || 1;
      ctx.strokeStyle = e.color.color;
      ctx.lineWidth = e.width;
      ctx.setLineDash(e.dashes || []);
      ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.textBaseline = "middle";
    for (const e of g.visEdges) {
      if (e.hidden || !e.label || scale * e.font.size < 5) continue;
      const a = byId.get(e.from), b = byId.get(e.to);
      strokedText(ctx, e.label, (a.x + b.x) / 2, (a.y + b.y) / 2, e.font);
    }
    ctx.textBaseline = "top";
    for (const n of g.visNodes) {
      if (n.hidden) continue;
      shapePath(ctx, n.shape, n.x, n.y, n.size);
      ctx.fillStyle = n.color.background;
      ctx.fill();
      ctx.lineWidth = n.borderWidth;
      ctx.strokeStyle = n.color.border;
      ctx.stroke();
      if (n.label && scale * n.font.size >= 5) strokedText(ctx, n.label, n.x, n.y + n.size + 4, n.font);
    }
    const nodeAt = (event) => {
      const r = canvas.getBoundingClientRect();
      const x = (event.clientX - r.left - width / 2) / scale + position.x;
      const y = (event.clientY - r.top - height / 2) / scale + position.y;
      return g.visNodes.find((n) => !n.hidden && Math.hypot(n.x - x, n.y - y) <= n.size + 3);
    };
    canvas.addEventListener("mousemove", (event) => {
      const n = nodeAt(event);
      canvas.style.cursor = n && n.ctxUrl ? "pointer" : "default";
      canvas.title = n ? n.title.textContent : ""; // an attribute set from script: text
    });
    canvas.addEventListener("click", (event) => navigate(nodeAt(event)));
    canvas.ctxgen = { view, nodes: g.visNodes }; // for tests
    container.append(canvas);
    return canvas;
  }

  // --- the local graph in vis-network ------------------------------------------------------
  function drawLocal(container, g, view) {
    const { data, legend, focus, model, modelEdges, filter } = g;
    const nodes = new vis.DataSet(g.visNodes);
    const edges = new vis.DataSet(g.visEdges);
    const network = newNetwork(container, nodes, edges, false);
    const apply = () => {
      const shown = applyFilter(nodes, edges, model, modelEdges, filter, g.nodeRule);
      container.dataset.visible = String(shown.size);
    };
    network.on("click", (params) => { if (params.nodes.length) navigate(nodes.get(params.nodes[0])); });
    const controls = el("div", "ctx-graph-controls");
    const label = el("label", "ctx-graph-depth", "Depth ");
    const select = document.createElement("select");
    for (let d = 1; d <= data.depth; d++) {
      const opt = el("option", "", `${d} hop${d > 1 ? "s" : ""}`);
      opt.value = String(d);
      select.append(opt);
    }
    select.value = String(g.depth);
    select.addEventListener("change", () => { g.depth = Number(select.value); apply(); network.fit(); });
    label.append(select);
    controls.append(label);
    if (data.truncated.some(Boolean)) controls.append(el("span", "ctx-muted", " Showing the most connected topics of each ring."));
    container.before(controls);
    container.after(legendPanel(legend, presentIn(model.values(), [...modelEdges.values()].map((e) => e.style)), filter, apply));
    apply();
    network.moveTo({ ...view, animation: false }); // the first paint's view: no jump when vis takes over
    network.ctxgen = { data, filter, model, modelEdges, apply,
                       visibleNodes: () => nodes.get({ filter: (n) => !n.hidden }).map((n) => n.id).sort(),
                       setDepth: (d) => { select.value = String(d); select.dispatchEvent(new Event("change")); } };
    network.ctxgenData = data;
    return network;
  }

  // --- the global graph --------------------------------------------------------------------
  async function drawGlobal(container, data) {
    const legend = await fetchLegend(data.legend);
    const colors = palette();
    const big = data.nodes > 2000 || data.edges > 3000;
    const model = new Map(); // nodes drawn: cluster nodes and nodes of open clusters
    const modelEdges = new Map();
    const filter = newFilter();
    const open = new Set();
    const ids = []; // global node index -> id, filled as clusters load
    const pending = []; // edges of loaded chunks whose other end is not loaded yet
    const nodes = new vis.DataSet();
    const edges = new vis.DataSet();
    const network = newNetwork(container, nodes, edges, big);

    data.clusters.forEach((c, i) => {
      const type = legend.topic_types[c.type];
      model.set(`cluster:${i}`, { id: `cluster:${i}`, hub: false, type, cluster: i, hidden: false });
      nodes.add({
        id: `cluster:${i}`, label: `${c.label} (${c.size})`, x: c.x, y: c.y, shape: type.shape || "dot",
        size: c.r * 0.8, title: tooltip(`${c.label}: ${c.size} topics — click to open`), // the disk its nodes fill
        color: { background: type.color, border: colors.text }, borderWidth: 2, ctxCluster: i,
        font: { color: colors.text, size: Math.max(40, c.r / 3), strokeWidth: 6, strokeColor: colors.surface },
      });
    });
    // one line per pair of clusters (drawing thousands of lines per style made the first frame slow)
    const pairs = new Map();
    for (const [a, b, s, count] of data.links) {
      const id = `link:${a}:${b}`;
      if (!pairs.has(id)) pairs.set(id, { id, from: `cluster:${a}`, to: `cluster:${b}`, styles: [], count: 0, hidden: false });
      const pair = pairs.get(id);
      pair.styles.push([legend.styles[s], count]);
      pair.count += count;
    }
    // level of detail: each cluster's strongest links only (all of them are a hairball)
    const strongest = new Set();
    const byCluster = new Map();
    for (const pair of pairs.values()) {
      for (const end of [pair.from, pair.to]) {
        if (!byCluster.has(end)) byCluster.set(end, []);
        byCluster.get(end).push(pair);
      }
    }
    for (const list of byCluster.values()) {
      list.sort((p, q) => q.count - p.count).slice(0, 3).forEach((pair) => strongest.add(pair));
    }
    for (const pair of strongest) {
      modelEdges.set(pair.id, pair);
      const text = pair.styles.map(([st, n]) => `${n} × ${st.kind === "mention" ? "mentions" : st.label}`).join(", ");
      edges.add({ id: pair.id, from: pair.from, to: pair.to, width: Math.min(8, 1 + Math.log10(pair.count)),
                  title: tooltip(text), color: { color: colors.muted, opacity: 0.35 } });
    }

    const apply = () => {
      const shown = applyFilter(nodes, edges, model, modelEdges, filter);
      container.dataset.visible = String([...shown].filter((id) => !id.startsWith("cluster:")).length);
    };

    function linkEdge(gi, [a, b, s]) {
      const from = ids[a], to = ids[b];
      const style = legend.styles[s];
      const id = `e:${a}:${b}:${s}`;
      if (modelEdges.has(id)) return null;
      modelEdges.set(id, { id, from, to, style, hidden: false });
      return { ...visEdge(id, from, to, style, colors, legend, false, big), hidden: false };
    }

    async function openCluster(i) {
      if (open.has(i)) return;
      open.add(i);
      const chunk = await fetchJSON(siteUrl(data.clusters[i].src));
      const newNodes = [];
      chunk.nodes.forEach((arr, k) => {
        const n = readNode(arr, 2, legend);
        ids[chunk.first + k] = n.id;
        n.hidden = false;
        model.set(n.id, n);
        newNodes.push({ ...visNode(n, "", colors, { x: n.extra[0], y: n.extra[1] }), hidden: false });
      });
      // the cluster node and its links give way to the nodes
      model.delete(`cluster:${i}`);
      const gone = [];
      for (const [id, e] of modelEdges) {
        if (e.from === `cluster:${i}` || e.to === `cluster:${i}`) { gone.push(id); modelEdges.delete(id); }
      }
      edges.remove(gone);
      nodes.remove(`cluster:${i}`);
      nodes.add(newNodes);
      pending.push(...chunk.edges);
      const keep = [];
      const add = [];
      for (const e of pending) {
        if (ids[e[0]] !== undefined && ids[e[1]] !== undefined && open.has(clusterOf(e[0])) && open.has(clusterOf(e[1]))) {
          const v = linkEdge(0, e);
          if (v) add.push(v);
        } else keep.push(e);
      }
      pending.length = 0;
      pending.push(...keep);
      edges.add(add);
      apply();
    }

    function clusterOf(index) { // clusters hold consecutive node indices
      let lo = 0, hi = data.clusters.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (data.clusters[mid].first <= index) lo = mid; else hi = mid - 1;
      }
      return lo;
    }

    network.on("click", (params) => {
      if (!params.nodes.length) return;
      const node = nodes.get(params.nodes[0]);
      if (node && node.ctxCluster !== undefined) openCluster(node.ctxCluster);
      else navigate(node);
    });

    const controls = el("div", "ctx-graph-controls");
    const openAll = el("button", "ctx-graph-open-all", "Open all clusters");
    openAll.type = "button";
    openAll.addEventListener("click", () => Promise.all(data.clusters.map((_, i) => openCluster(i))));
    controls.append(openAll, el("span", "ctx-muted",
      ` ${data.nodes} nodes in ${data.clusters.length} clusters (by topic type; large types split into communities). Click a cluster to open it.`));
    container.before(controls);
    const present = { types: new Set(data.clusters.map((c) => legend.topic_types[c.type].id)),
                      assocs: new Set(legend.association_types.map((a) => a.id)),
                      scopes: new Set(legend.scopes.map((s) => s.id)),
                      mentions: legend.styles.some((s) => s.kind === "mention") };
    container.after(legendPanel(legend, present, filter, apply, big));
    network.ctxgen = { data, filter, model, modelEdges, apply, openCluster, open,
                       visibleNodes: () => nodes.get({ filter: (n) => !n.hidden }).map((n) => n.id).sort() };
    network.ctxgenData = data;
    if (data.nodes < OPEN_ALL_BELOW && data.edges < 3 * OPEN_ALL_BELOW) await Promise.all(data.clusters.map((_, i) => openCluster(i)));
    apply();
    network.fit();
    return network;
  }

  /** A topic page's graph: first paint on a canvas, then vis-network with the same view. */
  async function startLocal(container, data) {
    const legend = await fetchLegend(data.legend);
    const g = localGraph(data, legend, palette());
    const view = fitView(g.visNodes, container.clientWidth, container.clientHeight);
    const preview = paintPreview(container, g, view);
    container.dataset.drawn = "true";
    mark("graph-drawn");
    await afterPaint(); // the preview is on screen before vis-network's ~250 ms of parsing and start-up
    await loadVis();
    const network = drawLocal(container, g, view);
    network.once("afterDrawing", () => preview.remove());
    return network;
  }

  async function startGlobal(container, data) {
    await loadVis();
    return drawGlobal(container, data);
  }

  /** A built site embeds a topic's neighbourhood in its page; the dev server and the graph page serve a file. */
  function graphData(container) {
    const inline = container.dataset.graphInline && document.getElementById(container.dataset.graphInline);
    if (inline) return new Promise((resolve) => resolve(JSON.parse(inline.textContent)));
    return fetchJSON(sameOrigin(container.dataset.graphSrc));
  }

  function initGraphs() {
    const containers = document.querySelectorAll(".ctx-graph[data-graph-src], .ctx-graph[data-graph-inline]");
    if (!containers.length) return;
    fetchLegend("graph/legend.json").catch(() => {}); // the default path: fetched alongside the graph
    containers.forEach((container) => {
      const started = performance.now();
      if (!container.dataset.focus) loadVis().catch(() => {}); // a global graph: no first paint to wait for
      const fail = (err) => {
        container.dataset.ready = "error";
        container.append(el("p", "ctx-muted", "The graph could not be loaded."));
        console.warn("ctxgen: graph", err);
      };
      graphData(container)
        .then(async (data) => {
          mark("graph-json");
          const empty = data.clusters ? data.clusters.length === 0 : data.nodes.length === 0;
          if (empty) {
            container.dataset.ready = "true";
            container.append(el("p", "ctx-muted", "Nothing to show."));
            return;
          }
          const network = await (data.clusters ? startGlobal(container, data) : startLocal(container, data));
          api.graphs.push(network);
          network.once("afterDrawing", () => {
            container.dataset.ms = String(Math.round(performance.now() - started)); // fetch + draw in vis
            if (container.dataset.drawn !== "true") mark("graph-drawn"); // no first paint before vis (global graph)
            container.dataset.drawn = "true";
            container.dataset.ready = "true";
            mark("graph-ready");
          });
          network.redraw();
        })
        .catch(fail);
    });
  }

  mark("script");
  api.util.onReady(initGraphs);
})();
