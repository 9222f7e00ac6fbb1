'use strict';

const test = require('node:test');
const assert = require('node:assert');
const slugify = require('..');

test('basic titles', () => {
	assert.strictEqual(slugify('Hello World'), 'hello-world');
	assert.strictEqual(slugify('  Hello,   World!  '), 'hello-world');
});

test('diacritics and special letters', () => {
	assert.strictEqual(slugify('Héllo Wörld'), 'hello-world');
	assert.strictEqual(slugify('Straße in Łódź'), 'strasse-in-lodz');
});

test('custom separator', () => {
	assert.strictEqual(slugify('Hello World', { separator: '_' }), 'hello_world');
	assert.strictEqual(slugify('--Hello World--', { separator: '--' }), 'hello--world');
});

test('separators with RegExp metacharacters (#14)', () => {
	assert.strictEqual(slugify('Hello World', { separator: '.' }), 'hello.world');
	assert.strictEqual(slugify('  Hello World  ', { separator: '+' }), 'hello+world');
	assert.strictEqual(slugify('a*b', { separator: '*' }), 'a*b');
});

test('rejects non-strings', () => {
	assert.throws(() => slugify(42), TypeError);
});

test('lower: false keeps case', () => {
	assert.strictEqual(slugify('Hello World', { lower: false }), 'Hello-World');
});

test('symbols become words', () => {
	assert.strictEqual(slugify('Tom & Jerry'), 'tom-and-jerry');
	assert.strictEqual(slugify('100% cotton'), '100-percent-cotton');
	assert.strictEqual(slugify('Tom & Jerry', { replacements: [] }), 'tom-jerry');
});
