/* ctxgen default theme: search over the chunked prebuilt index of ctxgen/searchindex.py.
 *
 * Plain modern JavaScript, no build step, no library. A query fetches the manifest once, then only
 * the term shards of its words, the name shard of its first word (autocomplete) and the document
 * chunks of the results it shows (format: docs/search.md). Every URL is resolved against
 * <html data-root>, so the site works at a domain root and under a sub-path; nothing is ever
 * fetched from another origin. Content is untrusted: it only reaches the page through textContent.
 *
 * Two places use it: the search box in every page's header (topic names first — Enter jumps to
 * the first — then full-text hits with their passage) and the search page (#ctx-search-page:
 * more hits and a topic-type filter).
 */
(() => {
  "use strict";

  const api = window.ctxgen;
  const { siteUrl, sameOrigin, fetchJSON, el, onReady } = api.util;
  const MAX_NAMES = 5; // autocomplete entries in the header box
  const MAX_HITS = 8; // full-text hits in the header box
  const MAX_PAGE_HITS = 50; // on the search page
  const MAX_CHILD_SHARDS = 8; // a short word reads at most this many deeper shards for prefix matches
  const PASSAGE = 90; // characters either side of the first matching word

  // --- helpers -----------------------------------------------------------------------------
  /** Lower case without diacritics: ctxgen.searchindex.fold. */
  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{Mn}/gu, "");
  }

  const WORD = /[\p{L}\p{N}]+/gu;
  const words = (text) => fold(text).match(WORD) || [];

  function hex(text) {
    return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- the index ---------------------------------------------------------------------------
  class SearchIndex {
    constructor(manifestUrl) {
      this.manifestUrl = manifestUrl;
      this.files = new Map(); // site path -> Promise of its JSON
      this.manifest = null;
    }

    fetch(path) {
      let p = this.files.get(path);
      if (!p) {
        p = fetchJSON(siteUrl(path));
        p.catch(() => this.files.delete(path)); // retried next time
        this.files.set(path, p);
      }
      return p;
    }

    async load() {
      if (!this.manifest) {
        const m = await fetchJSON(this.manifestUrl);
        m.termKeys = new Set(m.terms);
        m.nameKeys = new Set(m.names);
        this.manifest = m;
      }
      return this.manifest;
    }

    /** Shard keys for a word: the longest key that is a prefix of it, and (for prefix matches
     * of a short word) the deeper keys that start with it. */
    shardKeys(keys, word) {
      const out = [];
      for (let n = Math.min(word.length, 6); n >= 1; n--) {
        if (keys.has(word.slice(0, n))) {
          out.push(word.slice(0, n));
          break;
        }
      }
      let children = 0;
      for (const k of keys) {
        if (k.length > word.length && k.startsWith(word) && children++ < MAX_CHILD_SHARDS) out.push(k);
      }
      return out;
    }

    async shards(kind, keys, word) {
      return Promise.all(this.shardKeys(keys, word).map((k) => this.fetch(`search/${kind}/${hex(k)}.json`)));
    }

    /** doc number -> score for one query word: exact terms count in full, longer terms half. */
    async postings(word) {
      const m = await this.load();
      const scores = new Map();
      for (const shard of await this.shards("t", m.termKeys, word)) {
        for (const term in shard) {
          if (!term.startsWith(word)) continue;
          const flat = shard[term];
          const weight = term === word ? 1 : 0.5;
          for (let i = 0; i < flat.length; i += 2) {
            const s = flat[i + 1] * weight;
            if (s > (scores.get(flat[i]) || 0)) scores.set(flat[i], s);
          }
        }
      }
      return scores;
    }

    /** Full-text hits: [{doc, score}] best first; every query word must match (AND). */
    async search(query, typeFilter) {
      const m = await this.load();
      const ws = [...new Set(words(query))].filter((w) => w.length > 1); // one letter says too little
      if (!ws.length) return [];
      const maps = await Promise.all(ws.map((w) => this.postings(w)));
      maps.sort((a, b) => a.size - b.size);
      const hits = [];
      for (const [doc, score] of maps[0]) {
        let total = score;
        let all = true;
        for (let i = 1; i < maps.length && all; i++) {
          const s = maps[i].get(doc);
          if (s === undefined) all = false;
          else total += s;
        }
        if (all && (typeFilter === undefined || m.docTypes[doc].includes(typeFilter))) hits.push({ doc, score: total });
      }
      hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
      return hits;
    }

    /** Topic names and aliases whose words start with the query's words: [{doc, label, url, name}]. */
    async names(query, typeFilter) {
      const m = await this.load();
      const ws = words(query);
      if (!ws.length || ws[0].length < 2) return [];
      const first = ws[0];
      const seen = new Map();
      for (const shard of await this.shards("n", m.nameKeys, first)) {
        for (const word in shard) {
          if (!word.startsWith(first)) continue;
          for (const [label, doc, url, name] of shard[word]) {
            if (seen.has(doc) && seen.get(doc).label.length <= label.length) continue;
            if (typeFilter !== undefined && !m.docTypes[doc].includes(typeFilter)) continue;
            const lw = words(label);
            if (!ws.every((w) => lw.some((x) => x.startsWith(w)))) continue;
            seen.set(doc, { doc, label, url, name: name || label, starts: fold(label).startsWith(fold(query.trim())) });
          }
        }
      }
      return [...seen.values()].sort((a, b) => (b.starts - a.starts) || a.label.length - b.label.length ||
        (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    }

    /** The stored documents of some doc numbers, in that order. */
    async documents(docs) {
      const m = await this.load();
      const chunks = await Promise.all([...new Set(docs.map((d) => Math.floor(d / m.chunk)))]
        .map((c) => this.fetch(`search/d/${c}.json`).then((part) => [c, part])));
      const byChunk = new Map(chunks);
      return docs.map((d) => byChunk.get(Math.floor(d / m.chunk))[d % m.chunk]);
    }
  }

  // --- results -----------------------------------------------------------------------------
  /** The passage of a text around its first word that starts with a query word, as nodes
   * (text and <mark>), or null when no word of the text matches. */
  function passage(text, queryWords) {
    if (!text || !queryWords.length) return null;
    const matches = [];
    for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
      const w = fold(m[0]);
      if (queryWords.some((q) => w.startsWith(q))) matches.push([m.index, m.index + m[0].length]);
    }
    if (!matches.length) return null;
    let start = Math.max(0, matches[0][0] - PASSAGE);
    let end = Math.min(text.length, matches[0][1] + PASSAGE);
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    if (end < text.length) end = text.lastIndexOf(" ", end) > matches[0][1] ? text.lastIndexOf(" ", end) : end;
    const nodes = [];
    if (start > 0) nodes.push(document.createTextNode("…"));
    let at = start;
    for (const [a, b] of matches) {
      if (a < start || b > end) continue;
      nodes.push(document.createTextNode(text.slice(at, a)), el("mark", "", text.slice(a, b)));
      at = b;
    }
    nodes.push(document.createTextNode(text.slice(at, end) + (end < text.length ? "…" : "")));
    return nodes;
  }

  /** The alias that made a hit match, when its name alone does not explain it. */
  function matchedAlias(doc, queryWords) {
    const nameWords = words(doc.name);
    if (queryWords.every((q) => nameWords.some((w) => w.startsWith(q)))) return null;
    for (const alias of doc.aliases || []) {
      const aw = words(alias);
      if (queryWords.some((q) => aw.some((w) => w.startsWith(q)))) return alias.length > 60 ? alias.slice(0, 59) + "…" : alias;
    }
    return null;
  }

  function resultItem(id, name, url, details, passageNodes, className) {
    const li = el("li", className);
    li.id = id;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    const link = el("a", "ctx-search-name", name);
    const target = siteUrl(url);
    if (target) link.href = target.href;
    link.tabIndex = -1;
    li.append(link);
    if (details.length) li.append(el("span", "ctx-search-details", " " + details.join(" · ")));
    if (passageNodes) {
      const p = el("span", "ctx-search-passage");
      p.append(...passageNodes);
      li.append(p);
    }
    return li;
  }

  function typesOf(manifest, doc) {
    return manifest.docTypes[doc].map((i) => manifest.types[i]);
  }

  /** Name matches and full-text hits for a query, as result items (none twice). */
  async function lookup(index, query, { maxNames, maxHits, typeFilter, idPrefix }) {
    const m = await index.load();
    const qw = [...new Set(words(query))];
    const [names, hits] = await Promise.all([maxNames ? index.names(query, typeFilter) : [], index.search(query, typeFilter)]);
    const named = names.slice(0, maxNames);
    const shownDocs = new Set(named.map((n) => n.doc));
    const textHits = hits.filter((h) => !shownDocs.has(h.doc)).slice(0, maxHits);
    const docs = await index.documents(textHits.map((h) => h.doc));
    const items = [];
    named.forEach((n) => {
      const details = [];
      if (n.label !== n.name) details.push(`also: ${n.label.length > 60 ? n.label.slice(0, 59) + "…" : n.label}`);
      const types = typesOf(m, n.doc);
      if (types.length) details.push(types.join(", "));
      items.push({ name: n.name, url: n.url, details, passage: null, jump: true });
    });
    docs.forEach((doc) => {
      const details = [];
      const alias = matchedAlias(doc, qw);
      if (alias) details.push(`also: ${alias}`);
      if (doc.types && doc.types.length) details.push(doc.types.join(", "));
      items.push({ name: doc.name, url: doc.url, details, passage: passage(doc.text, qw) });
    });
    return {
      total: hits.length + named.filter((n) => !hits.some((h) => h.doc === n.doc)).length,
      nodes: items.map((it, i) => resultItem(`${idPrefix}${i}`, it.name, it.url, it.details, it.passage,
        it.jump ? "ctx-search-result ctx-search-jump" : "ctx-search-result")),
    };
  }

  // --- the header search box ---------------------------------------------------------------
  let shared = null;
  function getIndex(input) {
    if (!shared) {
      const src = input && input.dataset.indexSrc ? sameOrigin(input.dataset.indexSrc) : siteUrl("search/index.json");
      shared = new SearchIndex(src);
      api.search = shared; // for tests and user scripts
    }
    return shared;
  }

  function initSearchBox() {
    const input = document.getElementById("ctx-search-input");
    const results = document.getElementById("ctx-search-results");
    if (!input || !results) return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", "ctx-search-results");
    input.setAttribute("aria-expanded", "false");
    results.setAttribute("role", "listbox");
    let active = -1;
    let generation = 0;

    const options = () => Array.from(results.children).filter((li) => li.querySelector("a[href]"));

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
      generation++;
      results.replaceChildren();
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    async function update() {
      const query = input.value.trim();
      if (!query) return close();
      const mine = ++generation;
      const t0 = performance.now();
      let found;
      try {
        found = await lookup(getIndex(input), query, { maxNames: MAX_NAMES, maxHits: MAX_HITS, idPrefix: "ctx-search-option-" });
      } catch (err) {
        console.warn("ctxgen: search", err);
        return;
      }
      if (mine !== generation) return; // a newer query is on its way
      active = -1;
      results.replaceChildren(...found.nodes);
      if (!found.nodes.length) {
        const li = el("li", "ctx-search-empty", "No topic found");
        li.setAttribute("role", "option");
        li.setAttribute("aria-disabled", "true");
        li.id = "ctx-search-none";
        results.append(li);
      } else if (found.total > found.nodes.length) {
        const li = el("li", "ctx-search-more");
        const more = el("a", "", `All ${found.total} results…`);
        more.href = siteUrl("search.html").href + "?q=" + encodeURIComponent(query);
        more.tabIndex = -1;
        li.append(more);
        results.append(li);
      }
      input.setAttribute("aria-expanded", "true");
      results.dataset.ms = String(Math.round(performance.now() - t0)); // time to results, for the benchmark
      results.dataset.query = query; // which query the results shown are for (typing runs several)
    }

    function open(i) {
      const item = options()[i];
      const link = item && item.querySelector("a[href]");
      if (link) location.assign(link.href);
    }

    input.addEventListener("focus", () => {
      getIndex(input).load().catch((err) => console.warn("ctxgen: search index", err));
      if (input.value.trim()) update();
    });
    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      const n = options().length;
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
    results.addEventListener("pointerdown", (event) => event.preventDefault());
    input.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== input) close();
    }, 0));
  }

  // --- the search page ---------------------------------------------------------------------
  function initSearchPage() {
    const form = document.getElementById("ctx-search-page");
    if (!form) return;
    const input = form.querySelector("input[type=search]");
    const select = form.querySelector("select");
    const list = document.getElementById("ctx-search-page-results");
    const status = document.getElementById("ctx-search-page-status");
    const index = getIndex(document.getElementById("ctx-search-input"));
    let generation = 0;

    async function run() {
      const query = input.value.trim();
      const mine = ++generation;
      const m = await index.load();
      if (mine !== generation) return;
      if (!query) {
        list.replaceChildren();
        status.textContent = "";
        return;
      }
      const typeFilter = select.value === "" ? undefined : Number(select.value);
      const found = await lookup(index, query, { maxNames: 0, maxHits: MAX_PAGE_HITS, typeFilter, idPrefix: "ctx-search-hit-" });
      if (mine !== generation) return;
      list.replaceChildren(...found.nodes);
      const shown = found.nodes.length;
      status.textContent = found.total === 0 ? "No topic found" :
        found.total > shown ? `${found.total} topics, the best ${shown} shown` : `${found.total} topic${found.total === 1 ? "" : "s"}`;
      const params = new URLSearchParams();
      params.set("q", query);
      if (typeFilter !== undefined) params.set("type", m.types[typeFilter]);
      history.replaceState(null, "", "?" + params.toString());
    }

    index.load().then((m) => {
      m.types.forEach((label, i) => {
        const option = el("option", "", label);
        option.value = String(i);
        select.append(option);
      });
      const params = new URLSearchParams(location.search);
      if (params.get("q")) input.value = params.get("q");
      const t = m.types.indexOf(params.get("type"));
      if (t >= 0) select.value = String(t);
      form.hidden = false;
      run();
    }, (err) => console.warn("ctxgen: search index", err));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run();
    });
    input.addEventListener("input", run);
    select.addEventListener("change", run);
  }

  function init() {
    initSearchBox();
    initSearchPage();
  }

  onReady(init);
})();
