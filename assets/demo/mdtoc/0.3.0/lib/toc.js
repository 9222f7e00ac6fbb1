'use strict';

const slugify = require('slugkit');

/** ATX headings ("## Title") outside fenced code blocks. */
function headings(markdown) {
  const out = [];
  let fence = null;
  for (const line of markdown.split(/\r?\n/)) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) {
        fence = f[1][0];
      } else if (f[1][0] === fence) {
        fence = null;
      }
      continue;
    }
    if (fence !== null) {
      continue;
    }
    const m = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) {
      out.push({ depth: m[1].length, text: m[2] });
    }
  }
  return out;
}

// Anchors as GitHub makes them: repeated titles get -1, -2 suffixes.
function anchorer() {
  const seen = new Map();
  return (text) => {
    const plain = text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*_]/g, '');
    const base = slugify(plain);
    const n = seen.get(base) || 0;
    seen.set(base, n + 1);
    return n === 0 ? base : base + '-' + n;
  };
}

/**
 * toc returns the Markdown list for a document's headings.
 * @param {string} markdown
 * @param {{minDepth?: number}} [options] headings above minDepth are skipped (default 2: no title)
 */
function toc(markdown, options) {
  const minDepth = (options && options.minDepth) || 2;
  const anchor = anchorer();
  const hs = headings(markdown).map((h) => Object.assign(h, { anchor: anchor(h.text) }));
  return hs
    .filter((h) => h.depth >= minDepth)
    .map((h) => '  '.repeat(h.depth - minDepth) + '- [' + h.text + '](#' + h.anchor + ')')
    .join('\n');
}

module.exports = { toc, headings };
