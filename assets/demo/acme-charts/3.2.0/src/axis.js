import { el, escape } from './svg.js';

// Axes are drawn as plain SVG (d3-axis needs a DOM, we only build strings).
export function bottomAxis(scale, y, options) {
  const ticks = scale.ticks ? scale.ticks((options && options.ticks) || 6) : scale.domain();
  const format = (options && options.format) || (scale.tickFormat ? scale.tickFormat() : String);
  const offset = scale.bandwidth ? scale.bandwidth() / 2 : 0;
  const [x0, x1] = scale.range();
  return el('g', { class: 'axis axis-x', transform: 'translate(0,' + y + ')' }, [
    el('line', { x1: x0, x2: x1, stroke: 'currentColor' })
  ].concat(ticks.map((t) => el('g', { transform: 'translate(' + (scale(t) + offset) + ',0)' }, [
    el('line', { y2: 6, stroke: 'currentColor' }),
    el('text', { y: 18, 'text-anchor': 'middle', 'font-size': 11 }, escape(format(t)))
  ]))));
}

export function leftAxis(scale, x, options) {
  const ticks = scale.ticks((options && options.ticks) || 5);
  const format = (options && options.format) || scale.tickFormat();
  return el('g', { class: 'axis axis-y', transform: 'translate(' + x + ',0)' }, ticks.map((t) =>
    el('g', { transform: 'translate(0,' + scale(t) + ')' }, [
      el('line', { x2: -6, stroke: 'currentColor' }),
      el('text', { x: -9, dy: '0.32em', 'text-anchor': 'end', 'font-size': 11 }, escape(format(t)))
    ])));
}
