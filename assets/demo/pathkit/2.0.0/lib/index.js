'use strict';
const { join } = require('./join');
const { normalize } = require('./normalize');

module.exports = { join, normalize };
