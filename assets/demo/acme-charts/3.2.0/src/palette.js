import { schemeTableau10 } from 'd3';

/** The colour of series i; wraps after ten series. */
export function color(i, palette) {
  const p = palette || schemeTableau10;
  return p[i % p.length];
}
