'use strict';

// normalize resolves . and .. segments; an empty path is '.'.
function normalize(p) {
  const out = [];
  for (const s of p.split('/')) {
    if (s === '..') out.pop();
    else if (s && s !== '.') out.push(s);
  }
  if (p === '') return '.';
  return (p.startsWith('/') ? '/' : '') + out.join('/');
}

module.exports = { normalize };
