import { scaleBand, scaleLinear, stack, stackOffsetDiverging, min, max } from 'd3';
import { el, svg, escape } from './svg.js';
import { bottomAxis, leftAxis } from './axis.js';
import { color } from './palette.js';

const MARGIN = { top: 20, right: 20, bottom: 30, left: 40 };

/**
 * barChart renders rows like {label: 'Q1', a: 3, b: 5} with one bar per key
 * (grouped), or one stacked bar per row with {stacked: true}.
 */
export function barChart(rows, keys, options) {
  const o = Object.assign({ width: 640, height: 320, stacked: false, title: '' }, options);
  const x = scaleBand()
    .domain(rows.map((r) => r.label))
    .range([MARGIN.left, o.width - MARGIN.right])
    .padding(0.2);
  const sum = (r, sign) => keys.reduce((acc, k) => acc + (Math.sign(r[k] || 0) === sign ? r[k] : 0), 0);
  const top = o.stacked
    ? max(rows, (r) => sum(r, 1))
    : max(rows, (r) => max(keys, (k) => r[k] || 0));
  const bottom = o.stacked
    ? min(rows, (r) => sum(r, -1))
    : min(rows, (r) => min(keys, (k) => r[k] || 0));
  const y = scaleLinear()
    .domain([Math.min(0, bottom), Math.max(0, top)])
    .nice()
    .range([o.height - MARGIN.bottom, MARGIN.top]);

  let bars;
  if (o.stacked) {
    const layers = stack().keys(keys).value((r, k) => r[k] || 0).offset(stackOffsetDiverging)(rows);
    bars = layers.flatMap((layer, i) => layer.map((seg) => el('rect', {
      x: x(seg.data.label),
      y: y(Math.max(seg[0], seg[1])),
      width: x.bandwidth(),
      height: Math.abs(y(seg[0]) - y(seg[1])),
      fill: color(i, o.palette)
    }, el('title', {}, escape(seg.data.label + ' ' + layer.key + ': ' + (seg[1] - seg[0]))))));
  } else {
    const inner = scaleBand().domain(keys).range([0, x.bandwidth()]).padding(0.05);
    bars = rows.flatMap((r) => keys.map((k, i) => el('rect', {
      x: x(r.label) + inner(k),
      // A negative value hangs down from the zero line; SVG rejects a
      // negative height, so the rectangle starts at zero instead.
      y: y(Math.max(0, r[k] || 0)),
      width: inner.bandwidth(),
      height: Math.abs(y(0) - y(r[k] || 0)),
      fill: color(i, o.palette)
    }, el('title', {}, escape(r.label + ' ' + k + ': ' + (r[k] || 0))))));
  }

  return svg(o.width, o.height, [
    bottomAxis(x, o.height - MARGIN.bottom),
    leftAxis(y, MARGIN.left),
    el('g', { class: 'bars' }, bars)
  ], o.title);
}
