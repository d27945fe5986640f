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

  // --- search ---------------------------------------------------------------------------
  // TeX is searched by its command and letter tokens: "\sum_j e^{z_j}" -> sum j e z j.
  function texTokens(text) {
    return (text || "").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  }

  var engine = null;
  function withSearch(fn) {
    if (engine) { fn(engine); return; }
    loadScript(root + "static/minisearch.js", function () {
      loadScript(root + "search-index.js", function () {
        if (!engine) engine = makeEngine();
        fn(engine);
      });
    });
  }

  function makeEngine() {
    var search = new window.MiniSearch({
      fields: ["title", "aliases", "chunk", "abstraction", "body", "tex"],
      storeFields: ["slug", "title", "aliases", "chunk", "abstraction"],
      tokenize: function (text, field) {
        if (field === "tex") return texTokens(text);
        return window.MiniSearch.getDefault("tokenize")(text, field);
      },
      searchOptions: {
        boost: { title: 4, aliases: 3, chunk: 3, abstraction: 1.5, tex: 1.2 },
        fuzzy: function (term) { return term.length > 3 ? 0.2 : 0; },
        prefix: function (term) { return term.length > 1; },
        combineWith: "AND",
      },
    });
    search.addAll(window.GLOSSARY_SEARCH);
    return function (query) {
      var texQuery = /[\\^_{}]/.test(query);
      var words = texQuery ? texTokens(query).join(" ") : query;
      var hits = search.search(words, texQuery ? { fields: ["tex", "title"], combineWith: "AND" } : {});
      if (!hits.length && !texQuery) hits = search.search(words, { combineWith: "OR" });
      hits.forEach(function (hit) {
        hit.byFormula = texQuery || Object.keys(hit.match).some(function (term) {
          return hit.match[term].indexOf("tex") >= 0;
        });
      });
      return hits;
    };
  }

  function highlight(text, terms) {
    var span = document.createElement("span");
    var pattern = terms.filter(function (t) { return t.length > 1; })
      .map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
    if (!pattern) { span.textContent = text; return span; }
    var re = new RegExp("(" + pattern + ")", "ig");
    var last = 0, match;
    while ((match = re.exec(text)) !== null) {
      span.appendChild(document.createTextNode(text.slice(last, match.index)));
      span.appendChild(el("mark", "", match[0]));
      last = match.index + match[0].length;
      if (match[0].length === 0) re.lastIndex++;
    }
    span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  }

  function hitParts(hit, withFormula) {
    var title = highlight(hit.title, hit.terms);
    title.className = "hit-title";
    var also = hit.aliases ? " · also " + hit.aliases : "";
    var text = highlight(hit.chunk + also + " · " + hit.abstraction, hit.terms);
    text.className = "hit-text";
    var parts = [title, text];
    if (withFormula) {
      var slot = el("span", "hit-formula");
      withCard(hit.slug, function (data) { slot.appendChild(formulaPreview(data)); });
      parts.push(slot);
    }
    return parts;
  }

  function setUpSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    if (!input || !list) return;
    var selected = -1;
    var hits = [];

    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) input.removeAttribute("aria-activedescendant");
    }

    function run() {
      var query = input.value.trim();
      if (!query) { list.innerHTML = ""; show(false); return; }
      withSearch(function (search) {
        if (input.value.trim() !== query) return;
        list.innerHTML = "";
        selected = -1;
        hits = search(query).slice(0, 8);
        hits.forEach(function (hit, i) {
          var li = el("li");
          li.id = "search-hit-" + i;
          li.setAttribute("role", "option");
          li.setAttribute("aria-selected", "false");
          li.setAttribute("data-slug", hit.slug);
          hitParts(hit, hit.byFormula).forEach(function (part) { li.appendChild(part); });
          li.addEventListener("mousedown", function (e) { e.preventDefault(); go(i); });
          list.appendChild(li);
        });
        var more = el("li", "search-more");
        more.setAttribute("role", "option");
        more.setAttribute("aria-selected", "false");
        more.id = "search-hit-more";
        more.textContent = hits.length ? "All results for “" + query + "”" : "No entry matches.";
        more.addEventListener("mousedown", function (e) { e.preventDefault(); goAll(); });
        list.appendChild(more);
        show(true);
      });
    }

    function select(i) {
      var items = list.querySelectorAll("li[role=option]");
      if (!items.length) return;
      selected = (i + items.length) % items.length;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === selected ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[selected].id);
    }

    function goAll() {
      window.location.href = root + "search.html?q=" + encodeURIComponent(input.value.trim());
    }

    function go(i) {
      if (hits[i]) window.location.href = entryHref(hits[i].slug);
      else goAll();
    }

    input.addEventListener("focus", function () { withSearch(function () {}); });
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") { e.preventDefault(); go(selected >= 0 ? selected : 0); }
      else if (e.key === "Escape") { input.value = ""; run(); input.blur(); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { show(false); }, 150); });
    document.addEventListener("keydown", function (e) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (e.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
        e.preventDefault(); input.focus();
      }
    });
  }

  function setUpSearchPage() {
    var results = document.getElementById("search-page-results");
    var input = document.getElementById("search-page-input");
    var status = document.getElementById("search-status");
    if (!results || !input) return;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    if (!query.trim()) { status.textContent = "Type words, a name or a piece of a formula."; return; }
    status.textContent = "Searching…";
    withSearch(function (search) {
      var hits = search(query.trim());
      status.textContent = hits.length + (hits.length === 1 ? " entry matches " : " entries match ") + "“" + query + "”.";
      hits.forEach(function (hit) {
        var li = el("li");
        var link = el("a");
        link.href = entryHref(hit.slug);
        link.setAttribute("data-entry", hit.slug);
        var parts = hitParts(hit, true);
        link.appendChild(parts[0]);
        li.appendChild(link);
        parts.slice(1).forEach(function (part) { li.appendChild(part); });
        results.appendChild(li);
      });
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
        link.setAttribute("aria-describedby", "glossary-card");
      });
    }

    function hide(link) {
      current = null;
      hideTimer = setTimeout(function () { card.hidden = true; }, 120);
      if (link) link.removeAttribute("aria-describedby");
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
      if (tex) tools.appendChild(copyButton("Copy TeX", tex.textContent.trim()));
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

  setUpTheme();
  setUpSearch();
  setUpSearchPage();
  setUpCards();
  setUpCopy();
})();
