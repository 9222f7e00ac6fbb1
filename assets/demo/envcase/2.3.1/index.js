'use strict';
const { words } = require('casekit-core');
exports.toEnv = (name) => words(name).join('_').toUpperCase();
exports.toCamel = (name) => words(name).map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join('');
