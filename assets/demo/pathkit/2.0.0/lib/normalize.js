'use strict';

// normalize resolves . and .. segments.
function normalize(p) {
  const out = [];
  for (const s of p.split('/')) {
    if (s === '..') out.pop();
    else if (s && s !== '.') out.push(s);
  }
  return (p.startsWith('/') ? '/' : '') + out.join('/');
}

module.exports = { normalize };
