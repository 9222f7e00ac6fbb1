'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createRouter, createMemoryHistory } = require('..');

const routes = { home: '/', user: '/users/:id', files: '/files/*' };

test('match with params and query', () => {
  const r = createRouter(routes, { history: createMemoryHistory() });
  assert.deepStrictEqual(r.match('/users/42?tab=repos&tab=stars'), {
    name: 'user', params: { id: '42' }, query: { tab: ['repos', 'stars'] }
  });
  assert.strictEqual(r.match('/nope'), null);
});

test('trailing slash matches', () => {
  const r = createRouter(routes, { history: createMemoryHistory() });
  assert.strictEqual(r.match('/users/42/').params.id, '42');
  assert.strictEqual(r.match('/').name, 'home');
});

test('wildcard', () => {
  const r = createRouter(routes, { history: createMemoryHistory() });
  assert.strictEqual(r.match('/files/a/b%20c.txt').params['*'], 'a/b c.txt');
  assert.strictEqual(r.href('files', { '*': 'a/b c.txt' }), '/files/a/b%20c.txt');
});

test('navigate notifies subscribers', () => {
  const r = createRouter(routes, { history: createMemoryHistory('/') });
  const seen = [];
  r.subscribe((m) => seen.push(m && m.name));
  r.navigate('user', { id: 7 });
  r.back();
  assert.deepStrictEqual(seen, ['user', 'home']);
  assert.throws(() => r.href('user'), /missing param id/);
});
