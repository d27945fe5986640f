// Parameter sweeps (issue 14): each control picks a value; the chosen combination's
// pre-rendered output is copied over the default's. The outputs come from
// sweeps/<slug>.js, loaded the first time the reader reaches for a control (a script
// that assigns data, so it works from file:// and under the CSP); readers without
// JavaScript follow the links to sweeps/<slug>.html, which lists them all.
(function () {
  "use strict";

  var loading = {};

  function load(slug, done) {
    var data = (window.GLOSSARY_SWEEPS || {})[slug];
    if (data) { done(data); return; }
    if (loading[slug]) { loading[slug].push(done); return; }
    loading[slug] = [done];
    var script = document.createElement("script");
    script.src = (document.body.getAttribute("data-root") || "") + "sweeps/" + slug + ".js";
    script.onload = script.onerror = function () {
      var waiting = loading[slug];
      loading[slug] = undefined;
      var found = (window.GLOSSARY_SWEEPS || {})[slug];
      if (found) waiting.forEach(function (fn) { fn(found); });
    };
    document.head.appendChild(script);
  }

  function combinationOf(controls) {
    return controls.map(function (c) { return c.value; }).join("-");
  }

  function show(entry, slug, controls) {
    var id = combinationOf(controls);
    load(slug, function (data) {
      if (combinationOf(controls) !== id || !data[id]) return; // the reader moved on
      entry.querySelectorAll(".sweep-out[data-sweep-block]").forEach(function (out) {
        var html = data[id][out.getAttribute("data-sweep-block")];
        if (html === undefined) return;
        out.innerHTML = html; // our own output HTML, escaped at build time
        out.querySelectorAll("img").forEach(function (img) { img.loading = "eager"; });
      });
      entry.setAttribute("data-sweep-shown", id);
    });
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
    var slug = panel.getAttribute("data-sweep");
    var controls = Array.prototype.slice.call(panel.querySelectorAll("[data-param]"));
    controls.forEach(function (control) {
      control.addEventListener("input", function () {
        if (control.type === "range") {
          var label = control.getAttribute("data-labels").split("|")[Number(control.value)];
          control.nextElementSibling.textContent = label;
          control.setAttribute("aria-valuetext", label);
        }
        highlight(control, true);
        show(entry, slug, controls);
      });
      ["pointerdown", "focus"].forEach(function (type) {
        control.addEventListener(type, function () {
          highlight(control, true);
          load(slug, function () {});
        });
      });
      ["pointerup", "blur", "change"].forEach(function (type) {
        control.addEventListener(type, function () { highlight(control, false); });
      });
    });
    panel.hidden = false;
  }

  document.querySelectorAll(".sweep-controls[data-sweep]").forEach(setUp);
})();
