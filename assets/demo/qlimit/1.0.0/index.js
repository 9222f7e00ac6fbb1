'use strict';

/**
 * qlimit(concurrency) returns run(fn, ...args): fn is called when fewer than
 * `concurrency` earlier calls are still pending, and run() returns a promise
 * of its result.
 */
function qlimit(concurrency) {
  if (!Number.isInteger(concurrency) && concurrency !== Infinity) {
    throw new TypeError('qlimit: concurrency must be an integer or Infinity');
  }
  if (concurrency < 1) {
    throw new RangeError('qlimit: concurrency must be at least 1');
  }

  const queue = [];
  let active = 0;

  function next() {
    if (active >= concurrency || queue.length === 0) {
      return;
    }
    const job = queue.shift();
    active++;
    // Promise.resolve().then() also turns a synchronous throw into a
    // rejection, so one bad fn cannot stall the queue.
    Promise.resolve()
      .then(() => job.fn(...job.args))
      .then(job.resolve, job.reject)
      .finally(() => {
        active--;
        next();
      });
  }

  function run(fn, ...args) {
    return new Promise((resolve, reject) => {
      queue.push({ fn, args, resolve, reject });
      next();
    });
  }

  Object.defineProperties(run, {
    activeCount: { get: () => active },
    pendingCount: { get: () => queue.length }
  });

  return run;
}

module.exports = qlimit;
module.exports.default = qlimit;
