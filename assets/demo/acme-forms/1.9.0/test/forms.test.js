'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createValidator } = require('..');

const signup = createValidator({
  email: { required: true, email: true },
  password: { required: true, minLength: 8 },
  confirm: { matches: 'password', messages: { matches: 'Passwords differ' } },
  age: { min: 16, max: 130 },
  nick: { validate: (v) => (v === 'admin' ? 'Taken' : undefined) }
});

test('valid input', () => {
  assert.deepStrictEqual(signup({ email: 'a@b.example', password: 'longenough', confirm: 'longenough', age: 30 }),
    { valid: true, errors: {} });
});

test('errors per field', () => {
  const r = signup({ email: 'nope', password: 'short', confirm: 'x', age: 12, nick: 'admin' });
  assert.strictEqual(r.valid, false);
  assert.deepStrictEqual(r.errors, {
    email: ['Enter an email address'],
    password: ['Use at least 8 characters'],
    confirm: ['Passwords differ'],
    age: ['Must be at least 16'],
    nick: ['Taken']
  });
});

test('empty optional fields skip other rules', () => {
  const r = signup({ email: '  ', password: '' });
  assert.deepStrictEqual(Object.keys(r.errors), ['email', 'password']);
});
