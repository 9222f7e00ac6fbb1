'use strict';

const { Scope, Reference } = require('./scope');

// Keys that never hold child nodes (or hold back-links), skipped by walk().
const SKIP = new Set(['type', 'loc', 'range', 'start', 'end', 'parent', 'leadingComments', 'trailingComments']);

function isNode(v) {
  return v !== null && typeof v === 'object' && typeof v.type === 'string';
}

/** Names bound by a pattern: x, {a, b: [c]}, ...rest, d = 1. */
function patternIdentifiers(pattern, out) {
  if (!pattern) {
    return out;
  }
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) {
        patternIdentifiers(p.type === 'RestElement' ? p.argument : p.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const el of pattern.elements) {
        patternIdentifiers(el, out);
      }
      break;
    case 'RestElement':
      patternIdentifiers(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      patternIdentifiers(pattern.left, out);
      break;
    default:
      // MemberExpression targets (a.b = 1) bind nothing.
      break;
  }
  return out;
}

class Referencer {
  constructor(manager, options) {
    this.manager = manager;
    this.options = options;
    this.scope = null;
  }

  open(type, block) {
    const scope = new Scope(type, block, this.scope);
    this.manager.scopes.push(scope);
    this.manager.nodeToScope.set(block, scope);
    this.scope = scope;
    return scope;
  }

  close() {
    this.scope.close();
    this.scope = this.scope.upper;
  }

  reference(id, flags, writeExpr) {
    this.scope.references.push(new Reference(id, this.scope, flags, writeExpr));
  }

  // var and function declarations belong to the nearest function scope, and
  // let/const/class to the block: declare them before walking the body so
  // uses that precede the declaration still resolve.
  hoist(body, scope) {
    for (const stmt of body) {
      this.hoistStatement(stmt, scope);
    }
  }

  hoistStatement(stmt, scope) {
    if (!stmt) {
      return;
    }
    switch (stmt.type) {
      case 'VariableDeclaration':
        for (const d of stmt.declarations) {
          const target = stmt.kind === 'var' ? scope.variableScope : scope;
          for (const id of patternIdentifiers(d.id, [])) {
            target.declare(id.name, { type: 'Variable', kind: stmt.kind, name: id, node: d });
          }
        }
        break;
      case 'FunctionDeclaration':
        if (stmt.id) {
          scope.declare(stmt.id.name, { type: 'FunctionName', name: stmt.id, node: stmt });
        }
        break;
      case 'ClassDeclaration':
        if (stmt.id) {
          scope.declare(stmt.id.name, { type: 'ClassName', name: stmt.id, node: stmt });
        }
        break;
      case 'ImportDeclaration':
        for (const spec of stmt.specifiers) {
          scope.declare(spec.local.name, { type: 'ImportBinding', name: spec.local, node: spec });
        }
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        this.hoistStatement(stmt.declaration, scope);
        break;
      default:
        // var inside nested blocks and loops still hoists to the function.
        if (scope.variableScope === scope) {
          this.hoistNestedVars(stmt, scope);
        }
    }
  }

