'use strict';

// Deliberately loose: the browser's own type="email" check is the real
// gate, this only catches obvious typos.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isEmpty(v) {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ||
    (Array.isArray(v) && v.length === 0);
}

/**
 * rule(name, check, message): check(value, values) returns true when the
 * value is fine (or a promise of it). Rules other than required() do not run
 * on empty values, so an optional field may stay empty.
 */
function rule(name, check, message) {
  return { name, check, message };
}

const required = (message) => rule('required', (v) => !isEmpty(v), message || 'This field is required');
const minLength = (n, message) => rule('minLength', (v) => String(v).length >= n, message || 'Use at least ' + n + ' characters');
const maxLength = (n, message) => rule('maxLength', (v) => String(v).length <= n, message || 'Use at most ' + n + ' characters');
const pattern = (re, message) => rule('pattern', (v) => re.test(String(v)), message || 'This value is not valid');
const email = (message) => rule('email', (v) => EMAIL.test(String(v)), message || 'Enter an email address');
const min = (n, message) => rule('min', (v) => Number(v) >= n, message || 'Must be at least ' + n);
const max = (n, message) => rule('max', (v) => Number(v) <= n, message || 'Must be at most ' + n);
const matches = (field, message) => rule('matches', (v, values) => v === values[field], message || 'Must match ' + field);
/** custom(fn, message): fn may be async, e.g. a "username taken?" request. */
const custom = (fn, message) => rule('custom', fn, message || 'This value is not valid');

async function checkField(rules, value, values) {
  const errors = [];
  const req = rules.find((r) => r.name === 'required');
  if (isEmpty(value)) {
    if (req) {
      errors.push(req.message);
    }
    return errors;
  }
  // Rules of one field run in parallel; their messages keep schema order.
  const results = await Promise.all(rules.filter((r) => r !== req).map((r) => r.check(value, values)));
  results.forEach((ok, i) => {
    if (!ok) {
      errors.push(rules.filter((r) => r !== req)[i].message);
    }
  });
  return errors;
}

/**
 * createValidator({ email: [required(), email()] }) returns an async
 * validate(values) -> { valid, errors: { field: [messages] } }.
 */
function createValidator(schema) {
  const fields = Object.keys(schema);
  for (const f of fields) {
    if (!Array.isArray(schema[f])) {
      throw new TypeError('@acme/forms: rules for ' + JSON.stringify(f) +
        ' must be an array such as [required(), email()] (2.0 changed the schema format)');
    }
  }
  return async function validate(values) {
    const v = values || {};
    const lists = await Promise.all(fields.map((f) => checkField(schema[f], v[f], v)));
    const errors = {};
    fields.forEach((f, i) => {
      if (lists[i].length > 0) {
        errors[f] = lists[i];
      }
    });
    return { valid: Object.keys(errors).length === 0, errors };
  };
}

module.exports = { createValidator, rule, required, minLength, maxLength, pattern, email, min, max, matches, custom };
