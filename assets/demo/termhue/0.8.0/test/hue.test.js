'use strict';

const test = require('node:test');
const assert = require('node:assert');
const base = require('..');

const hue = base.create(true);
const plain = base.create(false);

test('single style', () => {
  assert.strictEqual(hue.red('x'), '\u001B[31mx\u001B[39m');
});

test('chained styles close in reverse order', () => {
  assert.strictEqual(hue.bold.red('x'), '\u001B[1m\u001B[31mx\u001B[39m\u001B[22m');
});

test('disabled returns the text unchanged', () => {
  assert.strictEqual(plain.red.bold('x', 'y'), 'x y');
});

test('empty text stays empty', () => {
  assert.strictEqual(hue.red(''), '');
});
