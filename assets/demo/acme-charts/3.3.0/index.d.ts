export interface Point { x: number | Date; y: number; }
export interface Series { name: string; values: Point[]; }

export interface LineOptions {
  width?: number;
  height?: number;
  curve?: 'monotone' | 'linear';
  palette?: readonly string[];
  title?: string;
}

export interface BarOptions {
  width?: number;
  height?: number;
  /** One stacked bar per row instead of grouped bars. Since 3.3.0. */
  stacked?: boolean;
  palette?: readonly string[];
  title?: string;
}

export declare function lineChart(series: Series[], options?: LineOptions): string;
export declare function barChart<K extends string>(rows: Array<{ label: string } & Partial<Record<K, number>>>, keys: K[], options?: BarOptions): string;
export declare function escape(value: unknown): string;
export declare const d3: typeof import('d3');
