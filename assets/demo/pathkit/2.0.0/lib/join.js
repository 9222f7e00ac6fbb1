'use strict';

// join joins path segments with a single slash.
function join(...parts) {
  return parts.filter(Boolean).join('/').replace(/\/+/g, '/');
}

module.exports = { join };
