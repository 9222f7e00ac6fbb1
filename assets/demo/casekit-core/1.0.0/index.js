'use strict';
exports.words = (name) => String(name).split(/[_\-\s]+|(?=[A-Z])/).filter(Boolean).map((w) => w.toLowerCase());
