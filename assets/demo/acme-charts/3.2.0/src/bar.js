import { scaleBand, scaleLinear, max } from 'd3';
import { el, svg } from './svg.js';
import { bottomAxis, leftAxis } from './axis.js';
import { color } from './palette.js';

const MARGIN = { top: 20, right: 20, bottom: 30, left: 40 };

/**
 * barChart renders rows like {label: 'Q1', a: 3, b: 5} with one bar per key.
 */
export function barChart(rows, keys, options) {
  const o = Object.assign({ width: 640, height: 320, title: '' }, options);
  const x = scaleBand()
    .domain(rows.map((r) => r.label))
    .range([MARGIN.left, o.width - MARGIN.right])
    .padding(0.2);
  const top = max(rows, (r) => max(keys, (k) => r[k] || 0));
  const y = scaleLinear()
    .domain([0, top])
    .nice()
    .range([o.height - MARGIN.bottom, MARGIN.top]);

  const inner = scaleBand().domain(keys).range([0, x.bandwidth()]).padding(0.05);
  const bars = rows.flatMap((r) => keys.map((k, i) => el('rect', {
    x: x(r.label) + inner(k),
    y: y(r[k] || 0),
    width: inner.bandwidth(),
    height: y(0) - y(r[k] || 0),
    fill: color(i, o.palette)
  })));

  return svg(o.width, o.height, [
    bottomAxis(x, o.height - MARGIN.bottom),
    leftAxis(y, MARGIN.left),
    el('g', { class: 'bars' }, bars)
  ], o.title);
}
