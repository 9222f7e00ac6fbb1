declare namespace qlimit {
  interface Limit {
    <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
    /** Calls running now. */
    readonly activeCount: number;
    /** Calls waiting for a free slot. */
    readonly pendingCount: number;
  }
}

declare function qlimit(concurrency: number): qlimit.Limit;
export = qlimit;
