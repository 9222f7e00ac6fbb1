export { lineChart } from './line.js';
export { barChart } from './bar.js';
export { escape } from './svg.js';
// Re-exported so script-tag users get scales and formats without a second
// download; this is what makes the bundle a few hundred KB.
export * as d3 from 'd3';
