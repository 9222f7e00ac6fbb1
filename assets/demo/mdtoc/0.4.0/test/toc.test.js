'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { toc, insert } = require('..');

const doc = [
  '# Title',
  '',
  '## Install & use',
  '### From npm',
  '```sh',
  '## not a heading',
  '```',
  '## Install & use',
  '## [API](./api.md) `toc()`'
].join('\n');

test('nested list with GitHub anchors', () => {
  assert.strictEqual(toc(doc), [
    '- [Install & use](#install-use)',
    '  - [From npm](#from-npm)',
    '- [Install & use](#install-use-1)',
    '- [[API](./api.md) `toc()`](#api-toc)'
  ].join('\n'));
});

test('insert between markers, twice', () => {
  const src = '# T\n<!-- toc -->\nold\n<!-- tocstop -->\n## A\n';
  const once = insert(src);
  assert.strictEqual(once, '# T\n<!-- toc -->\n\n- [A](#a)\n\n<!-- tocstop -->\n## A\n');
  assert.strictEqual(insert(once), once);
});

test('insert without markers fails', () => {
  assert.throws(() => insert('## A'), /markers/);
});
