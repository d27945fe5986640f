// Render a batch of formulas with KaTeX in one process.
// stdin: {"katex": dir, "macros": "...", "items": [{"tex": "...", "display": true}, ...]}
// stdout: {"macros_error": null | {...}, "results": [{"html": "..."} | {"error": {...}}, ...]}
"use strict";

const GLOSSARY_MACROS = {
  // \chunk{slug}{tex}: a named sub-expression; the generator turns it into a link.
  "\\chunk": "\\htmlData{chunk=#1}{#2}",
  // \fade{tex}: a part the reader should look past.
  "\\fade": "\\htmlClass{fade}{#1}",
};

function readStdin() {
  const chunks = [];
  const fs = require("fs");
  let size;
  const buffer = Buffer.alloc(1 << 16);
  while ((size = fs.readSync(0, buffer, 0, buffer.length, null)) > 0) {
    chunks.push(Buffer.from(buffer.subarray(0, size)));
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function options(katex, macros, display, log) {
  return {
    displayMode: display,
    output: "htmlAndMathml",
    throwOnError: true,
    // KaTeX writes \gdef results into the macros object: give each formula a copy.
    macros: Object.assign({}, macros),
    trust: (context) => {
      const ok =
        (context.command === "\\htmlData" && Object.keys(context.attributes || {}).every((k) => k === "data-chunk")) ||
        (context.command === "\\htmlClass" && (context.class === "fade" || /^param-[A-Za-z_][A-Za-z0-9_]*$/.test(context.class)));
      if (!ok) log.refused.push(context.command);
      return ok;
    },
    strict: (code, message) => {
      if (code !== "htmlExtension") log.warnings.push(message);
      return "ignore";
    },
  };
}

// A chunk gets a strut as tall and deep as KaTeX measured its content (as KaTeX's own
// .base does): with line-height 0 on the chunk, its box is then the content's box,
// however tall, and a nested chunk's box stays inside the room KaTeX gave it.
function addChunkStruts(katex, node) {
  if (!node || !Array.isArray(node.children)) return;
  node.children.forEach((child) => addChunkStruts(katex, child));
  if (node.attributes && node.attributes["data-chunk"] !== undefined) {
    const strut = new katex.__domTree.Span(["chunk-strut"], []);
    const height = Math.max(0, node.height || 0), depth = Math.max(0, node.depth || 0);
    strut.style = { height: `${(height + depth).toFixed(4)}em`, verticalAlign: `${(-depth).toFixed(4)}em` };
    node.children.unshift(strut);
  }
}

function render(katex, tex, opts) {
  const tree = katex.__renderToDomTree(tex, opts);
  addChunkStruts(katex, tree);
  return tree.toMarkup();
}

function errorOf(err, tex) {
  if (err && err.name === "ParseError") {
    return { kind: "parse", message: err.rawMessage || err.message, position: err.position ?? null };
  }
  return { kind: "internal", message: String(err && err.message ? err.message : err), position: null };
}

function main() {
  const request = readStdin();
  const katex = require(request.katex);
  const macros = Object.assign({}, GLOSSARY_MACROS);
  let macrosError = null;
  if (request.macros && request.macros.trim()) {
    try {
      const log = { refused: [], warnings: [] };
      const opts = options(katex, {}, false, log);
      opts.macros = macros;
      opts.globalGroup = true;
      katex.renderToString(request.macros, opts);
      if (log.refused.length) macrosError = { kind: "refused", message: log.refused.join(" "), position: null };
    } catch (err) {
      macrosError = errorOf(err, request.macros);
    }
  }
  const results = request.items.map((item) => {
    const log = { refused: [], warnings: [] };
    try {
      const html = render(katex, item.tex, options(katex, macros, item.display, log));
      if (log.refused.length) return { error: { kind: "refused", message: log.refused.join(" "), position: null } };
      return { html, warnings: log.warnings };
    } catch (err) {
      return { error: errorOf(err, item.tex) };
    }
  });
  process.stdout.write(JSON.stringify({ version: katex.version, macros_error: macrosError, results }));
}

main();
