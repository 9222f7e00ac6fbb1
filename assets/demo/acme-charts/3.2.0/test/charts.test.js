'use strict';

// Tests run against the built bundle, which is what most users load.
const test = require('node:test');
const assert = require('node:assert');
const { lineChart, barChart, escape } = require('../dist/bundle.min.js');

test('line chart draws one path per series', () => {
  const out = lineChart([
    { name: 'a', values: [{ x: 0, y: 1 }, { x: 1, y: 3 }] },
    { name: 'b<script>', values: [{ x: 0, y: 2 }, { x: 1, y: 0 }] }
  ], { width: 200, height: 100 });
  assert.match(out, /^<svg /);
  assert.strictEqual((out.match(/<path /g) || []).length, 2);
  assert.ok(out.includes('data-series="b&lt;script&gt;"'));
  assert.ok(!out.includes('<script>'));
});

test('grouped bars', () => {
  const rows = [{ label: 'Q1', a: 1, b: 2 }, { label: 'Q2', a: 3, b: 1 }];
  const grouped = barChart(rows, ['a', 'b']);
  assert.strictEqual((grouped.match(/<rect /g) || []).length, 4);
});

test('escape', () => {
  assert.strictEqual(escape('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
});
