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
});

test('rejects non-strings', () => {
	assert.throws(() => slugify(42), TypeError);
});

test('lower: false keeps case', () => {
	assert.strictEqual(slugify('Hello World', { lower: false }), 'Hello-World');
});
