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
  assert.ok(out.includes('b&lt;script&gt;'));
  assert.ok(!out.includes('<script>'));
});

test('grouped and stacked bars', () => {
  const rows = [{ label: 'Q1', a: 1, b: 2 }, { label: 'Q2', a: 3, b: 1 }];
  const grouped = barChart(rows, ['a', 'b']);
  const stacked = barChart(rows, ['a', 'b'], { stacked: true });
  assert.strictEqual((grouped.match(/<rect /g) || []).length, 4);
  assert.strictEqual((stacked.match(/<rect /g) || []).length, 4);
  assert.ok(stacked.includes('Q2 b: 1'));
});

test('negative values stay inside the chart', () => {
  const heights = (svg) => [...svg.matchAll(/<rect [^>]*height="([^"]+)"/g)].map((m) => Number(m[1]));
  const grouped = barChart([{ label: 'Q1', a: -2, b: 3 }], ['a', 'b'], { height: 100 });
  const stacked = barChart([{ label: 'Q1', a: -2, b: 3 }], ['a', 'b'], { height: 100, stacked: true });
  for (const h of heights(grouped).concat(heights(stacked))) {
    assert.ok(h >= 0, 'negative height ' + h);
  }
  const line = lineChart([{ name: 'a', values: [{ x: 0, y: -5 }, { x: 1, y: 5 }] }], { height: 100 });
  // d3 formats negative ticks with U+2212 MINUS SIGN.
  assert.match(line, />\u2212\d+</, 'the y axis has no negative tick');
});

test('escape', () => {
  assert.strictEqual(escape('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
});
