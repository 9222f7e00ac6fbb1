#!/usr/bin/env node
'use strict';

const fs = require('fs');
const hue = require('termhue');
const { toc } = require('../lib/toc');

const USAGE = `usage: mdtoc [--min-depth N] FILE

  --min-depth N   skip headings above level N (default 2)`;

function main(argv) {
  const opts = { minDepth: 2 };
  let file = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--min-depth') {
      opts.minDepth = Number(argv[++i]);
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else {
      file = a;
    }
  }
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  const text = fs.readFileSync(file, 'utf8');
  console.log(toc(text, opts));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(hue.red('mdtoc: ') + err.message);
  process.exitCode = 1;
}