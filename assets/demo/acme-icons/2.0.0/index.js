'use strict';
const icons = { check: 'M4 12l5 5L20 6', close: 'M6 6l12 12M18 6L6 18' };
exports.svg = (name, size = 24) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 24 24"><path d="${icons[name]}"/></svg>`;
