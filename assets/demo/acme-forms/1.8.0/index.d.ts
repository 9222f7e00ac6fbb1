export interface Rules {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  email?: boolean;
  min?: number;
  max?: number;
  messages?: Partial<Record<string, string | ((arg: unknown) => string)>>;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export declare function createValidator(schema: Record<string, Rules>): (values: Record<string, unknown>) => ValidationResult;
export declare const MESSAGES: Record<string, (arg?: unknown) => string>;
