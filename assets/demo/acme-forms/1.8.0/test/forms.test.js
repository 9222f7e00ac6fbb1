'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createValidator } = require('..');

const signup = createValidator({
  email: { required: true, email: true },
  password: { required: true, minLength: 8 },
  age: { min: 16, max: 130, messages: { min: (n) => 'You must be ' + n } }
});

test('valid input', () => {
  assert.deepStrictEqual(signup({ email: 'a@b.example', password: 'longenough', age: 30 }),
    { valid: true, errors: {} });
});

test('errors per field', () => {
  const r = signup({ email: 'nope', password: 'short', age: 12 });
  assert.strictEqual(r.valid, false);
  assert.deepStrictEqual(r.errors, {
    email: ['Enter an email address'],
    password: ['Use at least 8 characters'],
    age: ['You must be 16']
  });
});

test('empty optional fields skip other rules', () => {
  const r = signup({ email: '  ', password: '' });
  assert.deepStrictEqual(Object.keys(r.errors), ['email', 'password']);
});
