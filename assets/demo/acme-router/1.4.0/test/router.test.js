'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createRouter, createMemoryHistory } = require('..');

const routes = { home: '/', user: '/users/:id' };

test('match with params', () => {
  const r = createRouter(routes, { history: createMemoryHistory() });
  assert.deepStrictEqual(r.match('/users/42?tab=repos'), { name: 'user', params: { id: '42' } });
  assert.strictEqual(r.match('/nope'), null);
});

test('root route', () => {
  const r = createRouter(routes, { history: createMemoryHistory() });
  assert.strictEqual(r.match('/').name, 'home');
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
