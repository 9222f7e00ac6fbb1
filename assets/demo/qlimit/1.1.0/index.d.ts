declare namespace qlimit {
  interface Limit {
    <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
    /** Runs fn on every item, at most `concurrency` at a time; results keep the items' order. */
    map<T, R>(items: Iterable<T>, fn: (item: T, index: number) => R | PromiseLike<R>): Promise<R[]>;
    /** Drops calls that have not started yet. */
    clearQueue(): void;
    /** Calls running now. */
    readonly activeCount: number;
    /** Calls waiting for a free slot. */
    readonly pendingCount: number;
  }
}

declare function qlimit(concurrency: number): qlimit.Limit;
export = qlimit;
