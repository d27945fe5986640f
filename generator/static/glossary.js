// Progressive enhancements; every page reads fine without this file.
// Data comes from <script> tags (cards.js, search-index.js), never fetch, so file:// works.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function entryHref(slug) { return root + "concepts/" + slug + ".html"; }

  // --- search ---------------------------------------------------------------------------
  // TeX is searched by its command and letter tokens: "\sum_j e^{z_j}" -> sum j e z j.
  function texTokens(text) {
    return (text || "").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  }

  function setUpSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    if (!input || !window.MiniSearch || !window.GLOSSARY_SEARCH) return;
    input.hidden = false;
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
    var selected = -1;
    var hits = [];

    function highlight(text, terms) {
      var span = document.createElement("span");
      var pattern = terms.filter(function (t) { return t.length > 1; })
        .map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
      if (!pattern) { span.textContent = text; return span; }
      var re = new RegExp("(" + pattern + ")", "ig");
      var last = 0, match;
      while ((match = re.exec(text)) !== null) {
        span.appendChild(document.createTextNode(text.slice(last, match.index)));
        var mark = document.createElement("mark");
        mark.textContent = match[0];
        span.appendChild(mark);
        last = match.index + match[0].length;
        if (match[0].length === 0) re.lastIndex++;
      }
      span.appendChild(document.createTextNode(text.slice(last)));
      return span;
    }

    function run() {
      var query = input.value.trim();
      list.innerHTML = "";
      selected = -1;
      if (!query) { list.hidden = true; input.setAttribute("aria-expanded", "false"); return; }
      var texQuery = /[\\^_{}]/.test(query);
      var words = texQuery ? texTokens(query).join(" ") : query;
      hits = search.search(words, texQuery ? { fields: ["tex", "title"], combineWith: "AND" } : {});
      if (!hits.length && !texQuery) hits = search.search(words, { combineWith: "OR" });
      hits = hits.slice(0, 8);
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = "search-hit-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-slug", hit.slug);
        var title = highlight(hit.title, hit.terms);
        title.className = "hit-title";
        var also = hit.aliases ? " · also " + hit.aliases : "";
        var text = highlight(hit.chunk + also + " · " + hit.abstraction, hit.terms);
        text.className = "hit-text";
        li.appendChild(title);
        li.appendChild(text);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); go(i); });
        list.appendChild(li);
      });
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = "No entry matches.";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function select(i) {
      var items = list.querySelectorAll("li[role=option]");
      if (!items.length) return;
      selected = (i + items.length) % items.length;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === selected ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[selected].id);
    }

    function go(i) {
      if (hits[i]) window.location.href = entryHref(hits[i].slug);
    }

    // No inline handler (the CSP forbids them): Enter picks a hit instead of submitting.
    if (input.form) input.form.addEventListener("submit", function (e) { e.preventDefault(); });
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") { e.preventDefault(); go(selected >= 0 ? selected : 0); }
      else if (e.key === "Escape") { input.value = ""; run(); input.blur(); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
    document.addEventListener("keydown", function (e) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (e.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA") { e.preventDefault(); input.focus(); }
    });
  }

  // --- hover cards ---------------------------------------------------------------------
  function setUpCards() {
    var cards = window.GLOSSARY_CARDS;
    if (!cards) return;
    var card = document.createElement("div");
    card.className = "card";
    card.setAttribute("role", "tooltip");
    card.id = "glossary-card";
    card.hidden = true;
    document.body.appendChild(card);
    var hideTimer = null;

    function show(link) {
      var slug = link.getAttribute("data-entry");
      var data = cards[slug];
      if (!data || link.classList.contains("chunk")) return;
      clearTimeout(hideTimer);
      card.innerHTML = "";
      var title = document.createElement("div");
      title.className = "card-title";
      title.textContent = data.title;
      var chunk = document.createElement("div");
      chunk.className = "card-chunk";
      chunk.textContent = "“" + data.chunk + "”";
      var words = document.createElement("p");
      words.textContent = data.abstraction;
      var formula = document.createElement("div");
      formula.innerHTML = data.formula; // our own KaTeX output, rendered at build time
      [title, chunk, words, formula].forEach(function (el) { card.appendChild(el); });
      var box = link.getBoundingClientRect();
      card.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + window.innerWidth - 400)) + "px";
      card.style.top = (window.scrollY + box.bottom + 6) + "px";
      card.hidden = false;
      link.setAttribute("aria-describedby", "glossary-card");
    }

    function hide(link) {
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

  setUpSearch();
  setUpCards();
})();
