/* ctxgen default theme: search (MiniSearch).
 *
 * Plain modern JavaScript, no build step. Reads the DOM contract of docs/themes.md. Every URL is
 * resolved against <html data-root>, so the site works at a domain root and under a sub-path;
 * nothing is ever fetched from another origin. Content is untrusted: it only ever reaches the page
 * through textContent. Loaded on every page (the search box is in the page frame).
 */
(() => {
  "use strict";

  const ROOT = document.documentElement.dataset.root || "./";

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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initSearch);
  else initSearch();
})();
