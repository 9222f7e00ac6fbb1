#!/usr/bin/env node
'use strict';

const fs = require('fs/promises');
const qlimit = require('qlimit');
const hue = require('termhue');
const { toc, insert } = require('../lib/toc');

const USAGE = `usage: mdtoc [--insert] [--min-depth N] [--max-depth N] FILE...

  --insert        write the table between <!-- toc --> and <!-- tocstop -->
  --min-depth N   skip headings above level N (default 2)
  --max-depth N   skip headings below level N (default 6)`;

// Enough to overlap disk reads without running out of file descriptors in a
// docs tree of thousands of files.
const CONCURRENCY = 8;

async function main(argv) {
  const opts = { minDepth: 2, maxDepth: 6 };
  let write = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--insert') {
      write = true;
    } else if (a === '--min-depth' || a === '--max-depth') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 6) {
        throw new Error(a + ' takes a number from 1 to 6');
      }
      opts[a === '--min-depth' ? 'minDepth' : 'maxDepth'] = n;
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const run = qlimit(CONCURRENCY);
  const results = await run.map(files, async (file) => {
    const text = await fs.readFile(file, 'utf8');
    if (write) {
      await fs.writeFile(file, insert(text, opts));
      return hue.green('updated') + ' ' + file;
    }
    return files.length > 1 ? hue.bold(file) + '\n' + toc(text, opts) + '\n' : toc(text, opts);
  });
  for (const r of results) {
    (write ? console.error : console.log)(r);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error(hue.red('mdtoc: ') + err.message);
  process.exitCode = 1;
});
