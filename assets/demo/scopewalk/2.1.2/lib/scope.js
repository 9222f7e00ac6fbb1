'use strict';

/** A name declared in a scope, with every place that declares it. */
class Variable {
  constructor(name, scope) {
    this.name = name;
    this.scope = scope;
    /** @type {Array<{type: string, name: object, node: object}>} */
    this.defs = [];
    /** @type {Reference[]} */
    this.references = [];
  }
}

/** One use of an identifier: a read, a write, or both (x += 1). */
class Reference {
  constructor(identifier, from, flags, writeExpr) {
    this.identifier = identifier;
    this.from = from;
    this.flags = flags;
    this.writeExpr = writeExpr || null;
    /** @type {Variable|null} null when the name is an implicit global */
    this.resolved = null;
  }

  isRead() {
    return (this.flags & Reference.READ) !== 0;
  }

  isWrite() {
    return (this.flags & Reference.WRITE) !== 0;
  }
}
Reference.READ = 1;
Reference.WRITE = 2;
Reference.RW = 3;

class Scope {
  constructor(type, block, upper) {
    this.type = type;
    this.block = block;
    this.upper = upper;
    this.childScopes = [];
    /** @type {Map<string, Variable>} */
    this.set = new Map();
    /** @type {Variable[]} */
    this.variables = [];
    /** References made directly in this scope. */
    this.references = [];
    /** References this scope could not resolve and passes to its parent. */
    this.through = [];
    // Unresolved references handed up by child scopes, resolved on close().
    this.pending = [];
    this.variableScope = type === 'function' || type === 'global' || type === 'module' ? this : upper.variableScope;
    if (upper) {
      upper.childScopes.push(this);
    }
  }

  declare(name, def) {
    let v = this.set.get(name);
    if (!v) {
      v = new Variable(name, this);
      this.set.set(name, v);
      this.variables.push(v);
    }
    v.defs.push(def);
    return v;
  }

  // Resolution happens when the scope closes, so that hoisted declarations
  // that appear after a use (function f() {} at the bottom) are found.
  close() {
    for (const ref of this.references.concat(this.pending)) {
      const v = this.set.get(ref.identifier.name);
      if (v) {
        ref.resolved = v;
        v.references.push(ref);
        continue;
      }
      this.through.push(ref);
      if (this.upper) {
        this.upper.pending.push(ref);
      }
    }
    this.pending = [];
  }
}

module.exports = { Scope, Variable, Reference };
