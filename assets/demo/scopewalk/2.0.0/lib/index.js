'use strict';

const { Referencer } = require('./referencer');
const { Scope, Variable, Reference } = require('./scope');

/** The result of analyze(): every scope, in the order they were opened. */
class ScopeManager {
  constructor() {
    /** @type {Scope[]} */
    this.scopes = [];
  }

  get globalScope() {
    return this.scopes[0] || null;
  }
}

/**
 * analyze builds the scope tree of an ESTree Program.
 *
 * @param {object} ast a Program node (from acorn, espree, babel with estree...)
 * @param {{sourceType?: 'script'|'module'}} [options]
 * @returns {ScopeManager}
 */
function analyze(ast, options) {
  if (!ast || ast.type !== 'Program') {
    throw new TypeError('scopewalk: analyze() expects a Program node');
  }
  const manager = new ScopeManager();
  new Referencer(manager, Object.assign({ sourceType: ast.sourceType || 'script' }, options)).walk(ast);
  return manager;
}

module.exports = { analyze, ScopeManager, Scope, Variable, Reference, version: require('../package.json').version };
