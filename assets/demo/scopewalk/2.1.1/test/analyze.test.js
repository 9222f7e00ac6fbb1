'use strict';

const test = require('node:test');
const assert = require('node:assert');
const acorn = require('acorn');
const { analyze } = require('..');

function scopes(code, sourceType) {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: sourceType || 'script' });
  return { ast, sm: analyze(ast) };
}

function names(scope) {
  return scope.variables.map((v) => v.name);
}

test('var hoists to the function, let stays in the block', () => {
  const { sm } = scopes('function f() { if (x) { var a = 1; let b = 2; } return a; }');
  const fn = sm.scopes.find((s) => s.type === 'function');
  assert.deepStrictEqual(names(fn), ['a']);
  const block = sm.scopes.filter((s) => s.type === 'block').pop();
  assert.deepStrictEqual(names(block), ['b']);
});

test('references resolve through hoisting', () => {
  const { sm } = scopes('g(); function g() {}');
  const g = sm.globalScope.set.get('g');
  assert.strictEqual(g.references.length, 1);
  assert.strictEqual(g.references[0].isRead(), true);
});

test('implicit globals stay in through', () => {
  const { sm } = scopes('function f() { return window.location + y; }');
  assert.deepStrictEqual(sm.globalScope.through.map((r) => r.identifier.name), ['window', 'y']);
});

test('writes and read-writes', () => {
  const { sm } = scopes('let n = 0; n += 1; n++; ({ a: n } = o);');
  const refs = sm.globalScope.set.get('n').references;
  assert.deepStrictEqual(refs.map((r) => [r.isRead(), r.isWrite()]), [
    [false, true], [true, true], [true, true], [false, true]
  ]);
});

test('property keys are not references', () => {
  const { sm } = scopes('const o = { k: 1 }; o.k; o[k2];');
  assert.deepStrictEqual(sm.globalScope.through.map((r) => r.identifier.name), ['k2']);
});

test('named function expressions see their own name only', () => {
  const { sm } = scopes('const h = function fact(n) { return n ? n * fact(n - 1) : 1; }; fact;');
  assert.ok(sm.scopes.some((s) => s.type === 'function-expression-name' && s.set.has('fact')));
  assert.deepStrictEqual(sm.globalScope.through.map((r) => r.identifier.name), ['fact']);
});

test('class scope and acquire()', () => {
  const { ast, sm } = scopes('class A extends B { m() { return A; } }');
  const cls = sm.acquire(ast.body[0]);
  assert.strictEqual(cls.type, 'class');
  assert.strictEqual(cls.set.get('A').references.length, 1);
  assert.deepStrictEqual(sm.globalScope.through.map((r) => r.identifier.name), ['B']);
});

test('catch parameters belong to the catch scope', () => {
  const { sm } = scopes('function f() { try { g(); } catch (err) { return err; } return err; }');
  const fn = sm.scopes.find((s) => s.type === 'function');
  assert.deepStrictEqual(names(fn), []);
  const c = sm.scopes.find((s) => s.type === 'catch');
  assert.deepStrictEqual(names(c), ['err']);
  assert.strictEqual(c.set.get('err').references.length, 1);
  assert.deepStrictEqual(sm.globalScope.through.map((r) => r.identifier.name).sort(), ['err', 'g']);
});

test('modules bind imports in the module scope', () => {
  const { sm } = scopes('import x, { y as z } from "m"; export { z }; x();', 'module');
  assert.strictEqual(sm.globalScope.type, 'module');
  assert.deepStrictEqual(names(sm.globalScope), ['x', 'z']);
  assert.strictEqual(sm.globalScope.through.length, 0);
});

test('rejects non-Program input', () => {
  assert.throws(() => analyze({ type: 'Identifier', name: 'x' }), TypeError);
});
