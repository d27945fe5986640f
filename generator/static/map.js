// The concept map: hovering or focusing an entry highlights its neighbourhood; a filter
// by tag, road and relation kind. Loaded by the map and family pages only; the map is a
// plain SVG of links without it.
(function () {
  "use strict";
  function setUpMap() {
    var svg = document.querySelector("svg.concept-map");
    if (!svg) return;
    var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge[data-from]"));
    var nodes = Array.prototype.slice.call(svg.querySelectorAll(".map-node"));
    function focus(slug) {
      var near = {};
      near[slug] = true;
      edges.forEach(function (edge) {
        var on = !edge.classList.contains("filtered") &&
          (edge.getAttribute("data-from") === slug || edge.getAttribute("data-to") === slug);
        edge.classList.toggle("near", on);
        if (on) { near[edge.getAttribute("data-from")] = true; near[edge.getAttribute("data-to")] = true; }
      });
      nodes.forEach(function (node) { node.classList.toggle("near", !!near[node.getAttribute("data-entry")]); });
      svg.classList.add("focused");
    }
    function blur() { svg.classList.remove("focused"); }
    nodes.forEach(function (node) {
      node.addEventListener("mouseenter", function () { focus(node.getAttribute("data-entry")); });
      node.addEventListener("focus", function () { focus(node.getAttribute("data-entry")); });
      node.addEventListener("mouseleave", blur);
      node.addEventListener("blur", blur);
    });
    var form = document.querySelector(".map-filter");
    if (!form) return;
    form.hidden = false;
    function apply() {
      var tag = form.elements.tag.value;
      var road = form.elements.road.value;
      var kinds = {};
      form.querySelectorAll("input[name=kind]").forEach(function (box) { kinds[box.value] = box.checked; });
      var shown = {};
      nodes.forEach(function (node) {
        var tags = (node.getAttribute("data-tags") || "").split("|");
        var ok = (!tag || tags.indexOf(tag) >= 0) && (!road || node.getAttribute("data-road") === road);
        node.classList.toggle("filtered", !ok);
        shown[node.getAttribute("data-entry")] = ok;
      });
      edges.forEach(function (edge) {
        var ok = kinds[edge.getAttribute("data-kind")] !== false &&
          shown[edge.getAttribute("data-from")] && shown[edge.getAttribute("data-to")];
        edge.classList.toggle("filtered", !ok);
      });
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  setUpMap();
})();
