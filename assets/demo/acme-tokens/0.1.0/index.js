'use strict';

const tokens = require('./tokens.json');

/**
 * cssVariables flattens the tokens into custom properties:
 * { color: { brand: { 500: '#1f77b4' } } } -> '--acme-color-brand-500: #1f77b4;'
 */
function cssVariables(prefix) {
  const out = [];
  const walk = (node, path) => {
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (v !== null && typeof v === 'object') {
        walk(v, path.concat(key));
      } else {
        out.push('--' + path.concat(key).join('-') + ': ' + v + ';');
      }
    }
  };
  walk(tokens, [prefix || 'acme']);
  return out.join('\n');
}

module.exports = Object.assign({}, tokens, { tokens, cssVariables });
