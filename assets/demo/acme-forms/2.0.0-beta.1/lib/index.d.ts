export interface Rule {
  readonly name: string;
  check(value: unknown, values: Record<string, unknown>): boolean | Promise<boolean>;
  readonly message: string;
}

export interface ValidationResult<F extends string = string> {
  valid: boolean;
  /** Messages per field; fields without errors are absent. */
  errors: Partial<Record<F, string[]>>;
}

export type Schema<F extends string> = Record<F, Rule[]>;

export declare function createValidator<F extends string>(schema: Schema<F>): (values: Partial<Record<F, unknown>>) => Promise<ValidationResult<F>>;
export declare function rule(name: string, check: Rule['check'], message: string): Rule;
export declare function required(message?: string): Rule;
export declare function minLength(n: number, message?: string): Rule;
export declare function maxLength(n: number, message?: string): Rule;
export declare function pattern(re: RegExp, message?: string): Rule;
export declare function email(message?: string): Rule;
export declare function min(n: number, message?: string): Rule;
export declare function max(n: number, message?: string): Rule;
export declare function matches(field: string, message?: string): Rule;
export declare function custom(check: Rule['check'], message?: string): Rule;
