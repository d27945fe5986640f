// Search: the header's suggestions and the search page. Loaded by glossary.js when a
// reader first focuses the search box (or opens search.html); it then loads MiniSearch and
// the index with <script> tags, so file:// works. Formula previews come from card shards.
(function () {
  "use strict";
  var g = window.glossary;
  var root = g.root, loadScript = g.loadScript, el = g.el, withCard = g.withCard,
      formulaPreview = g.formulaPreview, entryHref = g.entryHref;

  var styles = document.createElement("link"); // the results' own styles come with this file
  styles.rel = "stylesheet";
  styles.href = root + "static/search.css";
  document.head.appendChild(styles);

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

  function hitParts(hit, withFormula, onPage) {
    var title = highlight(hit.title, hit.terms);
    title.className = "hit-title";
    var also = hit.aliases ? " · also " + hit.aliases : "";
    var text = highlight(hit.chunk + also + " · " + hit.abstraction, hit.terms);
    text.className = "hit-text";
    var parts = [title, text];
    if (withFormula) {
      var slot = el("span", "hit-formula");
      var scroller = el("span", "hit-formula-scroll");
      if (onPage) {  // it may scroll sideways: reachable by keyboard, named
        scroller.tabIndex = 0;
        scroller.setAttribute("role", "group");
        scroller.setAttribute("aria-label", "Formula of " + hit.title);
      }
      slot.appendChild(scroller);
      withCard(hit.slug, function (data) {
        scroller.appendChild(formulaPreview(data));
        showOverflow(slot, scroller);
      });
      parts.push(slot);
    }
    return parts;
  }

  // A formula wider than its box fades out at the side where more of it is (style.css):
  // "more-end" while it goes on past the right edge, "more-start" once scrolled.
  function showOverflow(slot, scroller) {
    function update() {
      var hidden = scroller.scrollWidth - scroller.clientWidth;
      slot.classList.toggle("more-start", scroller.scrollLeft > 1);
      slot.classList.toggle("more-end", hidden - scroller.scrollLeft > 1);
    }
    scroller.addEventListener("scroll", update, { passive: true });
    if (window.ResizeObserver) new window.ResizeObserver(update).observe(scroller);
    update();
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

    withSearch(function () {});  // this file loads on first focus: fetch the index now
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") { e.preventDefault(); go(selected >= 0 ? selected : 0); }
      else if (e.key === "Escape") { input.value = ""; run(); input.blur(); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { show(false); }, 150); });
    if (input.value.trim()) run();  // typed before this file arrived
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
        var parts = hitParts(hit, true, true);
        link.appendChild(parts[0]);
        li.appendChild(link);
        parts.slice(1).forEach(function (part) { li.appendChild(part); });
        results.appendChild(li);
      });
    });
  }

  setUpSearch();
  setUpSearchPage();
})();
