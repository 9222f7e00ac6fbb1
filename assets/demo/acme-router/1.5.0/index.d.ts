export interface Match {
  name: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
}

export interface History {
  readonly location: string;
  push(url: string): void;
  replace(url: string): void;
  back(): void;
}

export interface Router<R extends Record<string, string>> {
  match(url: string): Match | null;
  href(name: keyof R & string, params?: Record<string, string | number>): string;
  readonly current: Match | null;
  navigate(name: keyof R & string, params?: Record<string, string | number>, options?: { replace?: boolean }): string;
  back(): void;
  subscribe(listener: (match: Match | null) => void): () => void;
}

export declare function createRouter<R extends Record<string, string>>(routes: R, options?: { history?: History }): Router<R>;
export declare function createMemoryHistory(initial?: string): History;
