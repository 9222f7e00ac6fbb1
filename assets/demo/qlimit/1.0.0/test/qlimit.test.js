'use strict';

const test = require('node:test');
const assert = require('node:assert');
const qlimit = require('..');

const tick = () => new Promise((r) => setImmediate(r));

test('never runs more than the limit', async () => {
  const run = qlimit(2);
  let now = 0;
  let peak = 0;
  const job = async (v) => {
    now++;
    peak = Math.max(peak, now);
    await tick();
    now--;
    return v * 2;
  };
  const out = await Promise.all([1, 2, 3, 4, 5].map((v) => run(job, v)));
  assert.deepStrictEqual(out, [2, 4, 6, 8, 10]);
  assert.strictEqual(peak, 2);
});

test('errors reject only their own call', async () => {
  const run = qlimit(1);
  const bad = run(() => {
    throw new Error('boom');
  });
  const good = run(() => 'ok');
  await assert.rejects(bad, /boom/);
  assert.strictEqual(await good, 'ok');
});

test('counts', async () => {
  const run = qlimit(1);
  const p = [run(tick), run(tick), run(tick)];
  await tick();
  assert.strictEqual(run.activeCount, 1);
  assert.strictEqual(run.pendingCount, 2);
  await Promise.all(p);
  assert.strictEqual(run.activeCount + run.pendingCount, 0);
});

test('bad concurrency', () => {
  assert.throws(() => qlimit(0), RangeError);
  assert.throws(() => qlimit(1.5), TypeError);
});