  hoistNestedVars(node, scope) {
    if (!isNode(node) || /Function/.test(node.type)) {
      return;
    }
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      this.hoistStatement(node, scope);
      return;
    }
    for (const key of Object.keys(node)) {
      if (SKIP.has(key)) {
        continue;
      }
      const v = node[key];
      if (Array.isArray(v)) {
        v.forEach((c) => this.hoistNestedVars(c, scope));
      } else if (isNode(v)) {
        this.hoistNestedVars(v, scope);
      }
    }
  }

  walk(node) {
    if (Array.isArray(node)) {
      node.forEach((n) => this.walk(n));
      return;
    }
    if (!isNode(node)) {
      return;
    }
    const handler = this[node.type];
    if (handler) {
      handler.call(this, node);
      return;
    }
    for (const key of Object.keys(node)) {
      if (!SKIP.has(key)) {
        this.walk(node[key]);
      }
    }
  }

  Program(node) {
    const module = this.options.sourceType === 'module';
    const scope = this.open(module ? 'module' : 'global', node);
    this.hoist(node.body, scope);
    this.walk(node.body);
    this.close();
  }

  Identifier(node) {
    this.reference(node, Reference.READ);
  }

  BlockStatement(node) {
    const scope = this.open('block', node);
    this.hoist(node.body.filter((s) => s.type !== 'VariableDeclaration' || s.kind !== 'var'), scope);
    this.walk(node.body);
    this.close();
  }

  StaticBlock(node) {
    const scope = this.open('class-static-block', node);
    this.hoist(node.body, scope);
    this.walk(node.body);
    this.close();
  }

  SwitchStatement(node) {
    this.walk(node.discriminant);
    const scope = this.open('switch', node);
    for (const c of node.cases) {
      this.hoist(c.consequent.filter((s) => s.type !== 'VariableDeclaration' || s.kind !== 'var'), scope);
    }
    this.walk(node.cases);
    this.close();
  }

  ForStatement(node) {
    const lexical = node.init && node.init.type === 'VariableDeclaration' && node.init.kind !== 'var';
    if (lexical) {
      this.hoistStatement(node.init, this.open('for', node));
    }
    this.walk([node.init, node.test, node.update, node.body]);
    if (lexical) {
      this.close();
    }
  }

  ForInStatement(node) {
    const lexical = node.left.type === 'VariableDeclaration' && node.left.kind !== 'var';
    if (lexical) {
      this.hoistStatement(node.left, this.open('for', node));
    }
    if (node.left.type === 'VariableDeclaration') {
      for (const id of patternIdentifiers(node.left.declarations[0].id, [])) {
        this.reference(id, Reference.WRITE, node.right);
      }
    } else {
      this.assign(node.left, Reference.WRITE, node.right);
    }
    this.walk(node.right);
    this.walk(node.body);
    if (lexical) {
      this.close();
    }
  }

  ForOfStatement(node) {
    this.ForInStatement(node);
  }

  VariableDeclarator(node) {
    if (node.init) {
      for (const id of patternIdentifiers(node.id, [])) {
        this.reference(id, Reference.WRITE, node.init);
      }
    }
    this.walkPatternDefaults(node.id);
    this.walk(node.init);
  }

  walkPatternDefaults(pattern) {
    if (!pattern) {
      return;
    }
    switch (pattern.type) {
      case 'AssignmentPattern':
        this.walkPatternDefaults(pattern.left);
        this.walk(pattern.right);
        break;
      case 'ObjectPattern':
        for (const p of pattern.properties) {
          if (p.type === 'RestElement') {
            this.walkPatternDefaults(p.argument);
          } else {
            if (p.computed) {
              this.walk(p.key);
            }
            this.walkPatternDefaults(p.value);
          }
        }
        break;
      case 'ArrayPattern':
        pattern.elements.forEach((el) => this.walkPatternDefaults(el));
        break;
      case 'RestElement':
        this.walkPatternDefaults(pattern.argument);
        break;
      case 'MemberExpression':
        this.walk(pattern);
        break;
      default:
        break;
    }
  }

  assign(target, flags, writeExpr) {
    for (const id of patternIdentifiers(target, [])) {
      this.reference(id, flags, writeExpr);
    }
    this.walkPatternDefaults(target);
  }

  AssignmentExpression(node) {
    this.assign(node.left, node.operator === '=' ? Reference.WRITE : Reference.RW, node.right);
    this.walk(node.right);
  }

  UpdateExpression(node) {
    if (node.argument.type === 'Identifier') {
      this.reference(node.argument, Reference.RW);
    } else {
      this.walk(node.argument);
    }
  }

  MemberExpression(node) {
    this.walk(node.object);
    if (node.computed) {
      this.walk(node.property);
    }
  }

  Property(node) {
    if (node.computed) {
      this.walk(node.key);
    }
    this.walk(node.value);
  }

  MethodDefinition(node) {
    this.Property(node);
  }

  PropertyDefinition(node) {
    this.Property(node);
  }

  LabeledStatement(node) {
    this.walk(node.body);
  }

  BreakStatement() {}

  ContinueStatement() {}

  MetaProperty() {}

  ImportDeclaration() {}

  ExportSpecifier(node) {
    this.reference(node.local, Reference.READ);
  }

  ExportNamedDeclaration(node) {
    if (node.source) {
      return; // export { x } from 'y' re-exports without a local binding
    }
    this.walk(node.declaration);
    this.walk(node.specifiers);
  }

  ExportAllDeclaration() {}

  FunctionDeclaration(node) {
    this.visitFunction(node);
  }

  FunctionExpression(node) {
    // A named function expression sees its own name, but the enclosing
    // scope does not: it gets a scope of its own, as in eslint-scope.
    if (node.id) {
      this.open('function-expression-name', node);
      this.scope.declare(node.id.name, { type: 'FunctionName', name: node.id, node });
      this.visitFunction(node);
      this.close();
      return;
    }
    this.visitFunction(node);
  }

  ArrowFunctionExpression(node) {
    this.visitFunction(node);
  }

  visitFunction(node) {
    const scope = this.open('function', node);
    for (const param of node.params) {
      for (const id of patternIdentifiers(param, [])) {
        scope.declare(id.name, { type: 'Parameter', name: id, node });
      }
    }
    node.params.forEach((p) => this.walkPatternDefaults(p));
    if (node.body.type === 'BlockStatement') {
      this.hoist(node.body.body, scope);
      this.walk(node.body.body);
    } else {
      this.walk(node.body);
    }
    this.close();
  }

  ClassDeclaration(node) {
    this.visitClass(node);
  }

  ClassExpression(node) {
    this.visitClass(node);
  }

  visitClass(node) {
    this.walk(node.superClass);
    const scope = this.open('class', node);
    if (node.id) {
      scope.declare(node.id.name, { type: 'ClassName', name: node.id, node });
    }
    this.walk(node.body.body);
    this.close();
  }

  CatchClause(node) {
    const scope = this.open('catch', node);
    for (const id of patternIdentifiers(node.param, [])) {
      scope.declare(id.name, { type: 'CatchClause', name: id, node });
    }
    this.walkPatternDefaults(node.param);
    this.walk(node.body);
    this.close();
  }
}

module.exports = { Referencer, patternIdentifiers };
