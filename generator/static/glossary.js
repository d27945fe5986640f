// Progressive enhancements; every page reads fine without this file.
// Data comes from <script> tags added on demand (never fetch), so file:// works: the search
// index and MiniSearch when a reader starts to search, one hover card's data on first hover.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function entryHref(slug) { return root + "concepts/" + slug + ".html"; }

  var loading = {};
  function loadScript(src, done) {
    var state = loading[src];
    if (state === true) { done(); return; }
    if (state) { state.push(done); return; }
    loading[src] = [done];
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () {
      var waiting = loading[src];
      loading[src] = true;
      waiting.forEach(function (fn) { fn(); });
    };
    script.onerror = function () { loading[src] = undefined; };
    document.head.appendChild(script);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- hover-card data, one shard per entry ------------------------------------------
  var cards = {};
  var cardWaiters = {};
  window.glossaryCard = function (slug, data) {
    cards[slug] = data;
    (cardWaiters[slug] || []).forEach(function (fn) { fn(data); });
    cardWaiters[slug] = [];
  };
  function withCard(slug, fn) {
    if (cards[slug]) { fn(cards[slug]); return; }
    (cardWaiters[slug] = cardWaiters[slug] || []).push(fn);
    loadScript(root + "cards/" + slug + ".js", function () {});
  }
  function formulaPreview(data) {
    var formula = el("div", "formula-preview");
    formula.innerHTML = data.formula; // our own KaTeX output, rendered at build time
    return formula;
  }

  // Run fn once, when element comes within margin of the viewport (at once without
  // IntersectionObserver): what a page loads on demand waits for the reader to near it.
  function whenNear(element, margin, fn) {
    if (!("IntersectionObserver" in window)) { fn(); return; }
    var watcher = new IntersectionObserver(function (seen) {
      if (!seen.some(function (s) { return s.isIntersecting; })) return;
      watcher.disconnect();
      fn();
    }, { rootMargin: margin });
    watcher.observe(element);
  }

  // --- search: its code, MiniSearch and the index load when a reader starts to search ---
  window.glossary = { root: root, loadScript: loadScript, el: el, withCard: withCard,
                      formulaPreview: formulaPreview, entryHref: entryHref, whenNear: whenNear };
  function setUpSearch() {
    var input = document.getElementById("search-input");
    var page = document.getElementById("search-page-results");
    function load() { loadScript(root + "static/search.js", function () {}); }
    if (page) load();
    // The CSP forbids form submissions (form-action 'none'): go to the results page instead.
    document.querySelectorAll("form.search, form.search-page").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var query = form.elements.q.value.trim();
        if (query) window.location.href = root + "search.html?q=" + encodeURIComponent(query);
      });
    });
    if (!input) return;
    input.addEventListener("focus", load);
    input.addEventListener("input", load);
    document.addEventListener("keydown", function (e) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (e.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
        e.preventDefault(); input.focus();
      }
    });
  }

  // --- hover cards ---------------------------------------------------------------------
  function setUpCards() {
    var card = el("div", "card");
    card.setAttribute("role", "tooltip");
    card.id = "glossary-card";
    card.hidden = true;
    document.body.appendChild(card);
    var hideTimer = null;
    var current = null;

    function show(link) {
      var slug = link.getAttribute("data-entry");
      if (link.classList.contains("chunk") || link.closest("svg") || link.closest("#search-page-results")) return;
      clearTimeout(hideTimer);
      current = link;
      withCard(slug, function (data) {
        if (current !== link) return;
        card.innerHTML = "";
        [el("div", "card-title", data.title), el("div", "card-chunk", "“" + data.chunk + "”"),
         el("p", "", data.abstraction), formulaPreview(data)].forEach(function (node) { card.appendChild(node); });
        var box = link.getBoundingClientRect();
        var width = Math.min(384, window.innerWidth - 16);
        card.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + window.innerWidth - width - 8)) + "px";
        card.style.top = (window.scrollY + box.bottom + 6) + "px";
        card.hidden = false;
        if (!link.hasAttribute("aria-describedby")) link.setAttribute("aria-describedby", "glossary-card");
      });
    }

    function hide(link) {
      current = null;
      hideTimer = setTimeout(function () { card.hidden = true; }, 120);
      // A link described by a card of its own (a chunk tree's name card) keeps it.
      if (link && link.getAttribute("aria-describedby") === "glossary-card") link.removeAttribute("aria-describedby");
    }

    ["mouseover", "focusin"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        var link = e.target.closest && e.target.closest("a[data-entry]");
        if (link) show(link);
      });
    });
    ["mouseout", "focusout"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        var link = e.target.closest && e.target.closest("a[data-entry]");
        if (link) hide(link);
      });
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") card.hidden = true; });
  }

  // --- copy buttons and formula permalinks ------------------------------------------------
  function copyText(text, button) {
    function done() {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = button.getAttribute("data-label"); }, 1500);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  }

  function copyButton(label, text) {
    var button = el("button", "copy", label);
    button.type = "button";
    button.setAttribute("data-label", label);
    button.addEventListener("click", function () { copyText(typeof text === "function" ? text() : text, button); });
    return button;
  }

  function setUpCopy() {
    document.querySelectorAll(".snippet pre:not(.output), .body pre:not(.output)").forEach(function (pre) {
      if (pre.parentNode.classList.contains("copy-wrap")) return;
      var wrap = el("div", "copy-wrap");
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      wrap.appendChild(copyButton("Copy", function () { return pre.textContent; }));
    });
    var number = 0;
    document.querySelectorAll(".formula-math, .body .katex-display").forEach(function (block) {
      var tex = block.querySelector("annotation[encoding='application/x-tex']");
      var tools = el("div", "formula-tools");
      var id = block.closest("#formula") && block.classList.contains("formula-math") ? "formula" : "";
      if (!id) {
        number += 1;
        id = block.id || "eq-" + number;
        block.id = id;
      }
      var anchor = el("a", "header-anchor", "#");
      anchor.href = "#" + id;
      anchor.setAttribute("aria-label", "Link to this formula");
      tools.appendChild(anchor);
      // Plain TeX: the glossary's marks go (\chunk{3}{x} -> {x}, \fade{x} -> {x}).
      if (tex) tools.appendChild(copyButton("Copy TeX", tex.textContent.trim()
        .replace(/\\chunk\{\d+\}/g, "").replace(/\\fade(?=\{)/g, "")));
      block.parentNode.insertBefore(tools, block.nextSibling);
    });
  }

  // --- theme toggle ---------------------------------------------------------------------
  function setUpTheme() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    var html = document.documentElement;
    var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    function current() {
      return html.getAttribute("data-theme") || (system && system.matches ? "dark" : "light");
    }
    function label() {
      var dark = current() === "dark";
      button.textContent = dark ? "Light theme" : "Dark theme";
      button.setAttribute("aria-label", dark ? "Switch to the light theme" : "Switch to the dark theme");
    }
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      html.setAttribute("data-theme", next);
      try { window.localStorage.setItem("glossary-theme", next); } catch (e) { /* not kept */ }
      label();
    });
    if (system && system.addEventListener) system.addEventListener("change", label);
  }

  // --- appears inside: static/appears.js and the holders' cards load when it nears -------
  function setUpAppearances() {
    var section = document.querySelector(".appears-in[data-appears-src]");
    if (!section) return;
    var drawn;
    function draw() {
      drawn = drawn || new Promise(function (done) {
        loadScript(section.getAttribute("data-appears-src"), done);
      }).then(function () { return window.glossaryDrawAppearances(); });
      return drawn;
    }
    window.glossaryLoadAppearances = draw; // tests draw them without scrolling
    whenNear(section, "400px", draw);
  }

  // --- neighbour map --------------------------------------------------------------------
  // An entry's arc diagram arrives from neighbours/<slug>.js (a <script>, so file:// works)
  // when its figure nears the viewport; the connections list beside it says the same.
  function setUpNeighbourMap() {
    var frame = document.querySelector(".neighbours .map-frame[data-map-src]");
    if (!frame) return;
    frame.parentNode.hidden = false; // without JavaScript the list beside it says the same
    frame.style.minHeight = frame.getAttribute("data-height") + "px"; // nothing jumps when it comes
    function draw() {
      loadScript(frame.getAttribute("data-map-src"), function () {
        var svg = (window.GLOSSARY_NEIGHBOURS || {})[frame.getAttribute("data-slug")];
        if (svg === undefined) return;
        frame.innerHTML = svg; // our own SVG, built and escaped at build time
        frame.removeAttribute("data-map-src");
      });
    }
    whenNear(frame, "600px", draw);
  }

  setUpTheme();
  setUpSearch();
  setUpCards();
  setUpCopy();
  setUpNeighbourMap();
  setUpAppearances();
})();
