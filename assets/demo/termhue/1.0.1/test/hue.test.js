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

test('nested colours re-open the outer one', () => {
  const out = hue.red('a ' + hue.blue('b') + ' c');
  assert.strictEqual(out, '\u001B[31ma \u001B[34mb\u001B[39m\u001B[31m c\u001B[39m');
});

test('background and bright colours', () => {
  assert.strictEqual(hue.bgRed.whiteBright('!'), '\u001B[41m\u001B[97m!\u001B[39m\u001B[49m');
});

test('hex and rgb colours', () => {
  assert.strictEqual(hue.hex('#f80')('x'), '\u001B[38;2;255;136;0mx\u001B[39m');
  assert.strictEqual(hue.bold.rgb(0, 300, -4)('x'), '\u001B[1m\u001B[38;2;0;255;0mx\u001B[39m\u001B[22m');
  assert.throws(() => hue.hex('orange'), TypeError);
});
