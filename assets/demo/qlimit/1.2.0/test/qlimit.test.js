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

test('map keeps order', async () => {
  const run = qlimit(3);
  const out = await run.map([30, 10, 20], async (ms, i) => {
    await new Promise((r) => setTimeout(r, ms));
    return i;
  });
  assert.deepStrictEqual(out, [0, 1, 2]);
});

test('clearQueue drops pending calls', async () => {
  const run = qlimit(1);
  let ran = 0;
  const first = run(async () => {
    await tick();
    ran++;
  });
  run(() => ran++);
  run(() => ran++);
  run.clearQueue();
  await first;
  await tick();
  assert.strictEqual(ran, 1);
});

test('raising concurrency starts waiting calls', async () => {
  const run = qlimit(1);
  const p = [run(tick), run(tick), run(tick)];
  await tick();
  assert.strictEqual(run.activeCount, 1);
  run.concurrency = 3;
  assert.strictEqual(run.activeCount, 3);
  assert.throws(() => {
    run.concurrency = 0;
  }, RangeError);
  await Promise.all(p);
});
