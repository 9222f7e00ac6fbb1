'use strict';

// Builds dist/bundle.min.js: src/ plus all of d3 in one minified file that
// works as a <script> (window.AcmeCharts) and with require().
// Run `npm install && npm run build`; the output is deterministic for a given
// esbuild and d3 version.
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const { version } = require('../package.json');

esbuild.buildSync({
  entryPoints: [path.join(root, 'src/index.js')],
  outfile: path.join(root, 'dist/bundle.min.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'AcmeCharts',
  target: ['es2019'],
  legalComments: 'none',
  banner: { js: '/*! @acme/charts ' + version + ' | MIT | includes d3 (ISC), see LICENSE */' },
  footer: { js: 'typeof module=="object"&&module.exports&&(module.exports=AcmeCharts);' }
});
