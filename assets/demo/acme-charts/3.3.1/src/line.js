import { scaleLinear, scaleUtc, line as d3line, curveMonotoneX, curveLinear, extent, min, max } from 'd3';
import { el, svg, escape } from './svg.js';
import { bottomAxis, leftAxis } from './axis.js';
import { color } from './palette.js';

const MARGIN = { top: 20, right: 20, bottom: 30, left: 40 };

/**
 * lineChart renders series of {x, y} points to an SVG string.
 * x may be numbers or Dates; each series is {name, values}.
 */
export function lineChart(series, options) {
  const o = Object.assign({ width: 640, height: 320, curve: 'monotone', title: '' }, options);
  const all = series.flatMap((s) => s.values);
  const isTime = all.length > 0 && all[0].x instanceof Date;
  const x = (isTime ? scaleUtc() : scaleLinear())
    .domain(extent(all, (d) => d.x))
    .range([MARGIN.left, o.width - MARGIN.right]);
  // Keep 0 in the domain, but let negative values extend it downwards
  // (before 3.3.1 they were drawn below the x axis, outside the chart).
  const y = scaleLinear()
    .domain([Math.min(0, min(all, (d) => d.y)), Math.max(0, max(all, (d) => d.y))])
    .nice()
    .range([o.height - MARGIN.bottom, MARGIN.top]);
  const path = d3line()
    .x((d) => x(d.x))
    .y((d) => y(d.y))
    .curve(o.curve === 'linear' ? curveLinear : curveMonotoneX);

  const lines = series.map((s, i) => el('path', {
    d: path(s.values),
    fill: 'none',
    stroke: color(i, o.palette),
    'stroke-width': 1.5,
    'data-series': s.name
  }, el('title', {}, escape(s.name))));

  return svg(o.width, o.height, [
    bottomAxis(x, o.height - MARGIN.bottom),
    leftAxis(y, MARGIN.left),
    el('g', { class: 'series' }, lines)
  ], o.title);
}
