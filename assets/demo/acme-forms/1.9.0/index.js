'use strict';

// Deliberately loose: the browser's own type="email" check is the real
// gate, this only catches obvious typos.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const MESSAGES = {
  required: () => 'This field is required',
  minLength: (n) => 'Use at least ' + n + ' characters',
  maxLength: (n) => 'Use at most ' + n + ' characters',
  pattern: () => 'This value is not valid',
  email: () => 'Enter an email address',
  min: (n) => 'Must be at least ' + n,
  max: (n) => 'Must be at most ' + n,
  matches: (field) => 'Must match ' + field
};

function isEmpty(v) {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ||
    (Array.isArray(v) && v.length === 0);
}

function message(rules, name, arg) {
  const custom = rules.messages && rules.messages[name];
  if (typeof custom === 'function') {
    return custom(arg);
  }
  return custom || MESSAGES[name](arg);
}

function checkField(rules, value, values) {
  const errors = [];
  if (isEmpty(value)) {
    if (rules.required) {
      errors.push(message(rules, 'required'));
    }
    // Optional and empty: the other rules do not apply.
    return errors;
  }
  const s = String(value);
  if (rules.minLength !== undefined && s.length < rules.minLength) {
    errors.push(message(rules, 'minLength', rules.minLength));
  }
  if (rules.maxLength !== undefined && s.length > rules.maxLength) {
    errors.push(message(rules, 'maxLength', rules.maxLength));
  }
  if (rules.pattern && !rules.pattern.test(s)) {
    errors.push(message(rules, 'pattern', rules.pattern));
  }
  if (rules.email && !EMAIL.test(s)) {
    errors.push(message(rules, 'email'));
  }
  if (rules.min !== undefined && Number(value) < rules.min) {
    errors.push(message(rules, 'min', rules.min));
  }
  if (rules.max !== undefined && Number(value) > rules.max) {
    errors.push(message(rules, 'max', rules.max));
  }
  if (rules.matches && value !== values[rules.matches]) {
    errors.push(message(rules, 'matches', rules.matches));
  }
  if (typeof rules.validate === 'function') {
    const err = rules.validate(value, values);
    if (err) {
      errors.push(String(err));
    }
  }
  return errors;
}

/**
 * createValidator({ email: { required: true, email: true } }) returns
 * validate(values) -> { valid, errors: { field: [messages] } }.
 */
function createValidator(schema) {
  const fields = Object.keys(schema);
  return function validate(values) {
    const v = values || {};
    const errors = {};
    for (const field of fields) {
      const list = checkField(schema[field], v[field], v);
      if (list.length > 0) {
        errors[field] = list;
      }
    }
    return { valid: Object.keys(errors).length === 0, errors };
  };
}

module.exports = { createValidator, MESSAGES };
