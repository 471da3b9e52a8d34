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

  /** Loads a same-origin script once; resolves when it has run. */
  function loadScript(relative) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = siteUrl(relative).href;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${relative} could not be loaded`));
      document.head.append(script);
    });
  }

  // Math from the Markdown stage: <span class="math math-inline">\(TeX\)</span>, and math-display
  // spans and divs with \[TeX\]. KaTeX (and its CSS and fonts, all from this site) is loaded only
  // on pages that have some; until then, and without JavaScript, the TeX shows as written.
  const KATEX = "static/vendor/katex/";
  function renderMath() {
    const nodes = document.querySelectorAll(".math-inline, .math-display");
    if (!nodes.length) return;
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = siteUrl(KATEX + "katex.min.css").href;
    document.head.append(css);
    loadScript(KATEX + "katex.min.js")
      .then(() => {
        for (const node of nodes) {
          const tex = node.textContent.slice(2, -2); // without the \( \) or \[ \]
          // throwOnError false: a TeX error shows in red, in place; trust stays off (no \href, \url);
          // maxSize and maxExpand: a \rule or a macro loop in content cannot swamp the page
          const options = { displayMode: node.classList.contains("math-display"), throwOnError: false,
                            maxSize: 50, maxExpand: 1000 };
          try {
            katex.render(tex, node, options);
          } catch (err) { // beyond TeX errors (too deep for the stack): this one stays as written
            node.classList.add("math-error");
            console.warn("ctxgen: math", err);
          }
        }
        document.documentElement.dataset.math = "rendered"; // for tests and themes
      })
      .catch((err) => console.warn("ctxgen: math", err));
  }
  onReady(renderMath);

  api.util = Object.freeze({ ROOT, siteUrl, sameOrigin, fetchJSON, el, onReady, startView, loadScript });
})();
