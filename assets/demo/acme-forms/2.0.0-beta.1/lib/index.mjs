// ESM entry: one implementation (index.cjs), so `import` and `require`
// users share the same functions and instanceof checks agree.
import forms from './index.cjs';

export const {
  createValidator, rule, required, minLength, maxLength, pattern, email, min, max, matches, custom
} = forms;
