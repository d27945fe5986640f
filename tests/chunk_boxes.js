() => {
  document.querySelectorAll('.fold-view[hidden]').forEach(v => { v.hidden = false; });
  const tol = 1, bad = [];
  let chunks = 0, glyphs = 0;
  const within = (inner, outer) => inner.left >= outer.left - tol && inner.right <= outer.right + tol &&
      inner.top >= outer.top - tol && inner.bottom <= outer.bottom + tol;
  const ctx = document.createElement('canvas').getContext('2d');
  // A glyph's box is its ink: a text range gives the font's ascent-descent box, taller
  // than the ink, so measure the ink with canvas and place it at the text's baseline.
  const ink = (node, r) => {
    const cs = getComputedStyle(node.parentElement);
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const m = ctx.measureText(node.textContent);
    const baseline = r.top + m.fontBoundingBoxAscent;
    return {left: r.left - m.actualBoundingBoxLeft, right: r.left + m.actualBoundingBoxRight,
            top: baseline - m.actualBoundingBoxAscent, bottom: baseline + m.actualBoundingBoxDescent};
  };
  const marks = el => {
    const boxes = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim() || node.parentElement.closest('.katex-mathml')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect(); if (r.width && r.height) boxes.push([ink(node, r), node.textContent]);
    }
    for (const e of el.querySelectorAll('svg, .frac-line, .overline-line, .underline-line, .hline, .rule')) {
      const r = e.getBoundingClientRect();
      if (r.width && r.height) boxes.push([r, e.className.baseVal ?? e.className]);
    }
    return boxes;
  };
  for (const chunk of document.querySelectorAll('.katex .chunk')) {
    chunks++;
    const box = chunk.getBoundingClientRect();
    for (const [r, what] of marks(chunk)) {
      glyphs++;
      if (!within(r, box)) bad.push({chunk: chunk.dataset.chunk, what, glyph: [r.left, r.top, r.right, r.bottom].map(Math.round), box: [box.left, box.top, box.right, box.bottom].map(Math.round)});
    }
    const parent = chunk.parentElement.closest('.chunk');
    if (parent && !within(box, parent.getBoundingClientRect())) {const pb = parent.getBoundingClientRect(); bad.push({chunk: chunk.dataset.chunk, what: 'nested', glyph: [box.left, box.top, box.right, box.bottom].map(Math.round), box: [pb.left, pb.top, pb.right, pb.bottom].map(Math.round)});};
  }
  return {chunks, glyphs, bad: bad.slice(0, 20), nbad: bad.length};
}
