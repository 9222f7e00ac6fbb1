'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { toc } = require('..');

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
