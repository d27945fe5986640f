// "Appears inside": the formulas of other entries holding this one, its part lit. The page
// names each holder and the chunks to light (data-holder, data-lit); the formula itself
// comes from the holder's hover card (cards/<slug>.js, through glossary.js), so each
// formula is shipped once for the whole site. This file and the formulas load only when
// the section nears the viewport (glossary.js, setUpAppearances). Markup:
// templates/_appears_in.html. Without JavaScript the captions still name and link every holder.
(function () {
  "use strict";

  // The card's formula has every chunk lit and marked (data-chunk); keep only ours lit.
  function litFormula(html, lit) {
    var holder = document.createElement("div");
    holder.innerHTML = html; // our own KaTeX output, rendered at build time
    holder.querySelectorAll(".chunk[data-chunk]").forEach(function (chunk) {
      if (lit.indexOf(chunk.getAttribute("data-chunk")) >= 0) {
        chunk.removeAttribute("data-chunk");
        return;
      }
      while (chunk.firstChild) chunk.parentNode.insertBefore(chunk.firstChild, chunk);
      chunk.parentNode.removeChild(chunk);
    });
    return holder;
  }

  function draw(link) {
    var lit = (link.getAttribute("data-lit") || "").split(" ").filter(Boolean);
    return new Promise(function (done) {
      window.glossary.withCard(link.getAttribute("data-holder"), function (card) {
        if (link.hasAttribute("data-deferred")) {
          var formula = litFormula(card.formula, lit);
          while (formula.firstChild) link.appendChild(formula.firstChild);
          link.removeAttribute("data-deferred");
        }
        done();
      });
    });
  }

  function drawAll() {
    var links = document.querySelectorAll(".appearance-formula[data-deferred][data-holder]");
    return Promise.all([].map.call(links, draw));
  }
  // glossary.js loads this file when the section nears the viewport, and then draws.
  window.glossaryDrawAppearances = drawAll;
})();
