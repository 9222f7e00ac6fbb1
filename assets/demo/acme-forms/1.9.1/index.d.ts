export type RuleName = 'required' | 'minLength' | 'maxLength' | 'pattern' | 'email' | 'min' | 'max' | 'matches';

export interface Rules {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  email?: boolean;
  min?: number;
  max?: number;
  /** Name of another field this one must equal (password confirmation). */
  matches?: string;
  /** Extra check; return an error message, or nothing when the value is fine. */
  validate?: (value: unknown, values: Record<string, unknown>) => string | undefined | void;
  messages?: Partial<Record<RuleName, string | ((arg: unknown) => string)>>;
}

export interface ValidationResult<F extends string = string> {
  valid: boolean;
  /** Messages per field; fields without errors are absent. */
  errors: Partial<Record<F, string[]>>;
}

export declare function createValidator<F extends string>(schema: Record<F, Rules>): (values: Partial<Record<F, unknown>>) => ValidationResult<F>;
export declare const MESSAGES: Record<RuleName, (arg?: unknown) => string>;
