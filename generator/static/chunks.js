// Chunks: the innermost chunk under the pointer shows its name in a card below the
// formula (one card per entry the formula names) and lights every chunk naming that
// entry; hovering or focusing an item of the chunk tree lights them too;
// on touch the first tap shows the name and the second follows the link;
// nested chunks (spans with data-href) become links; formulas fold to their chunks,
// with the folded state in the URL fragment (#fold=0:all,2:3).
// Markup: generator/chunk_html.py. Without JavaScript cards still show (chunk-cards.css,
// which only a <noscript> loads), top-level chunks and the chunk tree still link, and
// formulas stay unfolded.
(function () {
  "use strict";
  document.documentElement.classList.add("js-chunks");

  var CHUNK = ".chunked .chunk[data-chunk]";
  var TREE_MARK = ".chunk-tree .chunk-link, .chunk-tree .fold-one";
  var shown = null; // {formula, key}
  var lastPointer = "mouse";

  function closest(node, selector) {
    return node && node.closest ? node.closest(selector) : null;
  }

  function formulaOf(el) {
    return closest(el, ".chunked");
  }

  function part(formula, selector) {
    return formula.querySelector(":scope > .chunk-stage > " + selector);
  }

  // --- name cards ------------------------------------------------------------------------
  // One card per target: its data-chunks lists the target's chunks ("1 3"). A box shows
  // the card and lights every chunk of its target. A tree link lights every chunk of its
  // target and a fold button the chunk it folds, with no card: the card would hang over
  // the tree, and the link names the entry already (with glossary.js's card beside it).
  function show(formula, key, indices, card) {
    if (shown && shown.formula === formula && shown.key === key) return;
    hide();
    if (card) {
      card.classList.add("is-shown");
      keepInView(formula, card);
    }
    indices.forEach(function (i) {
      formula.querySelectorAll('.fold-view .chunk[data-chunk="' + i + '"]').forEach(function (el) {
        el.classList.add("is-active");
      });
    });
    shown = { formula: formula, key: key };
  }

  function showChunk(chunk) {
    var formula = formulaOf(chunk);
    var index = chunk.getAttribute("data-chunk");
    var card = part(formula, '.chunk-cards > .chunk-card[data-chunks~="' + index + '"]');
    if (card) show(formula, index, card.getAttribute("data-chunks").split(" "), card);
  }

  function showTreeMark(mark, focused) {
    var indices = mark.classList.contains("fold-one") ? [mark.getAttribute("data-fold-to")]
      : mark.getAttribute("data-chunks").split(" ");
    show(formulaOf(mark), "tree " + indices.join(" "), indices, null);
    if (focused) reveal(formulaOf(mark), indices[0]);
  }

  // A formula wider than the screen scrolls sideways: bring a chunk the keyboard reached
  // into view (the page itself does not move: the focused item stays where it is).
  function reveal(formula, index) {
    var scroll = part(formula, ".chunk-scroll");
    var box = scroll.querySelector('.fold-view:not([hidden]) .chunk[data-chunk="' + index + '"]');
    if (!box) return;
    var room = scroll.getBoundingClientRect();
    var at = box.getBoundingClientRect();
    if (at.left < room.left || at.right > room.right) {
      scroll.scrollLeft += at.left - room.left - Math.max(0, (room.width - at.width) / 2);
    }
  }

  function hide() {
    if (!shown) return;
    shown.formula.querySelectorAll(".is-shown, .is-active").forEach(function (el) {
      el.classList.remove("is-shown", "is-active");
    });
    shown = null;
  }

  function keepInView(formula, card) {
    card.style.marginLeft = "";
    if (!formula.classList.contains("chunked-inline")) return; // display: the card is as wide as the box
    var box = card.getBoundingClientRect();
    var over = box.right - (document.documentElement.clientWidth - 8);
    if (over > 0) card.style.marginLeft = -Math.min(over, Math.max(0, box.left - 8)) + "px";
  }

  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType; }, true);

  document.addEventListener("pointerover", function (e) {
    if (e.pointerType === "touch") return;
    var chunk = closest(e.target, CHUNK); // the innermost chunk under the pointer
    var mark = chunk ? null : closest(e.target, TREE_MARK);
    if (chunk) showChunk(chunk);
    else if (mark) showTreeMark(mark);
  });

  document.addEventListener("pointerout", function (e) {
    var marks = CHUNK + ", " + TREE_MARK;
    if (e.pointerType === "touch" || !closest(e.target, marks)) return;
    if (!closest(e.relatedTarget, marks)) hide();
  });

  document.addEventListener("click", function (e) {
    var chunk = closest(e.target, CHUNK);
    if (!chunk) {
      if (lastPointer === "touch" && !closest(e.target, ".chunk-tree")) hide();
      return;
    }
    var formula = formulaOf(chunk);
    var index = chunk.getAttribute("data-chunk");
    var named = shown && shown.formula === formula && shown.key === index;
    if (lastPointer === "touch" && !named) {
      e.preventDefault(); // first tap: the name; the second tap follows the link
      showChunk(chunk);
      return;
    }
    if (chunk.tagName === "A") return; // the browser follows it (new tab with a modifier too)
    var href = chunk.getAttribute("data-href");
    if (!href) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey || e.shiftKey) window.open(href, "_blank", "noopener");
    else window.location.href = href;
  });

  document.addEventListener("focusin", function (e) {
    var mark = closest(e.target, TREE_MARK);
    if (mark) showTreeMark(mark, true);
  });

  document.addEventListener("focusout", function (e) {
    if (closest(e.target, TREE_MARK)) hide();
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") hide();
  });

  // --- folding ---------------------------------------------------------------------------
  var foldable = [].slice.call(document.querySelectorAll(".chunked-display")).filter(function (f) {
    return f.querySelectorAll(":scope > .chunk-stage > .chunk-scroll > .fold-view").length > 1;
  });

  function views(formula) {
    return formula.querySelectorAll(":scope > .chunk-stage > .chunk-scroll > .fold-view");
  }

  // Folded views arrive on demand from folds/<slug>.js (a <script>, so file:// works too).
  var foldWaiters = null;

  function loadFolds(done) {
    if (!document.querySelector(".fold-view[data-deferred]")) { done(); return; }
    if (foldWaiters) { foldWaiters.push(done); return; }
    foldWaiters = [done];
    var article = document.querySelector("article[data-slug]");
    var slug = article ? article.getAttribute("data-slug") : "";
    var script = document.createElement("script");
    script.src = (document.body.getAttribute("data-root") || "") + "folds/" + slug + ".js";
    script.onload = script.onerror = function () {
      var data = (window.GLOSSARY_FOLDS || {})[slug] || {};
      document.querySelectorAll(".fold-view[data-deferred]").forEach(function (view) {
        var formula = formulaOf(view);
        var views = data[formula ? formula.getAttribute("data-formula") : ""] || {};
        var html = views[view.getAttribute("data-fold")];
        if (html === undefined) return;
        view.innerHTML = html; // our own KaTeX output, rendered at build time
        view.removeAttribute("data-deferred");
      });
      var waiting = foldWaiters;
      foldWaiters = null;
      waiting.forEach(function (fn) { fn(); });
    };
    document.head.appendChild(script);
  }
  window.glossaryLoadFolds = function () { return new Promise(loadFolds); };

  // then: called once the view shows (a folded view may first have to load).
  function setFold(formula, key, then) {
    var exists = [].some.call(views(formula), function (v) { return v.getAttribute("data-fold") === key; });
    if (!exists) key = "";
    var target = [].filter.call(views(formula), function (v) { return v.getAttribute("data-fold") === key; })[0];
    if (target && target.hasAttribute("data-deferred")) {
      loadFolds(function () {
        if (!target.hasAttribute("data-deferred")) setFold(formula, key, then);
      });
      return;
    }
    hide();
    views(formula).forEach(function (v) { v.hidden = v.getAttribute("data-fold") !== key; });
    formula.setAttribute("data-folded", key);
    formula.querySelectorAll("button[data-fold-to]").forEach(function (b) {
      var to = b.getAttribute("data-fold-to");
      b.setAttribute("aria-pressed", String(to !== "" && to === key));
    });
    var unfold = formula.querySelector(".fold-controls .fold-none");
    if (unfold) unfold.disabled = key === "";
    if (then) then();
  }

  function button(text, to, className, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.className = className;
    b.setAttribute("data-fold-to", to);
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  function addControls(formula) {
    var bar = document.createElement("div");
    bar.className = "fold-controls";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Fold this formula");
    bar.appendChild(button("Fold to chunks", "all", "fold-all"));
    bar.appendChild(button("Unfold", "", "fold-none"));
    formula.insertBefore(bar, formula.firstChild);
    // A tree item stands for every chunk of its target: one fold button per chunk.
    formula.querySelectorAll(":scope > .chunk-tree li > .chunk-link").forEach(function (link) {
      var item = link.parentNode;
      var indices = link.getAttribute("data-chunks").split(" ");
      var after = item.querySelector(":scope > .chunk-count") ||
        item.querySelector(":scope > .chunk-said") || link;
      indices.forEach(function (index, n) {
        var place = indices.length > 1 ? " " + (n + 1) : "";
        var label = "Fold" + place + (place ? " of " + indices.length + ": " : " ") + link.textContent;
        var toggle = button("fold" + place, index, "fold-one", label);
        item.insertBefore(toggle, after.nextSibling);
        after = toggle;
      });
    });
    formula.addEventListener("click", function (e) {
      var b = closest(e.target, "button[data-fold-to]");
      if (!b || formulaOf(b) !== formula) return;
      var to = b.getAttribute("data-fold-to");
      var current = formula.getAttribute("data-folded") || "";
      setFold(formula, b.classList.contains("fold-one") && current === to ? "" : to, writeFragment);
    });
  }

  function readFragment() {
    var state = {};
    var match = /^#fold=([0-9a-z:,]*)$/.exec(window.location.hash);
    if (match) {
      match[1].split(",").forEach(function (pair) {
        var bits = pair.split(":");
        if (bits.length === 2) state[bits[0]] = bits[1];
      });
    }
    return state;
  }

  function writeFragment() {
    var pairs = foldable.map(function (f) {
      var key = f.getAttribute("data-folded") || "";
      return key ? f.getAttribute("data-formula") + ":" + key : "";
    }).filter(Boolean);
    var hash = pairs.length ? "#fold=" + pairs.join(",") : "";
    if (!hash && !/^#fold=/.test(window.location.hash)) return;
    var url = window.location.href.split("#")[0] + hash;
    try {
      window.history.replaceState(null, "", url);
    } catch (err) { // some browsers refuse it on file://
      window.location.hash = hash || "#";
    }
  }

  function applyFragment() {
    var state = readFragment();
    foldable.forEach(function (f) { setFold(f, state[f.getAttribute("data-formula")] || ""); });
  }

  foldable.forEach(addControls);
  applyFragment();
  window.addEventListener("hashchange", applyFragment);
})();
