/* ctxgen default theme: the helpers every script of the theme shares (base.html loads it first).
 *
 * Every URL is resolved against <html data-root>, so a site works at a domain root and under a
 * sub-path; nothing is ever fetched from another origin. Exposed as window.ctxgen.util.
 */
(() => {
  "use strict";

  const ROOT = document.documentElement.dataset.root || "./";
  const api = (window.ctxgen = window.ctxgen || {});

  /** A site path (relative to the site root) as a URL; null if it would leave this origin. */
  function siteUrl(relative) {
    const url = new URL(ROOT + relative, document.baseURI);
    return url.origin === location.origin ? url : null;
  }

  /** An href from the page (already root-prefixed) as a URL; null if it would leave this origin. */
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

  /** An element with a class and text content (never HTML: content is untrusted). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function onReady(start) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }

  /** A view page's start-up (timeline, map): once the page is parsed, the element #id's `data-src`
   * JSON (same origin only) is passed to draw(container, data), if hasLibrary() says its library
   * loaded. Failures are logged as `ctxgen: <name>`. */
  function startView(id, name, hasLibrary, draw) {
    onReady(() => {
      const container = document.getElementById(id);
      if (!container || !hasLibrary()) return;
      Promise.resolve()
        .then(() => fetchJSON(sameOrigin(container.dataset.src)))
        .then((data) => draw(container, data))
        .catch((err) => console.warn(`ctxgen: ${name}`, err));
    });
  }

  api.util = Object.freeze({ ROOT, siteUrl, sameOrigin, fetchJSON, el, onReady, startView });
})();
