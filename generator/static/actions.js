// Parameter sweeps (issue 14): each control picks a value; the chosen combination's
// pre-rendered output (listed in the page for readers without JavaScript) is copied
// over the default's. No data is fetched, so this works from file:// too.
(function () {
  "use strict";

  function combinationOf(controls) {
    return controls.map(function (c) { return c.value; }).join("-");
  }

  function show(entry, controls) {
    var id = combinationOf(controls);
    var variant = entry.querySelector('.sweep-variant[data-combination="' + id + '"]');
    if (!variant) return;
    entry.querySelectorAll(".sweep-out[data-sweep-block]").forEach(function (out) {
      var block = out.getAttribute("data-sweep-block");
      var source = variant.querySelector('[data-sweep-block="' + block + '"]');
      if (!source) return;
      out.replaceChildren.apply(out, Array.prototype.map.call(source.childNodes, function (node) {
        return node.cloneNode(true);
      }));
      out.querySelectorAll("img").forEach(function (img) { img.loading = "eager"; });
    });
    entry.setAttribute("data-sweep-shown", id);
  }

  function highlight(control, on) {
    var name = control.getAttribute("data-symbol");
    if (!name) return;
    document.querySelectorAll(".formula-math ." + name).forEach(function (el) {
      el.classList.toggle("param-active", on);
    });
  }

  function setUp(panel) {
    var entry = panel.closest("article") || document;
    var controls = Array.prototype.slice.call(panel.querySelectorAll("[data-param]"));
    controls.forEach(function (control) {
      control.addEventListener("input", function () {
        if (control.type === "range") {
          var label = control.getAttribute("data-labels").split("|")[Number(control.value)];
          control.nextElementSibling.textContent = label;
          control.setAttribute("aria-valuetext", label);
        }
        highlight(control, true);
        show(entry, controls);
      });
      ["pointerdown", "focus"].forEach(function (type) {
        control.addEventListener(type, function () { highlight(control, true); });
      });
      ["pointerup", "blur", "change"].forEach(function (type) {
        control.addEventListener(type, function () { highlight(control, false); });
      });
    });
    panel.hidden = false;
  }

  document.querySelectorAll(".sweep-controls[data-sweep]").forEach(setUp);
})();
