#!/usr/bin/env node
'use strict';

const fs = require('fs');
const hue = require('termhue');
const { toc, insert } = require('../lib/toc');

const USAGE = `usage: mdtoc [--insert] [--min-depth N] FILE

  --insert        write the table between <!-- toc --> and <!-- tocstop -->
  --min-depth N   skip headings above level N (default 2)`;

function main(argv) {
  const opts = { minDepth: 2 };
  let write = false;
  let file = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--insert') {
      write = true;
    } else if (a === '--min-depth') {
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
  if (write) {
    fs.writeFileSync(file, insert(text, opts));
    console.error(hue.green('updated') + ' ' + file);
  } else {
    console.log(toc(text, opts));
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(hue.red('mdtoc: ') + err.message);
  process.exitCode = 1;
}