'use strict';
function words(name) { return String(name).split(/[_\-\s]+|(?=[A-Z])/).filter(Boolean).map((w) => w.toLowerCase()); }
exports.toEnv = (name) => words(name).join('_').toUpperCase();
exports.toCamel = (name) => words(name).map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join('');
